# `ct expectation set` on a connection's first packet (IPv4): the server's connection back to
# the client's port 5000 is related (from any source port); another port is new (dropped).
# The kernel keeps the expectation `timeout` seconds of nft's milliseconds (nft sends 60000
# for 1m and nft_ct.c multiplies it by HZ): `conntrack -L expect` while the second one is
# pending, against `--ct-list-expect`.
from ctlib import Tcp

NFQWALL_ARGS = ["--ct-list-expect"]


def scenario(lab):
    A, B = lab.A4, lab.B4
    t = Tcp(lab, A, B, 40600, 8888)
    t.handshake()
    Tcp(lab, B, A, 41000, 5000, client_side="b").c("S")    # related
    Tcp(lab, B, A, 41001, 5001, client_side="b").c("S")    # new: dropped
    t = Tcp(lab, A, B, 40601, 8888)
    t.c("S")                                                # a pending expectation for compare()


def compare(run):
    def lines(text):
        return [line.split(" ", 1) for line in text.splitlines() if " proto=6 " in line and line[0].isdigit()]
    kernel = lines(run.r_exec("conntrack", "-L", "expect").stdout)
    nfq = lines(run.eval_stdout)
    if len(kernel) != 1 or len(nfq) != 1 or kernel[0][1] != nfq[0][1]:
        return [f"conntrack -L expect: kernel {kernel!r}; nfqwall {nfq!r}"]
    kt, nt = int(kernel[0][0]), int(nfq[0][0])
    if not 59000 < kt <= 60000 or abs(kt - nt) > 2:
        return [f"expectation timeout: kernel {kt}, nfqwall {nt} (60000 s expected: nft's ms read as seconds)"]
    return []

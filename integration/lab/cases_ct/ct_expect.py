# `ct expectation set` on a connection's first packet (IPv4): the server's connection back to
# the client's port 5000 is related (from any source port); another port is new (dropped).
# The kernel keeps the expectation `timeout` seconds of nft's milliseconds (nft sends 60000
# for 1m and nft_ct.c multiplies it by HZ): checked with `conntrack -L expect` while the
# second one is pending.
from ctlib import Tcp


def scenario(lab):
    A, B = lab.A4, lab.B4
    t = Tcp(lab, A, B, 40600, 8888)
    t.handshake()
    Tcp(lab, B, A, 41000, 5000, client_side="b").c("S")    # related
    Tcp(lab, B, A, 41001, 5001, client_side="b").c("S")    # new: dropped
    t = Tcp(lab, A, B, 40601, 8888)
    t.c("S")                                                # a pending expectation for compare()


def compare(run):
    out = run.r_exec("conntrack", "-L", "expect").stdout
    lines = [line for line in out.splitlines() if "proto=6" in line]
    if len(lines) != 1:
        return [f"conntrack -L expect: expected one expectation, got {lines!r}"]
    timeout = int(lines[0].split()[0])
    if not 59000 < timeout <= 60000:
        return [f"conntrack -L expect: timeout {timeout}, expected 60000 s (nft's ms read as seconds)"]
    return []

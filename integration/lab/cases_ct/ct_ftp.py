# The FTP helper (IPv4 and IPv6; ../../../shared/docs/conntrack.md §4.3, §8.9): a command as the
# client's first data is not parsed (its data connection is new, dropped); passive (227 / 229)
# and active (PORT / EPRT) data connections are related and carry the master's mark (the
# master lists helper=ftp); a command cut in two is dropped by the helper, and parsed when the
# whole line is sent again from the same sequence number. A last PASV/EPSV leaves one
# expectation per master pending: `conntrack -L expect` against `--ct-list-expect`.
import re

from ctlib import Tcp

NFQWALL_ARGS = ["--ct-list-expect"]


def port_command(addr, port):
    if ":" in addr:
        return b"EPRT |2|%s|%d|\r\n" % (addr.encode(), port)
    return b"PORT %s,%d,%d\r\n" % (addr.replace(".", ",").encode(), port >> 8, port & 255)


def passive_reply(addr, port):
    if ":" in addr:
        return b"229 Entering Extended Passive Mode (|||%d|)\r\n" % port
    return b"227 Entering Passive Mode (%s,%d,%d)\r\n" % (addr.replace(".", ",").encode(), port >> 8, port & 255)


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 40500), (lab.A6, lab.B6, 40520)):
        ctl = Tcp(lab, A, B, base, 21)
        ctl.handshake()
        ctl.c("PA", port_command(A, 50100 + base % 100))    # the client's first data: not parsed
        ctl.s("PA", b"220 ready\r\n")                       # the server's first data: not parsed
        Tcp(lab, B, A, 20, 50100 + base % 100, client_side="b").c("S")   # new: dropped
        ctl.c("PA", b"PASV\r\n")
        ctl.s("PA", passive_reply(B, 50200 + base % 100))
        ctl.c("A")
        d = Tcp(lab, A, B, base + 1, 50200 + base % 100)   # related, then established
        d.handshake()
        d.data()
        ctl.c("PA", port_command(A, 50300 + base % 100))
        ctl.s("PA", b"200 ok\r\n")
        d = Tcp(lab, B, A, 20, 50300 + base % 100, client_side="b")
        d.handshake()
        whole = port_command(A, 50400 + base % 100)
        ctl.c("PA", whole[:9], advance=False)    # cut short: the helper drops it
        ctl.c("PA", whole)
        ctl.s("PA", b"200 ok\r\n")
        Tcp(lab, B, A, 20, 50400 + base % 100, client_side="b").c("S")   # related
        ctl.c("PA", b"PASV\r\n")
        ctl.s("PA", passive_reply(B, 50500 + base % 100))  # left pending


def compare(run):
    """The pending expectations: the same lines, timeouts within 2 s."""
    def lines(text):
        return sorted((line.split(" ", 1)[1], int(line.split(" ", 1)[0]))
                      for line in text.splitlines() if re.match(r"^\d+ proto=", line))
    # conntrack -L expect dumps IPv4 unless told otherwise.
    kernel = lines(run.r_exec("conntrack", "-L", "expect").stdout +
                   run.r_exec("conntrack", "-L", "expect", "-f", "ipv6").stdout)
    nfq = lines(run.eval_stdout)
    problems = []
    if [k for k, _ in kernel] != [n for n, _ in nfq] or len(kernel) != 2:
        problems.append(f"conntrack -L expect: kernel {kernel!r}; nfqwall {nfq!r}")
    for (k, kt), (_, nt) in zip(kernel, nfq):
        if abs(kt - nt) > 2:
            problems.append(f"expectation timeout: kernel {kt}, nfqwall {nt}: {k}")
    return problems

# Drops at postrouting (IPv4 and IPv6): a UDP flow's first packet twice (no entry either time),
# then its reply from B (new, refused: no entry either); a FIN dropped after forward, then
# retransmitted (FIN_WAIT, counted).
from ctlib import Tcp, udp


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 41201), (lab.A6, lab.B6, 41211)):
        lab.a(udp(A, B, base, 7777))
        lab.a(udp(A, B, base, 7777))
        lab.b(udp(B, A, 7777, base))
        t = Tcp(lab, A, B, base + 1, 81)
        t.handshake()
        t.data()
        t.c("FA")
        t.c("FA", seq=t.next["c"] - 1, advance=False)

# REJECT and the tracker: the third ACK of a handshake rejected with a reset (the kernel's RST
# closes the entry: CLOSE, 10 s), a SYN rejected with a reset, a UDP packet rejected with an
# ICMP error and a SYN dropped, all on first packets (no entry), an established UDP flow whose
# later packet is rejected (entry kept).
from ctlib import Tcp, udp


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 40601), (lab.A6, lab.B6, 40611)):
        t = Tcp(lab, A, B, base, 8094)
        t.c("S")
        t.s("SA")
        t.c("A")
        t.c("PA", b"after the reset")
        Tcp(lab, A, B, base + 1, 8096).c("S")
        lab.a(udp(A, B, base + 2, 8095))
        Tcp(lab, A, B, base + 3, 8097).c("S")
        t = Tcp(lab, A, B, base + 4, 8093)
        t.handshake()
        t.data()
        lab.a(udp(A, B, base + 5, 8092))
        lab.b(udp(B, A, 8092, base + 5))
        lab.a(udp(A, B, base + 5, 8092, b"l" * 120))
        lab.a(udp(A, B, base + 5, 8092, b"s"))

# ct keys as matches (IPv4 and IPv6): a connection's packets are decided by different rules as
# its status, counters and direction change; UDP flows with and without replies.
from ctlib import Tcp, udp


def scenario(lab):
    A, B, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for client, server, sport in ((A, B, 40501), (A6, B6, 40511)):
        for port in (80, 8080):
            t = Tcp(lab, client, server, sport + (port == 8080), port)
            t.handshake()
            t.data()
            t.c("PA", b"z" * 300)
            t.s("A")
            t.c("PA", b"z" * 300)
            t.s("PA", b"r")
            t.c("FA")
            t.s("FA")
            t.c("A")
        lab.a(udp(client, server, sport + 2, 53))
        lab.a(udp(client, server, sport + 2, 53))
        lab.b(udp(server, client, 53, sport + 2))
        lab.a(udp(client, server, sport + 2, 53))
        lab.b(udp(server, client, 53, sport + 2))

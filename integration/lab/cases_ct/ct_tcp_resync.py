# Resynchronisation (IPv4 and IPv6): on an established connection the client sends a new SYN
# (ignored) and the server answers it with a SYN-ACK (the tracker takes the new connection:
# SYN_RECV, then ESTABLISHED); a SYN to a port the server has a stale connection on, answered
# by the server's challenge ACK and the client's RST at that ack (the entry goes); the same SYN
# retransmitted with a different sequence number in SYN_SENT; a SYN-ACK acking the wrong
# sequence (invalid).
from ctlib import Tcp


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 42101), (lab.A6, lab.B6, 42111)):
        t = Tcp(lab, A, B, base, 80)
        t.handshake()
        t.data()
        t.next["c"] += 1_000_000
        new_syn = t.next["c"]
        t.c("S")
        t.next["s"] += 2_000_000
        t.s("SA", ack=new_syn + 1)
        t.c("A")
        t.c("PA", b"on the new connection")
        t.s("A")
        t = Tcp(lab, A, B, base + 1, 80)
        t.c("S")
        t.s("A", ack=777777)
        t.c("R", seq=777777)
        t = Tcp(lab, A, B, base + 2, 80)
        t.c("S")
        t.c("S", seq=t.next["c"] + 5000, advance=False)
        t.s("SA", ack=t.next["c"] + 5000)
        t.c("A", seq=t.next["c"] + 5000)
        t = Tcp(lab, A, B, base + 3, 80)
        t.c("S")
        t.s("SA", ack=t.next["c"] + 12345)

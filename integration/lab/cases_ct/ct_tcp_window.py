# TCP window tracking at its edges (IPv4 and IPv6): sequence numbers wrapping around 2^32 in
# both directions, window scale 15 (clamped to 14) and scaling offered by one side only, data
# at the very end of the window and one byte beyond, a segment overlapping data already seen,
# a zero window in the SYN, data from the server in SYN_RECV, an ack exactly at the end of
# what the peer sent and one byte beyond.
from ctlib import Tcp


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 41701), (lab.A6, lab.B6, 41711)):
        t = Tcp(lab, A, B, base, 80, cseq=0xFFFFFF00, sseq=0xFFFFFFF0)    # wrap-around
        t.handshake()
        t.c("PA", b"a" * 600)
        t.s("PA", b"b" * 600)
        t.c("PA", b"c" * 600)
        t.s("A")
        t.c("A")
        t = Tcp(lab, A, B, base + 1, 80, window=1000)                     # wscale 15 -> 14
        t.c("S", options=[("WScale", 15)])
        t.s("SA", options=[("WScale", 15)])
        t.c("A")
        t.c("PA", b"d" * 1400)
        t.s("A")
        t = Tcp(lab, A, B, base + 2, 80, window=2000)                     # scaling on one side only
        t.c("S", options=[("WScale", 7)])
        t.s("SA")
        t.c("A")
        t.c("PA", b"e" * 1000)
        t.c("PA", b"f" * 1000)                                            # exactly at the window's end
        t.c("PA", b"g" * 1)                                               # one byte beyond
        t.s("A")
        t = Tcp(lab, A, B, base + 3, 80)                                  # overlap, acks at the edge
        t.handshake()
        s0 = t.next["c"]
        t.c("PA", b"h" * 100)
        t.c("PA", b"h" * 150, seq=s0 + 50, advance=False)
        t.next["c"] = s0 + 200
        t.s("A", ack=s0 + 200)
        t.s("A", ack=s0 + 201)
        t = Tcp(lab, A, B, base + 4, 80)                                  # zero window in the SYN
        t.c("S", window=0)
        t.s("SA")
        t.s("PA", b"server data in SYN_RECV")
        t.c("A")

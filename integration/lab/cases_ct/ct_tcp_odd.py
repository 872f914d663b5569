# TCP off the usual path (IPv4): a SYN from the server side on a TIME_WAIT tuple; simultaneous
# open carried through to ESTABLISHED; an ACK from the client before any SYN-ACK; a client RST
# in SYN_RECV; a late duplicate SYN-ACK on an established connection; FIN retransmitted in
# CLOSE_WAIT; data from the server in LAST_ACK; a RST in TIME_WAIT; a RST+ACK with a wrong ack
# in SYN_SENT; a pickup from the server's side (a bare ACK from port 80).
from ctlib import Tcp


def scenario(lab):
    A, B = lab.A4, lab.B4
    t = Tcp(lab, A, B, 41601, 80)
    t.handshake()
    t.c("FA")
    t.s("FA")
    t.c("A")
    t.s("S", seq=t.next["s"] + 100000)
    t = Tcp(lab, A, B, 41602, 80)
    t.c("S")
    t.s("S")
    t.c("SA", seq=t.next["c"] - 1)
    t.s("SA", seq=t.next["s"] - 1)
    t.c("A")
    t.s("PA", b"simultaneous")
    t = Tcp(lab, A, B, 41603, 80)
    t.c("S")
    t.c("A", ack=12345)
    t = Tcp(lab, A, B, 41604, 80)
    t.c("S")
    t.s("SA")
    t.c("R")
    t = Tcp(lab, A, B, 41605, 80)
    t.handshake()
    t.data()
    t.s("SA", seq=t.next["s"] - 1 - 119, ack=t.next["c"] - 19)
    t = Tcp(lab, A, B, 41606, 80)
    t.handshake()
    t.c("FA")
    t.s("A")
    t.c("FA", seq=t.next["c"] - 1, advance=False)
    t.s("FA")
    t.s("PA", b"late data")
    t = Tcp(lab, A, B, 41607, 80)
    t.handshake()
    t.c("FA")
    t.s("FA")
    t.c("A")
    t.c("R")
    t = Tcp(lab, A, B, 41608, 80)
    t.c("S")
    t.s("RA", ack=t.next["c"] + 5000)
    t = Tcp(lab, B, A, 80, 41609, client_side="b")
    t.c("A")
    t.s("A")

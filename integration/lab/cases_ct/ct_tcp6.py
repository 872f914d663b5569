# TCP over IPv6 through R's tracker, accounting off: handshake, data, orderly close, RST,
# out-of-window and bad flags (invalid), mid-stream pickup, SYN retransmission, a dropped
# first packet.
from ctlib import Tcp

CT_SYSCTL = {"nf_conntrack_acct": 0}


def scenario(lab):
    A, B = lab.A6, lab.B6
    t = Tcp(lab, A, B, 40201, 443)
    t.handshake()
    t.data()
    t.c("FA")
    t.s("FA")
    t.c("A")
    t = Tcp(lab, A, B, 40202, 443)
    t.handshake()
    t.data()
    c0, s0 = t.next["c"], t.next["s"]
    t.s("PA", b"far", seq=(s0 + 2_000_000_000) & 0xFFFFFFFF)
    t.c("A", ack=(s0 + 200000) & 0xFFFFFFFF)
    t.c("SR")
    t.c("FPU", seq=c0)
    t.s("PA", b"more")
    t.c("A")
    t = Tcp(lab, A, B, 40203, 80)
    t.handshake()
    t.c("R")
    t = Tcp(lab, A, B, 40204, 80)
    t.c("S")
    t.c("S", advance=False)
    t.c("S", advance=False)
    t = Tcp(lab, A, B, 40205, 80)
    t.c("PA", b"pickup")
    t.s("A")
    Tcp(lab, A, B, 40206, 80).c("F")
    t = Tcp(lab, A, B, 40207, 22)
    t.c("S")
    t.s("SA")

# nf_conntrack_tcp_loose = 0 and nf_conntrack_tcp_be_liberal = 1 in R and in nfqwall's
# --ct-config: a bare ACK first is invalid (no pickup), a segment far above the window passes.
from ctlib import Tcp

CT_SYSCTL = {"nf_conntrack_tcp_loose": 0, "nf_conntrack_tcp_be_liberal": 1}


def scenario(lab):
    A, B = lab.A4, lab.B4
    t = Tcp(lab, A, B, 40701, 80)
    t.c("A")
    t.c("PA", b"midstream")
    t = Tcp(lab, A, B, 40702, 80)
    t.handshake()
    t.data()
    t.c("PA", b"far ahead", seq=(t.next["c"] + 1_000_000_000) & 0xFFFFFFFF)
    t.c("A", ack=(t.next["s"] + 100000) & 0xFFFFFFFF)
    t.s("PA", b"ok")
    t.c("A")

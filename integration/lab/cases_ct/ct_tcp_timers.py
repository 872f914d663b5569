# TCP timers and closing sequences (IPv4 and IPv6): data never acknowledged (UNACK, 300 s),
# a zero window from the server (RETRANS, 300 s), the same segment sent four times
# (retransmissions over nf_conntrack_tcp_max_retrans), simultaneous close, half close with data
# still flowing from the server (CLOSE_WAIT), a SYN carrying data, a keepalive (seq - 1), a
# retransmitted SYN-ACK, an ACK from the server before its SYN-ACK.
from ctlib import Tcp


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 41101), (lab.A6, lab.B6, 41121)):
        t = Tcp(lab, A, B, base, 80)            # unacknowledged data
        t.handshake()
        t.c("PA", b"never acked" * 10)
        t = Tcp(lab, A, B, base + 1, 80)        # zero window from the server
        t.handshake()
        t.data()
        t.s("A", window=0)
        t = Tcp(lab, A, B, base + 2, 80)        # one segment sent four times
        t.handshake()
        seg = t.next["c"]
        for _ in range(4):
            t.c("PA", b"again", seq=seg)
        t = Tcp(lab, A, B, base + 3, 80)        # simultaneous close
        t.handshake()
        t.c("FA")
        t.s("FA", ack=t.next["c"] - 1)
        t.c("A")
        t.s("A")
        t = Tcp(lab, A, B, base + 4, 80)        # half close, the server goes on sending
        t.handshake()
        t.c("FA")
        t.s("A")
        t.s("PA", b"still talking")
        t.c("A")
        t = Tcp(lab, A, B, base + 5, 80)        # SYN with data, keepalive
        t.c("S", b"syn data", advance=False)
        t.next["c"] += 1
        t.s("SA")
        t.c("A")
        t.c("A", seq=t.next["c"] - 1)
        t.s("A")
        t = Tcp(lab, A, B, base + 6, 80)        # SYN-ACK retransmitted; server ACK before SYN-ACK
        t.c("S")
        t.s("A", ack=t.next["c"])
        t.s("SA", advance=False)
        t.s("SA")
        t.c("A")

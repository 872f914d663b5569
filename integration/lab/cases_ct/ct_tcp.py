# TCP through R's tracker (IPv4): handshake, data both ways, orderly close (client first and
# server first), RSTs, SYN retransmission, simultaneous open, out-of-window segments and bad
# flag combinations (INVALID), mid-stream pickup, a dropped first packet (no entry), reopen.
from ctlib import Tcp


def scenario(lab):
    A, B = lab.A4, lab.B4
    # Client closes first: FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT.
    t = Tcp(lab, A, B, 40001, 80)
    t.handshake()
    t.data()
    t.c("FA")
    t.s("A")
    t.s("FA")
    t.c("A")
    # Server closes first.
    t = Tcp(lab, A, B, 40002, 80)
    t.handshake()
    t.data()
    t.s("FA")
    t.c("A")
    t.c("FA")
    t.s("A")
    # Client RST with the exact sequence number: CLOSE; then a new SYN on the same tuple.
    t = Tcp(lab, A, B, 40003, 80)
    t.handshake()
    t.c("R")
    t.next["c"] += 100000
    t.c("S")
    # Server RST on an established connection.
    t = Tcp(lab, A, B, 40004, 80)
    t.handshake()
    t.data()
    t.s("RA")
    # SYN retransmitted (neither counted nor refreshed).
    t = Tcp(lab, A, B, 40005, 80)
    t.c("S")
    t.c("S", advance=False)
    # SYN answered by a RST: the entry dies at once.
    t = Tcp(lab, A, B, 40006, 80)
    t.c("S")
    t.s("RA")
    # An established connection, then segments the window check refuses or ignores.
    t = Tcp(lab, A, B, 40007, 80)
    t.handshake()
    t.data()
    c0, s0 = t.next["c"], t.next["s"]
    t.c("PA", b"far ahead", seq=(c0 + 1_000_000_000) & 0xFFFFFFFF)   # invalid: above the window
    t.c("A", ack=(s0 + 100000) & 0xFFFFFFFF)                          # invalid: acks unseen data
    t.c("PA", b"very old", seq=(c0 - 10_000_000) & 0xFFFFFFFF)        # ignored: established
    t.c("A", ack=(s0 - 10_000_000) & 0xFFFFFFFF)                      # ignored: established
    t.c("SF")                                                         # invalid flags
    t.c("SA", seq=c0)                                                 # SYN-ACK from the client: invalid
    t.c("S", seq=(c0 + 5000) & 0xFFFFFFFF)                            # new SYN on established: ignored
    t.c("R", seq=(c0 + 3_000_000_000) & 0xFFFFFFFF)                   # RST far out: invalid
    t.c("PA", b"more")                                                # in-window data: established
    t.s("A")
    t.c("R", seq=(t.next["c"] + 100) & 0xFFFFFFFF)                    # in window, inexact: stays ESTABLISHED (CLOSE timeout, 10 s)
    # Mid-stream pickup: a bare ACK is new (ESTABLISHED [UNREPLIED], 300 s), then both ways.
    t = Tcp(lab, A, B, 40008, 80)
    t.c("A")
    t.c("PA", b"midstream")
    t.s("A")
    t.s("PA", b"reply")
    # First packets that cannot start a connection: invalid, no entry.
    Tcp(lab, A, B, 40009, 80).c("F")
    Tcp(lab, A, B, 40010, 80).c("")
    Tcp(lab, A, B, 40011, 80).c("SA")
    Tcp(lab, A, B, 40012, 80).c("R")
    Tcp(lab, A, B, 40013, 80).c("FA")
    Tcp(lab, A, B, 40014, 80).c("SAU")
    # Unusual but valid SYNs: new.
    Tcp(lab, A, B, 40015, 80).c("SE")
    Tcp(lab, A, B, 40016, 81).c("SPU")
    # Dropped first packet (port 23 is not allowed): no entry, also after a retransmission,
    # and the server's answer finds none.
    t = Tcp(lab, A, B, 40017, 23)
    t.c("S")
    t.c("S", advance=False)
    t.s("SA")
    # Simultaneous open: SYN from the client, then a SYN from the server: SYN_SENT2.
    t = Tcp(lab, A, B, 40018, 80)
    t.c("S")
    t.s("S")
    # Window scaling (wscale 7 both ways): a segment beyond the unscaled window but inside the
    # scaled one is in window; one beyond the scaled window is invalid.
    t = Tcp(lab, A, B, 40020, 80, window=512)
    t.c("S", options=[("MSS", 1460), ("WScale", 7), ("SAckOK", b"")])
    t.s("SA", options=[("MSS", 1460), ("WScale", 7), ("SAckOK", b"")])
    t.c("A")
    t.c("PA", b"w" * 1400)
    t.c("PA", b"w" * 1400)
    t.s("A")
    t.c("PA", b"beyond", seq=(t.next["c"] + 200000) & 0xFFFFFFFF)
    # TIME_WAIT, then a new SYN on the same tuple: a new connection (SYN_SENT) replaces it.
    t = Tcp(lab, A, B, 40021, 80)
    t.handshake()
    t.c("FA")
    t.s("FA")
    t.c("A")
    t.next["c"] += 300000
    t.c("S")
    # RST from the server in SYN_RECV (after its SYN-ACK): CLOSE.
    t = Tcp(lab, A, B, 40022, 80)
    t.c("S")
    t.s("SA")
    t.s("R")
    # Data after the server's FIN was acked, a FIN retransmitted, then the last ACK.
    t = Tcp(lab, A, B, 40023, 80)
    t.handshake()
    t.s("FA")
    t.c("A")
    t.c("PA", b"after the peer's FIN")
    t.s("A")
    t.c("FA")
    t.c("FA", seq=t.next["c"] - 1, advance=False)
    t.s("A")
    # A FIN the ruleset drops still moves the connection (FIN_WAIT), as every packet of a
    # confirmed connection does at the conntrack hook; its retransmission too.
    t = Tcp(lab, A, B, 40024, 83)
    t.handshake()
    t.data()
    t.c("FA")
    t.c("FA", seq=t.next["c"] - 1, advance=False)
    # An inexact in-window RST answered by the server's challenge ACK (what a real server does).
    t = Tcp(lab, A, B, 40025, 80)
    t.handshake()
    t.data()
    t.c("R", seq=(t.next["c"] + 100) & 0xFFFFFFFF)
    t.s("A")
    # A connection opened from B's side to a port the ruleset does not allow: dropped.
    Tcp(lab, B, A, 40019, 22, client_side="b").c("S")

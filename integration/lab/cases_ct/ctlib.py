# integration/lab/cases_ct/ctlib.py: helpers for the connection-tracking cases (not a case:
# the runner takes only NAME.nft + NAME.py pairs).
#
# Tcp(lab, client, server, sport, dport) keeps both ends' sequence numbers, so a scenario
# writes a connection as a list of segments: c("S"), s("SA"), c("A"), c("PA", b"data"),
# s("FA"), ... c(...) goes from A (the client, lab.a), s(...) from B (the server, lab.b); each
# acks everything the peer sent so far unless ack= is given; seq= overrides the sequence
# number (and then the end's next sequence number is left as it was); advance=False sends a
# segment without moving the end's sequence (a retransmission). client_side="b": the client
# is B.
from scapy.all import IP, IPv6, TCP, UDP, Raw


def ip(src, dst, **kw):
    return IPv6(src=src, dst=dst, **kw) if ":" in src else IP(src=src, dst=dst, **kw)


class Tcp:
    def __init__(self, lab, client, server, sport, dport, cseq=1000, sseq=5000, window=65535, client_side="a"):
        self.lab, self.client, self.server, self.sport, self.dport = lab, client, server, sport, dport
        self.send = {"c": lab.a, "s": lab.b} if client_side == "a" else {"c": lab.b, "s": lab.a}
        self.next = {"c": cseq, "s": sseq}
        self.acked = {"c": False, "s": False}  # whether this end has seen the peer's SYN
        self.window = window

    def seg(self, side, flags, data=b"", seq=None, ack=None, advance=True, known=None, **kw):
        other = "s" if side == "c" else "c"
        src, dst = (self.client, self.server) if side == "c" else (self.server, self.client)
        sport, dport = (self.sport, self.dport) if side == "c" else (self.dport, self.sport)
        if ack is None:
            ack = self.next[other] if "A" in flags else 0
        s = self.next[side] if seq is None else seq
        pkt = ip(src, dst) / TCP(sport=sport, dport=dport, flags=flags, seq=s, ack=ack, **{"window": self.window, **kw})
        if data:
            pkt = pkt / Raw(data)
        if advance and seq is None:
            self.next[side] = (self.next[side] + len(data) + ("S" in flags) + ("F" in flags)) & 0xFFFFFFFF
        self.send[side](pkt, known=known)
        return pkt

    def c(self, flags, data=b"", **kw):
        return self.seg("c", flags, data, **kw)

    def s(self, flags, data=b"", **kw):
        return self.seg("s", flags, data, **kw)

    def handshake(self):
        self.c("S")
        self.s("SA")
        self.c("A")

    def data(self):
        self.c("PA", b"GET / HTTP/1.0\r\n\r\n")
        self.s("A")
        self.s("PA", b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 100)
        self.c("A")


def udp(src, dst, sport, dport, data=b"q"):
    return ip(src, dst) / UDP(sport=sport, dport=dport) / Raw(data)

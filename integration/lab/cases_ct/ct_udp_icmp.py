# UDP and ICMP through R's tracker, IPv4 and IPv6: request/reply (30 s, never ASSURED when
# fast), unreplied, ASSURED (120 s) for a packet more than 2 s after creation, a dropped first
# packet, echo request/reply, unsolicited echo reply, timestamp request/reply, ICMP errors
# quoting a tracked UDP/TCP flow from either side (related), quoting nothing or with the wrong
# outer destination (invalid), unknown ICMP types, neighbour solicitations (untracked).
from scapy.all import (ICMP, IP, IPerror, IPv6, IPerror6, TCP, TCPerror, UDPerror, Raw,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6DestUnreach, ICMPv6PacketTooBig,
                       ICMPv6ND_NS)
from ctlib import Tcp, udp


def scenario(lab):
    A, B, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    # Fast request/reply: 30 s, not ASSURED.
    lab.a(udp(A, B, 40101, 53))
    lab.b(udp(B, A, 53, 40101, b"answer"))
    # Unreplied.
    lab.a(udp(A, B, 40102, 5353, b"xx"))
    lab.a(udp(A, B, 40102, 5353, b"yyy"))
    # Replied, then a packet more than 2 s later (below): ASSURED, 120 s.
    lab.a(udp(A, B, 40103, 6000))
    lab.b(udp(B, A, 6000, 40103))
    # Not allowed: dropped, no entry; the reply finds none and is new from B (dropped too).
    lab.a(udp(A, B, 40104, 9999))
    lab.b(udp(B, A, 9999, 40104))
    # Echo request/reply, an unreplied request, an unsolicited reply (invalid).
    lab.a(IP(src=A, dst=B) / ICMP(type=8, id=0x1234, seq=1) / Raw(b"ping"))
    lab.b(IP(src=B, dst=A) / ICMP(type=0, id=0x1234, seq=1) / Raw(b"ping"))
    lab.a(IP(src=A, dst=B) / ICMP(type=8, id=0x1234, seq=2) / Raw(b"ping"))
    lab.a(IP(src=A, dst=B) / ICMP(type=8, id=0x1235, seq=1))
    lab.b(IP(src=B, dst=A) / ICMP(type=0, id=0x1236, seq=1))
    # Timestamp request/reply; information request (type 15) unreplied.
    lab.a(IP(src=A, dst=B) / ICMP(type=13, id=0x2000))
    lab.b(IP(src=B, dst=A) / ICMP(type=14, id=0x2000))
    lab.a(IP(src=A, dst=B) / ICMP(type=15, id=0x2001))
    # Unknown type 42, router advertisement (type 9): invalid.
    lab.a(IP(src=A, dst=B) / ICMP(type=42, code=0))
    lab.a(IP(src=A, dst=B) / ICMP(type=9, code=0))
    # ICMP errors. B's port unreachable quoting A's unreplied flow 40102 -> 5353: related (reply).
    lab.b(IP(src=B, dst=A) / ICMP(type=3, code=3) / IPerror(src=A, dst=B, id=3) / UDPerror(sport=40102, dport=5353))
    # A router on B's side (198.51.100.1) says host unreachable for the same flow: related.
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=3, code=1) / IPerror(src=A, dst=B, id=3) /
          UDPerror(sport=40102, dport=5353))
    # Time exceeded quoting flow 40101: related.
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=11, code=0) / IPerror(src=A, dst=B, id=1, ttl=1) /
          UDPerror(sport=40101, dport=53))
    # From A's side, quoting B's reply of flow 40101 (B:53 -> A:40101): related (original).
    lab.a(IP(src=A, dst=B) / ICMP(type=3, code=3) / IPerror(src=B, dst=A, id=2) / UDPerror(sport=53, dport=40101))
    # Quoting a flow nobody saw: invalid.
    lab.b(IP(src=B, dst=A) / ICMP(type=3, code=3) / IPerror(src=A, dst=B, id=9) / UDPerror(sport=40199, dport=53))
    # Quoting flow 40102, but sent to another address than the flow's (192.0.2.9): invalid.
    lab.b(IP(src=B, dst="192.0.2.9") / ICMP(type=3, code=3) / IPerror(src=A, dst=B, id=3) /
          UDPerror(sport=40102, dport=5353))
    # An ICMP error about an echo request (flow 0x1235): related.
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=3, code=1) / IPerror(src=A, dst=B, id=12) /
          ICMP(type=8, id=0x1235, seq=1))
    # A TCP connection, and a fragmentation-needed error quoting its first data segment: related.
    t = Tcp(lab, A, B, 40105, 80)
    t.handshake()
    seg = t.c("PA", b"data" * 10)
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=3, code=4, nexthopmtu=576) /
          IPerror(src=A, dst=B, id=99) / TCPerror(sport=40105, dport=80, flags="PA", seq=seg[TCP].seq))
    # IPv6: request/reply, unreplied, echo, errors.
    lab.a(udp(A6, B6, 40111, 53))
    lab.b(udp(B6, A6, 53, 40111, b"answer6"))
    lab.a(udp(A6, B6, 40112, 5353))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=0x3000, seq=1, data=b"ping6"))
    lab.b(IPv6(src=B6, dst=A6) / ICMPv6EchoReply(id=0x3000, seq=1, data=b"ping6"))
    lab.b(IPv6(src=B6, dst=A6) / ICMPv6EchoReply(id=0x3001, seq=1))
    lab.b(IPv6(src=B6, dst=A6) / ICMPv6DestUnreach(code=4) / IPerror6(src=A6, dst=B6) /
          UDPerror(sport=40112, dport=5353))
    lab.b(IPv6(src=B6, dst=A6) / ICMPv6DestUnreach(code=4) / IPerror6(src=A6, dst=B6) /
          UDPerror(sport=40198, dport=5353))
    t = Tcp(lab, A6, B6, 40113, 80)
    t.handshake()
    seg = t.c("PA", b"data6" * 10)
    lab.b(IPv6(src="2001:db8:b::1", dst=A6) / ICMPv6PacketTooBig(mtu=1280) / IPerror6(src=A6, dst=B6) /
          TCPerror(sport=40113, dport=80, flags="PA", seq=seg[TCP].seq))
    # A neighbour solicitation passing through (not for R): untracked.
    lab.a(IPv6(src=A6, dst=B6, hlim=255) / ICMPv6ND_NS(tgt=B6))
    # More than 2 s after flow 40103 began: this packet makes it ASSURED (120 s).
    lab.wait(2.2)
    lab.a(udp(A, B, 40103, 6000, b"later"))
    lab.b(udp(B6, A6, 53, 40111, b"late answer"))

# Scenario of reject.nft.
from scapy.all import IP, IPv6, TCP, UDP, GRE, ICMP, ICMPv6EchoRequest, ICMPv6DestUnreach, Raw

# The packets a kernel reject drops without answering (RSTs, fragments, ICMP errors, bad
# checksums): nfqwall's line says `[reject with ...: no reply sent (REASON)]`, which the
# harness reads as a drop.


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for dport in (24, 25, 26, 32):
        for flags in ("S", "PA"):
            lab.a(IP(src=A4, dst=B4) / TCP(sport=3333, dport=dport, flags=flags, seq=1000, ack=5) / Raw(b"r"))
            lab.a(IPv6(src=A6, dst=B6) / TCP(sport=3333, dport=dport, flags=flags, seq=1000, ack=5) / Raw(b"r"))
    for dport in (27, 28, 29, 30, 31, 33):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=3334, dport=dport) / Raw(b"u"))
        lab.a(IPv6(src=A6, dst=B6) / UDP(sport=3334, dport=dport) / Raw(b"u"))
        lab.b(IP(src="198.51.100.20", dst="192.0.2.20") / UDP(sport=3334, dport=dport) / Raw(b"u"))
    for dst in ("203.0.113.99", "203.0.113.98", "203.0.113.97"):
        lab.a(IP(src=A4, dst=dst) / UDP(sport=3335, dport=9) / Raw(b"u"))
        lab.a(IP(src=A4, dst=dst) / ICMP(type=8) / Raw(b"ping"))
    for dst in ("2001:db8:b::99", "2001:db8:b::98", "2001:db8:b::97"):
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=3335, dport=9) / Raw(b"u"))
        lab.a(IPv6(src=A6, dst=dst) / ICMPv6EchoRequest())
    lab.a(IP(src=A4, dst=B4) / GRE() / Raw(b"g" * 8))
    # Packets a kernel reject drops without answering.
    for flags in ("S", "R", "RA", "A"):
        lab.a(IP(src=A4, dst=B4) / TCP(sport=3336, dport=40, flags=flags))
        lab.a(IPv6(src=A6, dst=B6) / TCP(sport=3336, dport=40, flags=flags))
    lab.a(IP(src=A4, dst="203.0.113.77") / UDP(sport=3337, dport=9) / Raw(b"F" * 64), frags=24)
    lab.a(IPv6(src=A6, dst="2001:db8:b::77") / UDP(sport=3337, dport=9) / Raw(b"F" * 64), frags=24)
    lab.a(IP(src=A4, dst=B4) / ICMP(type=3, code=3) / IP(src=B4, dst=A4) / UDP(sport=9, dport=3338))
    lab.a(IP(src=A4, dst=B4) / ICMP(type=0))
    for dport in (25, 26, 27):
        for l4 in (TCP(sport=3339, dport=dport, flags="S", chksum=0x1234), UDP(sport=3339, dport=dport, chksum=0x1234)):
            lab.a(IP(src=A4, dst=B4) / l4 / Raw(b"c"))
            lab.a(IPv6(src=A6, dst=B6) / l4 / Raw(b"c"))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6DestUnreach(code=4) / IPv6(src=B6, dst=A6) / UDP(sport=9, dport=3338))

# Scenario of inet_payload.nft: every rule's matching packets and near misses.
from scapy.all import ICMP, IP, TCP, UDP, IPv6, ICMPv6EchoRequest, ICMPv6EchoReply, ICMPv6ND_NS, Raw


def scenario(lab):
    B4, A4 = lab.B4, lab.A4
    for src in ("192.0.2.1", "192.0.2.127", "192.0.2.128", "192.0.2.200", "192.0.2.255"):
        lab.a(IP(src=src, dst="203.0.113.5") / TCP(sport=40000, dport=22, flags="S"))
    for dst in ("203.0.113.1", "203.0.113.254", "198.51.100.1"):
        for dport in (22, 23, 2222):
            lab.a(IP(src=A4, dst=dst) / TCP(sport=40001, dport=dport, flags="S"))
    for dst in ("198.51.100.0", "198.51.100.127", "198.51.100.128", "198.51.100.200"):
        for dport in (53, 54):
            lab.a(IP(src=A4, dst=dst) / UDP(sport=5353, dport=dport) / Raw(b"q" * 12))
    for flags in ("S", "SA", "A", "PA", "FA", "R", "RA", "SF", "F", "", "SAFRPUEC", "SE", "AU"):
        lab.a(IP(src=A4, dst=B4) / TCP(sport=40002, dport=80, flags=flags, options=[("MSS", 1460)]))
    for flags in ("SF", "SFA", "S", "F"):
        lab.a(IP(src=A4, dst=B4) / TCP(sport=40003, dport=81, flags=flags))
    for t, c in ((8, 0), (0, 0), (3, 1), (3, 3), (11, 0), (13, 0), (5, 1)):
        lab.a(IP(src=A4, dst=B4) / ICMP(type=t, code=c) / Raw(b"x" * 28))
    for pkt in (ICMPv6EchoRequest(id=1, seq=1), ICMPv6EchoReply(id=1, seq=2)):
        lab.a(IPv6(src=lab.A6, dst=lab.B6) / pkt)
    lab.a(IPv6(src=lab.A6, dst="2001:db8:b::1") / ICMPv6ND_NS(tgt="2001:db8:b::1"))
    for dst in ("2001:db8:b::1", "2001:db8:b:0:ffff::1", "2001:db8:b:1::1"):
        lab.a(IPv6(src=lab.A6, dst=dst) / UDP(sport=1000, dport=7))
        lab.a(IPv6(src=lab.A6, dst=dst) / TCP(sport=1000, dport=7, flags="S"))
    for src in ("2001:db8:a:1::1", "2001:db8:a:2::1"):
        lab.a(IPv6(src=src, dst="2001:db8:b:5::1") / TCP(sport=1001, dport=443, flags="S"))
        lab.a(IPv6(src=src, dst="2001:db8:b:5::1") / UDP(sport=1001, dport=443))
    for dport in (7999, 8000, 8050, 8099, 8100):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=2000, dport=dport))
        lab.a(IP(src=A4, dst=B4) / TCP(sport=2000, dport=dport, flags="S"))
    for sport in (4242, 4243):
        lab.a(IP(src=A4, dst=B4) / TCP(sport=sport, dport=1, flags="S"))
        lab.a(IPv6(src=lab.A6, dst=lab.B6) / UDP(sport=sport, dport=1))
    for size in (20, 71, 72, 100, 171, 172, 300):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=2001, dport=9000) / Raw(b"l" * size))
    for size in (900, 972, 973, 1400):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=2001, dport=9001) / Raw(b"L" * size))
    for tos in (0x00, 0x20, 0x28, 0xB8, 0x88, 0x89, 0xBB):
        lab.a(IP(src=A4, dst=B4, tos=tos) / TCP(sport=2002, dport=9100, flags="S"))
        lab.a(IP(src=A4, dst=B4, tos=tos) / UDP(sport=2002, dport=9100))
        lab.a(IPv6(src=lab.A6, dst=lab.B6, tc=tos) / UDP(sport=2002, dport=9100))
    lab.a(IP(src=A4, dst=B4) / UDP(sport=2003, dport=9999))
    lab.a(IPv6(src=lab.A6, dst=lab.B6) / UDP(sport=2003, dport=9999))
    lab.b(IP(src="198.51.100.7", dst=A4) / UDP(sport=3000, dport=3000))
    lab.b(IP(src="198.51.100.8", dst=A4) / UDP(sport=3000, dport=3000))
    lab.a(IP(src="192.0.2.7", dst="192.0.2.9") / UDP(sport=3000, dport=3000))
    lab.b(IPv6(src=lab.B6, dst="2001:db8:a::25") / TCP(sport=3001, dport=25, flags="S"))
    lab.b(IPv6(src=lab.B6, dst="2001:db8:a::25") / TCP(sport=3001, dport=26, flags="S"))

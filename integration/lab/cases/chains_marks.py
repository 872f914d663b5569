# Scenario of chains_marks.nft.
from scapy.all import IP, IPv6, TCP, UDP, Raw


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for src in ("192.0.2.1", "192.0.2.200", A4):
        for dport in (22, 23, 53, 80, 81):
            lab.a(IP(src=src, dst="198.51.100.9") / TCP(sport=1111, dport=dport, flags="S"))
            lab.a(IP(src=src, dst="198.51.100.9") / UDP(sport=1111, dport=dport) / Raw(b"m"))
    for dport in (4000, 4001, 4002, 4003, 4010):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=1112, dport=dport))
        lab.a(IPv6(src=A6, dst=B6) / UDP(sport=1112, dport=dport))
        lab.a(IPv6(src="2001:db8:a::4", dst=B6) / UDP(sport=1112, dport=dport))
    for dport in (5, 6):
        lab.a(IP(src=A4, dst="203.0.113.66") / UDP(sport=1113, dport=dport))
        lab.a(IP(src=A4, dst="203.0.113.67") / UDP(sport=1113, dport=dport))
    for src in ("198.51.100.1", B4):
        lab.b(IP(src=src, dst=A4) / TCP(sport=1114, dport=22, flags="S"))
        lab.b(IP(src=src, dst="192.0.2.5") / UDP(sport=1114, dport=6))
    for src in (A6, "2001:db8:a::1", "2001:db8:a:ffff::1"):
        for dport in (21, 22):
            lab.a(IPv6(src=src, dst="2001:db8:b::1") / TCP(sport=1115, dport=dport, flags="S"))
    for dport in (7, 8):
        lab.b(IPv6(src=B6, dst=A6) / UDP(sport=1116, dport=dport))
        lab.b(IPv6(src="2001:db8:b::7", dst="2001:db8:a::7") / UDP(sport=1116, dport=dport))
    lab.a(IPv6(src=A6, dst="2001:db8:a::9") / UDP(sport=1117, dport=9))

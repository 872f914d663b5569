# Scenario of ip_sets_maps.nft.
from scapy.all import ICMP, IP, IPv6, TCP, UDP, GRE, Raw


def scenario(lab):
    A4 = lab.A4
    for last in (15, 16, 20, 31, 32, 99, 100, 105, 110, 111):
        lab.a(IP(src=f"192.0.2.{last}", dst="203.0.113.10") / TCP(sport=1024 + last, dport=22, flags="S"))
    for dst in ("203.0.113.10", "203.0.113.11", "203.0.113.12"):
        for dport in (22, 80, 443, 8080):
            lab.a(IP(src=A4, dst=dst) / TCP(sport=30000, dport=dport, flags="S"))
    for dst in ("198.51.100.1", "198.51.100.63", "198.51.100.64", "198.51.100.127", "198.51.100.128"):
        for proto, dport in (("udp", 999), ("udp", 1000), ("udp", 1999), ("udp", 2000), ("tcp", 2000),
                             ("tcp", 2099), ("tcp", 2100), ("tcp", 1500)):
            l4 = UDP(sport=31000, dport=dport) if proto == "udp" else TCP(sport=31000, dport=dport, flags="S")
            lab.a(IP(src=A4, dst=dst) / l4)
    for src in (A4, "192.0.2.1"):
        for dport in (25, 110, 143, 993, 995):
            for flags in ("S", "A"):
                lab.a(IP(src=src, dst="198.51.100.200") / TCP(sport=32000, dport=dport, flags=flags))
    for dst in ("203.0.113.200", "203.0.113.201", "203.0.113.202", "203.0.113.203"):
        lab.a(IP(src=A4, dst=dst) / UDP(sport=33000, dport=53))
        lab.a(IP(src=A4, dst=dst) / UDP(sport=33000, dport=54))
        lab.a(IP(src=A4, dst=dst) / ICMP(type=8) / Raw(b"p" * 20))
        lab.a(IP(src=A4, dst=dst) / ICMP(type=8) / Raw(b"p" * 100))
    for dst in ("203.0.113.5", "203.0.113.129"):
        for dport in (52, 53, 123, 160, 161, 162, 163):
            lab.a(IP(src="192.0.2.50", dst=dst) / UDP(sport=33001, dport=dport))
    for sport, dport in ((5000, 5001), (5002, 5003), (5000, 5003), (5001, 5000)):
        lab.b(IP(src=lab.B4, dst=A4) / UDP(sport=sport, dport=dport))
    lab.b(IP(src=lab.B4, dst=A4) / GRE() / IP(src="1.2.3.4", dst="5.6.7.8"))
    lab.b(IP(src=lab.B4, dst=A4, proto=50) / Raw(b"\0\0\0\1\0\0\0\1" + b"e" * 16))
    lab.b(IP(src=lab.B4, dst=A4, proto=51) / Raw(b"\0" * 24))
    # No ip6 table: no chain sees these.
    lab.a(IPv6(src=lab.A6, dst=lab.B6) / TCP(sport=34000, dport=25, flags="S"))
    lab.b(IPv6(src=lab.B6, dst=lab.A6) / UDP(sport=34000, dport=53))

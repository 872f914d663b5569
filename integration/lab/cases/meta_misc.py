# Scenario of meta_misc.nft.
from scapy.all import IP, IPv6, UDP, Raw

# `meta iifkind "veth"` / `meta oifkind "veth"` match in both: lab.py tells nfqwall that ra0 and
# rb0 are veths (--if-kind), which a capture cannot say.


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for size in (0, 12, 900, 972, 1000, 1400):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=13000, dport=1) / Raw(b"s" * size))
        lab.a(IPv6(src=A6, dst=B6) / UDP(sport=13000, dport=1) / Raw(b"s" * size))
    for size in (0, 12, 13):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=13000, dport=7) / Raw(b"s" * size))
    for dport in (8, 9, 10, 11, 12):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=13001, dport=dport) / Raw(b"m"))
        lab.a(IPv6(src=A6, dst=B6) / UDP(sport=13001, dport=dport) / Raw(b"m"))
    for last in (1, 63, 64, 127, 128):
        lab.a(IP(src=A4, dst=f"203.0.113.{last}") / UDP(sport=13002, dport=13) / Raw(b"m"))
    for dport in (14, 15, 99, 100, 150, 199, 200, 250, 299, 300, 349, 350, 360, 399, 400):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=13003, dport=dport) / Raw(b"v"))
        lab.b(IPv6(src=B6, dst=A6) / UDP(sport=13003, dport=dport) / Raw(b"v"))
    lab.a(IP(src=A4, dst=B4, proto=132) / Raw(b"sctp"))

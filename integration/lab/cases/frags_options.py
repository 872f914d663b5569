# Scenario of frags_options.nft.
from scapy.all import IP, IPv6, TCP, UDP, Raw

# `frag more-fragments` / `frag frag-off` are bit fields of the fragment header: an exthdr
# load of the covering bytes, masked (the 2001:db8:b::52 and ::53 rules).

OPTIONS = [
    [],
    [("MSS", 1460)],
    [("MSS", 1250)],
    [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)],
    [("NOP", None), ("NOP", None), ("SAckOK", b"")],
    [("WScale", 2)],
    [("Timestamp", (5, 6))],
]


def scenario(lab):
    A4, A6 = lab.A4, lab.A6
    for last in (49, 50, 51, 52, 53):
        dst = f"203.0.113.{last}"
        lab.a(IP(src=A4, dst=dst) / UDP(sport=9000, dport=53) / Raw(b"D" * 60), frags=16)
        lab.a(IP(src=A4, dst=dst) / UDP(sport=9000, dport=54) / Raw(b"D" * 60), frags=24)
        lab.a(IP(src=A4, dst=dst) / UDP(sport=9000, dport=53) / Raw(b"d"))
        lab.a(IP(src=A4, dst=dst) / TCP(sport=9000, dport=53, flags="S") / Raw(b"T" * 40), frags=16)
    for last in (49, 50, 51, 52, 53):
        dst = f"2001:db8:b::{last}"
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=9001, dport=53) / Raw(b"D" * 60), frags=24)
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=9001, dport=54) / Raw(b"D" * 60), frags=32)
        lab.a(IPv6(src=A6, dst=dst) / UDP(sport=9001, dport=53) / Raw(b"d"))
    for options in OPTIONS:
        for dport in (80, 81, 82, 83, 84, 85, 86):
            lab.a(IP(src=A4, dst=lab.B4) / TCP(sport=9002, dport=dport, flags="S", options=options))
            lab.a(IPv6(src=A6, dst=lab.B6) / TCP(sport=9002, dport=dport, flags="S", options=options))

# Scenario of stateful_stmts.nft. The limits count from the first packet that reaches them
# and their rates are slow (per minute) or the packets quick, so the scenario's pace (well
# under a second) decides nothing.
from scapy.all import IP, IPv6, TCP, UDP, ICMP, Raw


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for dport in (1000, 1001):
        for _ in range(8):
            lab.a(IP(src=A4, dst=B4) / UDP(sport=4000, dport=dport) / Raw(b"l" * 10))
            lab.a(IPv6(src=A6, dst=B6) / UDP(sport=4000, dport=dport) / Raw(b"l" * 10))
    for size in (400, 900, 1200, 300, 600, 50):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=4001, dport=1002) / Raw(b"b" * size))
    for size in (100, 300, 400, 100, 100, 50):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=4002, dport=1003) / Raw(b"q" * size))
        lab.a(IPv6(src=A6, dst=B6) / UDP(sport=4002, dport=1004) / Raw(b"q" * size))
    for i in range(9):
        lab.a(IP(src=A4, dst=B4) / UDP(sport=4003, dport=1005))
        lab.b(IPv6(src=B6, dst=A6) / UDP(sport=4003, dport=1006))
    for i in range(24):
        lab.a(IP(src=f"192.0.2.{i + 1}", dst=B4) / UDP(sport=5000 + 7 * i, dport=1007))
        lab.a(IPv6(src=f"2001:db8:a::{i + 1:x}", dst=f"2001:db8:b::{i + 9:x}") / UDP(sport=6000 + 3 * i, dport=1008))
        lab.a(IP(src=A4, dst=f"203.0.113.{i + 1}") / UDP(sport=4004, dport=1009))
        lab.a(IP(src=A4, dst=B4) / TCP(sport=20000 + 13 * i, dport=1010, flags="S"))
    for i in range(7):
        lab.a(IP(src=A4, dst=B4) / TCP(sport=4005, dport=1011, flags="S"))
    lab.a(IP(src=A4, dst=B4) / ICMP())

# Scenario of ip6_filter.nft (lab markers ride in the flow label, so `ip6 flowlabel 0`
# never matches here).
from scapy.all import (IPv6, TCP, UDP, ICMPv6EchoRequest, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6DestUnreach,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, Raw)


def scenario(lab):
    A6, B6 = lab.A6, lab.B6
    for src in ("2001:db8:a:10::1", "2001:db8:a:1f::1", "2001:db8:a:20::1", "2001:db8:a::ff", "2001:db8:a::100",
                "2001:db8:a::1ff", "2001:db8:a::200"):
        lab.a(IPv6(src=src, dst="2001:db8:b:dead::1") / UDP(sport=1, dport=2))
    lab.a(IPv6(src=A6, dst=B6) / UDP(sport=1, dport=2) / Raw(b"f" * 200), frags=64)
    lab.a(IPv6(src="2001:db8:a:10::5", dst=B6) / UDP(sport=1, dport=2) / Raw(b"f" * 200), frags=64)
    lab.a(IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() / UDP(sport=1, dport=3))
    lab.a(IPv6(src=A6, dst=B6) / IPv6ExtHdrDestOpt() / UDP(sport=1, dport=3))
    lab.a(IPv6(src=A6, dst=B6) / IPv6ExtHdrRouting(addresses=[]) / UDP(sport=1, dport=3))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6ND_NS(tgt=B6))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6ND_RA())
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(code=0))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(code=1))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6DestUnreach(code=4) / IPv6(src=B6, dst=A6) / UDP(sport=2, dport=1))
    for dst in ("2001:db8:b:dead::1", "2001:db8:b:deae::1"):
        lab.a(IPv6(src=A6, dst=dst) / TCP(sport=1, dport=80, flags="S"))
    for hlim in (2, 10, 11, 64, 255):
        # Known difference "forward sees the hop limit decremented" (see ttl_forward.py).
        lab.a(IPv6(src=A6, dst=B6, hlim=hlim) / UDP(sport=4, dport=5) / Raw(b"h"))
    for size in (400, 492, 493, 600):
        lab.a(IPv6(src=A6, dst=B6) / UDP(sport=6, dport=7000) / Raw(b"z" * size))
    for dst in ("2001:db8:b:2::1", "2001:db8:b:3::1"):
        for dport in (21, 22, 23):
            lab.a(IPv6(src="2001:db8:a:1::9", dst=dst) / TCP(sport=7, dport=dport, flags="S"))
            lab.a(IPv6(src="2001:db8:a:2::9", dst=dst) / TCP(sport=7, dport=dport, flags="S"))
    for flags in ("R", "RA", "A", "F"):
        lab.b(IPv6(src=B6, dst=A6) / TCP(sport=8, dport=9, flags=flags))
    lab.b(IPv6(src=B6, dst=A6) / UDP(sport=8, dport=9))
    lab.b(IPv6(src=B6, dst=A6) / UDP(sport=8, dport=9) / Raw(b"x"))

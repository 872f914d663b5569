# Scenario of ip6_exthdr.nft: every destination gets the same set of header chains.
from scapy.all import (IPv6, TCP, UDP, ICMPv6EchoRequest, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrRouting, Raw)


def chains():
    yield lambda l4: l4
    yield lambda l4: IPv6ExtHdrHopByHop() / l4
    yield lambda l4: IPv6ExtHdrDestOpt() / l4
    yield lambda l4: IPv6ExtHdrRouting(addresses=[]) / l4
    yield lambda l4: IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / IPv6ExtHdrRouting(addresses=[]) / l4
    yield lambda l4: IPv6ExtHdrRouting(type=2, segleft=1, addresses=["2001:db8::1"]) / l4


def scenario(lab):
    for last in range(0x10, 0x1f):
        dst = f"2001:db8:b::{last:x}"
        for wrap in chains():
            for l4 in (UDP(sport=12000, dport=53) / Raw(b"x"), TCP(sport=12000, dport=53, flags="S"),
                       ICMPv6EchoRequest()):
                lab.a(IPv6(src=lab.A6, dst=dst) / wrap(l4))
        lab.a(IPv6(src=lab.A6, dst=dst) / UDP(sport=12000, dport=53) / Raw(b"x" * 100), frags=40)

# Scenario of router.nft.
from scapy.all import IP, IPv6, UDP, Raw

# What the router does around the ruleset, as the kernel and nfqwall's forward path both do
# it: forward and postrouting see the TTL / hop limit decremented (ip_forward / ip6_forward);
# a packet whose TTL would expire (<= 1) is dropped after prerouting, before forward (the
# kernel answers time-exceeded); one with no route is dropped after prerouting.

# Routes of R for this case only (mirrored to nfqwall's --route list, longest prefix first):
# a new prefix each way, and one more specific than a topology route, pointing the other way.
ROUTES = ["100.100.0.0/16=rb0", "2001:db8:c::/48=ra0", "203.0.113.128/25=ra0"]


def compare(run):
    """The case's own check (the hook later cases use for the connection table): R really
    had the case's routes while the scenario ran."""
    table = run.r_exec("ip", "route", "show").stdout + run.r_exec("ip", "-6", "route", "show").stdout
    return [f"R has no route {r}" for r in ROUTES if r.split("=")[0] not in table]


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for ttl in (64, 65, 2):
        for dport in (1, 2, 3, 4, 6):
            # Forward and postrouting see ttl - 1.
            lab.a(IP(src=A4, dst=B4, ttl=ttl) / UDP(sport=8000, dport=dport) / Raw(b"t"))
            lab.a(IPv6(src=A6, dst=B6, hlim=ttl) / UDP(sport=8000, dport=dport) / Raw(b"t"))
    for ttl in (1, 0):
        # dport 5: prerouting drops TTL 1 in both; TTL 0 passes prerouting and then expires.
        lab.a(IP(src=A4, dst=B4, ttl=ttl) / UDP(sport=8000, dport=5) / Raw(b"t"))
        lab.a(IP(src=A4, dst=B4, ttl=ttl) / UDP(sport=8000, dport=6) / Raw(b"t"))
        lab.a(IPv6(src=A6, dst=B6, hlim=ttl) / UDP(sport=8000, dport=6) / Raw(b"t"))
    lab.a(IP(src=A4, dst="100.64.0.1") / UDP(sport=8000, dport=6) / Raw(b"t"))
    for dport in (6, 7):
        lab.a(IP(src=A4, dst="100.100.1.1") / UDP(sport=8001, dport=dport) / Raw(b"t"))
        lab.a(IP(src=A4, dst="203.0.113.100") / UDP(sport=8001, dport=dport) / Raw(b"t"))
        lab.a(IP(src=A4, dst="203.0.113.200") / UDP(sport=8001, dport=dport) / Raw(b"t"))
        lab.b(IP(src=B4, dst="203.0.113.200") / UDP(sport=8001, dport=dport) / Raw(b"t"))
        lab.b(IPv6(src=B6, dst="2001:db8:c::1") / UDP(sport=8001, dport=dport) / Raw(b"t"))
    lab.a(IPv6(src=A6, dst="2001:db8:f::1") / UDP(sport=8000, dport=6) / Raw(b"t"))

# Scenario of fib_iface.nft: sources that do and do not route back through the input
# interface, destinations on either side, every port rule from both sides.
from scapy.all import IP, IPv6, UDP


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    sides = [
        (lab.a, [A4, "192.0.2.9", "198.51.100.9", "100.64.0.1", A6, "2001:db8:a::9", "2001:db8:b::9", "2001:db8:f::9"],
         [B4, "203.0.113.9", "192.0.2.10", "2001:db8:b::10", "2001:db8:a::10"]),
        (lab.b, [B4, "198.51.100.9", "192.0.2.9", "2001:db8:b::9", "2001:db8:a::9"],
         [A4, "192.0.2.11", "198.51.100.11", A6, "2001:db8:a::11"]),
    ]
    for send, sources, destinations in sides:
        for src in sources:
            for dst in destinations:
                if (":" in src) != (":" in dst):
                    continue
                for dport in range(1, 13):
                    l3 = IPv6(src=src, dst=dst) if ":" in src else IP(src=src, dst=dst)
                    send(l3 / UDP(sport=7000, dport=dport))
    # R's own address as a source (fib saddr type local).
    lab.a(IP(src=lab.RB4, dst=B4) / UDP(sport=7001, dport=13))
    lab.a(IPv6(src=lab.RB6, dst=B6) / UDP(sport=7001, dport=13))

# Scenario of dynamic_sets.nft: sources are learnt by one port and matched by another.
from scapy.all import IP, IPv6, TCP, UDP, Raw

# A set element with a limit (`add @flood { ip saddr limit rate over 1/minute burst 2 packets }
# drop`): the element gets the statement's limit, full; the add and every lookup that finds it
# take a token (nft_lookup_eval runs the element's expressions). So the key's first packet
# passes, the lookup `ip saddr @flood` right after it takes the second token and misses, and
# from the key's second packet on the limit is over. Without `over` (`add @perkey { ... burst 3
# packets } accept`), a key's first 3 packets are accepted and the rest dropped.
# `tcp option maxseg size set 1300` on a SYN announcing 1100: the kernel only ever lowers the
# MSS (it keeps 1100), and so does nfqwall.


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for i in range(1, 5):
        lab.a(IP(src=f"192.0.2.{i}", dst=B4) / UDP(sport=11000, dport=2) / Raw(b"s"))
        lab.a(IPv6(src=f"2001:db8:a::{i}", dst=B6) / UDP(sport=11000, dport=2) / Raw(b"s"))
    for i in (1, 3):
        lab.a(IP(src=f"192.0.2.{i}", dst=B4) / UDP(sport=11000, dport=1) / Raw(b"s"))
        lab.a(IPv6(src=f"2001:db8:a::{i}", dst=B6) / UDP(sport=11000, dport=1) / Raw(b"s"))
    for i in range(1, 5):
        lab.a(IP(src=f"192.0.2.{i}", dst=B4) / UDP(sport=11000, dport=2) / Raw(b"s"))
        lab.a(IPv6(src=f"2001:db8:a::{i}", dst=B6) / UDP(sport=11000, dport=2) / Raw(b"s"))
    for sport in (11001, 11002):
        lab.a(IP(src=A4, dst=B4) / TCP(sport=sport, dport=4, flags="S"))
        lab.a(IP(src=A4, dst=B4) / TCP(sport=sport, dport=3, flags="S"))
        lab.a(IP(src=A4, dst=B4) / TCP(sport=sport, dport=4, flags="S"))
        lab.a(IP(src=A4, dst=B4) / TCP(sport=sport + 10, dport=4, flags="S"))
    for i in range(6):
        lab.a(IP(src="192.0.2.50", dst=B4) / UDP(sport=11003, dport=5) / Raw(b"f"))
        lab.a(IP(src="192.0.2.51", dst=B4) / UDP(sport=11003, dport=6) / Raw(b"f"))
        lab.a(IP(src="192.0.2.50", dst=B4) / UDP(sport=11003, dport=6) / Raw(b"f"))
    for i in range(5):
        lab.a(IP(src="192.0.2.52", dst=B4) / UDP(sport=11003, dport=7) / Raw(b"m"))
    for options in ([("MSS", 1460)], [("MSS", 1100)], [("NOP", None), ("MSS", 1460), ("SAckOK", b"")], [],
                    [("Timestamp", (1, 2)), ("MSS", 1400), ("WScale", 7)]):
        for dport in (80, 81):
            for flags in ("S", "SA", "A"):
                lab.a(IP(src=A4, dst=B4) / TCP(sport=11004, dport=dport, flags=flags, options=options))
                lab.a(IPv6(src=A6, dst=B6) / TCP(sport=11004, dport=dport, flags=flags, options=options))


# Scenario of mangle.nft: each rewrite on TCP and UDP, IPv4 and IPv6, checksummed and not.
from scapy.all import IP, IPv6, TCP, UDP, Raw

# `udp sport set` / `udp dport set` update the UDP checksum (csum_type inet csum_off 6), even
# a zero IPv4 one, which becomes 0xfffe as in the kernel: the chksum=0 packets check that.


def scenario(lab):
    A4, B4, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for tos in (0x00, 0x03, 0xB8):
        lab.a(IP(src=A4, dst=B4, tos=tos) / TCP(sport=2222, dport=80, flags="S"))
        lab.a(IP(src=A4, dst=B4, tos=tos) / UDP(sport=2222, dport=53) / Raw(b"dns"))
        lab.a(IP(src=A4, dst=B4, tos=tos) / UDP(sport=2222, dport=123) / Raw(b"ntp"))
        lab.a(IPv6(src=A6, dst=B6, tc=tos) / TCP(sport=2222, dport=80, flags="S"))
        lab.a(IPv6(src=A6, dst=B6, tc=tos) / UDP(sport=2222, dport=53) / Raw(b"dns"))
    for ttl in (2, 64, 255):
        lab.a(IP(src=A4, dst=B4, ttl=ttl) / TCP(sport=2223, dport=443, flags="S"))
    for payload in (b"", b"x", b"payload" * 30):
        lab.a(IP(src=A4, dst="198.51.100.3") / TCP(sport=2224, dport=8080, flags="PA") / Raw(payload))
        lab.a(IP(src=A4, dst="198.51.100.3") / UDP(sport=2224, dport=5000) / Raw(payload))
        lab.a(IP(src=A4, dst="198.51.100.3") / UDP(sport=2224, dport=5000, chksum=0) / Raw(payload))
        lab.a(IP(src=A4, dst="198.51.100.3") / UDP(sport=2224, dport=5002) / Raw(payload))
        lab.a(IP(src=A4, dst="198.51.100.3") / TCP(sport=2224, dport=5003, flags="A") / Raw(payload))
        lab.a(IP(src=A4, dst="198.51.100.3") / UDP(sport=2224, dport=5004) / Raw(payload))
        lab.a(IPv6(src=A6, dst="2001:db8:b::3") / UDP(sport=2224, dport=5000) / Raw(payload))
        lab.a(IPv6(src=A6, dst="2001:db8:b::3") / TCP(sport=2224, dport=8080, flags="PA") / Raw(payload))
    for dport in (1, 2, 3):
        lab.b(IP(src=B4, dst=A4) / UDP(sport=2225, dport=dport))
    lab.a(IP(src=A4, dst=B4) / UDP(sport=2226, dport=6000))
    lab.a(IPv6(src=A6, dst=B6) / UDP(sport=2226, dport=6000))

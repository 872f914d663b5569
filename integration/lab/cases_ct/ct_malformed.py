# Malformed transport headers (IPv4 and IPv6), every other packet accepted by `ct state new
# accept`: TCP with a data offset under 5, TCP cut short by the IP length, SYN+RST, UDP whose
# length field says more or less than the packet holds, ICMP of 4 bytes, ICMP echo with code
# 1, an echo reply with code 1 to a tracked request, a TCP SYN with a data offset beyond the
# packet.
from scapy.all import ICMP, IP, IPv6, ICMPv6EchoRequest, Raw, TCP, UDP


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 42001), (lab.A6, lab.B6, 42011)):
        def ip(src, dst, nh):
            return IPv6(src=src, dst=dst, nh=nh) if ":" in src else IP(src=src, dst=dst, proto=nh)
        lab.a(ip(A, B, 6) / TCP(sport=base, dport=80, flags="S", dataofs=4))
        lab.a(ip(A, B, 6) / Raw(bytes(TCP(sport=base + 1, dport=80, flags="S"))[:12]))
        lab.a(ip(A, B, 6) / TCP(sport=base + 2, dport=80, flags="SR"))
        lab.a(ip(A, B, 6) / TCP(sport=base + 3, dport=80, flags="S", dataofs=15))
        lab.a(ip(A, B, 17) / UDP(sport=base + 4, dport=53, len=40) / Raw(b"short"))
        lab.a(ip(A, B, 17) / UDP(sport=base + 5, dport=53, len=8) / Raw(b"longer than said"))
        lab.a(ip(A, B, 17) / UDP(sport=base + 6, dport=53, len=4))
        if ":" in A:
            lab.a(IPv6(src=A, dst=B, nh=58) / Raw(b"\x80\x00\x00\x00"))
            lab.a(IPv6(src=A, dst=B) / ICMPv6EchoRequest(code=1, id=0x7001))
        else:
            lab.a(IP(src=A, dst=B, proto=1) / Raw(b"\x08\x00\xf7\xff"))
            lab.a(IP(src=A, dst=B) / ICMP(type=8, code=1, id=0x7000))
            lab.b(IP(src=B, dst=A) / ICMP(type=0, code=1, id=0x7000))

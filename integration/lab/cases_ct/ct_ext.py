# IPv6 extension headers and IPv4 options under the tracker: UDP behind destination options
# both ways, UDP behind AH (tracked as UDP: conntrack skips AH), ESP (generic), an atomic fragment (offset 0, no more fragments)
# both ways, an ICMPv6 error quoting a packet with destination options, a TCP handshake and
# data with IPv4 options (four NOPs: a 24-byte header) in every packet.
from scapy.all import (AH, ESP, IP, IPOption_NOP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPerror6,
                       ICMPv6DestUnreach, Raw, TCP, UDP, UDPerror)


K4 = ("K4 (atomic fragment): the kernel's nf_defrag_ipv6 takes the fragment header off an atomic fragment "
      "(offset 0, no more fragments): R forwards the datagram without it and counts 8 bytes less; nfqwall keeps "
      "it (the tracking itself agrees)")
CT_KNOWN = {"sport=41903 ": K4}


def scenario(lab):
    A, B, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    lab.a(IPv6(src=A6, dst=B6) / IPv6ExtHdrDestOpt() / UDP(sport=41901, dport=53) / Raw(b"q"))
    lab.b(IPv6(src=B6, dst=A6) / IPv6ExtHdrDestOpt() / UDP(sport=53, dport=41901) / Raw(b"r"))
    lab.a(IPv6(src=A6, dst=B6) / ESP(spi=0x200, seq=1) / Raw(b"e" * 24))
    lab.a(IP(src=A, dst=B) / ESP(spi=0x201, seq=1) / Raw(b"e" * 24))
    lab.a(IPv6(src=A6, dst=B6) / IPv6ExtHdrFragment(offset=0, m=0, id=77) / UDP(sport=41903, dport=53) / Raw(b"q"),
          known=K4)
    lab.b(IPv6(src=B6, dst=A6) / IPv6ExtHdrFragment(offset=0, m=0, id=78) / UDP(sport=53, dport=41903) / Raw(b"r"),
          known=K4)
    lab.a(IPv6(src=A6, dst=B6) / UDP(sport=41904, dport=53) / Raw(b"q"))
    lab.b(IPv6(src="2001:db8:b::1", dst=A6) / ICMPv6DestUnreach(code=3) /
          IPerror6(src=A6, dst=B6, nh=60) / IPv6ExtHdrDestOpt(nh=17) / UDPerror(sport=41904, dport=53))
    opt = [IPOption_NOP()] * 4
    c, s = 1000, 5000
    lab.a(IP(src=A, dst=B, options=opt) / TCP(sport=41905, dport=80, flags="S", seq=c))
    lab.b(IP(src=B, dst=A, options=opt) / TCP(sport=80, dport=41905, flags="SA", seq=s, ack=c + 1))
    lab.a(IP(src=A, dst=B, options=opt) / TCP(sport=41905, dport=80, flags="A", seq=c + 1, ack=s + 1))
    lab.a(IP(src=A, dst=B, options=opt) / TCP(sport=41905, dport=80, flags="PA", seq=c + 1, ack=s + 1) / Raw(b"x" * 40))
    lab.b(IP(src=B, dst=A, options=opt) / TCP(sport=80, dport=41905, flags="A", seq=s + 1, ack=c + 41))
    # Last: nft 1.0.6's `monitor trace` dies printing an AH packet (payload.c:117:
    # payload_expr_pctx_update: Assertion `base->length > 0' failed): no traces after these.
    lab.a(IPv6(src=A6, dst=B6) / AH(nh=17, payloadlen=4, spi=0x100, seq=1, icv=b"\0" * 12) / UDP(sport=41902, dport=53) / Raw(b"q"))
    lab.b(IPv6(src=B6, dst=A6) / AH(nh=17, payloadlen=4, spi=0x101, seq=1, icv=b"\0" * 12) / UDP(sport=53, dport=41902) / Raw(b"r"))

# ICMP/ICMPv6 details: an ICMPv6 error quoting an echo flow (related), errors quoting ICMP
# errors (invalid), a quote cut short after 4 bytes of UDP header, redirect and parameter
# problem quoting a flow, an echo request from B with A's id (a flow the other way), MLD reports
# and a router solicitation forwarded (untracked), TCP and echo behind a hop-by-hop header.
from scapy.all import (ICMP, IP, IPerror, IPv6, IPerror6, UDPerror, Raw, ICMPv6EchoReply,
                       ICMPv6EchoRequest, ICMPv6DestUnreach, ICMPv6ParamProblem, ICMPv6MLReport2,
                       ICMPv6ND_RS, IPv6ExtHdrHopByHop, RouterAlert, TCP)
from ctlib import udp


def scenario(lab):
    A, B, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    lab.a(udp(A, B, 41301, 53))
    lab.b(udp(B, A, 53, 41301))
    lab.a(IP(src=A, dst=B) / ICMP(type=8, id=0x4000))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=0x4001))
    lab.a(udp(A6, B6, 41302, 53))
    # ICMPv6 error quoting the echo request: related.
    lab.b(IPv6(src="2001:db8:b::1", dst=A6) / ICMPv6DestUnreach(code=3) / IPerror6(src=A6, dst=B6) /
          ICMPv6EchoRequest(id=0x4001))
    # An error quoting an error: invalid.
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=3, code=1) / IPerror(src=B, dst=A, id=5) /
          ICMP(type=3, code=3) / IPerror(src=A, dst=B) / UDPerror(sport=41301, dport=53))
    lab.b(IPv6(src="2001:db8:b::1", dst=A6) / ICMPv6DestUnreach(code=3) / IPerror6(src=B6, dst=A6) /
          ICMPv6DestUnreach(code=4) / IPerror6(src=A6, dst=B6) / UDPerror(sport=41302, dport=53))
    # A quote cut after 4 bytes of the UDP header (the ports only).
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=3, code=1) / IPerror(src=A, dst=B, id=1, proto=17, len=29) /
          Raw(bytes.fromhex("a0c50035")))
    # Redirect and parameter problem quoting flow 41301.
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=5, code=1, gw="198.51.100.2") / IPerror(src=A, dst=B, id=1) /
          UDPerror(sport=41301, dport=53))
    lab.b(IP(src=B, dst=A) / ICMP(type=12, code=0, ptr=8) / IPerror(src=A, dst=B, id=1) /
          UDPerror(sport=41301, dport=53))
    lab.b(IPv6(src=B6, dst=A6) / ICMPv6ParamProblem(code=0, ptr=6) / IPerror6(src=A6, dst=B6) /
          UDPerror(sport=41302, dport=53))
    # An echo request from B with the id of A's flow: a flow of its own, the other way.
    lab.b(IP(src=B, dst=A) / ICMP(type=8, id=0x4000))
    # MLD report and router solicitation passing through: untracked.
    lab.a(IPv6(src=A6, dst=B6, hlim=2) / IPv6ExtHdrHopByHop(options=[RouterAlert()]) / ICMPv6MLReport2())
    lab.a(IPv6(src=A6, dst=B6, hlim=255) / ICMPv6ND_RS())
    # TCP and echo behind a hop-by-hop header.
    lab.a(IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() / TCP(sport=41303, dport=80, flags="S", seq=1))
    lab.b(IPv6(src=B6, dst=A6) / TCP(sport=80, dport=41303, flags="SA", seq=500, ack=2))
    lab.a(IPv6(src=A6, dst=B6) / IPv6ExtHdrHopByHop() / TCP(sport=41303, dport=80, flags="A", seq=2, ack=501))
    lab.b(IPv6(src=B6, dst=A6) / IPv6ExtHdrHopByHop() / ICMPv6EchoReply(id=0x4001))

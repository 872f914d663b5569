# Expiry (UDP, ICMP, ICMPv6 and TCP CLOSE timeouts of 1 s): flows before a pause of 1.6 s,
# then the same flows again: a UDP request is new again, an echo reply and a UDP reply find no
# entry (invalid, and new from B), a SYN after CLOSE starts afresh, an unreplied flow is gone
# from the listing.
from scapy.all import ICMP, IP, IPv6, ICMPv6EchoReply, ICMPv6EchoRequest
from ctlib import Tcp, udp

CT_SYSCTL = {"nf_conntrack_udp_timeout": 1, "nf_conntrack_icmp_timeout": 1, "nf_conntrack_icmpv6_timeout": 1,
             "nf_conntrack_tcp_timeout_close": 1}


def scenario(lab):
    A, B, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    lab.a(udp(A, B, 41401, 53))
    lab.b(udp(B, A, 53, 41401))
    lab.a(IP(src=A, dst=B) / ICMP(type=8, id=0x5000))
    lab.a(IPv6(src=A6, dst=B6) / ICMPv6EchoRequest(id=0x5001))
    t = Tcp(lab, A, B, 41402, 80)
    t.handshake()
    t.c("R")
    lab.a(udp(A, B, 41403, 53))
    lab.a(udp(A6, B6, 41404, 53))
    lab.wait(1.6)
    lab.a(udp(A, B, 41401, 53))
    lab.b(udp(B, A, 53, 41401))
    lab.b(IP(src=B, dst=A) / ICMP(type=0, id=0x5000))
    lab.b(IPv6(src=B6, dst=A6) / ICMPv6EchoReply(id=0x5001))
    lab.b(udp(B6, A6, 53, 41404))
    t.next["c"] += 1000
    t.c("S")

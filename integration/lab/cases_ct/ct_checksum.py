# Transport checksums and the tracker (IPv4 and IPv6): a SYN, a UDP request, an echo request
# with a bad checksum (invalid, no entry); UDP over IPv4 without a checksum (0: valid) and over
# IPv6 with 0 (invalid); on an established connection a FIN with a bad checksum (invalid, the
# state does not move) and a good one after it; an ICMP error with a bad checksum quoting a
# tracked flow.
from scapy.all import ICMP, IP, IPv6, IPerror, UDPerror, ICMPv6EchoRequest, UDP
from ctlib import Tcp, udp


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 41501), (lab.A6, lab.B6, 41511)):
        v6 = ":" in A
        Tcp(lab, A, B, base, 80).c("S", chksum=0x1234)
        bad = udp(A, B, base + 1, 53, b"bad")
        bad[UDP].chksum = 0x4321
        lab.a(bad)
        zero = udp(A, B, base + 2, 53, b"zero")
        zero[UDP].chksum = 0
        lab.a(zero)
        if v6:
            lab.a(IPv6(src=A, dst=B) / ICMPv6EchoRequest(id=0x6001, cksum=0x1111))
        else:
            lab.a(IP(src=A, dst=B) / ICMP(type=8, id=0x6000, chksum=0x1111))
        t = Tcp(lab, A, B, base + 3, 80)
        t.handshake()
        t.data()
        t.c("FA", chksum=0x2222, advance=False)
        t.s("PA", b"the server still sends")
        t.c("FA")
        lab.a(udp(A, B, base + 4, 53))
        if not v6:
            err = IP(src="198.51.100.1", dst=A) / ICMP(type=3, code=1, chksum=0x3333) / \
                IPerror(src=A, dst=B, id=1) / UDPerror(sport=base + 4, dport=53)
            lab.b(err)

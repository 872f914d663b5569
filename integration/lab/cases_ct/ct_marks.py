# Marks and labels on tracked flows (IPv4 and IPv6): the entry's mark in the listing
# (mark=42, 7, 256, 3), the packet mark copied from it, matches on both in both directions,
# labels set on the first packet and matched on later ones (the listing prints no labels).
from scapy.all import ICMP, IP, IPerror, UDPerror
from ctlib import Tcp, udp


def scenario(lab):
    A, B, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for client, server, sport in ((A, B, 40301), (A6, B6, 40311)):
        t = Tcp(lab, client, server, sport, 80)    # mark 0x2a
        t.handshake()
        t.data()
        t = Tcp(lab, client, server, sport + 1, 81)    # labels 5 and 127
        t.handshake()
        t.data()
        t = Tcp(lab, client, server, sport + 2, 82)    # mark 0 until established, then | 0x100
        t.handshake()
        t.data()
        lab.a(udp(client, server, sport + 3, 53))    # mark 7
        lab.b(udp(server, client, 53, sport + 3))
        lab.a(udp(client, server, sport + 3, 53))
        lab.a(udp(client, server, sport + 4, 54))    # mark 3, set in forward
        lab.b(udp(server, client, 54, sport + 4))
    # An ICMP error about the marked UDP flow shares its mark.
    lab.b(IP(src="198.51.100.1", dst=A) / ICMP(type=3, code=1) / IPerror(src=A, dst=B, id=20) /
          UDPerror(sport=40304, dport=53))

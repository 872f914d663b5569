# `ct expiration` read by packets of UDP (30 s), TCP (SYN_RECV 60 s, ESTABLISHED 432000 s)
# and ICMP flows, and by their first packets (0: unconfirmed).
from scapy.all import ICMP, IP
from ctlib import Tcp, udp


def scenario(lab):
    A, B = lab.A4, lab.B4
    lab.a(udp(A, B, 41001, 53))
    lab.b(udp(B, A, 53, 41001))
    t = Tcp(lab, A, B, 41002, 80)
    t.c("S")
    t.s("SA")
    t.c("A")
    t.data()
    lab.a(IP(src=A, dst=B) / ICMP(type=8, id=7))
    lab.b(IP(src=B, dst=A) / ICMP(type=0, id=7))
    t = Tcp(lab, lab.A6, lab.B6, 41003, 80)
    t.c("S")
    t.s("SA")

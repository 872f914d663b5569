# Zones and notrack (IPv4 and IPv6): entries in zone 7 / 9 (zone=N in the listing), a flow
# zoned in one direction only (two entries: zone 5 and zone 0), untracked UDP and TCP (no
# entries), a TCP handshake in zone 9, ICMP errors about a zone-7 flow looked up in zone 0
# (invalid) and in zone 7 (related).
from ctlib import Tcp, udp


def scenario(lab):
    A, B, A6, B6 = lab.A4, lab.B4, lab.A6, lab.B6
    for client, server, sport in ((A, B, 40401), (A6, B6, 40411)):
        lab.a(udp(client, server, sport, 6000))          # zone 7, both directions
        lab.b(udp(server, client, 6000, sport))
        lab.a(udp(client, server, sport, 6004))          # zone 5 for the original direction only
        lab.b(udp(server, client, 6004, sport))          # zone 0: new, its own entry
        lab.a(udp(client, server, sport, 6001))          # untracked
        lab.b(udp(server, client, 6001, sport))
        lab.a(udp(client, server, sport, 6002))          # zone 0
        lab.b(udp(server, client, 6002, sport))
        # The same tuple in zone 0 and in zone 7 (chosen by DSCP), each answered; zone 65535.
        from scapy.all import IP, IPv6
        lab.a(udp(client, server, sport, 6010))
        cs1 = IPv6(src=client, dst=server, tc=32) if ":" in client else IP(src=client, dst=server, tos=32)
        cs1b = IPv6(src=server, dst=client, tc=32) if ":" in client else IP(src=server, dst=client, tos=32)
        lab.a(cs1 / udp(client, server, sport, 6010)[1])
        lab.b(cs1b / udp(server, client, 6010, sport)[1])
        lab.b(udp(server, client, 6010, sport))
        lab.a(udp(client, server, sport, 6011))
        lab.b(udp(server, client, 6011, sport))
        t = Tcp(lab, client, server, sport, 8081)        # untracked TCP
        t.handshake()
        t = Tcp(lab, client, server, sport + 1, 8443)    # zone 9
        t.handshake()
        t.data()
        t.c("FA")
    # ICMP errors quoting the zone-7 flow: one looked up in zone 0 (no entry: invalid), one
    # from a router the raw chain puts in zone 7 (related).
    from scapy.all import ICMP, IP, IPerror, UDPerror
    for src in ("198.51.100.1", "198.51.100.7"):
        lab.b(IP(src=src, dst=A) / ICMP(type=3, code=1) / IPerror(src=A, dst=B, id=1) / UDPerror(sport=40401, dport=6000))

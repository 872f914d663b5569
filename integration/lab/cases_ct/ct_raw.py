# ct keys read in a raw chain, before the conntrack lookup (IPv4 and IPv6): state invalid,
# untracked after notrack, mark without an entry, and state, mark and zone after `ct zone set`
# (the kernel's zone template: `ct state` reads new; the other keys do not match).
from ctlib import udp


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 41801), (lab.A6, lab.B6, 41811)):
        for port in range(6101, 6107):
            lab.a(udp(A, B, base, port))


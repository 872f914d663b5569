# ct keys read in a raw chain, before the conntrack lookup (IPv4 and IPv6): state invalid,
# untracked after notrack, mark without an entry, and state, mark and zone after `ct zone set`
# (the kernel's zone template: `ct state` reads new, K8; the other keys do not match, as in
# nfqwall).
from ctlib import udp

K8 = ("K8: before the conntrack hook, after `ct zone set`, the kernel's zone template reads as `ct state new` "
      "(so `ct state new drop` drops, and no entry is made); nfqwall reads invalid (docs/conntrack.md "
      "difference 10, whose `ct mark`/labels part the kernel does not show: its other keys do not match a "
      "template, as nfqwall's do not)")


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 41801), (lab.A6, lab.B6, 41811)):
        for port in range(6101, 6107):
            lab.a(udp(A, B, base, port), known=K8 if port == 6104 else None)


CT_KNOWN = {"dport=6104 ": K8}

# Fragmented datagrams through the tracker (IPv4 and IPv6): a fragmented UDP request and its
# fragmented reply, an unfragmented packet of the same flow, a fragmented datagram to a port
# the ruleset refuses. The kernel reassembles before conntrack (nf_defrag_ipv4/ipv6, priority
# -400): the datagram is tracked once (new, then established in reply), its fragments all
# share its verdict, and R sends it on refragmented. nfqwall's replay has no reassembly: each
# fragment meets the tracker alone and reads `ct state invalid` (K4).
from ctlib import udp

K4 = ("K4: no reassembly before conntrack in nfqwall eval (the kernel's nf_defrag reassembles, tracks "
      "the datagram, forwards every fragment with the datagram's verdict); nfqwall tracks each "
      "fragment alone: ct state invalid, dropped")
K4_REFUSED = K4 + " (the verdict agrees here, a drop either way, by a different rule)"


def scenario(lab):
    for A, B, base in ((lab.A4, lab.B4, 40901), (lab.A6, lab.B6, 40911)):
        lab.a(udp(A, B, base, 53, b"q" * 300), frags=128, known=K4)
        lab.b(udp(B, A, 53, base, b"r" * 300), frags=128, known=K4)
        lab.a(udp(A, B, base, 53, b"again"), known=K4 + " (this unfragmented packet is then the flow's first)")
        lab.a(udp(A, B, base + 1, 54, b"n" * 300), frags=128, known=K4_REFUSED)


CT_KNOWN = {"sport=40901 ": K4, "sport=40911 ": K4}

# Other protocols through R's tracker: generic (253, 600 s), GRE and SCTP (the kernel has
# trackers of its own for them; nfqwall keeps SCTP's ports and GRE without keys on its generic
# tracker: docs/conntrack.md difference 4), IPv4 and IPv6.
from scapy.all import GRE, IP, IPv6, Raw, SCTP, SCTPChunkInit, SCTPChunkInitAck


def scenario(lab):
    for A, B in ((lab.A4, lab.B4), (lab.A6, lab.B6)):
        def ip(src, dst, **kw):
            return IPv6(src=src, dst=dst, nh=kw.get("proto")) if ":" in src else IP(src=src, dst=dst, **kw)
        lab.a(ip(A, B, proto=253) / Raw(b"generic"))
        lab.b(ip(B, A, proto=253) / Raw(b"generic reply"))
        lab.a(ip(A, B, proto=47) / GRE(proto=0x0800) / IP(src="192.0.2.1", dst="198.51.100.1"))
        lab.a(ip(A, B, proto=132) / SCTP(sport=40801, dport=9899, tag=0) / SCTPChunkInit(init_tag=0x11111111))
        lab.b(ip(B, A, proto=132) / SCTP(sport=9899, dport=40801, tag=0x11111111) /
              SCTPChunkInitAck(init_tag=0x22222222))


CT_KNOWN = {
    "gre ": "K2: GRE: the kernel's GRE tracker keys entries with srckey=/dstkey= (0x0 for plain GRE) and "
            "times them out after 30 s (nf_conntrack_gre_timeout); nfqwall tracks GRE as generic without keys, "
            "600 s (docs/conntrack.md difference 4)",
    "sctp ": "K3: SCTP: the kernel's SCTP state machine (INIT, INIT-ACK: COOKIE_WAIT, 3 s); nfqwall keeps the "
             "ports on its generic tracker, no state, 600 s (docs/conntrack.md difference 4)",
}

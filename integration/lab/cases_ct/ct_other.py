# Other protocols through R's tracker: generic (253, 600 s), GRE (keys 0, 30 s: nfqwall's GRE
# tracker), UDP-Lite (UDP's timeouts, its checksum verified the kernel's way), SCTP (the kernel
# has a tracker of its own; nfqwall keeps its ports on its generic tracker: docs/conntrack.md
# difference 4), DCCP (this kernel has no DCCP tracker: its generic entry has no ports), IPv4
# and IPv6.
import struct

from scapy.all import GRE, IP, IPv6, Raw, SCTP, SCTPChunkInit, SCTPChunkInitAck


def udplite(src, dst, sport, dport, data, pseudo_proto=136):
    """A UDP-Lite datagram covering its header only (coverage 8), with the checksum of RFC 3828
    (pseudo_proto 136) or the one the kernel's conntrack verifies (udplite_error checks it with
    IPPROTO_UDP, 17, in the pseudo-header)."""
    from scapy.all import checksum, inet_pton
    import socket
    family = socket.AF_INET6 if ":" in src else socket.AF_INET
    length = 8 + len(data)
    header = struct.pack("!HHHH", sport, dport, 8, 0)
    if family == socket.AF_INET:
        pseudo = inet_pton(family, src) + inet_pton(family, dst) + struct.pack("!BBH", 0, pseudo_proto, length)
    else:
        pseudo = inet_pton(family, src) + inet_pton(family, dst) + struct.pack("!I3xB", length, pseudo_proto)
    csum = checksum(pseudo + header) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, 8, csum) + data


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
        # DCCP Request (a 16-byte generic header with extended sequence numbers + service
        # code; the checksum is left 0) and UDP-Lite with checksum coverage 8 (the header).
        dccp = struct.pack("!HHBBHHI", 40802, 5001, 5, 0x10 | (1 << 1) * 0 | 0x0, 0, 0, 1) + b"\0" * 4
        lab.a(ip(A, B, proto=33) / Raw(dccp))
        # IPv6 "no next header" (59: not tracked, ct state invalid), IPv4 protocol 0 (generic):
        # nothing after the network header.
        lab.a(ip(A, B, proto=59 if ":" in A else 0) / Raw(b"nothing"))
        # UDP-Lite: checksummed as the kernel's conntrack checks it (a flow both ways), as RFC
        # 3828 says (invalid for the kernel), and with checksum 0 (invalid: mandatory).
        lab.a(ip(A, B, proto=136) / Raw(udplite(A, B, 40803, 5002, b"lite", pseudo_proto=17)))
        lab.b(ip(B, A, proto=136) / Raw(udplite(B, A, 5002, 40803, b"lite reply", pseudo_proto=17)))
        lab.a(ip(A, B, proto=136) / Raw(udplite(A, B, 40804, 5002, b"rfc")))
        lab.a(ip(A, B, proto=136) / Raw(struct.pack("!HHHH", 40805, 5002, 8, 0) + b"zero"))


CT_KNOWN = {
    "dccp ": "K6: DCCP: this kernel has no DCCP tracker (CONFIG_NF_CT_PROTO_DCCP unset, reference 8.10): the "
             "generic tracker keys the entry without ports (`dccp 33 599 ... sport=0 dport=0`, one entry for all "
             "DCCP between two hosts); nfqwall keeps the ports (docs/conntrack.md difference 4)",
    "sctp ": "K3: SCTP: the kernel's SCTP state machine (INIT, INIT-ACK: COOKIE_WAIT, 3 s); nfqwall keeps the "
             "ports on its generic tracker, no state, 600 s (docs/conntrack.md difference 4)",
}

// Where conntrack finds the transport header (get_l4proto in nf_conntrack_core.c). For IPv6
// this is not always where nft's `th` is: the kernel's conntrack walks the chain with
// ipv6_skip_exthdr, which steps over AH (nft stops at it, IP6_FH_F_AUTH) and gives up on
// "no next header" (59, which nft reports as the transport protocol).
#include "conntrack/entry.hpp"

namespace nfqwall::conntrack {

bool ipv6_skip_exthdr(const packet::packet_view& p, uint32_t at, uint8_t next, uint8_t& l4, uint32_t& offset) {
    // ipv6_ext_hdr(): hop-by-hop, routing, fragment, AH, none, destination options. ESP (50)
    // and mobility (135) are upper layers to it: tracked as protocols of their own.
    while (next == 0 || next == 43 || next == 44 || next == 51 || next == 59 || next == 60) {
        if (next == 59) return false;
        if (!p.contains(at, 2)) return false;
        uint32_t length;
        if (next == 44) {
            if (!p.contains(at, 4)) return false;
            // A non-first fragment: the kernel's walk stops there and get_l4proto refuses it.
            if ((p.be16_at(at + 2) & 0xfff8) != 0) return false;
            length = 8;
        } else if (next == 51) {
            length = (uint32_t(p.u8_at(at + 1)) + 2) * 4;
        } else {
            length = (uint32_t(p.u8_at(at + 1)) + 1) * 8;
        }
        next = p.u8_at(at);
        at += length;  // each step is at least 8 bytes and contains() ends the walk
    }
    l4 = next;
    offset = at;
    return true;
}

bool ct_l4(const packet::packet_view& p, uint8_t& l4, uint32_t& offset) {
    // IPv4, and IPv6 without extension headers: the parser's answer is the kernel's.
    if (p.network() != packet::network_protocol::ipv6 || (p.ipv6_ext_headers().empty() && p.l4proto() != 59)) {
        l4 = p.l4proto();
        offset = p.transport_offset();
        return true;
    }
    const uint32_t net = p.network_offset();
    return ipv6_skip_exthdr(p, net + 40, p.u8_at(net + 6), l4, offset);
}

uint32_t ct_l4_offset(const packet::packet_view& p) {
    uint8_t l4;
    uint32_t offset;
    return ct_l4(p, l4, offset) ? offset : p.transport_offset();
}

}  // namespace nfqwall::conntrack

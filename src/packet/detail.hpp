// Internal to src/packet: protocol numbers, and the IPv6 extension-header walk shared by
// parse(), the `exthdr` lookups and the inner (tunnel) parse.
//
// The walk reads exactly what the kernel's ipv6_find_hdr reads (net/ipv6/exthdrs_core.c): two
// bytes of each extension header (type and length), four of a routing header (it reads
// struct ipv6_rt_hdr) and of a fragment header (the offset field); a header whose lengths
// run past the end is still stepped over, so the next one starts beyond the packet.
#pragma once

#include <cstdint>

#include "packet/packet.hpp"

namespace nfqwall::packet::detail {

inline constexpr uint16_t ethertype_ipv4 = 0x0800;
inline constexpr uint16_t ethertype_arp = 0x0806;
inline constexpr uint16_t ethertype_ipv6 = 0x86dd;
inline constexpr uint16_t ethertype_8021q = 0x8100;
inline constexpr uint16_t ethertype_8021ad = 0x88a8;

enum : uint8_t {
    proto_icmp = 1,
    proto_igmp = 2,
    proto_ipip = 4,
    proto_tcp = 6,
    proto_udp = 17,
    proto_dccp = 33,
    proto_gre = 47,
    proto_esp = 50,
    proto_ah = 51,
    proto_icmpv6 = 58,
    proto_comp = 108,
    proto_sctp = 132,
    proto_udplite = 136,
};

// DCCP: the bytes between the generic header and the options, by packet type (the kernel's
// dccp_packet_hdr_len).
constexpr uint32_t dccp_type_length(uint32_t type) {
    switch (type) {
    case 2: return 0;  // data
    case 0: return 4;  // request: service code
    case 3:            // ack, data-ack, close-request, close, sync, sync-ack:
    case 4:            // the acknowledgement subheader
    case 5:
    case 6:
    case 8:
    case 9: return 8;
    default: return 12;  // response (ack + service code), reset, unknown types
    }
}
// The generic header: 12 bytes, 16 with X (extended sequence numbers) set.
constexpr uint32_t dccp_generic_length(uint8_t type_byte) { return (type_byte & 1) ? 16 : 12; }
constexpr uint32_t dccp_type(uint8_t type_byte) { return (type_byte >> 1) & 0x0f; }

enum : uint8_t {
    ip6_hop_by_hop = 0,
    ip6_routing = 43,
    ip6_fragment = 44,
    ip6_auth = 51,
    ip6_no_next = 59,
    ip6_destination = 60,
};

// The kernel's ipv6_ext_hdr(): 59 counts as an extension header, but every walk stops at it.
constexpr bool ipv6_ext_hdr(uint8_t type) {
    return type == ip6_hop_by_hop || type == ip6_routing || type == ip6_fragment || type == ip6_auth ||
           type == ip6_no_next || type == ip6_destination;
}

enum class chain_end : uint8_t {
    upper_layer,         // met a header that is not an extension header, or "no next header"
    truncated,           // an extension header's fixed bytes are missing
    non_first_fragment,  // a fragment header with a non-zero offset: what follows is data
    stopped,             // the visitor asked to stop
};

struct chain_result {
    chain_end end = chain_end::upper_layer;
    uint8_t type = 0;     // upper_layer: the protocol; non_first_fragment: its next header
    uint32_t offset = 0;  // upper_layer: where it starts; otherwise where the walk stopped
    uint32_t fragment_offset = 0;  // bytes, of the last fragment header walked
    bool fragment = false;         // a fragment header was walked
    bool more_fragments = false;
};

// Walks the chain that starts at `start` with next-header value `next`, calling
// visit(const ipv6_ext_header&) for each extension header whose fixed bytes are present; the
// visitor returns false to stop. Each header moves `start` forward by at least 8 bytes and the
// walk stops at `end`, so it terminates on any input.
template <class Visit>
chain_result walk_ipv6_chain(const uint8_t* data, uint32_t end, uint32_t start, uint8_t next, Visit&& visit) {
    chain_result r;
    uint64_t at = start;
    while (ipv6_ext_hdr(next) && next != ip6_no_next) {
        const uint32_t needed = (next == ip6_routing || next == ip6_fragment) ? 4 : 2;
        if (at + needed > end) {
            r.end = chain_end::truncated;
            r.offset = static_cast<uint32_t>(at > end ? end : at);
            return r;
        }
        ipv6_ext_header h;
        h.offset = static_cast<uint32_t>(at);
        h.type = next;
        h.next = data[at];
        const uint8_t hdrlen = data[at + 1];
        if (next == ip6_fragment) {
            const uint16_t frag = uint16_t(data[at + 2] << 8 | data[at + 3]);
            h.length = 8;
            r.fragment = true;
            r.fragment_offset = frag & ~7u;  // the 13-bit field is in 8-byte units
            r.more_fragments = frag & 1;
        } else if (next == ip6_auth) {
            h.length = uint16_t((hdrlen + 2) * 4);  // AH counts 32-bit words minus 2 (RFC 4302)
        } else {
            h.length = uint16_t((hdrlen + 1) * 8);
        }
        if (!visit(static_cast<const ipv6_ext_header&>(h))) {
            r.end = chain_end::stopped;
            r.offset = h.offset;
            return r;
        }
        if (next == ip6_fragment && r.fragment_offset != 0) {
            r.end = chain_end::non_first_fragment;
            r.type = h.next;
            r.offset = static_cast<uint32_t>(at + 8);
            return r;
        }
        next = h.next;
        at += h.length;
    }
    r.end = chain_end::upper_layer;
    r.type = next;
    // A chain whose last header overruns the packet leaves the next header past the end: the
    // kernel reports it there (and loads from it fail); clamp only to keep offsets in 32 bits.
    r.offset = static_cast<uint32_t>(at > UINT32_MAX - 1 ? UINT32_MAX - 1 : at);
    return r;
}

// nft_set_pktinfo_ipv6 / ipv6_find_hdr(target -1, IP6_FH_F_AUTH): the transport protocol and
// offset of the IPv6 packet whose 40-byte header starts at `ip6` (the caller checked it is
// present). Records the walked headers into `record` when given.
struct ipv6_transport {
    parse_status failure = parse_status::ok;
    uint8_t l4proto = 0;
    uint32_t thoff = no_offset;   // for a non-first fragment: the fragment data
    uint32_t fragment_offset = 0;  // bytes; non-zero only for a non-first fragment
    bool fragment = false;
    bool more_fragments = false;
};

struct ipv6_record {
    ipv6_ext_header* headers = nullptr;
    size_t capacity = 0;
    size_t count = 0;
    bool overflow = false;
};

ipv6_transport find_ipv6_transport(const uint8_t* data, uint32_t end, uint32_t ip6, ipv6_record* record);

}  // namespace nfqwall::packet::detail

#include "packet/reject.hpp"

#include <algorithm>
#include <array>

#include "packet/checksum.hpp"

namespace nfqwall::packet {

namespace {

enum : uint8_t {
    proto_icmp = 1,
    proto_tcp = 6,
    proto_udp = 17,
    proto_gre = 47,
    proto_esp = 50,
    proto_ah = 51,
    proto_icmpv6 = 58,
    proto_sctp = 132,
    proto_udplite = 136,
};

constexpr uint8_t tcp_rst = 0x04;

// nf_reject_verify_csum (include/net/netfilter/nf_reject.h): protocols whose checksum is not
// a ones' complement sum over the whole payload are answered unchecked, and so is UDP with a
// zero (absent) checksum. DCCP, once on that list, left the kernel with DCCP itself (6.16).
bool verify_checksum(const packet_view& p, uint8_t proto, uint32_t thoff, uint32_t end) {
    switch (proto) {
    case proto_udp: return thoff + 8 > end || p.be16_at(thoff + 6) != 0;
    case proto_gre:
    case proto_ah:
    case proto_esp:
    case proto_sctp:
    case proto_udplite: return false;
    default: return true;
    }
}

// The transport checksum holds when the sum over the transport bytes (and the pseudo-header)
// folds to zero either way round: the kernel adds the IPv4 header (which sums to 0xffff, a
// ones' complement zero) or subtracts the IPv6 headers, so both 0 and 0xffff verify.
bool sum_verifies(uint32_t sum) {
    const uint16_t folded = checksum_fold(sum);
    return folded == 0 || folded == 0xffff;
}

// nf_ip_checksum with CHECKSUM_NONE: the pseudo-header for TCP and UDP only.
bool ipv4_checksum_ok(const packet_view& p, uint32_t nh, uint32_t thoff, uint32_t end, uint8_t proto) {
    const std::span<const uint8_t> bytes = p.bytes();
    uint32_t sum = 0;
    if (proto == proto_tcp || proto == proto_udp) {
        const uint32_t length = end - thoff;
        sum = checksum_add_bytes(bytes.subspan(nh + 12, 8));
        const std::array<uint8_t, 4> tail{0, proto, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)};
        sum = checksum_add_bytes(tail, sum);
    }
    return sum_verifies(checksum_add_bytes(bytes.subspan(thoff, end - thoff), sum));
}

// nf_ip6_checksum with CHECKSUM_NONE: the pseudo-header for every protocol.
bool ipv6_checksum_ok(const packet_view& p, uint32_t nh, uint32_t thoff, uint32_t end, uint8_t proto) {
    const std::span<const uint8_t> bytes = p.bytes();
    const uint32_t length = end - thoff;
    uint32_t sum = checksum_add_bytes(bytes.subspan(nh + 8, 32));
    const std::array<uint8_t, 8> tail{static_cast<uint8_t>(length >> 24), static_cast<uint8_t>(length >> 16),
                                      static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length), 0, 0, 0, proto};
    sum = checksum_add_bytes(tail, sum);
    return sum_verifies(checksum_add_bytes(bytes.subspan(thoff, end - thoff), sum));
}

// RTCF_MULTICAST / RTCF_BROADCAST of the packet's route, as far as the address alone tells.
bool ipv4_multicast_or_broadcast(const packet_view& p, uint32_t nh) {
    const uint32_t daddr = p.be32_at(nh + 16);
    return (daddr >> 28) == 0xe || daddr == 0xffffffff;
}

no_reply_reason ipv4_reply(const packet_view& p, reject_reply reply, bool link_host) {
    const uint32_t nh = p.network_offset();
    if (!p.contains(nh, 20)) return no_reply_reason::not_ip;
    const uint32_t ihl = (p.u8_at(nh) & 0x0f) * 4u;
    // ip_rcv trimmed the packet to its total length: the transport ends there.
    const uint32_t end = nh + std::min<uint32_t>(p.be16_at(nh + 2), p.size() - nh);
    if (ihl < 20 || nh + ihl > end) return no_reply_reason::not_ip;
    const uint32_t thoff = nh + ihl;
    const uint16_t frag = p.be16_at(nh + 6);
    const bool more_fragments = frag & 0x2000;
    const uint8_t proto = p.u8_at(nh + 9);
    const no_reply_reason checksum_failed = more_fragments ? no_reply_reason::fragment_checksum : no_reply_reason::bad_checksum;

    // nf_reject_ip_tcphdr_get and nf_send_unreach both begin with the fragment offset.
    if (frag & 0x1fff) return no_reply_reason::later_fragment;
    if (reply == reject_reply::tcp_reset) {
        // nf_reject_ip_tcphdr_get: TCP, a whole header, no RST, a good checksum; then
        // nf_send_reset: not to a broadcast or multicast route.
        if (proto != proto_tcp) return no_reply_reason::not_tcp;
        if (thoff + 20 > end) return no_reply_reason::transport_truncated;
        if (p.u8_at(thoff + 13) & tcp_rst) return no_reply_reason::rst;
        if (!ipv4_checksum_ok(p, nh, thoff, end, proto)) return checksum_failed;
        if (ipv4_multicast_or_broadcast(p, nh)) return no_reply_reason::not_unicast;
        return no_reply_reason::none;
    }
    // nf_send_unreach: the checksum unless the protocol has none to check; then icmp_send.
    if (verify_checksum(p, proto, thoff, end) && !ipv4_checksum_ok(p, nh, thoff, end, proto)) return checksum_failed;
    if (!link_host) return no_reply_reason::not_for_host;
    if (ipv4_multicast_or_broadcast(p, nh)) return no_reply_reason::not_unicast;
    if (proto == proto_icmp) {
        // "If we send an ICMP error to an ICMP error a mess would result": errors are
        // destination unreachable, source quench, redirect, time exceeded, parameter problem,
        // and every type above NR_ICMP_TYPES (18).
        if (thoff + 1 > end) return no_reply_reason::transport_truncated;
        const uint8_t type = p.u8_at(thoff);
        if (type > 18 || type == 3 || type == 4 || type == 5 || type == 11 || type == 12) return no_reply_reason::icmp_error;
    }
    return no_reply_reason::none;
}

// __ipv6_addr_type's IPV6_ADDR_UNICAST: everything but multicast (ff00::/8), the unspecified
// address and IPv4-mapped addresses (::ffff:0:0/96).
bool ipv6_unicast(const packet_view& p, uint32_t at) {
    if (p.u8_at(at) == 0xff) return false;
    if (p.be32_at(at) != 0 || p.be32_at(at + 4) != 0) return true;
    const uint32_t third = p.be32_at(at + 8);
    if (third == 0) return p.be32_at(at + 12) != 0;
    return third != 0x0000ffff;
}

struct ipv6_walk {
    bool ok = false;             // false: ipv6_skip_exthdr returned -1 (next header none, cut short)
    bool later_fragment = false;  // stopped at a non-first fragment's header
    bool fragment = false;        // a fragment header was walked (first fragment, or atomic)
    uint16_t frag_field = 0;      // the fragment header's offset word (network order as a number)
    uint8_t proto = 0;
    uint32_t thoff = 0;
};

// ipv6_skip_exthdr: hop-by-hop, routing, fragment, AH and destination options are skipped;
// "no next header" ends the walk in failure; a non-first fragment stops it at its own header.
ipv6_walk skip_exthdr(const packet_view& p, uint32_t nh, uint32_t end) {
    ipv6_walk w;
    uint8_t next = p.u8_at(nh + 6);
    uint32_t at = nh + 40;
    for (;;) {
        if (next != 0 && next != 43 && next != 44 && next != 51 && next != 59 && next != 60) break;
        if (next == 59 || at + 2 > end) return w;
        uint32_t length = 0;
        if (next == 44) {
            if (at + 4 > end) return w;
            w.frag_field = p.be16_at(at + 2);
            if (w.frag_field & ~0x7u) {
                w.later_fragment = true;
                break;
            }
            w.fragment = true;
            length = 8;
        } else if (next == 51) {
            length = (p.u8_at(at + 1) + 2u) * 4u;
        } else {
            length = (p.u8_at(at + 1) + 1u) * 8u;
        }
        next = p.u8_at(at);
        at += length;
    }
    w.ok = true;
    w.proto = next;
    w.thoff = at;
    return w;
}

no_reply_reason ipv6_reply(const packet_view& p, reject_reply reply, bool link_host) {
    const uint32_t nh = p.network_offset();
    if (!p.contains(nh, 40)) return no_reply_reason::not_ip;
    // ipv6_rcv trimmed the packet to its payload length (none: a jumbogram, left alone).
    const uint32_t payload = p.be16_at(nh + 4);
    const uint32_t end = payload != 0 ? nh + std::min<uint32_t>(payload + 40, p.size() - nh) : p.size();
    const ipv6_walk w = skip_exthdr(p, nh, end);
    const no_reply_reason checksum_failed = w.fragment ? no_reply_reason::fragment_checksum : no_reply_reason::bad_checksum;

    if (reply == reject_reply::tcp_reset) {
        // nf_send_reset6: both addresses unicast; nf_reject_ip6_tcphdr_get: TCP after the
        // extension headers (a later fragment's walk ends on its fragment header), a whole
        // header, no RST, a good checksum.
        if (!ipv6_unicast(p, nh + 8) || !ipv6_unicast(p, nh + 24)) return no_reply_reason::not_unicast;
        if (w.later_fragment) return no_reply_reason::later_fragment;
        if (!w.ok || w.thoff > end) return no_reply_reason::no_transport;
        if (w.proto != proto_tcp) return no_reply_reason::not_tcp;
        if (w.thoff + 20 > end) return no_reply_reason::transport_truncated;
        if (p.u8_at(w.thoff + 13) & tcp_rst) return no_reply_reason::rst;
        if (!ipv6_checksum_ok(p, nh, w.thoff, end, w.proto)) return checksum_failed;
        return no_reply_reason::none;
    }
    // nf_send_unreach6 -> reject6_csum_ok: a transport header with at least one byte, not a
    // later fragment, a good checksum where there is one to check.
    if (w.later_fragment) return no_reply_reason::later_fragment;
    if (!w.ok || w.thoff >= end) return no_reply_reason::no_transport;
    if (verify_checksum(p, w.proto, w.thoff, end) && !ipv6_checksum_ok(p, nh, w.thoff, end, w.proto)) {
        return checksum_failed;
    }
    // icmp6_send for a destination unreachable: not to multicast or another host's frame, not
    // from an unspecified or multicast source, never about an ICMPv6 error (is_ineligible).
    if (p.u8_at(nh + 24) == 0xff) return no_reply_reason::not_unicast;
    if (!link_host) return no_reply_reason::not_for_host;
    const bool source_unspecified = (p.be32_at(nh + 8) | p.be32_at(nh + 12) | p.be32_at(nh + 16) | p.be32_at(nh + 20)) == 0;
    if (source_unspecified || p.u8_at(nh + 8) == 0xff) return no_reply_reason::bad_source;
    if (w.proto == proto_icmpv6) {
        if (w.thoff + 1 > end) return w.frag_field != 0 ? no_reply_reason::none : no_reply_reason::transport_truncated;
        if (p.u8_at(w.thoff) < 128) return no_reply_reason::icmp_error;  // not ICMPV6_INFOMSG_MASK
    }
    return no_reply_reason::none;
}

}  // namespace

no_reply_reason why_no_reply(const packet_view& packet, reject_reply reply, bool link_host) {
    if (!packet.has_network_header()) return no_reply_reason::not_ip;
    switch (packet.network()) {
    case network_protocol::ipv4: return ipv4_reply(packet, reply, link_host);
    case network_protocol::ipv6: return ipv6_reply(packet, reply, link_host);
    default: return no_reply_reason::not_ip;
    }
}

std::string_view describe(no_reply_reason reason) {
    switch (reason) {
    case no_reply_reason::none: return "a reply is sent";
    case no_reply_reason::not_ip: return "the packet has no IP header to answer";
    case no_reply_reason::later_fragment: return "the packet is a later fragment";
    case no_reply_reason::fragment_checksum:
        return "the packet is a fragment: its transport checksum does not verify over the fragment alone";
    case no_reply_reason::bad_checksum: return "the transport checksum does not verify";
    case no_reply_reason::rst: return "the packet is a RST";
    case no_reply_reason::not_tcp: return "the packet is not TCP";
    case no_reply_reason::transport_truncated: return "the transport header is cut short";
    case no_reply_reason::icmp_error: return "the packet is an ICMP error";
    case no_reply_reason::no_transport: return "the packet has no transport header";
    case no_reply_reason::not_unicast: return "an address is multicast or broadcast";
    case no_reply_reason::not_for_host: return "the frame was not addressed to this host";
    case no_reply_reason::bad_source: return "the source address is unspecified or multicast";
    }
    return "?";
}

}  // namespace nfqwall::packet

#include "packet/exthdr.hpp"

#include <algorithm>

#include "packet/detail.hpp"

namespace nfqwall::packet {

using namespace detail;

namespace {

enum : uint8_t {
    ipopt_end = 0,
    ipopt_noop = 1,
    ipopt_rr = 7,
    ipopt_timestamp = 68,
    ipopt_lsrr = 131,
    ipopt_cipso = 134,
    ipopt_ssrr = 137,
    ipopt_ra = 148,
};

// What __ip_options_compile records, as offsets from the start of the IP header (0: none).
struct ipv4_options {
    uint32_t srr = 0;
    uint32_t rr = 0;
    uint32_t router_alert = 0;
    bool strict_route = false;
};

// __ip_options_compile as nft_exthdr calls it: with no skb (so the checks of the sending
// path apply) and, as nfqwall assumes, as a CAP_NET_RAW caller. False when the kernel
// returns -EINVAL; then no option is found at all.
bool compile_ipv4_options(const uint8_t* o, uint32_t length, ipv4_options& out) {
    bool seen_ts = false;
    uint32_t p = 0;
    int32_t left = static_cast<int32_t>(length);
    while (left > 0) {
        const uint8_t type = o[p];
        if (type == ipopt_end) return true;  // the rest is padding
        if (type == ipopt_noop) {
            --left;
            ++p;
            continue;
        }
        if (left < 2) return false;
        const uint32_t optlen = o[p + 1];
        if (optlen < 2 || optlen > static_cast<uint32_t>(left)) return false;
        const uint8_t* opt = o + p;
        switch (type) {
        case ipopt_ssrr:
        case ipopt_lsrr:
            if (optlen < 3 || opt[2] < 4 || out.srr != 0) return false;
            // Without an skb the route must be unused and hold whole addresses.
            if (opt[2] != 4 || optlen < 7 || ((optlen - 3) & 3) != 0) return false;
            out.strict_route = type == ipopt_ssrr;
            out.srr = p + 20;
            break;
        case ipopt_rr:
            if (out.rr != 0 || optlen < 3 || opt[2] < 4) return false;
            if (opt[2] <= optlen && opt[2] + 3u > optlen) return false;
            out.rr = p + 20;
            break;
        case ipopt_timestamp: {
            if (seen_ts || optlen < 4 || opt[2] < 5) return false;
            const uint32_t pointer = opt[2], flags = opt[3] & 0x0f;
            if (pointer <= optlen) {
                if (pointer + 3 > optlen) return false;
                // Address + timestamp pairs, and prespecified addresses, need 8 bytes.
                if ((flags == 1 || flags == 3) && pointer + 7 > optlen) return false;
            } else if (flags != 3 && (opt[3] >> 4) == 15) {
                return false;  // the overflow counter cannot count further
            }
            seen_ts = true;
            break;
        }
        case ipopt_ra:
            if (optlen < 4) return false;
            if (opt[2] == 0 && opt[3] == 0) out.router_alert = p + 20;
            break;
        case ipopt_cipso:
            return false;  // cipso_v4_validate: no DOI configured
        default: break;    // other options pass for a privileged caller
        }
        left -= static_cast<int32_t>(optlen);
        p += optlen;
    }
    return true;
}

bool has_transport(const packet_view& p, uint8_t protocol) {
    return p.has_transport_header() && p.l4proto() == protocol;
}

}  // namespace

located find_ipv6_exthdr(const packet_view& p, uint8_t type) {
    if (p.ethertype() != ethertype_ipv6 || !p.has_network_header()) return {};
    const uint32_t nh = p.network_offset();
    if (!p.contains(nh, 40)) return {};
    located found;
    const chain_result chain =
        walk_ipv6_chain(p.bytes().data(), p.size(), nh + 40, p.u8_at(nh + 6), [&](const ipv6_ext_header& h) {
            if (h.type != type) return true;
            found = {h.offset, h.length};
            return false;
        });
    if (found.found()) return found;
    if (chain.end == chain_end::upper_layer && chain.type == type) return {chain.offset, 0};
    return {};
}

located find_ipv4_option(const packet_view& p, uint8_t type) {
    if (p.ethertype() != ethertype_ipv4 || !p.has_network_header()) return {};
    const uint32_t nh = p.network_offset();
    if (!p.contains(nh, 20)) return {};
    // No version check: ipv4_find_option trusts the ethertype.
    const uint32_t header = (p.u8_at(nh) & 0x0f) * 4u;
    if (header <= 20 || !p.contains(nh, header)) return {};
    ipv4_options options;
    if (!compile_ipv4_options(p.bytes().data() + nh + 20, header - 20, options)) return {};
    uint32_t at = 0;
    switch (type) {
    case ipopt_ssrr:
    case ipopt_lsrr:
        if (options.srr != 0 && options.strict_route == (type == ipopt_ssrr)) at = options.srr;
        break;
    case ipopt_rr: at = options.rr; break;
    case ipopt_ra: at = options.router_alert; break;
    default: break;
    }
    if (at == 0) return {};
    return {nh + at, p.u8_at(nh + at + 1)};
}

tcp_option_search search_tcp_option(const packet_view& p, uint8_t kind, located& out) {
    out = {};
    if (!has_transport(p, proto_tcp)) return tcp_option_search::unreadable;
    const uint32_t th = p.transport_offset();
    if (!p.contains(th, 20)) return tcp_option_search::unreadable;
    const uint32_t header = (p.u8_at(th + 12) >> 4) * 4u;
    if (header < 20 || !p.contains(th, header)) return tcp_option_search::unreadable;
    uint32_t optlen = 1;
    for (uint32_t i = 20; i + 1 < header; i += optlen) {
        const uint8_t k = p.u8_at(th + i), len = p.u8_at(th + i + 1);
        // End-of-list and no-op are single bytes; a zero length would never advance.
        optlen = (k <= 1 || len == 0) ? 1 : len;
        if (k != kind) continue;
        if (i + optlen > header) return tcp_option_search::unreadable;
        out = {th + i, optlen};
        return tcp_option_search::found;
    }
    return tcp_option_search::absent;
}

located find_tcp_option(const packet_view& p, uint8_t kind) {
    located l;
    (void)search_tcp_option(p, kind, l);
    return l;
}

located find_sctp_chunk(const packet_view& p, uint8_t type) {
    if (!has_transport(p, proto_sctp)) return {};
    uint64_t at = uint64_t{p.transport_offset()} + 12;
    do {
        if (!p.contains(at, 4)) break;
        const uint32_t length = p.be16_at(static_cast<uint32_t>(at + 2));
        if (length == 0) break;
        if (p.u8_at(static_cast<uint32_t>(at)) == type) return {static_cast<uint32_t>(at), length};
        at += (length + 3) & ~3u;
    } while (at < p.size());
    return {};
}

bool has_dccp_option(const packet_view& p, uint8_t type) {
    if (!has_transport(p, proto_dccp)) return false;
    const uint32_t th = p.transport_offset();
    if (!p.contains(th, 12)) return false;
    const uint8_t type_byte = p.u8_at(th + 8);
    const uint32_t data = p.u8_at(th + 4) * 4u;
    const uint32_t options = dccp_generic_length(type_byte) + dccp_type_length(dccp_type(type_byte));
    if (data <= options) return false;
    const uint32_t length = data - options;
    for (uint32_t i = 0; i < length;) {
        const uint32_t at = th + options + i;
        const uint32_t readable = std::min(2u, length - i);
        if (!p.contains(at, readable)) return false;
        const uint8_t t = p.u8_at(at);
        if (t == type) return true;
        if (t <= 31) {  // padding, mandatory and the reserved single-byte options
            ++i;
            continue;
        }
        if (readable < 2 || p.u8_at(at + 1) < 2) return false;
        i += p.u8_at(at + 1);
    }
    return false;
}

namespace {

constexpr uint64_t no_start = UINT64_MAX;

// Where a load of [offset, offset + length) from the header found starts, or no_start when
// the kernel fails it before touching the packet.
uint64_t exthdr_start(const packet_view& p, exthdr_op op, uint8_t type, uint32_t offset, uint32_t length) {
    switch (op) {
    case exthdr_op::ipv6: {
        const located l = find_ipv6_exthdr(p, type);
        return l.found() ? uint64_t{l.offset} + offset : no_start;
    }
    case exthdr_op::ipv4: {
        // Not bounded by the option's length: the kernel copies from the packet.
        const located l = find_ipv4_option(p, type);
        return l.found() ? uint64_t{l.offset} + offset : no_start;
    }
    case exthdr_op::tcp: {
        const located l = find_tcp_option(p, type);
        if (!l.found() || uint64_t{offset} + length > l.length) return no_start;
        return uint64_t{l.offset} + offset;
    }
    case exthdr_op::sctp: {
        const located l = find_sctp_chunk(p, type);
        if (!l.found() || uint64_t{offset} + length > l.length || !p.contains(l.offset, l.length)) return no_start;
        return uint64_t{l.offset} + offset;
    }
    case exthdr_op::dccp: return no_start;  // the kernel refuses DCCP loads (only F_PRESENT)
    }
    return no_start;
}

}  // namespace

bool exthdr_load(const packet_view& p, exthdr_op op, uint8_t type, uint32_t offset, uint32_t length, uint8_t* dst) {
    const uint64_t start = exthdr_start(p, op, type, offset, length);
    return start != no_start && p.load_at(start, length, dst);
}

bool exthdr_present(const packet_view& p, exthdr_op op, uint8_t type, uint32_t offset, uint32_t length) {
    switch (op) {
    case exthdr_op::ipv6: return find_ipv6_exthdr(p, type).found();
    case exthdr_op::ipv4: return find_ipv4_option(p, type).found();
    case exthdr_op::sctp: return find_sctp_chunk(p, type).found();
    case exthdr_op::dccp: return has_dccp_option(p, type);
    case exthdr_op::tcp: {
        // The kernel checks the expression's span against the option before answering.
        const located l = find_tcp_option(p, type);
        return l.found() && uint64_t{offset} + length <= l.length;
    }
    }
    return false;
}

}  // namespace nfqwall::packet

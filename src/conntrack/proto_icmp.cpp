// ICMP and ICMPv6 (nf_conntrack_proto_icmp.c, nf_conntrack_proto_icmpv6.c): queries tracked
// by id, type and code; errors associated with the flow they quote (RELATED); ICMPv6
// neighbour discovery and MLD left untracked.
#include "conntrack/entry.hpp"

namespace nfqwall::conntrack {

int icmp_inverse_type(uint8_t l4, uint8_t type) {
    if (l4 == proto_icmp) {
        switch (type) {
        case 8: return 0;
        case 0: return 8;
        case 13: return 14;
        case 14: return 13;
        case 15: return 16;
        case 16: return 15;
        case 17: return 18;
        case 18: return 17;
        default: return -1;
        }
    }
    switch (type) {
    case 128: return 129;
    case 129: return 128;
    case 139: return 140;
    case 140: return 139;
    default: return -1;
    }
}

bool invert(const tuple& t, tuple& out) {
    out = t;
    out.ends.src = t.ends.dst;
    out.ends.dst = t.ends.src;
    if (t.l4 == proto_icmp || t.l4 == proto_icmpv6) {
        const int inv = icmp_inverse_type(t.l4, t.icmp_type());
        if (inv < 0) return false;
        out.ends.src_id = t.ends.src_id;
        out.ends.dst_id = static_cast<uint16_t>(inv << 8 | t.icmp_code());
    } else {
        out.ends.src_id = t.ends.dst_id;
        out.ends.dst_id = t.ends.src_id;
    }
    return true;
}

bool build_tuple(const packet::packet_view& p, uint8_t l3, uint32_t l3_offset, uint8_t l4, uint32_t l4_offset,
                 uint16_t zone, tuple& out) {
    out = tuple{};
    out.l3 = l3;
    out.l4 = l4;
    out.zone = zone;
    const auto bytes = p.bytes();
    if (l3 == l3_ipv4) {
        if (!p.contains(l3_offset, 20)) return false;
        std::memcpy(out.ends.src.data(), bytes.data() + l3_offset + 12, 4);
        std::memcpy(out.ends.dst.data(), bytes.data() + l3_offset + 16, 4);
    } else {
        if (!p.contains(l3_offset, 40)) return false;
        std::memcpy(out.ends.src.data(), bytes.data() + l3_offset + 8, 16);
        std::memcpy(out.ends.dst.data(), bytes.data() + l3_offset + 24, 16);
    }
    switch (l4) {
    case proto_tcp:
    case proto_udp:
    case 136:  // UDP-Lite
    case 132:  // SCTP
    case 33:   // DCCP
        if (!p.contains(l4_offset, 4)) return false;
        out.ends.src_id = p.be16_at(l4_offset);
        out.ends.dst_id = p.be16_at(l4_offset + 2);
        return true;
    case proto_icmp:
    case proto_icmpv6:
        if ((l4 == proto_icmp) != (l3 == l3_ipv4)) return true;  // ICMP over IPv6: generic
        if (!p.contains(l4_offset, 8)) return false;
        out.ends.dst_id = p.be16_at(l4_offset);  // type, code
        out.ends.src_id = p.be16_at(l4_offset + 4);
        return true;
    case proto_gre: {
        // gre_pkt_to_tuple: version 0 is keyless (like generic); version 1 (PPTP) must carry
        // PPP and keys on its call id (the source key comes from the PPTP helper, absent here).
        if (!p.contains(l4_offset, 4) || (p.u8_at(l4_offset + 1) & 0x07) != 1) return true;
        if (!p.contains(l4_offset, 8)) return true;
        if (p.be16_at(l4_offset + 2) != 0x880b) return false;
        out.ends.dst_id = p.be16_at(l4_offset + 6);
        return true;
    }
    default:
        return true;
    }
}

icmp_class icmp_classify(const packet::packet_view& p, const config& cfg, hook_point hook) {
    const uint32_t off = ct_l4_offset(p);
    if (!p.has_transport_header() || !p.contains(off, 8)) return icmp_class::bad;
    const bool v6 = p.network() == packet::network_protocol::ipv6;
    if (cfg.checksum && hook == hook_point::prerouting && !l4_checksum_ok(p, v6 ? proto_icmpv6 : proto_icmp))
        return icmp_class::bad;
    const uint8_t type = p.u8_at(off);
    if (!v6) {
        if (type > 18) return icmp_class::bad;
        switch (type) {
        case 3: case 4: case 5: case 11: case 12: return icmp_class::error;
        default: return icmp_class::normal;
        }
    }
    switch (type) {
    case 130: case 131: case 132: case 133: case 134: case 135: case 136: case 143: case 151: case 152:
        return icmp_class::untracked;
    default: break;
    }
    if (type == 137) {
        // A redirect quotes a packet only when it is a genuine on-link redirect: code 0, hop
        // limit 255, a link-local source, and a redirected-header option.
        const uint32_t net = p.network_offset();
        const bool link_local = p.u8_at(net + 8) == 0xfe && (p.u8_at(net + 9) & 0xc0) == 0x80;
        if (p.u8_at(off + 1) != 0 || p.u8_at(net + 7) != 255 || !link_local) return icmp_class::normal;
        uint32_t at = off + 40;  // after type, code, checksum, reserved, target, destination
        while (p.contains(at, 8)) {
            const uint8_t kind = p.u8_at(at), units = p.u8_at(at + 1);
            if (units == 0) return icmp_class::normal;
            if (kind == 4) return icmp_class::error;
            at += uint32_t(units) * 8;
        }
        return icmp_class::normal;
    }
    return type >= 128 ? icmp_class::normal : icmp_class::error;
}

bool icmp_inner_tuple(const packet::packet_view& p, uint16_t zone, tuple& out) {
    const uint32_t inner = ct_l4_offset(p) + 8;  // called for ICMP and ICMPv6 only
    if (p.network() == packet::network_protocol::ipv4) {
        if (!p.contains(inner, 20) || (p.u8_at(inner) >> 4) != 4) return false;
        const uint32_t ihl = uint32_t(p.u8_at(inner) & 0x0f) * 4;
        if (ihl < 20 || (p.be16_at(inner + 6) & 0x1fff) != 0) return false;  // a later fragment
        return build_tuple(p, l3_ipv4, inner, p.u8_at(inner + 9), inner + ihl, zone, out);
    }
    if (p.network() != packet::network_protocol::ipv6) return false;
    if (!p.contains(inner, 40) || (p.u8_at(inner) >> 4) != 6) return false;
    // The quoted packet's transport header as get_l4proto finds it (nf_conntrack_inet_error):
    // no next header or a later fragment quote nothing trackable.
    uint8_t l4;
    uint32_t at;
    if (!ipv6_skip_exthdr(p, inner + 40, p.u8_at(inner + 6), l4, at)) return false;
    return build_tuple(p, l3_ipv6, inner, l4, at, zone, out);
}

proto_verdict icmp_packet(entry& e, proto_context& c, bool) {
    const uint8_t type = static_cast<uint8_t>(e.ends[0].dst_id >> 8);
    // Only requests open entries; an unsolicited reply or anything else is refused here.
    const bool v4 = e.l4 == proto_icmp;
    const bool request = v4 ? (type == 8 || type == 13 || type == 15 || type == 17) : (type == 128 || type == 139);
    if (!request && (v4 || !c.confirmed)) return proto_verdict::invalid;
    c.refresh_with(v4 ? c.cfg.icmp_timeout : c.cfg.icmpv6_timeout);
    return proto_verdict::accept;
}

}  // namespace nfqwall::conntrack

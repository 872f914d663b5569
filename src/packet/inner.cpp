#include "packet/inner.hpp"

#include "packet/detail.hpp"

namespace nfqwall::packet {

using namespace detail;

namespace {

// nft_inner_parse_tunhdr: only UDP tunnels have a header to skip; GRE's is the transport
// header itself.
bool skip_tunnel_header(const packet_view& p, const inner_spec& spec, inner_headers& h, uint64_t& at) {
    if (p.l4proto() == proto_gre) {
        h.tunnel_offset = p.transport_offset();
        h.found |= found_tunnel;
        return true;
    }
    if (p.l4proto() != proto_udp) return false;
    h.tunnel_offset = static_cast<uint32_t>(at);
    h.found |= found_tunnel;
    at += spec.header_size;
    if (spec.type == tunnel_type::geneve) {
        // Options follow the 8-byte header; their length is in 4-byte words (low 6 bits).
        const uint32_t geneve = p.inner_offset();
        if (!p.contains(geneve, 8)) return false;
        at += (p.u8_at(geneve) & 0x3f) * 4u;
    }
    return true;
}

// nft_inner_parse_l2l3.
bool parse_link_and_network(const packet_view& p, const inner_spec& spec, inner_headers& h, uint64_t at) {
    uint16_t llproto = 0, encapsulated = 0;
    if (spec.flags & inner_link) {
        if (!p.contains(at, 14)) return false;
        const uint16_t type = p.be16_at(static_cast<uint32_t>(at + 12));
        uint32_t length = 14;
        if (type == ethertype_ipv4 || type == ethertype_ipv6) {
            llproto = type;
        } else if (type == ethertype_8021q) {
            // One 802.1Q tag; 802.1ad and deeper stacks are not parsed.
            if (!p.contains(at, 18)) return false;
            llproto = type;
            encapsulated = p.be16_at(static_cast<uint32_t>(at + 16));
            length = 18;
        } else {
            return false;
        }
        h.link_offset = static_cast<uint32_t>(at);
        h.found |= found_link;
        at += length;
    } else {
        // The kernel reads a 32-bit word to look at the version nibble.
        if (!p.contains(at, 4)) return false;
        switch (p.u8_at(static_cast<uint32_t>(at)) >> 4) {
        case 4: llproto = ethertype_ipv4; break;
        case 6: llproto = ethertype_ipv6; break;
        default: return false;
        }
    }
    h.llproto = llproto;
    const uint16_t network = llproto == ethertype_8021q ? encapsulated : llproto;
    const auto nh = static_cast<uint32_t>(at);
    if (network == ethertype_ipv4) {
        if (!p.contains(nh, 20)) return false;
        const uint8_t first = p.u8_at(nh);
        if ((first >> 4) != 4 || (first & 0x0f) < 5) return false;
        h.network_offset = nh;
        h.found |= found_network;
        if ((p.be16_at(nh + 6) & 0x1fff) == 0) {
            h.transport_offset = nh + (first & 0x0f) * 4u;
            h.l4proto = p.u8_at(nh + 9);
            h.found |= found_transport;
        }
        return true;
    }
    if (network == ethertype_ipv6) {
        if (!p.contains(nh, 40) || (p.u8_at(nh) >> 4) != 6) return false;
        h.network_offset = nh;
        h.found |= found_network;
        const ipv6_transport t = find_ipv6_transport(p.bytes().data(), p.size(), nh, nullptr);
        if (t.failure != parse_status::ok) return false;
        if (t.fragment_offset == 0 && t.thoff - p.network_offset() > UINT16_MAX) return false;
        if (t.fragment_offset == 0) {
            h.transport_offset = t.thoff;
            h.l4proto = t.l4proto;
            h.found |= found_transport;
        }
        return true;
    }
    return false;
}

}  // namespace

inner_headers find_inner(const packet_view& p, const inner_spec& spec) {
    inner_headers h;
    // __nft_payload_inner_offset must have found where the tunnel's payload starts.
    if (p.inner_offset() == no_offset) return {};
    uint64_t at = p.inner_offset();
    if ((spec.flags & inner_header_size) && !skip_tunnel_header(p, spec, h, at)) return {};
    if (spec.flags & (inner_link | inner_network)) {
        if (!parse_link_and_network(p, spec, h, at)) return {};
    } else if (spec.flags & inner_transport) {
        h.transport_offset = static_cast<uint32_t>(at > UINT32_MAX - 1 ? UINT32_MAX - 1 : at);
        h.found |= found_transport;
    }
    h.ok = true;
    return h;
}

bool inner_load(const packet_view& p, const inner_headers& h, payload_base base, uint32_t offset, uint32_t length,
                uint8_t* dst) {
    if (!h.ok) return false;
    uint32_t start = no_offset;
    switch (base) {
    case payload_base::tunnel: start = (h.found & found_tunnel) ? h.tunnel_offset : no_offset; break;
    case payload_base::link: start = (h.found & found_link) ? h.link_offset : no_offset; break;
    case payload_base::network: start = (h.found & found_network) ? h.network_offset : no_offset; break;
    case payload_base::transport: start = (h.found & found_transport) ? h.transport_offset : no_offset; break;
    case payload_base::inner: break;
    }
    return start != no_offset && p.load_at(uint64_t{start} + offset, length, dst);
}

}  // namespace nfqwall::packet

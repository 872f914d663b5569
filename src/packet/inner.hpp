// The kernel's `inner` expression (net/netfilter/nft_inner.c): the headers of the packet
// carried by a tunnel (vxlan, geneve, gre, gretap), found from the outer packet's inner
// offset (packet_view::inner_offset), then loads relative to them.
//
// The kernel caches the result per CPU and per tunnel type for the packet being evaluated;
// the engine keeps one inner_headers per packet and tunnel type the same way.
#pragma once

#include <cstdint>

#include "packet/packet.hpp"

namespace nfqwall::packet {

// NFT_INNER_* flags: what the tunnel expression asks the kernel to parse.
enum inner_flag : uint8_t {
    inner_header_size = 1,  // skip a fixed tunnel header (UDP tunnels only)
    inner_link = 2,         // an Ethernet header comes first (vxlan, geneve, gretap)
    inner_network = 4,
    inner_transport = 8,
};

// NFT_INNER_* types; nft numbers gre and gretap after geneve.
enum class tunnel_type : uint8_t { unspec = 0, vxlan = 1, geneve = 2, gre = 3, gretap = 4 };

// The expression's attributes (NFTA_INNER_TYPE, _FLAGS, _HDRSIZE).
struct inner_spec {
    tunnel_type type = tunnel_type::unspec;
    uint8_t flags = 0;        // inner_flag bits
    uint8_t header_size = 0;  // bytes of tunnel header before the inner frame (vxlan, geneve: 8)
};

// NFT_PAYLOAD_CTX_INNER_*: which offsets were found.
enum inner_found : uint8_t { found_tunnel = 1, found_link = 2, found_network = 4, found_transport = 8 };

struct inner_headers {
    bool ok = false;    // false: the kernel fails every inner load and inner meta
    uint8_t found = 0;  // inner_found bits
    uint8_t l4proto = 0;      // inner `meta l4proto` (needs found_transport)
    uint16_t llproto = 0;     // inner `meta protocol`; 0x8100 for a tagged inner frame, as the kernel
    uint32_t tunnel_offset = no_offset;  // all buffer offsets
    uint32_t link_offset = no_offset;
    uint32_t network_offset = no_offset;
    uint32_t transport_offset = no_offset;
};

// nft_inner_parse. The inner IPv6 transport offset is the one after the extension headers;
// kernels up to 7.1 use 40 bytes after the inner IPv6 header instead (a bug fixed upstream).
inner_headers find_inner(const packet_view& packet, const inner_spec& spec);

// nft_payload_inner_eval: base is tunnel, link, network or transport; fails when that
// header was not found or the bytes run past the end.
[[nodiscard]] bool inner_load(const packet_view& packet, const inner_headers& inner, payload_base base,
                              uint32_t offset, uint32_t length, uint8_t* dst);

}  // namespace nfqwall::packet

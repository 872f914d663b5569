// A packet as the kernel's nf_tables sees it: where the link-layer, network and transport
// headers start, which protocols they carry, and bounds-checked loads relative to each, with
// the kernel's rules for when a load fails (nft_payload_eval: the rule then stops, NFT_BREAK).
//
// parse() describes caller-owned bytes without copying or allocating; the description is a
// fixed-size value. Offsets are byte offsets into the parsed buffer. Truncated and malformed
// packets are described too: status() names the first anomaly, and the layers that could not
// be established are simply absent (their loads fail), as in the kernel.
//
// Kernel references: nft_set_pktinfo_ipv4/_ipv6 and their _validate variants
// (include/net/netfilter/nf_tables_ipv4.h, nf_tables_ipv6.h), ipv6_find_hdr
// (net/ipv6/exthdrs_core.c), nft_payload_eval and __nft_payload_inner_offset
// (net/netfilter/nft_payload.c).
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace nfqwall::packet {

// The kernel's payload bases (enum nft_payload_bases); `tunnel` is only meaningful for the
// headers found by find_inner() (inner.hpp).
enum class payload_base : uint8_t { link = 0, network = 1, transport = 2, inner = 3, tunnel = 4 };

// What the buffer starts with.
enum class first_header : uint8_t {
    ethernet,  // pcaps, bridge and netdev hooks: Ethernet, optionally 802.1Q/802.1ad tagged
    ipv4,      // NFQUEUE for ip hooks
    ipv6,      // NFQUEUE for ip6 hooks
    ip,        // NFQUEUE for inet hooks: IPv4 or IPv6 by the version nibble
    arp,       // NFQUEUE for arp hooks
};

enum class network_protocol : uint8_t { none, ipv4, ipv6, arp };

// The first anomaly met while parsing, outermost first. Everything before it is described;
// what it prevented is absent. Counting these per reason is the engine's job.
enum class parse_status : uint8_t {
    ok,
    link_truncated,  // shorter than an Ethernet header, or a VLAN tag cut short: no network header
    vlan_too_deep,   // more than max_vlan_tags stacked tags: no network header
    network_truncated,  // shorter than the IPv4 (20), IPv6 (40) or ARP (8) fixed header
    bad_ip_version,
    bad_ipv4_header_length,              // ihl < 5
    ipv4_total_length_exceeds_packet,    // tot_len larger than the bytes present
    ipv4_total_length_below_header,      // tot_len smaller than ihl * 4
    ipv6_payload_length_exceeds_packet,  // payload_len + 40 larger than the bytes present
    ipv6_ext_header_truncated,           // an extension header before the transport header is cut short
    ipv6_fragment_chain_unknown,  // a non-first fragment whose next header is another extension header
    ipv6_transport_offset_too_large,  // the transport header starts beyond 64 KiB (kernel: u16 thoff)
    // The transport layer is known from here on; only informative (the kernel does not look).
    transport_truncated,  // fewer bytes than the protocol's fixed header (or TCP/DCCP data offset)
    transport_malformed,  // a length field below the protocol's minimum (TCP doff < 5, AH...)
};
std::string_view to_string(parse_status status);

// True when the network layer failed the checks of the kernel's nft_set_pktinfo_*_validate
// (and of ip_rcv / ipv6_rcv, which drop such packets before the ip and ip6 hooks): the packet
// has no transport information. Statuses after it are informative only.
constexpr bool network_invalid(parse_status s) {
    return s >= parse_status::network_truncated && s <= parse_status::ipv6_transport_offset_too_large;
}

struct parse_options {
    first_header first = first_header::ethernet;
    // A link-layer header delivered apart from a network packet (NFQUEUE's NFQA_L2HDR for the
    // bridge family, or one rebuilt with rebuild_vlan_link_header). Link-base loads read it and
    // continue into the packet, as the kernel's skb_copy_bits does from the mac header. Must
    // stay alive as long as the view. Ignored when `first` is ethernet.
    std::span<const uint8_t> link_header{};
    // ip_rcv/ipv6_rcv trim the packet to the IP length before the ip/ip6/inet hooks see it;
    // netdev and bridge hooks see the untrimmed frame (Ethernet padding included).
    bool trim_to_ip_length = false;
    // A GSO super-packet (NFQUEUE with NFQA_CFG_F_GSO, NFQA_SKB_GSO set): an IPv4 tot_len of 0
    // means "the rest of the packet" (the kernel's iph_totlen for BIG TCP).
    bool gso = false;
};

inline constexpr uint32_t no_offset = UINT32_MAX;
inline constexpr size_t max_vlan_tags = 8;         // the kernel's VLAN_MAX_DEPTH
inline constexpr size_t max_ipv6_ext_headers = 8;  // recorded; longer chains are still walked

struct vlan_tag {
    uint16_t tpid = 0;  // 0x8100 (802.1Q) or 0x88a8 (802.1ad)
    uint16_t tci = 0;   // priority (3 bits), DEI (1), VLAN id (12)
};

// One IPv6 extension header, as ipv6_find_hdr walks the chain.
struct ipv6_ext_header {
    uint32_t offset = 0;  // in the buffer
    uint16_t length = 0;  // bytes: (hdrlen + 1) * 8, AH (hdrlen + 2) * 4, fragment 8
    uint8_t type = 0;     // 0 hop-by-hop, 43 routing, 44 fragment, 51 AH, 60 destination options
    uint8_t next = 0;     // its next-header field
};

class packet_view {
public:
    packet_view() = default;

    parse_status status() const { return status_; }
    bool writable() const { return flags_ & flag_writable; }

    // The bytes loads may touch: the buffer, trimmed to the IP length when asked.
    std::span<const uint8_t> bytes() const { return {data_, end_}; }
    uint32_t size() const { return end_; }

    // Link layer. The header is either at the start of bytes() or supplied apart.
    bool has_link_header() const { return link_length_ != 0; }
    bool link_header_separate() const { return link_data_ != nullptr; }
    uint32_t link_header_length() const { return link_length_; }  // Ethernet + VLAN tags
    size_t vlan_count() const { return vlan_count_; }
    vlan_tag vlan(size_t index) const;  // outermost first; index < vlan_count()
    // meta protocol (skb->protocol): the ethertype after the VLAN tags, 0 for 802.3 frames.
    uint16_t ethertype() const { return ethertype_; }

    // Network layer. Its offset is known whenever the link layer parsed, even for ethertypes
    // nfqwall does not parse (netdev `@nh` loads work on any protocol).
    network_protocol network() const { return network_; }
    bool has_network_header() const { return base_[1] != no_offset; }
    uint32_t network_offset() const { return base_[1]; }
    // meta len (skb->len): bytes from the network header to the end.
    uint32_t network_length() const { return has_network_header() ? end_ - base_[1] : 0; }
    // IPv4 options: bytes 20 .. ihl*4 of the header (length 0 without options or IPv4).
    uint32_t ipv4_options_offset() const { return base_[1] + 20; }
    uint32_t ipv4_options_length() const { return ipv4_options_length_; }
    // The extension headers walked before the transport header (a non-first fragment's chain
    // ends at its fragment header; with AH, the headers after it are recorded too).
    std::span<const ipv6_ext_header> ipv6_ext_headers() const { return {ipv6_ext_.data(), ipv6_ext_count_}; }
    bool ipv6_ext_headers_overflow() const { return flags_ & flag_ext_overflow; }

    // Fragments. IPv4: the MF flag or a non-zero offset. IPv6: a fragment header was walked
    // (the kernel's IP6_FH_F_FRAG), even an atomic one.
    bool is_fragment() const { return flags_ & flag_fragment; }
    bool more_fragments() const { return flags_ & flag_more_fragments; }
    uint32_t fragment_offset() const { return fragment_offset_; }  // bytes

    // Transport layer: NFT_PKTINFO_L4PROTO, meta l4proto, thoff.
    bool has_l4proto() const { return flags_ & flag_l4proto; }
    uint8_t l4proto() const { return l4proto_; }
    // Transport-base loads work: the protocol is known and this is not a non-first fragment.
    bool has_transport_header() const { return base_[2] != no_offset; }
    // Where the transport header starts (after the IPv4 header, the IPv6 extension headers,
    // or at an IPv6 AH header); for a non-first fragment, where the fragment's data starts
    // (the kernel leaves IPv6 thoff at 0 there, which no load can use). no_offset when unknown.
    uint32_t transport_offset() const { return transport_offset_; }
    // The header's length as it declares it (TCP doff * 4, AH (len + 2) * 4, GRE by its
    // flags...) or its fixed size (UDP 8, SCTP 12, ICMP 8...); 0 for protocols not parsed.
    uint32_t transport_header_length() const { return transport_header_length_; }
    // The kernel's inneroff: after the UDP header, the TCP header (doff), the GRE v0 header
    // (flags; none with the routing bit), or at IPIP's inner header. no_offset otherwise.
    uint32_t inner_offset() const { return base_[3]; }

    // Where a base starts in bytes(); no_offset when its loads fail (always for a separately
    // supplied link header, which is not in bytes()).
    uint32_t base_offset(payload_base base) const {
        const auto b = static_cast<uint8_t>(base);
        return b < base_.size() ? base_[b] : no_offset;
    }

    // nft_payload_eval: copy `length` bytes at `offset` from `base` into dst. Fails (the
    // rule breaks) when the base is absent or the bytes run past the end. Link loads read a
    // separately supplied link header and continue into the packet. The caller zeroes the
    // register's tail word, as the kernel does before loading.
    [[nodiscard]] bool load(payload_base base, uint32_t offset, uint32_t length, uint8_t* dst) const {
        const auto b = static_cast<uint8_t>(base);
        if (b < base_.size() && base_[b] != no_offset) return load_at(uint64_t{base_[b]} + offset, length, dst);
        if (base == payload_base::link && link_data_ != nullptr) return load_separate_link(offset, length, dst);
        return false;
    }
    // A load at a buffer offset (exthdr results are buffer offsets).
    [[nodiscard]] bool load_at(uint64_t offset, uint32_t length, uint8_t* dst) const {
        if (offset + length > end_) return false;
        if (length != 0) std::memcpy(dst, data_ + offset, length);  // data_ is null for empty input
        return true;
    }
    // nft_payload_set_eval's store, without checksum updates (checksum.hpp has those).
    // Fails like load(), and also for read-only views and separately supplied link headers
    // (NFQUEUE cannot hand those back). The description is not re-parsed: like the kernel's
    // pktinfo, it keeps the offsets found before the write.
    [[nodiscard]] bool store(payload_base base, uint32_t offset, uint32_t length, const uint8_t* src);

    // Reads at buffer offsets for parsers built on the view; the caller checks the bounds.
    uint8_t u8_at(uint32_t offset) const { return data_[offset]; }
    uint16_t be16_at(uint32_t offset) const { return uint16_t(data_[offset] << 8 | data_[offset + 1]); }
    uint32_t be32_at(uint32_t offset) const { return uint32_t{be16_at(offset)} << 16 | be16_at(offset + 2); }
    bool contains(uint64_t offset, uint64_t length) const { return offset + length <= end_; }
    uint8_t* mutable_data() { return writable() ? data_ : nullptr; }  // null when read-only

private:
    friend class parser;
    bool load_separate_link(uint32_t offset, uint32_t length, uint8_t* dst) const;

    enum : uint8_t {
        flag_l4proto = 1,
        flag_fragment = 2,
        flag_more_fragments = 4,
        flag_writable = 8,
        flag_ext_overflow = 16,
    };

    uint8_t* data_ = nullptr;
    const uint8_t* link_data_ = nullptr;  // a separately supplied link header, else null
    uint32_t end_ = 0;
    uint32_t link_length_ = 0;
    // Where each payload base starts in data_ (link, network, transport, inner), no_offset
    // when the kernel would fail the load.
    std::array<uint32_t, 4> base_{no_offset, no_offset, no_offset, no_offset};
    uint32_t transport_offset_ = no_offset;
    uint32_t fragment_offset_ = 0;
    uint16_t ethertype_ = 0;
    uint16_t transport_header_length_ = 0;
    uint8_t ipv4_options_length_ = 0;
    uint8_t l4proto_ = 0;
    uint8_t flags_ = 0;
    uint8_t vlan_count_ = 0;
    uint8_t ipv6_ext_count_ = 0;
    parse_status status_ = parse_status::ok;
    network_protocol network_ = network_protocol::none;
    std::array<ipv6_ext_header, max_ipv6_ext_headers> ipv6_ext_{};
};

// Describes `bytes`; the view points into them and is only valid while they live. A view of
// const bytes is read-only (store() fails).
packet_view parse(std::span<uint8_t> bytes, const parse_options& options = {});
packet_view parse(std::span<const uint8_t> bytes, const parse_options& options = {});

// NFQUEUE reports an offloaded VLAN tag apart (NFQA_VLAN) from the mac header (NFQA_L2HDR);
// the kernel's LL loads see the tag back in place (nft_payload_copy_vlan). Writes the mac
// header with the tag inserted after the addresses into `out`; returns its length, or 0 when
// `mac` is shorter than an Ethernet header or `out` is too small (it needs mac.size() + 4).
size_t rebuild_vlan_link_header(std::span<const uint8_t> mac, vlan_tag tag, std::span<uint8_t> out);

}  // namespace nfqwall::packet

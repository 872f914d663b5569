// parse(): one pass over the headers, outermost first, stopping at the first layer that
// cannot be established. Mirrors nft_set_pktinfo_ipv4_validate / _ipv6_validate for the
// network layer (the ip/ip6 hook variants trust ip_rcv, which drops what these reject).
#include "packet/packet.hpp"

#include <algorithm>

#include "packet/detail.hpp"

namespace nfqwall::packet {

using namespace detail;

namespace {

constexpr uint16_t ethertype_min = 0x0600;  // below: an 802.3 length field
constexpr uint32_t ethernet_header = 14;
constexpr uint32_t vlan_header = 4;

constexpr bool is_vlan_tpid(uint16_t type) { return type == ethertype_8021q || type == ethertype_8021ad; }

}  // namespace

std::string_view to_string(parse_status status) {
    switch (status) {
    case parse_status::ok: return "ok";
    case parse_status::link_truncated: return "link-truncated";
    case parse_status::vlan_too_deep: return "vlan-too-deep";
    case parse_status::network_truncated: return "network-truncated";
    case parse_status::bad_ip_version: return "bad-ip-version";
    case parse_status::bad_ipv4_header_length: return "bad-ipv4-header-length";
    case parse_status::ipv4_total_length_exceeds_packet: return "ipv4-total-length-exceeds-packet";
    case parse_status::ipv4_total_length_below_header: return "ipv4-total-length-below-header";
    case parse_status::ipv6_payload_length_exceeds_packet: return "ipv6-payload-length-exceeds-packet";
    case parse_status::ipv6_ext_header_truncated: return "ipv6-ext-header-truncated";
    case parse_status::ipv6_fragment_chain_unknown: return "ipv6-fragment-chain-unknown";
    case parse_status::ipv6_transport_offset_too_large: return "ipv6-transport-offset-too-large";
    case parse_status::transport_truncated: return "transport-truncated";
    case parse_status::transport_malformed: return "transport-malformed";
    }
    return "unknown";
}

namespace detail {

ipv6_transport find_ipv6_transport(const uint8_t* data, uint32_t end, uint32_t ip6, ipv6_record* record) {
    ipv6_transport t;
    uint32_t auth_offset = no_offset;
    const chain_result chain = walk_ipv6_chain(data, end, ip6 + 40, data[ip6 + 6], [&](const ipv6_ext_header& h) {
        // The kernel stops at the first AH (IP6_FH_F_AUTH): `ah` fields are transport loads.
        // The walk goes on only to record the chain that `exthdr` lookups see.
        if (h.type == ip6_auth && auth_offset == no_offset) auth_offset = h.offset;
        if (record != nullptr) {
            if (record->count < record->capacity) {
                record->headers[record->count++] = h;
            } else {
                record->overflow = true;
            }
        }
        return true;
    });
    if (auth_offset != no_offset) {
        t.l4proto = ip6_auth;
        t.thoff = auth_offset;
        // A fragment header before the AH was stepped over, so it had offset 0.
        t.fragment = chain.fragment;
        t.more_fragments = chain.more_fragments;
        return t;
    }
    t.fragment = chain.fragment;
    t.more_fragments = chain.more_fragments;
    switch (chain.end) {
    case chain_end::upper_layer:
        // Includes 59, "no next header": the kernel reports it as the transport protocol.
        t.l4proto = chain.type;
        t.thoff = chain.offset;
        break;
    case chain_end::non_first_fragment:
        // ipv6_find_hdr returns the fragment header's next header as the protocol, with the
        // offset field in bytes (it masks the flag bits, not a shift), and leaves thoff
        // untouched; but only when that next header is not itself an extension header.
        if (!ipv6_ext_hdr(chain.type) || chain.type == ip6_no_next) {
            t.l4proto = chain.type;
            t.thoff = chain.offset;
            t.fragment_offset = chain.fragment_offset;
        } else {
            t.failure = parse_status::ipv6_fragment_chain_unknown;
        }
        break;
    case chain_end::truncated:
    case chain_end::stopped:
        t.failure = parse_status::ipv6_ext_header_truncated;
        break;
    }
    return t;
}

}  // namespace detail

class parser {
public:
    // Fills `out`, a default-constructed view, so parse() can return it without a copy.
    parser(packet_view& out, const parse_options& options) : v_(out), options_(options) {}

    void run(uint8_t* data, size_t size, bool writable) {
        v_.data_ = data;
        v_.end_ = static_cast<uint32_t>(std::min<size_t>(size, UINT32_MAX - 1));
        if (writable) v_.flags_ |= packet_view::flag_writable;
        switch (options_.first) {
        case first_header::ethernet:
            if (!parse_link()) return;
            break;
        case first_header::ipv4: start_network(ethertype_ipv4); break;
        case first_header::ipv6: start_network(ethertype_ipv6); break;
        case first_header::arp: start_network(ethertype_arp); break;
        case first_header::ip:
            start_network(v_.end_ > 0 && (v_.data_[0] >> 4) == 6 ? ethertype_ipv6 : ethertype_ipv4);
            break;
        }
        if (options_.first != first_header::ethernet && !options_.link_header.empty()) {
            v_.link_data_ = options_.link_header.data();
            // Tags are described only if the supplied header holds whole ones.
            parse_link_tags(options_.link_header.data(), static_cast<uint32_t>(options_.link_header.size()));
            v_.link_length_ = static_cast<uint32_t>(options_.link_header.size());
        }
        parse_network();
    }

private:
    void fail(parse_status s) {
        if (v_.status_ == parse_status::ok) v_.status_ = s;
    }

    void start_network(uint16_t ethertype) {
        v_.ethertype_ = ethertype;
        v_.base_[1] = 0;
    }

    // An Ethernet header's length with its VLAN tags, and the ethertype after them.
    struct link_shape {
        uint32_t length = 0;
        uint16_t ethertype = 0;
        uint8_t tags = 0;
        parse_status failure = parse_status::ok;
    };
    static link_shape shape_link(const uint8_t* link, uint32_t size) {
        link_shape s;
        if (size < ethernet_header) {
            s.failure = parse_status::link_truncated;
            return s;
        }
        uint32_t type_at = 12;
        uint16_t type = uint16_t(link[type_at] << 8 | link[type_at + 1]);
        while (is_vlan_tpid(type)) {
            if (s.tags == max_vlan_tags) {
                s.failure = parse_status::vlan_too_deep;
                return s;
            }
            if (type_at + vlan_header + 2 > size) {
                s.failure = parse_status::link_truncated;
                return s;
            }
            ++s.tags;
            type_at += vlan_header;
            type = uint16_t(link[type_at] << 8 | link[type_at + 1]);
        }
        s.length = type_at + 2;
        s.ethertype = type;
        return s;
    }

    void parse_link_tags(const uint8_t* link, uint32_t size) {
        const link_shape s = shape_link(link, size);
        v_.vlan_count_ = s.failure == parse_status::ok ? s.tags : 0;
    }

    // The Ethernet header at the start of the buffer.
    bool parse_link() {
        const link_shape s = shape_link(v_.data_, v_.end_);
        if (s.failure != parse_status::ok) {
            fail(s.failure);
            // What is there is still a mac header the kernel would load from.
            if (v_.end_ > 0) {
                v_.base_[0] = 0;
                v_.link_length_ = v_.end_;
            }
            return false;
        }
        v_.base_[0] = 0;
        v_.link_length_ = s.length;
        v_.vlan_count_ = s.tags;
        // An 802.3 frame carries a length, not a type: no protocol, but the kernel still has
        // a network offset after the mac header.
        v_.ethertype_ = s.ethertype >= ethertype_min ? s.ethertype : 0;
        v_.base_[1] = s.length;
        return true;
    }

    void parse_network() {
        switch (v_.ethertype_) {
        case ethertype_ipv4: parse_ipv4(); break;
        case ethertype_ipv6: parse_ipv6(); break;
        case ethertype_arp: parse_arp(); break;
        default: break;
        }
    }

    uint32_t available() const { return v_.end_ - v_.base_[1]; }

    void parse_ipv4() {
        v_.network_ = network_protocol::ipv4;
        const uint32_t nh = v_.base_[1];
        if (available() < 20) return fail(parse_status::network_truncated);
        const uint8_t* ip = v_.data_ + nh;
        if ((ip[0] >> 4) != 4) return fail(parse_status::bad_ip_version);
        const uint32_t header = (ip[0] & 0x0f) * 4u;
        if (header < 20) return fail(parse_status::bad_ipv4_header_length);
        uint32_t total = uint32_t(ip[2] << 8 | ip[3]);
        if (total == 0 && options_.gso) total = available();  // iph_totlen
        if (total > available()) return fail(parse_status::ipv4_total_length_exceeds_packet);
        if (total < header) return fail(parse_status::ipv4_total_length_below_header);
        if (options_.trim_to_ip_length) v_.end_ = nh + total;

        v_.ipv4_options_length_ = static_cast<uint8_t>(header - 20);
        const uint16_t frag = uint16_t(ip[6] << 8 | ip[7]);
        // The kernel keeps the 13-bit offset field (8-byte units); bytes here, as for IPv6.
        v_.fragment_offset_ = (frag & 0x1fffu) * 8u;
        if (frag & 0x2000) v_.flags_ |= packet_view::flag_more_fragments;
        if (frag & 0x3fff) v_.flags_ |= packet_view::flag_fragment;
        set_transport(ip[9], nh + header);
    }

    void parse_ipv6() {
        v_.network_ = network_protocol::ipv6;
        const uint32_t nh = v_.base_[1];
        if (available() < 40) return fail(parse_status::network_truncated);
        const uint8_t* ip = v_.data_ + nh;
        const uint32_t payload = uint32_t(ip[4] << 8 | ip[5]);
        // ipv6_rcv trims to the payload length unless a jumbogram may follow (0 with a
        // hop-by-hop header); without a hop-by-hop header a 0 leaves just the 40 bytes.
        const bool ip_stack_trims = payload != 0 || ip[6] != ip6_hop_by_hop;
        // exthdr lookups walk the chain whatever the header says, so record it first.
        const bool version_ok = (ip[0] >> 4) == 6;
        const bool length_ok = payload + 40 <= available();
        if (version_ok && length_ok && options_.trim_to_ip_length && ip_stack_trims) v_.end_ = nh + 40 + payload;

        detail::ipv6_record record{v_.ipv6_ext_.data(), v_.ipv6_ext_.size()};
        const detail::ipv6_transport t = detail::find_ipv6_transport(v_.data_, v_.end_, nh, &record);
        v_.ipv6_ext_count_ = static_cast<uint8_t>(record.count);
        if (record.overflow) v_.flags_ |= packet_view::flag_ext_overflow;

        if (!version_ok) return fail(parse_status::bad_ip_version);
        if (!length_ok) return fail(parse_status::ipv6_payload_length_exceeds_packet);
        if (t.failure != parse_status::ok) return fail(t.failure);
        if (t.fragment) v_.flags_ |= packet_view::flag_fragment;
        if (t.more_fragments) v_.flags_ |= packet_view::flag_more_fragments;
        // nft_set_pktinfo_ipv6 refuses a thoff that does not fit its u16 (a non-first
        // fragment's is 0 there).
        if (t.fragment_offset == 0 && t.thoff - nh > UINT16_MAX) {
            return fail(parse_status::ipv6_transport_offset_too_large);
        }
        v_.fragment_offset_ = t.fragment_offset;
        set_transport(t.l4proto, t.thoff);
    }

    void parse_arp() {
        v_.network_ = network_protocol::arp;
        if (available() < 8) return fail(parse_status::network_truncated);
        // Hardware and protocol address lengths: the addresses follow the 8 fixed bytes.
        const uint8_t* arp = v_.data_ + v_.base_[1];
        if (8u + 2u * (arp[4] + arp[5]) > available()) fail(parse_status::network_truncated);
    }

    void set_transport(uint8_t l4proto, uint32_t thoff) {
        v_.flags_ |= packet_view::flag_l4proto;
        v_.l4proto_ = l4proto;
        v_.transport_offset_ = thoff;
        // nft_payload_eval: no transport loads from a non-first fragment.
        if (v_.fragment_offset_ != 0) return;
        v_.base_[2] = thoff;
        parse_transport(l4proto, thoff);
    }

    // Sets the declared header length and the kernel's inner offset; notes headers shorter
    // than their protocol's minimum. Nothing here changes what loads can see.
    void parse_transport(uint8_t l4proto, uint32_t th) {
        const uint64_t present = th <= v_.end_ ? v_.end_ - th : 0;
        const uint8_t* p = v_.data_ + th;
        auto need = [&](uint32_t bytes) {
            if (present >= bytes) return true;
            fail(parse_status::transport_truncated);
            return false;
        };
        auto header = [&](uint32_t length) { v_.transport_header_length_ = static_cast<uint16_t>(length); };
        switch (l4proto) {
        case proto_tcp: {
            if (!need(20)) return;
            const uint32_t length = (p[12] >> 4) * 4u;
            // __nft_payload_inner_offset trusts doff as it is.
            v_.base_[3] = th + length;
            header(length);
            if (length < 20) return fail(parse_status::transport_malformed);
            need(length);
            return;
        }
        case proto_udp:
            v_.base_[3] = th + 8;
            header(8);
            need(8);
            return;
        case proto_udplite: header(8); need(8); return;
        case proto_sctp: header(12); need(12); return;
        case proto_dccp: {
            header(12);
            if (!need(12)) return;
            // doff covers the generic header, the type's part (the kernel's __dccp_hdr_len)
            // and the options.
            const uint32_t declared = p[4] * 4u;
            header(declared);
            if (declared < dccp_generic_length(p[8]) + dccp_type_length(dccp_type(p[8]))) {
                return fail(parse_status::transport_malformed);
            }
            need(declared);
            return;
        }
        case proto_icmp:
        case proto_icmpv6:
        case proto_igmp: header(8); need(8); return;
        case proto_esp: header(8); need(8); return;
        case proto_ah: {
            if (!need(2)) return;
            const uint32_t length = (p[1] + 2) * 4u;
            header(length);
            if (length < 12) return fail(parse_status::transport_malformed);
            need(length);
            return;
        }
        case proto_comp: header(4); need(4); return;
        case proto_gre: parse_gre(th, present); return;
        case proto_ipip: v_.base_[3] = th; return;
        default: return;
        }
    }

    void parse_gre(uint32_t th, uint64_t present) {
        if (present < 4) return fail(parse_status::transport_truncated);
        const uint8_t* p = v_.data_ + th;
        const uint16_t flags = uint16_t(p[0] << 8 | p[1]);
        const bool checksum = flags & 0x8000, routing = flags & 0x4000, key = flags & 0x2000, seq = flags & 0x1000;
        const uint32_t version = flags & 7;
        uint32_t length = 4;
        if (version == 0) {
            // RFC 1701: checksum and routing share one optional word.
            if (checksum || routing) length += 4;
            if (key) length += 4;
            if (seq) length += 4;
            // __nft_payload_inner_offset: v0 only, and not with source routing.
            if (!routing) v_.base_[3] = th + length;
        } else if (version == 1) {
            // PPTP's enhanced GRE (RFC 2637): key (payload length + call id) always present.
            length = 8 + (seq ? 4 : 0) + ((flags & 0x0080) ? 4 : 0);
        }
        v_.transport_header_length_ = static_cast<uint16_t>(length);
        if (present < length) fail(parse_status::transport_truncated);
    }

    packet_view& v_;
    const parse_options& options_;
};

packet_view parse(std::span<uint8_t> bytes, const parse_options& options) {
    packet_view v;
    parser(v, options).run(bytes.data(), bytes.size(), true);
    return v;
}

packet_view parse(std::span<const uint8_t> bytes, const parse_options& options) {
    packet_view v;
    // Never written through: the view is marked read-only and store() refuses.
    parser(v, options).run(const_cast<uint8_t*>(bytes.data()), bytes.size(), false);  // NOLINT
    return v;
}

vlan_tag packet_view::vlan(size_t index) const {
    if (index >= vlan_count_) return {};
    const uint8_t* link = link_data_ != nullptr ? link_data_ : data_ + base_[0];
    const size_t at = 12 + index * 4;
    return {uint16_t(link[at] << 8 | link[at + 1]), uint16_t(link[at + 2] << 8 | link[at + 3])};
}

bool packet_view::load_separate_link(uint32_t offset, uint32_t length, uint8_t* dst) const {
    // The link header and the packet, as if contiguous (the mac header sits just before the
    // network header in the skb).
    const uint64_t total = uint64_t{link_length_} + end_;
    if (uint64_t{offset} + length > total) return false;
    if (offset < link_length_) {
        const uint32_t head = std::min(length, link_length_ - offset);
        std::memcpy(dst, link_data_ + offset, head);
        dst += head;
        length -= head;
        offset = link_length_;
    }
    if (length > 0) std::memcpy(dst, data_ + (offset - link_length_), length);
    return true;
}

bool packet_view::store(payload_base base, uint32_t offset, uint32_t length, const uint8_t* src) {
    if (!writable()) return false;
    const auto b = static_cast<uint8_t>(base);
    if (b >= base_.size() || base_[b] == no_offset) return false;
    const uint64_t at = uint64_t{base_[b]} + offset;
    if (at + length > end_) return false;
    if (length != 0) std::memmove(data_ + at, src, length);
    return true;
}

size_t rebuild_vlan_link_header(std::span<const uint8_t> mac, vlan_tag tag, std::span<uint8_t> out) {
    if (mac.size() < ethernet_header || out.size() < mac.size() + vlan_header) return 0;
    std::memcpy(out.data(), mac.data(), 12);
    out[12] = uint8_t(tag.tpid >> 8);
    out[13] = uint8_t(tag.tpid);
    out[14] = uint8_t(tag.tci >> 8);
    out[15] = uint8_t(tag.tci);
    std::memcpy(out.data() + 16, mac.data() + 12, mac.size() - 12);
    return mac.size() + vlan_header;
}

}  // namespace nfqwall::packet

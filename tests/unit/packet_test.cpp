// src/packet: real packets (built with scapy, see packet_samples.py) parsed as the kernel's
// nf_tables sees them; every expected offset comes from where scapy put the layer. Then the
// kernel's subtle cases one by one, every truncation of every sample, and a deterministic
// fuzz loop that must stay clean under ASan/UBSan.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "allocation_counter.hpp"
#include "packet_samples.hpp"
#include "packet/checksum.hpp"
#include "packet/exthdr.hpp"
#include "packet/inner.hpp"
#include "packet/packet.hpp"

using namespace nfqwall::packet;

namespace {

using nfqwall::testing::from_hex;
using nfqwall::testing::packet_sample;
const auto& samples = nfqwall::testing::packet_samples;

const packet_sample& sample(std::string_view name) {
    if (const packet_sample* s = nfqwall::testing::find_packet_sample(name)) return *s;
    ADD_FAILURE() << "no sample " << name;
    return samples[0];
}

first_header first_of(std::string_view first) { return nfqwall::testing::first_header_of(first); }

// The offset of the n-th (from 1) layer called `name`; "" is no_offset, "END" the end.
uint32_t layer(const packet_sample& s, std::string_view name, int nth = 1) {
    if (name.empty()) return no_offset;
    if (name == "END") return uint32_t(s.hex.size() / 2);
    std::string_view rest = s.layers;
    while (!rest.empty()) {
        const size_t space = rest.find(' ');
        const std::string_view item = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        const size_t at = item.find('@');
        if (item.substr(0, at) == name && --nth == 0) return uint32_t(std::stoul(std::string(item.substr(at + 1))));
    }
    ADD_FAILURE() << s.name << " has no layer " << name;
    return no_offset;
}

// A sample's bytes and its parsed view (the view points into the bytes).
struct parsed {
    explicit parsed(std::string_view name, parse_options options = {}) : s(sample(name)), bytes(from_hex(s.hex)) {
        options.first = first_of(s.first);
        view = parse(std::span<uint8_t>(bytes), options);
    }
    const packet_sample& s;
    std::vector<uint8_t> bytes;
    packet_view view;

    uint32_t at(std::string_view layer_name, int nth = 1) const { return layer(s, layer_name, nth); }
    uint64_t load(payload_base base, uint32_t offset, uint32_t length) const {
        uint8_t buf[8] = {};
        if (!view.load(base, offset, length, buf)) return ~uint64_t{0};
        uint64_t v = 0;
        for (uint32_t i = 0; i < length; ++i) v = v << 8 | buf[i];
        return v;
    }
};

constexpr uint64_t failed = ~uint64_t{0};

// ---------------------------------------------------------------------------------------
// Every sample against scapy's layout.

struct layout_case {
    std::string_view sample;
    network_protocol network;
    std::string_view network_layer;  // where the network header starts
    int l4proto;                     // -1: no NFT_PKTINFO_L4PROTO
    std::string_view transport_layer;  // where @th loads start; "" when they fail
    uint32_t transport_length;
    std::string_view inner_layer;  // the kernel's inneroff; "" when none
    parse_status status = parse_status::ok;
    int inner_nth = 1;
};

const layout_case layouts[] = {
    {"eth_ipv4_tcp", network_protocol::ipv4, "IP", 6, "TCP", 40, "Raw"},
    {"eth_ipv4_udp", network_protocol::ipv4, "IP", 17, "UDP", 8, "Raw"},
    {"ipv4_tcp", network_protocol::ipv4, "IP", 6, "TCP", 20, "Raw"},
    {"ipv6_udp", network_protocol::ipv6, "IPv6", 17, "UDP", 8, "Raw"},
    {"ip_autodetect_v6", network_protocol::ipv6, "IPv6", 6, "TCP", 20, "END"},
    {"ip_autodetect_v4", network_protocol::ipv4, "IP", 17, "UDP", 8, "END"},
    {"eth_ipv4_udp_padded", network_protocol::ipv4, "IP", 17, "UDP", 8, "Raw"},
    {"eth_ipv4_udplite", network_protocol::ipv4, "IP", 136, "UDPLite", 8, ""},
    {"eth_ipv4_sctp", network_protocol::ipv4, "IP", 132, "SCTP", 12, ""},
    {"eth_ipv4_dccp", network_protocol::ipv4, "IP", 33, "DCCP", 28, ""},
    {"eth_ipv4_icmp_echo", network_protocol::ipv4, "IP", 1, "ICMP", 8, ""},
    {"eth_ipv4_icmp_error", network_protocol::ipv4, "IP", 1, "ICMP", 8, ""},
    {"eth_ipv6_icmpv6_echo", network_protocol::ipv6, "IPv6", 58, "ICMPv6EchoRequest", 8, ""},
    {"eth_ipv6_icmpv6_ns", network_protocol::ipv6, "IPv6", 58, "ICMPv6ND_NS", 8, ""},
    {"eth_ipv4_igmp", network_protocol::ipv4, "IP", 2, "IGMP", 8, ""},
    {"eth_ipv4_esp", network_protocol::ipv4, "IP", 50, "ESP", 8, ""},
    // IPv4 AH is the transport header: `ah spi` is a transport load.
    {"eth_ipv4_ah_tcp", network_protocol::ipv4, "IP", 51, "AH", 24, ""},
    {"eth_ipv4_comp", network_protocol::ipv4, "IP", 108, "IPComp", 4, ""},
    {"ipv4_gre_ipv4_tcp", network_protocol::ipv4, "IP", 47, "GRE", 4, "IP", parse_status::ok, 2},
    {"ipv4_gre_csum_key_seq", network_protocol::ipv4, "IP", 47, "GRE", 16, "IP", parse_status::ok, 2},
    // GRE source routing: the kernel computes no inner offset.
    {"ipv4_gre_routing", network_protocol::ipv4, "IP", 47, "GRE", 8, ""},
    // Enhanced GRE (PPTP, version 1): no inner offset either.
    {"ipv4_gre_pptp", network_protocol::ipv4, "IP", 47, "GRE_PPTP", 16, ""},
    {"ipv4_gretap", network_protocol::ipv4, "IP", 47, "GRE", 4, "Ether"},
    {"ipv6_gre_ipv6_tcp", network_protocol::ipv6, "IPv6", 47, "GRE", 4, "IPv6", parse_status::ok, 2},
    {"ipv4_vxlan", network_protocol::ipv4, "IP", 17, "UDP", 8, "VXLAN"},
    {"ipv4_vxlan_vlan_ipv6", network_protocol::ipv4, "IP", 17, "UDP", 8, "VXLAN"},
    {"eth_ipv4_geneve", network_protocol::ipv4, "IP", 17, "UDP", 8, "GENEVE"},
    // IPIP: the inner offset is the transport offset itself.
    {"ipv4_ipip", network_protocol::ipv4, "IP", 4, "IP", 0, "IP", parse_status::ok, 2},
    {"eth_vlan_ipv4_tcp", network_protocol::ipv4, "IP", 6, "TCP", 20, "END"},
    {"eth_qinq_ipv6_udp", network_protocol::ipv6, "IPv6", 17, "UDP", 8, "END"},
    {"eth_vlan3_arp", network_protocol::arp, "ARP", -1, "", 0, ""},
    {"eth_arp", network_protocol::arp, "ARP", -1, "", 0, ""},
    {"arp_bare", network_protocol::arp, "ARP", -1, "", 0, ""},
    // A protocol nfqwall does not parse still has a network offset (netdev @nh loads).
    {"eth_lldp", network_protocol::none, "Raw", -1, "", 0, ""},
    {"ipv4_options_rr_ra", network_protocol::ipv4, "IP", 17, "UDP", 8, "END"},
    {"ipv4_options_lsrr", network_protocol::ipv4, "IP", 6, "TCP", 20, "END"},
    {"ipv4_options_ssrr_ts", network_protocol::ipv4, "IP", 1, "ICMP", 8, ""},
    {"ipv4_first_fragment", network_protocol::ipv4, "IP", 17, "UDP", 8, "Raw"},
    // Non-first fragment: the protocol is known, transport loads fail.
    {"ipv4_later_fragment", network_protocol::ipv4, "IP", 6, "", 0, ""},
    {"eth_ipv6_hbh_rt_dst_tcp", network_protocol::ipv6, "IPv6", 6, "TCP", 40, "END"},
    {"ipv6_first_fragment_udp", network_protocol::ipv6, "IPv6", 17, "UDP", 8, "Raw"},
    {"ipv6_later_fragment_tcp", network_protocol::ipv6, "IPv6", 6, "", 0, ""},
    // ipv6_find_hdr gives up (-ENOENT) when a non-first fragment's next header is another
    // extension header: no transport information at all.
    {"ipv6_later_fragment_dstopt", network_protocol::ipv6, "IPv6", -1, "", 0, "",
     parse_status::ipv6_fragment_chain_unknown},
    // IPv6 stops at AH (IP6_FH_F_AUTH): AH is the transport header.
    {"ipv6_hbh_ah_tcp", network_protocol::ipv6, "IPv6", 51, "AH", 24, ""},
    {"ipv6_ah_dstopt_udp", network_protocol::ipv6, "IPv6", 51, "AH", 24, ""},
    {"ipv6_esp", network_protocol::ipv6, "IPv6", 50, "ESP", 8, ""},
    // "No next header" is reported as the transport protocol, at the end of the chain.
    {"ipv6_no_next_header", network_protocol::ipv6, "IPv6", 59, "Raw", 0, ""},
    // Mobility (135) is not an extension header for ipv6_find_hdr.
    {"ipv6_dstopt_mobility", network_protocol::ipv6, "IPv6", 135, "Raw", 0, ""},
};

TEST(packet, every_sample_has_a_layout_case) {
    for (const auto& s : samples) {
        EXPECT_TRUE(std::any_of(std::begin(layouts), std::end(layouts), [&](const layout_case& c) { return c.sample == s.name; }))
            << s.name;
    }
}

TEST(packet, layouts_match_scapy) {
    for (const auto& c : layouts) {
        SCOPED_TRACE(std::string(c.sample));
        parsed p(c.sample);
        const packet_view& v = p.view;
        EXPECT_EQ(v.status(), c.status) << to_string(v.status());
        EXPECT_EQ(v.network(), c.network);
        EXPECT_EQ(v.network_offset(), p.at(c.network_layer));
        EXPECT_EQ(v.has_l4proto(), c.l4proto >= 0);
        if (c.l4proto >= 0) {
            EXPECT_EQ(v.l4proto(), c.l4proto);
        }
        EXPECT_EQ(v.has_transport_header(), !c.transport_layer.empty());
        if (!c.transport_layer.empty()) {
            const int nth = c.transport_layer == "IP" ? 2 : 1;
            EXPECT_EQ(v.transport_offset(), p.at(c.transport_layer, nth));
            EXPECT_EQ(v.base_offset(payload_base::transport), p.at(c.transport_layer, nth));
            EXPECT_EQ(v.transport_header_length(), c.transport_length);
        }
        EXPECT_EQ(v.inner_offset(), p.at(c.inner_layer, c.inner_nth));
        EXPECT_EQ(v.size(), p.bytes.size());
    }
}

// ---------------------------------------------------------------------------------------
// Link layer.

TEST(packet, ethernet_loads_are_relative_to_the_mac_header) {
    parsed p("eth_ipv4_tcp");
    EXPECT_TRUE(p.view.has_link_header());
    EXPECT_EQ(p.view.link_header_length(), 14u);
    EXPECT_EQ(p.view.ethertype(), 0x0800);
    EXPECT_EQ(p.load(payload_base::link, 6, 6), 0x020000000001u);  // ether saddr
    EXPECT_EQ(p.load(payload_base::link, 12, 2), 0x0800u);         // ether type
    // A link load may run into the network header, as skb_copy_bits does.
    EXPECT_EQ(p.load(payload_base::link, 14, 1), 0x45u);
}

TEST(packet, network_packets_have_no_link_header) {
    parsed p("ipv4_tcp");
    EXPECT_FALSE(p.view.has_link_header());
    EXPECT_EQ(p.load(payload_base::link, 0, 1), failed);
    EXPECT_EQ(p.view.ethertype(), 0x0800);
}

TEST(packet, vlan_tags_are_described_outermost_first) {
    parsed one("eth_vlan_ipv4_tcp");
    ASSERT_EQ(one.view.vlan_count(), 1u);
    EXPECT_EQ(one.view.vlan(0).tpid, 0x8100);
    EXPECT_EQ(one.view.vlan(0).tci, (3 << 13) | 100);  // priority 3, id 100
    EXPECT_EQ(one.view.link_header_length(), 18u);
    EXPECT_EQ(one.view.ethertype(), 0x0800);
    // `vlan id` is an LL load at 14: the tag stays where the wire has it.
    EXPECT_EQ(one.load(payload_base::link, 14, 2) & 0x0fff, 100u);
    EXPECT_EQ(one.load(payload_base::link, 16, 2), 0x0800u);

    parsed qinq("eth_qinq_ipv6_udp");
    ASSERT_EQ(qinq.view.vlan_count(), 2u);
    EXPECT_EQ(qinq.view.vlan(0).tpid, 0x88a8);
    EXPECT_EQ(qinq.view.vlan(0).tci & 0x0fff, 200);
    EXPECT_EQ(qinq.view.vlan(1).tpid, 0x8100);
    EXPECT_EQ(qinq.view.vlan(1).tci & 0x0fff, 300);
    EXPECT_EQ(qinq.view.ethertype(), 0x86dd);
    EXPECT_EQ(qinq.view.vlan(2).tpid, 0);  // out of range: empty

    parsed three("eth_vlan3_arp");
    EXPECT_EQ(three.view.vlan_count(), 3u);
    EXPECT_EQ(three.view.link_header_length(), 26u);
    EXPECT_EQ(three.view.ethertype(), 0x0806);
}

TEST(packet, vlan_stacks_deeper_than_the_kernel_walks_have_no_network_header) {
    std::vector<uint8_t> frame(12, 0x02);
    for (size_t i = 0; i <= max_vlan_tags; ++i) frame.insert(frame.end(), {0x81, 0x00, 0x00, uint8_t(i + 1)});
    frame.insert(frame.end(), {0x08, 0x00});
    frame.resize(frame.size() + 40);
    const packet_view v = parse(std::span<const uint8_t>(frame));
    EXPECT_EQ(v.status(), parse_status::vlan_too_deep);
    EXPECT_FALSE(v.has_network_header());
    EXPECT_TRUE(v.has_link_header());
}

TEST(packet, frames_with_an_8023_length_have_a_network_offset_but_no_protocol) {
    std::vector<uint8_t> frame(14, 0x02);
    frame[12] = 0x00;
    frame[13] = 0x26;  // an LLC frame of 38 bytes
    frame.resize(60, 0xaa);
    const packet_view v = parse(std::span<const uint8_t>(frame));
    EXPECT_EQ(v.status(), parse_status::ok);
    EXPECT_EQ(v.ethertype(), 0);
    EXPECT_EQ(v.network(), network_protocol::none);
    EXPECT_EQ(v.network_offset(), 14u);
}

TEST(packet, a_separate_link_header_reads_on_into_the_packet) {
    // NFQUEUE for the bridge family: the network packet, with the mac header apart.
    const packet_sample& s = sample("eth_vlan_ipv4_tcp");
    const std::vector<uint8_t> frame = from_hex(s.hex);
    const std::vector<uint8_t> mac(frame.begin(), frame.begin() + 18);
    std::vector<uint8_t> network(frame.begin() + 18, frame.end());
    parse_options options;
    options.first = first_header::ipv4;
    options.link_header = mac;
    packet_view v = parse(std::span<uint8_t>(network), options);
    EXPECT_TRUE(v.has_link_header());
    EXPECT_TRUE(v.link_header_separate());
    EXPECT_EQ(v.link_header_length(), 18u);
    EXPECT_EQ(v.vlan_count(), 1u);
    EXPECT_EQ(v.vlan(0).tci & 0x0fff, 100);
    uint8_t buf[8];
    ASSERT_TRUE(v.load(payload_base::link, 14, 6, buf));  // TCI, type, then the IP header
    EXPECT_EQ(0, std::memcmp(buf, frame.data() + 14, 6));
    ASSERT_TRUE(v.load(payload_base::link, 0, 6, buf));
    EXPECT_EQ(0, std::memcmp(buf, frame.data(), 6));
    EXPECT_TRUE(v.load(payload_base::link, uint32_t(frame.size() - 1), 1, buf));
    EXPECT_FALSE(v.load(payload_base::link, uint32_t(frame.size()), 1, buf));
    EXPECT_EQ(v.base_offset(payload_base::link), no_offset);
    // NFQUEUE cannot hand a link header back: no writes there.
    EXPECT_FALSE(v.store(payload_base::link, 0, 1, buf));
    EXPECT_EQ(v.transport_offset(), 20u);
}

TEST(packet, an_offloaded_vlan_tag_is_put_back_in_the_link_header) {
    // nft_payload_copy_vlan rebuilds the tag NFQUEUE reports apart (NFQA_VLAN).
    const std::vector<uint8_t> frame = from_hex(sample("eth_ipv4_tcp").hex);
    const std::span<const uint8_t> mac(frame.data(), 14);
    std::array<uint8_t, 32> rebuilt{};
    ASSERT_EQ(rebuild_vlan_link_header(mac, {0x8100, 0x2005}, rebuilt), 18u);
    EXPECT_EQ(0, std::memcmp(rebuilt.data(), frame.data(), 12));
    EXPECT_EQ(rebuilt[12], 0x81);
    EXPECT_EQ(rebuilt[15], 0x05);
    EXPECT_EQ(rebuilt[16], 0x08);  // the encapsulated type follows the tag
    std::array<uint8_t, 17> small{};
    EXPECT_EQ(rebuild_vlan_link_header(mac, {0x8100, 1}, small), 0u);
    EXPECT_EQ(rebuild_vlan_link_header(mac.first(13), {0x8100, 1}, rebuilt), 0u);
}

// ---------------------------------------------------------------------------------------
// Network and transport: the kernel's rules.

TEST(packet, network_and_transport_loads) {
    parsed p("eth_ipv4_tcp");
    EXPECT_EQ(p.load(payload_base::network, 12, 4), 0xc0000201u);  // ip saddr 192.0.2.1
    EXPECT_EQ(p.load(payload_base::network, 9, 1), 6u);
    EXPECT_EQ(p.load(payload_base::transport, 2, 2), 22u);  // tcp dport
    EXPECT_EQ(p.load(payload_base::transport, 13, 1), 0x02u);  // SYN
    EXPECT_EQ(p.load(payload_base::inner, 0, 5), 0x68656c6c6fu);  // "hello" after the TCP header
    // A load may end exactly at the end of the packet, not one byte further.
    const auto size = uint32_t(p.bytes.size());
    EXPECT_NE(p.load(payload_base::link, size - 2, 2), failed);
    EXPECT_EQ(p.load(payload_base::link, size - 1, 2), failed);
    EXPECT_EQ(p.load(payload_base::transport, size - 34, 1), failed);
    EXPECT_EQ(p.load(payload_base::transport, UINT32_MAX, 4), failed);
    EXPECT_EQ(p.load(payload_base::tunnel, 0, 1), failed);
    EXPECT_EQ(p.view.network_length(), size - 14);
}

TEST(packet, ipv4_non_first_fragment_knows_its_protocol_but_has_no_transport_header) {
    // nft_set_pktinfo_ipv4: l4proto comes from the header, fragoff from the offset field;
    // nft_payload_eval fails transport loads when fragoff is set.
    parsed p("ipv4_later_fragment");
    EXPECT_TRUE(p.view.is_fragment());
    EXPECT_FALSE(p.view.more_fragments());
    EXPECT_EQ(p.view.fragment_offset(), 185u * 8);  // bytes, not 8-byte units
    EXPECT_EQ(p.view.l4proto(), 6);
    EXPECT_EQ(p.view.transport_offset(), 20u);  // the fragment's data
    EXPECT_EQ(p.load(payload_base::transport, 0, 2), failed);
    EXPECT_EQ(p.load(payload_base::inner, 0, 1), failed);
    EXPECT_EQ(p.view.transport_header_length(), 0u);

    parsed first("ipv4_first_fragment");
    EXPECT_TRUE(first.view.is_fragment());
    EXPECT_TRUE(first.view.more_fragments());
    EXPECT_EQ(first.view.fragment_offset(), 0u);
    EXPECT_EQ(first.load(payload_base::transport, 2, 2), 2u);
}

TEST(packet, ipv6_fragments_follow_ipv6_find_hdr) {
    // A first fragment's header is stepped over (8 bytes); the transport header follows.
    parsed first("ipv6_first_fragment_udp");
    EXPECT_TRUE(first.view.is_fragment());
    EXPECT_TRUE(first.view.more_fragments());
    EXPECT_EQ(first.view.fragment_offset(), 0u);
    EXPECT_EQ(first.view.transport_offset(), first.at("UDP"));
    ASSERT_EQ(first.view.ipv6_ext_headers().size(), 1u);
    EXPECT_EQ(first.view.ipv6_ext_headers()[0].type, 44);
    EXPECT_EQ(first.view.ipv6_ext_headers()[0].length, 8);

    // A later fragment: the protocol is the fragment header's next header and fragoff is
    // the offset field masked (`& ~7`), i.e. in bytes; the kernel leaves thoff at 0.
    parsed later("ipv6_later_fragment_tcp");
    EXPECT_TRUE(later.view.has_l4proto());
    EXPECT_EQ(later.view.l4proto(), 6);
    EXPECT_EQ(later.view.fragment_offset(), 100u * 8);
    EXPECT_FALSE(later.view.has_transport_header());
    EXPECT_EQ(later.view.transport_offset(), 48u);
    EXPECT_EQ(later.load(payload_base::transport, 0, 1), failed);
    EXPECT_EQ(later.load(payload_base::network, 40, 1), 6u);  // network loads still work

    // ... unless that next header is an extension header: -ENOENT, no l4proto at all.
    parsed unknown("ipv6_later_fragment_dstopt");
    EXPECT_EQ(unknown.view.status(), parse_status::ipv6_fragment_chain_unknown);
    EXPECT_TRUE(network_invalid(unknown.view.status()));
    EXPECT_FALSE(unknown.view.has_l4proto());
    EXPECT_EQ(unknown.view.ipv6_ext_headers().size(), 1u);
}

TEST(packet, ipv6_extension_chain_is_recorded_with_kernel_lengths) {
    parsed p("eth_ipv6_hbh_rt_dst_tcp");
    const auto chain = p.view.ipv6_ext_headers();
    ASSERT_EQ(chain.size(), 3u);
    EXPECT_EQ(chain[0].type, 0);
    EXPECT_EQ(chain[0].offset, p.at("IPv6ExtHdrHopByHop"));
    EXPECT_EQ(chain[0].length, 8);
    EXPECT_EQ(chain[0].next, 43);
    EXPECT_EQ(chain[1].type, 43);
    EXPECT_EQ(chain[1].offset, p.at("IPv6ExtHdrRouting"));
    EXPECT_EQ(chain[1].length, 24);  // (hdrlen + 1) * 8 with one address
    EXPECT_EQ(chain[2].type, 60);
    EXPECT_EQ(chain[2].offset, p.at("IPv6ExtHdrDestOpt"));
    EXPECT_EQ(chain[2].next, 6);
    EXPECT_FALSE(p.view.ipv6_ext_headers_overflow());
    EXPECT_FALSE(p.view.is_fragment());
}

TEST(packet, ipv6_ah_length_counts_words_minus_two) {
    // AH's length is in 32-bit words minus 2 (ipv6_authlen), unlike the other extension
    // headers' 8-byte units; a chain that walks past AH lands on the next header exactly.
    parsed p("ipv6_ah_dstopt_udp");
    const auto chain = p.view.ipv6_ext_headers();
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0].type, 51);
    EXPECT_EQ(chain[0].length, 24);  // scapy: 12-byte ICV, payloadlen 4
    EXPECT_EQ(chain[1].offset, p.at("IPv6ExtHdrDestOpt"));
    EXPECT_EQ(p.view.l4proto(), 51);  // but the transport header is the AH (IP6_FH_F_AUTH)
    EXPECT_EQ(p.load(payload_base::transport, 4, 4), 0x4000u);  // ah spi
}

TEST(packet, long_ipv6_chains_are_walked_beyond_what_is_recorded) {
    std::vector<uint8_t> pkt(40, 0);
    pkt[0] = 0x60;
    pkt[6] = 60;  // destination options
    const size_t headers = max_ipv6_ext_headers + 3;
    for (size_t i = 0; i < headers; ++i) pkt.insert(pkt.end(), {uint8_t(i + 1 == headers ? 17 : 60), 0, 1, 4, 0, 0, 0, 0});
    pkt.insert(pkt.end(), {0, 1, 0, 2, 0, 8, 0, 0});
    const uint16_t payload = uint16_t(pkt.size() - 40);
    pkt[4] = uint8_t(payload >> 8);
    pkt[5] = uint8_t(payload);
    const packet_view v = parse(std::span<const uint8_t>(pkt), {.first = first_header::ipv6});
    EXPECT_EQ(v.status(), parse_status::ok);
    EXPECT_EQ(v.ipv6_ext_headers().size(), max_ipv6_ext_headers);
    EXPECT_TRUE(v.ipv6_ext_headers_overflow());
    EXPECT_EQ(v.l4proto(), 17);
    EXPECT_EQ(v.transport_offset(), 40 + headers * 8);
    EXPECT_EQ(find_ipv6_exthdr(v, 17).offset, 40 + headers * 8);
}

TEST(packet, an_extension_header_overrunning_the_packet_moves_the_transport_header_past_the_end) {
    // ipv6_find_hdr reads only each header's first bytes; lengths are trusted, so the
    // transport header lands beyond the end and its loads fail.
    std::vector<uint8_t> pkt(40, 0);
    pkt[0] = 0x60;
    pkt[5] = 8;
    pkt[6] = 0;  // hop-by-hop, 8 bytes present, claiming 2048
    pkt.insert(pkt.end(), {6, 255, 0, 0, 0, 0, 0, 0});
    const packet_view v = parse(std::span<const uint8_t>(pkt), {.first = first_header::ipv6});
    EXPECT_EQ(v.status(), parse_status::transport_truncated);
    EXPECT_EQ(v.l4proto(), 6);
    EXPECT_EQ(v.transport_offset(), 40u + 256 * 8);
    uint8_t b;
    EXPECT_FALSE(v.load(payload_base::transport, 0, 1, &b));
}

TEST(packet, truncated_extension_headers_leave_no_transport_information) {
    std::vector<uint8_t> pkt(40, 0);
    pkt[0] = 0x60;
    pkt[5] = 3;
    pkt[6] = 43;  // routing: the kernel reads 4 bytes of it
    pkt.insert(pkt.end(), {6, 0, 0});
    const packet_view v = parse(std::span<const uint8_t>(pkt), {.first = first_header::ipv6});
    EXPECT_EQ(v.status(), parse_status::ipv6_ext_header_truncated);
    EXPECT_FALSE(v.has_l4proto());
    EXPECT_TRUE(v.ipv6_ext_headers().empty());
}

TEST(packet, ipv4_validation_follows_nft_set_pktinfo_ipv4_validate) {
    const std::vector<uint8_t> good = from_hex(sample("ipv4_tcp").hex);
    auto with = [&](auto mutate) {
        std::vector<uint8_t> b = good;
        mutate(b);
        return parse(std::span<const uint8_t>(b), {.first = first_header::ipv4}).status();
    };
    EXPECT_EQ(with([](auto&) {}), parse_status::ok);
    EXPECT_EQ(with([](auto& b) { b[0] = 0x65; }), parse_status::bad_ip_version);
    EXPECT_EQ(with([](auto& b) { b[0] = 0x44; }), parse_status::bad_ipv4_header_length);
    EXPECT_EQ(with([](auto& b) { b[3] = uint8_t(b.size() + 1); }), parse_status::ipv4_total_length_exceeds_packet);
    EXPECT_EQ(with([](auto& b) { b[3] = 19; }), parse_status::ipv4_total_length_below_header);
    EXPECT_EQ(with([](auto& b) { b.resize(19); }), parse_status::network_truncated);
    EXPECT_EQ(with([](auto& b) { b[32] = 0x40; }), parse_status::transport_malformed);  // doff 4
    // tot_len 0 is the rest of the packet only for GSO (BIG TCP, iph_totlen).
    std::vector<uint8_t> gso = good;
    gso[2] = gso[3] = 0;
    EXPECT_EQ(parse(std::span<const uint8_t>(gso), {.first = first_header::ipv4}).status(),
              parse_status::ipv4_total_length_below_header);
    EXPECT_EQ(parse(std::span<const uint8_t>(gso), {.first = first_header::ipv4, .gso = true}).status(), parse_status::ok);
}

TEST(packet, ipv6_validation_follows_nft_set_pktinfo_ipv6_validate) {
    const std::vector<uint8_t> good = from_hex(sample("ipv6_udp").hex);
    auto with = [&](auto mutate) {
        std::vector<uint8_t> b = good;
        mutate(b);
        return parse(std::span<const uint8_t>(b), {.first = first_header::ipv6});
    };
    EXPECT_EQ(with([](auto&) {}).status(), parse_status::ok);
    EXPECT_EQ(with([](auto& b) { b[0] = 0x40; }).status(), parse_status::bad_ip_version);
    EXPECT_EQ(with([](auto& b) { b[5] += 1; }).status(), parse_status::ipv6_payload_length_exceeds_packet);
    EXPECT_EQ(with([](auto& b) { b.resize(39); }).status(), parse_status::network_truncated);
    EXPECT_EQ(with([](auto& b) { b.resize(44); b[5] = 4; }).status(), parse_status::transport_truncated);
    EXPECT_FALSE(with([](auto& b) { b[0] = 0x40; }).has_l4proto());
}

TEST(packet, the_ip_stack_trims_to_the_ip_length) {
    // Ethernet pads short frames; ip_rcv trims them before the ip hooks, netdev and bridge
    // hooks see the padding.
    parsed untrimmed("eth_ipv4_udp_padded");
    const uint32_t ip_end = untrimmed.at("Padding");
    EXPECT_EQ(untrimmed.view.size(), untrimmed.bytes.size());
    EXPECT_NE(untrimmed.load(payload_base::network, ip_end - 14, 1), failed);

    parse_options trim;
    trim.trim_to_ip_length = true;
    parsed trimmed("eth_ipv4_udp_padded", trim);
    EXPECT_EQ(trimmed.view.size(), ip_end);
    EXPECT_EQ(trimmed.load(payload_base::network, ip_end - 14, 1), failed);
    EXPECT_EQ(trimmed.load(payload_base::network, ip_end - 15, 1), uint64_t{'b'});
    EXPECT_EQ(trimmed.view.network_length(), ip_end - 14);

    // IPv6: trimmed to 40 + payload_len.
    std::vector<uint8_t> v6 = from_hex(sample("ipv6_udp").hex);
    const size_t v6_size = v6.size();
    v6.resize(v6_size + 10, 0xee);
    EXPECT_EQ(parse(std::span<const uint8_t>(v6), {.first = first_header::ipv6, .trim_to_ip_length = true}).size(), v6_size);
    EXPECT_EQ(parse(std::span<const uint8_t>(v6), {.first = first_header::ipv6}).size(), v6_size + 10);
}

TEST(packet, arp_has_a_network_header_and_nothing_above) {
    parsed p("eth_arp");
    EXPECT_EQ(p.view.network(), network_protocol::arp);
    EXPECT_EQ(p.load(payload_base::network, 6, 2), 1u);  // arp operation: request
    EXPECT_EQ(p.load(payload_base::network, 14, 4), 0xc0000201u);  // sender protocol address
    EXPECT_EQ(p.load(payload_base::transport, 0, 1), failed);
    std::vector<uint8_t> bytes = from_hex(sample("arp_bare").hex);
    bytes.resize(20);
    EXPECT_EQ(parse(std::span<const uint8_t>(bytes), {.first = first_header::arp}).status(), parse_status::network_truncated);
}

TEST(packet, stores_write_in_place_with_load_bounds) {
    parsed p("eth_ipv4_tcp");
    const uint8_t port[2] = {0x1f, 0x90};
    ASSERT_TRUE(p.view.store(payload_base::transport, 2, 2, port));
    EXPECT_EQ(p.load(payload_base::transport, 2, 2), 8080u);
    EXPECT_FALSE(p.view.store(payload_base::transport, uint32_t(p.bytes.size()) - 34, 1, port));
    EXPECT_FALSE(p.view.store(payload_base::tunnel, 0, 1, port));

    const std::vector<uint8_t> bytes = from_hex(sample("eth_ipv4_tcp").hex);
    packet_view read_only = parse(std::span<const uint8_t>(bytes));
    EXPECT_FALSE(read_only.writable());
    EXPECT_FALSE(read_only.store(payload_base::transport, 2, 2, port));
    EXPECT_EQ(read_only.mutable_data(), nullptr);
}

// ---------------------------------------------------------------------------------------
// exthdr: TCP options, SCTP chunks, DCCP options, IPv4 options, IPv6 extension headers.

TEST(exthdr, tcp_options_are_found_like_nft_exthdr_tcp_eval) {
    parsed p("eth_ipv4_tcp");
    const uint32_t th = p.at("TCP");
    // MSS(4) SAckOK(2) Timestamp(10) NOP WScale(3), from byte 20 of the header.
    EXPECT_EQ(find_tcp_option(p.view, 2).offset, th + 20);
    EXPECT_EQ(find_tcp_option(p.view, 2).length, 4u);
    EXPECT_EQ(find_tcp_option(p.view, 4).offset, th + 24);
    EXPECT_EQ(find_tcp_option(p.view, 8).length, 10u);
    EXPECT_EQ(find_tcp_option(p.view, 1).offset, th + 36);
    EXPECT_EQ(find_tcp_option(p.view, 1).length, 1u);
    EXPECT_EQ(find_tcp_option(p.view, 3).offset, th + 37);
    EXPECT_FALSE(find_tcp_option(p.view, 5).found());  // no SACK blocks

    uint8_t mss[2];
    ASSERT_TRUE(exthdr_load(p.view, exthdr_op::tcp, 2, 2, 2, mss));
    EXPECT_EQ(mss[0] << 8 | mss[1], 1460);
    EXPECT_TRUE(exthdr_present(p.view, exthdr_op::tcp, 4));
    EXPECT_FALSE(exthdr_present(p.view, exthdr_op::tcp, 5));
    // A load reaching past the option fails, and so does "present" for that span.
    EXPECT_FALSE(exthdr_load(p.view, exthdr_op::tcp, 2, 2, 4, mss));
    EXPECT_FALSE(exthdr_present(p.view, exthdr_op::tcp, 4, 1, 2));
    // Not TCP: nothing.
    EXPECT_FALSE(find_tcp_option(parsed("eth_ipv4_udp").view, 2).found());
}

TEST(exthdr, tcp_option_walk_survives_zero_lengths_and_overruns) {
    parsed p("ipv4_tcp");
    std::vector<uint8_t> b = p.bytes;
    // 24-byte header: options [kind 30, length 0, kind 31, length 9].
    b.insert(b.begin() + 40, {30, 0, 31, 9});
    b[3] = uint8_t(b.size());
    b[32] = 6 << 4;
    const packet_view v = parse(std::span<const uint8_t>(b), {.first = first_header::ipv4});
    ASSERT_EQ(v.status(), parse_status::ok);
    // A zero length counts as one byte, so the next byte is read as a kind of its own.
    EXPECT_EQ(find_tcp_option(v, 30).length, 1u);
    EXPECT_EQ(find_tcp_option(v, 0).offset, 41u);
    EXPECT_FALSE(find_tcp_option(v, 31).found());  // runs past the header: an error
    EXPECT_FALSE(exthdr_present(v, exthdr_op::tcp, 31));
}

TEST(exthdr, sctp_chunks_are_walked_like_nft_exthdr_sctp_eval) {
    parsed p("eth_ipv4_sctp");
    const located init = find_sctp_chunk(p.view, 1);
    EXPECT_EQ(init.offset, p.at("SCTPChunkInit"));
    EXPECT_EQ(init.length, 20u);
    const located data = find_sctp_chunk(p.view, 0);
    EXPECT_EQ(data.offset, p.at("SCTPChunkData"));
    EXPECT_FALSE(find_sctp_chunk(p.view, 3).found());
    uint8_t tsn[4];
    ASSERT_TRUE(exthdr_load(p.view, exthdr_op::sctp, 0, 4, 4, tsn));
    EXPECT_EQ(tsn[3], 1);
    EXPECT_FALSE(exthdr_load(p.view, exthdr_op::sctp, 1, 18, 4, tsn));  // past the chunk
    EXPECT_TRUE(exthdr_present(p.view, exthdr_op::sctp, 1));
    EXPECT_FALSE(exthdr_present(p.view, exthdr_op::sctp, 3));
}

TEST(exthdr, dccp_options_are_only_present_or_not) {
    parsed p("eth_ipv4_dccp");
    EXPECT_TRUE(has_dccp_option(p.view, 1));
    EXPECT_TRUE(has_dccp_option(p.view, 32));
    EXPECT_TRUE(has_dccp_option(p.view, 0));
    EXPECT_FALSE(has_dccp_option(p.view, 33));
    EXPECT_TRUE(exthdr_present(p.view, exthdr_op::dccp, 32));
    uint8_t b;
    EXPECT_FALSE(exthdr_load(p.view, exthdr_op::dccp, 32, 0, 1, &b));
}

TEST(exthdr, ipv4_options_need_a_valid_option_area) {
    parsed rr("ipv4_options_rr_ra");
    EXPECT_EQ(find_ipv4_option(rr.view, 7).offset, 21u);  // after the NOP
    EXPECT_EQ(find_ipv4_option(rr.view, 7).length, 11u);
    EXPECT_EQ(find_ipv4_option(rr.view, 148).offset, 32u);
    EXPECT_FALSE(find_ipv4_option(rr.view, 131).found());
    uint8_t pointer;
    ASSERT_TRUE(exthdr_load(rr.view, exthdr_op::ipv4, 7, 2, 1, &pointer));
    EXPECT_EQ(pointer, 4);
    EXPECT_EQ(rr.view.ipv4_options_offset(), 20u);
    EXPECT_EQ(rr.view.ipv4_options_length(), 16u);

    parsed lsrr("ipv4_options_lsrr");
    EXPECT_EQ(find_ipv4_option(lsrr.view, 131).offset, 20u);
    EXPECT_FALSE(find_ipv4_option(lsrr.view, 137).found());  // loose, not strict

    parsed ssrr("ipv4_options_ssrr_ts");
    EXPECT_EQ(find_ipv4_option(ssrr.view, 137).offset, 20u);
    EXPECT_TRUE(exthdr_present(ssrr.view, exthdr_op::ipv4, 137));
    EXPECT_FALSE(exthdr_present(ssrr.view, exthdr_op::ipv4, 131));
    // Options nft cannot search for are never found.
    EXPECT_FALSE(find_ipv4_option(ssrr.view, 68).found());

    // __ip_options_compile refuses the whole area for one bad option: RR found no more.
    std::vector<uint8_t> bad = rr.bytes;
    bad[22] = 1;  // RR length below 3
    EXPECT_FALSE(find_ipv4_option(parse(std::span<const uint8_t>(bad), {.first = first_header::ipv4}), 7).found());
    // A second RR is refused too.
    std::vector<uint8_t> twice = rr.bytes;
    twice[32] = 7;
    twice[33] = 4;
    twice[34] = 5;  // a full record route, valid on its own
    EXPECT_FALSE(find_ipv4_option(parse(std::span<const uint8_t>(twice), {.first = first_header::ipv4}), 7).found());
    // Not IPv4: nothing.
    EXPECT_FALSE(find_ipv4_option(parsed("ipv6_udp").view, 7).found());
}

TEST(exthdr, ipv6_lookups_follow_ipv6_find_hdr_with_a_target) {
    parsed p("eth_ipv6_hbh_rt_dst_tcp");
    EXPECT_EQ(find_ipv6_exthdr(p.view, 0).offset, p.at("IPv6ExtHdrHopByHop"));
    EXPECT_EQ(find_ipv6_exthdr(p.view, 43).offset, p.at("IPv6ExtHdrRouting"));
    EXPECT_EQ(find_ipv6_exthdr(p.view, 43).length, 24u);
    EXPECT_EQ(find_ipv6_exthdr(p.view, 60).offset, p.at("IPv6ExtHdrDestOpt"));
    EXPECT_EQ(find_ipv6_exthdr(p.view, 6).offset, p.at("TCP"));  // an upper-layer target
    EXPECT_FALSE(find_ipv6_exthdr(p.view, 44).found());
    uint8_t segments_left;
    ASSERT_TRUE(exthdr_load(p.view, exthdr_op::ipv6, 43, 3, 1, &segments_left));
    EXPECT_EQ(segments_left, 1);
    EXPECT_TRUE(exthdr_present(p.view, exthdr_op::ipv6, 60));
    EXPECT_FALSE(exthdr_present(p.view, exthdr_op::ipv6, 44));

    // Lookups walk past AH, which the transport computation stops at.
    parsed ah("ipv6_ah_dstopt_udp");
    EXPECT_EQ(find_ipv6_exthdr(ah.view, 60).offset, ah.at("IPv6ExtHdrDestOpt"));
    EXPECT_EQ(find_ipv6_exthdr(ah.view, 17).offset, ah.at("UDP"));

    // A non-first fragment: its own header is found, nothing after it.
    parsed later("ipv6_later_fragment_dstopt");
    EXPECT_EQ(find_ipv6_exthdr(later.view, 44).offset, 40u);
    EXPECT_FALSE(find_ipv6_exthdr(later.view, 60).found());

    EXPECT_EQ(find_ipv6_exthdr(parsed("ipv6_dstopt_mobility").view, 135).offset, 48u);
    EXPECT_EQ(find_ipv6_exthdr(parsed("ipv6_no_next_header").view, 59).offset, 40u);
    EXPECT_FALSE(find_ipv6_exthdr(parsed("eth_ipv4_tcp").view, 6).found());
}

// ---------------------------------------------------------------------------------------
// inner: tunnels.

constexpr inner_spec vxlan{tunnel_type::vxlan, inner_header_size | inner_link | inner_network | inner_transport, 8};
constexpr inner_spec geneve{tunnel_type::geneve, inner_header_size | inner_link | inner_network | inner_transport, 8};
constexpr inner_spec gre{tunnel_type::gre, inner_network | inner_transport, 4};
constexpr inner_spec gretap{tunnel_type::gretap, inner_link | inner_network | inner_transport, 4};

TEST(inner, vxlan_finds_the_inner_frame) {
    parsed p("ipv4_vxlan");
    const inner_headers h = find_inner(p.view, vxlan);
    ASSERT_TRUE(h.ok);
    EXPECT_EQ(h.tunnel_offset, p.at("VXLAN"));
    EXPECT_EQ(h.link_offset, p.at("Ether"));
    EXPECT_EQ(h.network_offset, p.at("IP", 2));
    EXPECT_EQ(h.transport_offset, p.at("TCP"));
    EXPECT_EQ(h.llproto, 0x0800);
    EXPECT_EQ(h.l4proto, 6);
    uint8_t b[3];
    ASSERT_TRUE(inner_load(p.view, h, payload_base::tunnel, 4, 3, b));  // vxlan vni
    EXPECT_EQ(b[2], 42);
    ASSERT_TRUE(inner_load(p.view, h, payload_base::transport, 2, 2, b));
    EXPECT_EQ(b[1], 6);
    EXPECT_FALSE(inner_load(p.view, h, payload_base::transport, uint32_t(p.bytes.size()), 1, b));
    EXPECT_FALSE(inner_load(p.view, h, payload_base::inner, 0, 1, b));
}

TEST(inner, a_tagged_inner_frame_reports_the_tag_as_its_protocol) {
    parsed p("ipv4_vxlan_vlan_ipv6");
    const inner_headers h = find_inner(p.view, vxlan);
    ASSERT_TRUE(h.ok);
    EXPECT_EQ(h.llproto, 0x8100);
    EXPECT_EQ(h.network_offset, p.at("IPv6"));
    // After the inner extension headers (kernels up to 7.1 stop 40 bytes after the header).
    EXPECT_EQ(h.transport_offset, p.at("UDP", 2));
    EXPECT_EQ(h.l4proto, 17);
}

TEST(inner, geneve_skips_its_options) {
    parsed p("eth_ipv4_geneve");
    const inner_headers h = find_inner(p.view, geneve);
    ASSERT_TRUE(h.ok);
    EXPECT_EQ(h.tunnel_offset, p.at("GENEVE"));
    EXPECT_EQ(h.link_offset, p.at("Ether", 2));
    EXPECT_EQ(h.network_offset, p.at("IP", 2));
    EXPECT_EQ(h.transport_offset, p.at("UDP", 2));
}

TEST(inner, gre_carries_a_network_packet_and_gretap_a_frame) {
    parsed plain("ipv4_gre_ipv4_tcp");
    inner_headers h = find_inner(plain.view, gre);
    ASSERT_TRUE(h.ok);
    EXPECT_EQ(h.found & found_link, 0);
    EXPECT_EQ(h.network_offset, plain.at("IP", 2));
    EXPECT_EQ(h.transport_offset, plain.at("TCP"));

    parsed keyed("ipv4_gre_csum_key_seq");
    EXPECT_EQ(find_inner(keyed.view, gre).network_offset, keyed.at("IP", 2));

    parsed v6("ipv6_gre_ipv6_tcp");
    h = find_inner(v6.view, gre);
    ASSERT_TRUE(h.ok);
    EXPECT_EQ(h.llproto, 0x86dd);
    EXPECT_EQ(h.transport_offset, v6.at("TCP"));

    parsed tap("ipv4_gretap");
    h = find_inner(tap.view, gretap);
    ASSERT_TRUE(h.ok);
    EXPECT_EQ(h.link_offset, tap.at("Ether"));
    EXPECT_EQ(h.transport_offset, tap.at("UDP"));

    EXPECT_FALSE(find_inner(parsed("ipv4_gre_routing").view, gre).ok);
    EXPECT_FALSE(find_inner(parsed("ipv4_gre_pptp").view, gre).ok);
    parsed ipip("ipv4_ipip");
    h = find_inner(ipip.view, gre);
    ASSERT_TRUE(h.ok);
    EXPECT_EQ(h.network_offset, 20u);
    EXPECT_EQ(h.l4proto, 1);
}

TEST(inner, tunnel_headers_need_udp_and_a_transport_header) {
    EXPECT_FALSE(find_inner(parsed("eth_ipv4_tcp").view, vxlan).ok);  // inneroff, but not UDP
    EXPECT_FALSE(find_inner(parsed("ipv4_later_fragment").view, gre).ok);
    EXPECT_FALSE(find_inner(parsed("eth_ipv4_sctp").view, gre).ok);
    // An inner frame that is neither IP nor IPv6 fails as a whole.
    EXPECT_FALSE(find_inner(parsed("eth_ipv4_udp").view, vxlan).ok);
}

// ---------------------------------------------------------------------------------------
// Checksums and the payload statement.

uint16_t transport_checksum(const packet_view& v) {
    // The pseudo header (addresses, length, protocol), then the segment.
    const uint32_t nh = v.network_offset(), th = v.transport_offset(), length = v.size() - th;
    const auto bytes = v.bytes();
    const bool ipv4 = v.network() == network_protocol::ipv4;
    uint32_t sum = checksum_add_bytes(ipv4 ? bytes.subspan(nh + 12, 8) : bytes.subspan(nh + 8, 32));
    const uint8_t tail[4] = {uint8_t(length >> 8), uint8_t(length), 0, v.l4proto()};
    sum = checksum_add_bytes(tail, sum);
    return checksum_fold(checksum_add_bytes(bytes.subspan(th, length), sum));
}

TEST(checksum, scapy_packets_verify) {
    EXPECT_TRUE(ipv4_header_checksum_ok(parsed("eth_ipv4_tcp").view));
    EXPECT_EQ(transport_checksum(parsed("eth_ipv4_tcp").view), 0);
    EXPECT_EQ(transport_checksum(parsed("ipv6_udp").view), 0);
    EXPECT_FALSE(ipv4_header_checksum_ok(parsed("ipv6_udp").view));
}

TEST(checksum, payload_set_updates_ip_and_pseudo_header_checksums) {
    // `ip saddr set 10.0.0.1`: nft asks for the IPv4 checksum (offset 10) and the pseudo
    // header flag, which fixes TCP's checksum too.
    parsed p("eth_ipv4_tcp");
    const uint8_t address[4] = {10, 0, 0, 1};
    const payload_write write{payload_base::network, 12, 4, checksum_kind::inet, 10, true};
    ASSERT_TRUE(payload_set(p.view, write, address));
    EXPECT_EQ(p.load(payload_base::network, 12, 4), 0x0a000001u);
    EXPECT_TRUE(ipv4_header_checksum_ok(p.view));
    EXPECT_EQ(transport_checksum(p.view), 0);

    // `tcp dport set 8080`: the TCP checksum (offset 16 from the transport header).
    const uint8_t port[2] = {0x1f, 0x90};
    ASSERT_TRUE(payload_set(p.view, {payload_base::transport, 2, 2, checksum_kind::inet, 16, false}, port));
    EXPECT_EQ(transport_checksum(p.view), 0);

    // With the checksum not computed yet (CHECKSUM_PARTIAL) a transport write leaves it.
    const uint64_t before = p.load(payload_base::transport, 16, 2);
    ASSERT_TRUE(payload_set(p.view, {payload_base::transport, 2, 2, checksum_kind::inet, 16, false}, address, true));
    EXPECT_EQ(p.load(payload_base::transport, 16, 2), before);

    // A checksum field outside the packet fails the write, which then changes nothing.
    EXPECT_FALSE(payload_set(p.view, {payload_base::transport, 2, 2, checksum_kind::inet, 60000, false}, port));
    EXPECT_EQ(p.load(payload_base::transport, 2, 2), 0x0a00u);
}

TEST(checksum, a_zero_udp_checksum_stays_zero) {
    std::vector<uint8_t> b = from_hex(sample("ip_autodetect_v4").hex);
    b[26] = b[27] = 0;
    packet_view v = parse(std::span<uint8_t>(b), {.first = first_header::ipv4});
    EXPECT_EQ(l4_checksum_offset(v), no_offset);
    const uint8_t address[4] = {10, 0, 0, 1};
    ASSERT_TRUE(payload_set(v, {payload_base::network, 12, 4, checksum_kind::inet, 10, true}, address));
    EXPECT_EQ(b[26], 0);
    EXPECT_EQ(b[27], 0);
    EXPECT_EQ(l4_checksum_offset(parsed("ipv6_udp").view), 46u);
    EXPECT_EQ(l4_checksum_offset(parsed("eth_ipv6_icmpv6_echo").view), 56u);
    EXPECT_EQ(l4_checksum_offset(parsed("ipv4_later_fragment").view), no_offset);
}

TEST(checksum, sctp_crc32c_matches_scapy_and_follows_writes) {
    parsed p("eth_ipv4_sctp");
    const uint32_t th = p.at("SCTP");
    const uint32_t stored = uint32_t(p.bytes[th + 8]) | uint32_t(p.bytes[th + 9]) << 8 | uint32_t(p.bytes[th + 10]) << 16 |
                            uint32_t(p.bytes[th + 11]) << 24;
    EXPECT_EQ(sctp_checksum(p.view), stored);
    const uint8_t port[2] = {0x00, 0x50};
    ASSERT_TRUE(payload_set(p.view, {payload_base::transport, 2, 2, checksum_kind::sctp, 8, false}, port));
    const uint32_t updated = uint32_t(p.bytes[th + 8]) | uint32_t(p.bytes[th + 9]) << 8 | uint32_t(p.bytes[th + 10]) << 16 |
                             uint32_t(p.bytes[th + 11]) << 24;
    EXPECT_NE(updated, stored);
    EXPECT_EQ(sctp_checksum(p.view), updated);
}

TEST(checksum, rfc1624_incremental_update) {
    // RFC 1624 section 4: HC = 0xdd2f, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000, which
    // the kernel stores as 0xffff (CSUM_MANGLED_0).
    EXPECT_EQ(checksum_replace(0xdd2f, 0x5555, 0x3285), 0xffff);
    EXPECT_EQ(checksum_fold(0x1fffe), 0x0000);
    const uint8_t odd[3] = {0x01, 0x02, 0x03};
    EXPECT_EQ(checksum_add_bytes(odd), 0x0102u + 0x0300u);
}

// ---------------------------------------------------------------------------------------
// Truncation and fuzzing: any byte string is a defined outcome.

const inner_spec all_specs[] = {vxlan, geneve, gre, gretap, {tunnel_type::unspec, inner_transport, 0}};

// What must hold for any parse of any bytes.
void check_invariants(const packet_view& v, size_t buffer_size) {
    ASSERT_LE(v.size(), buffer_size);
    uint8_t buf[64];
    for (uint8_t b = 0; b < 4; ++b) {
        const auto base = static_cast<payload_base>(b);
        const uint32_t start = v.base_offset(base);
        if (start == no_offset) {
            if (base != payload_base::link || !v.link_header_separate()) {
                ASSERT_FALSE(v.load(base, 0, 0, buf));
            }
            continue;
        }
        ASSERT_LE(start, v.size() + (base == payload_base::transport || base == payload_base::inner ? 1u << 20 : 0u));
        for (const uint32_t offset : {0u, 1u, 7u, 40u}) {
            const bool fits = uint64_t{start} + offset + 4 <= v.size();
            ASSERT_EQ(v.load(base, offset, 4, buf), fits) << int(b) << "+" << offset;
        }
    }
    if (v.has_transport_header()) {
        ASSERT_TRUE(v.has_l4proto());
        ASSERT_EQ(v.fragment_offset(), 0u);
    }
    if (network_invalid(v.status())) {
        ASSERT_FALSE(v.has_l4proto());
    }
    ASSERT_LE(v.vlan_count(), max_vlan_tags);
    for (const ipv6_ext_header& h : v.ipv6_ext_headers()) ASSERT_LE(uint64_t{h.offset} + 2, v.size());
    for (const uint8_t type : {0, 1, 2, 3, 4, 7, 8, 32, 43, 44, 51, 59, 60, 131, 135, 137, 148, 255}) {
        const located tcp = find_tcp_option(v, type);
        if (tcp.found()) {
            ASSERT_LE(uint64_t{tcp.offset} + tcp.length, v.size());
        }
        const located sctp = find_sctp_chunk(v, type);
        if (sctp.found()) {
            ASSERT_LE(uint64_t{sctp.offset} + 4, v.size());
        }
        const located ip4 = find_ipv4_option(v, type);
        if (ip4.found()) {
            ASSERT_LE(uint64_t{ip4.offset} + 2, v.size());
        }
        (void)find_ipv6_exthdr(v, type);
        (void)has_dccp_option(v, type);
        for (const auto op : {exthdr_op::ipv6, exthdr_op::tcp, exthdr_op::ipv4, exthdr_op::sctp, exthdr_op::dccp}) {
            (void)exthdr_load(v, op, type, 2, 4, buf);
            (void)exthdr_present(v, op, type);
        }
    }
    for (const inner_spec& spec : all_specs) {
        const inner_headers h = find_inner(v, spec);
        for (uint8_t b = 0; b < 5; ++b) {
            const bool loaded = inner_load(v, h, static_cast<payload_base>(b), 0, 4, buf);
            if (loaded) {
                ASSERT_TRUE(h.ok);
            }
        }
    }
    (void)l4_checksum_offset(v);
    (void)ipv4_header_checksum_ok(v);
    (void)sctp_checksum(v);
}

TEST(packet, every_truncation_of_every_sample_is_defined) {
    for (const auto& s : samples) {
        SCOPED_TRACE(std::string(s.name));
        const std::vector<uint8_t> full = from_hex(s.hex);
        const packet_view whole = parse(std::span<const uint8_t>(full), {.first = first_of(s.first)});
        for (size_t n = 0; n <= full.size(); ++n) {
            // A fresh allocation of exactly n bytes, so ASan sees any read past the end.
            std::vector<uint8_t> cut(full.begin(), full.begin() + long(n));
            cut.shrink_to_fit();
            for (const bool trim : {false, true}) {
                const packet_view v = parse(std::span<const uint8_t>(cut), {.first = first_of(s.first), .trim_to_ip_length = trim});
                check_invariants(v, n);
                if (HasFatalFailure()) return;
                // Whatever loads on the prefix loads the same bytes on the whole packet.
                uint8_t a[4], b[4];
                for (uint8_t base = 0; base < 3; ++base) {
                    const auto pb = static_cast<payload_base>(base);
                    if (v.base_offset(pb) != whole.base_offset(pb)) continue;
                    for (uint32_t off = 0; off + 4 <= n; off += 3) {
                        if (v.load(pb, off, 4, a)) {
                            ASSERT_TRUE(whole.load(pb, off, 4, b));
                            ASSERT_EQ(0, std::memcmp(a, b, 4));
                        }
                    }
                }
            }
            // An IP packet cut short of its own length is refused as the kernel refuses it.
            const packet_view v = parse(std::span<const uint8_t>(cut), {.first = first_of(s.first)});
            if (whole.status() != parse_status::ok || n < whole.network_offset()) continue;
            const uint32_t nh = whole.network_offset();
            if (whole.network() == network_protocol::ipv4) {
                const uint32_t ip_end = nh + uint32_t(full[nh + 2] << 8 | full[nh + 3]);
                if (n < nh + 20) {
                    EXPECT_EQ(v.status(), parse_status::network_truncated) << n;
                }
                if (n >= nh + 20 && n < ip_end) {
                    EXPECT_EQ(v.status(), parse_status::ipv4_total_length_exceeds_packet) << n;
                }
            }
            if (whole.network() == network_protocol::ipv6) {
                const uint32_t ip_end = nh + 40 + uint32_t(full[nh + 4] << 8 | full[nh + 5]);
                if (n < nh + 40) {
                    EXPECT_EQ(v.status(), parse_status::network_truncated) << n;
                }
                if (n >= nh + 40 && n < ip_end) {
                    EXPECT_EQ(v.status(), parse_status::ipv6_payload_length_exceeds_packet) << n;
                }
            }
        }
    }
}

// The fuzz loops stay within a few seconds under ASan; NFQWALL_FUZZ_SCALE=N runs N times as
// many iterations (same seeds, so the default run is a prefix of the longer one).
int fuzz_iterations(int base) {
    const char* scale = std::getenv("NFQWALL_FUZZ_SCALE");
    return scale != nullptr ? base * std::max(1, std::atoi(scale)) : base;
}

// xorshift64*: deterministic, so a failure reproduces from the iteration number.
struct random_bits {
    uint64_t state;
    uint64_t next() {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545f4914f6cdd1dull;
    }
    uint32_t below(uint32_t n) { return n == 0 ? 0 : uint32_t(next() % n); }
};

TEST(packet, fuzz_mutated_samples) {
    random_bits rnd{0x9e3779b97f4a7c15ull};
    const size_t sample_count = std::size(samples);
    std::vector<std::vector<uint8_t>> originals;
    for (const auto& s : samples) originals.push_back(from_hex(s.hex));
    const int iterations = fuzz_iterations(100000);
    for (int i = 0; i < iterations; ++i) {
        const size_t which = rnd.below(uint32_t(sample_count));
        std::vector<uint8_t> b = originals[which];
        // Mostly header bytes: flip a few, sometimes cut or extend.
        const uint32_t flips = 1 + rnd.below(6);
        for (uint32_t f = 0; f < flips && !b.empty(); ++f) {
            const uint32_t at = rnd.below(uint32_t(std::min<size_t>(b.size(), rnd.below(4) == 0 ? b.size() : 96)));
            b[at] = rnd.below(3) == 0 ? uint8_t(rnd.next()) : uint8_t(b[at] ^ (1u << rnd.below(8)));
        }
        switch (rnd.below(6)) {
        case 0: b.resize(rnd.below(uint32_t(b.size() + 1))); break;
        case 1:
            for (uint32_t extra = rnd.below(64); extra > 0; --extra) b.push_back(uint8_t(rnd.next()));
            break;
        default: break;
        }
        b.shrink_to_fit();
        parse_options options;
        options.first = rnd.below(8) == 0 ? static_cast<first_header>(rnd.below(5)) : first_of(samples[which].first);
        options.trim_to_ip_length = rnd.below(2);
        options.gso = rnd.below(4) == 0;
        std::vector<uint8_t> link;
        if (options.first != first_header::ethernet && rnd.below(4) == 0) {
            link.resize(rnd.below(40));
            for (auto& x : link) x = uint8_t(rnd.next());
            if (link.size() > 13 && rnd.below(2)) {
                link[12] = 0x81;
                link[13] = 0x00;
            }
            link.shrink_to_fit();
            options.link_header = link;
        }
        packet_view v = parse(std::span<uint8_t>(b), options);
        check_invariants(v, b.size());
        if (HasFatalFailure()) {
            ADD_FAILURE() << "iteration " << i << " sample " << samples[which].name;
            return;
        }
        uint8_t buf[300];
        for (int k = 0; k < 4; ++k) {
            const auto base = static_cast<payload_base>(rnd.below(5));
            const uint32_t off = rnd.below(300), len = rnd.below(256);
            (void)v.load(base, off, len, buf);
            (void)v.store(base, off, len, buf);
            const payload_write w{base, off, len, static_cast<checksum_kind>(rnd.below(3)), rnd.below(300), rnd.below(2) == 1};
            (void)payload_set(v, w, buf, rnd.below(2) == 1);
        }
    }
}

TEST(packet, fuzz_random_bytes) {
    random_bits rnd{42};
    const int iterations = fuzz_iterations(40000);
    for (int i = 0; i < iterations; ++i) {
        std::vector<uint8_t> b(rnd.below(160));
        for (auto& x : b) x = uint8_t(rnd.next());
        // Give the parsers something to chew on: plausible first bytes.
        if (b.size() > 14 && rnd.below(2)) {
            b[12] = rnd.below(2) ? 0x08 : 0x86;
            b[13] = b[12] == 0x08 ? 0x00 : 0xdd;
            b[14] = b[12] == 0x08 ? uint8_t(0x40 | (5 + rnd.below(11))) : 0x60;
        }
        b.shrink_to_fit();
        const auto first = static_cast<first_header>(rnd.below(5));
        const packet_view v = parse(std::span<const uint8_t>(b), {.first = first, .trim_to_ip_length = rnd.below(2) == 1});
        check_invariants(v, b.size());
        if (HasFatalFailure()) {
            ADD_FAILURE() << "iteration " << i;
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The packet path allocates nothing.

TEST(packet, parsing_and_loading_allocate_nothing) {
    std::vector<std::vector<uint8_t>> buffers;
    for (const auto& s : samples) buffers.push_back(from_hex(s.hex));
    nfqwall::testing::allocation_scope scope;
    uint64_t checksum = 0;
    for (int round = 0; round < 10; ++round) {
        for (size_t i = 0; i < buffers.size(); ++i) {
            packet_view v = parse(std::span<uint8_t>(buffers[i]), {.first = first_of(samples[i].first)});
            uint8_t buf[16] = {};
            for (uint8_t b = 0; b < 4; ++b) checksum += v.load(static_cast<payload_base>(b), 0, 4, buf) ? buf[0] : 1;
            checksum += find_tcp_option(v, 2).offset + find_sctp_chunk(v, 0).offset + find_ipv4_option(v, 7).offset +
                        find_ipv6_exthdr(v, 60).offset + has_dccp_option(v, 32);
            checksum += find_inner(v, vxlan).network_offset + find_inner(v, gre).transport_offset;
            checksum += l4_checksum_offset(v);
            uint8_t same[2];
            if (v.load(payload_base::network, 0, 2, same)) {
                checksum += payload_set(v, {payload_base::network, 0, 2, checksum_kind::inet, 10, true}, same);
            }
        }
    }
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_NE(checksum, 0u);
}

TEST(packet, the_allocation_counter_counts) {
    nfqwall::testing::allocation_scope scope;
    const std::vector<int> a(10), b(20);
    EXPECT_EQ(scope.count(), 2u);
    EXPECT_NE(a.data(), b.data());
}

}  // namespace

// Protocol, meta, ct and extension header tables: concrete facts checked against nftables
// 1.1 sources and `nft --debug=netlink` output.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "front/proto.hpp"
#include "front/rule.hpp"

using namespace nfqwall::front;

namespace {

const proto_desc& desc(std::string_view keyword) {
    const proto_desc* d = proto_lookup(keyword);
    EXPECT_NE(d, nullptr) << keyword;
    return *d;
}

// offset/len in bits of `keyword field`.
void expect_field(std::string_view keyword, std::string_view token, uint32_t offset, uint32_t len, type_id t,
                  byte_order order = byte_order::big) {
    const proto_hdr_template* f = desc(keyword).field(token);
    ASSERT_NE(f, nullptr) << keyword << " " << token;
    EXPECT_EQ(f->offset, offset) << keyword << " " << token;
    EXPECT_EQ(f->len, len) << keyword << " " << token;
    ASSERT_NE(f->dtype, nullptr);
    EXPECT_EQ(f->dtype->id, t) << keyword << " " << token;
    EXPECT_EQ(f->order, order) << keyword << " " << token;
    EXPECT_EQ(f->meta_key, -1) << keyword << " " << token;
}

u128 num_of(const proto_desc& lower, std::string_view upper) {
    u128 n = ~u128{0};
    EXPECT_TRUE(lower.find_num(proto_lookup(upper), n)) << lower.name << " -> " << upper;
    return n;
}

}  // namespace

TEST(proto, keywords_resolve_to_their_descriptions) {
    for (std::string_view k : {"ether", "vlan", "arp", "ip", "ip6", "icmp", "igmp", "icmpv6", "ah", "esp", "comp",
                               "udp", "udplite", "tcp", "dccp", "sctp", "th", "gre", "gretap", "vxlan", "geneve"}) {
        const proto_desc* d = proto_lookup(k);
        ASSERT_NE(d, nullptr) << k;
        EXPECT_EQ(d->name, k);
        EXPECT_EQ(proto_lookup(d->id), d);
    }
    EXPECT_EQ(proto_lookup("eth"), nullptr);
    EXPECT_EQ(proto_lookup("icmp6"), nullptr);
    // Pseudo headers have no keyword.
    EXPECT_EQ(proto_lookup("inet"), nullptr);
    EXPECT_EQ(proto_lookup("netdev"), nullptr);
    EXPECT_EQ(proto_lookup(proto_id::inet_service)->name, "inet-service");
    // A placeholder for "some protocol nft does not know" (`meta l4proto 253`): no keyword,
    // no fields, not among the real descriptions.
    ASSERT_NE(proto_lookup(proto_id::unknown), nullptr);
    EXPECT_EQ(proto_lookup(proto_id::unknown)->name, "unknown");
    EXPECT_TRUE(proto_lookup(proto_id::unknown)->templates.empty());
    EXPECT_EQ(proto_all().size(), 24u);
}

TEST(proto, tcp_fields) {
    expect_field("tcp", "sport", 0, 16, type_id::inet_service);
    expect_field("tcp", "dport", 16, 16, type_id::inet_service);
    expect_field("tcp", "sequence", 32, 32, type_id::integer);
    expect_field("tcp", "ackseq", 64, 32, type_id::integer);
    expect_field("tcp", "doff", 96, 4, type_id::integer);
    expect_field("tcp", "reserved", 100, 4, type_id::integer);
    expect_field("tcp", "flags", 13 * 8, 8, type_id::tcp_flag);
    expect_field("tcp", "window", 112, 16, type_id::integer);
    expect_field("tcp", "checksum", 128, 16, type_id::integer);
    expect_field("tcp", "urgptr", 144, 16, type_id::integer);
    const proto_desc& tcp = desc("tcp");
    EXPECT_EQ(tcp.field_index("dport"), TCPHDR_DPORT);
    EXPECT_EQ(tcp.field_index("flags"), TCPHDR_FLAGS);
    EXPECT_EQ(tcp.checksum_key, TCPHDR_CHECKSUM);
    EXPECT_EQ(tcp.checksum_type, csum_type::inet);
    EXPECT_EQ(tcp.protocol_key, -1);
    EXPECT_EQ(tcp.base, proto_base::transport);
    EXPECT_EQ(tcp.field_at(0), nullptr);
    EXPECT_EQ(tcp.field_at(TCPHDR_URGPTR + 1), nullptr);
    EXPECT_EQ(tcp.field_at(TCPHDR_SPORT)->token, "sport");
    EXPECT_EQ(tcp.format_filter, (1u << TCPHDR_SEQ) | (1u << TCPHDR_ACKSEQ) | (1u << TCPHDR_DOFF) |
                                     (1u << TCPHDR_RESERVED) | (1u << TCPHDR_URGPTR));
}

TEST(proto, ip_fields_and_bitfields) {
    expect_field("ip", "version", 0, 4, type_id::integer);
    expect_field("ip", "hdrlength", 4, 4, type_id::integer);
    expect_field("ip", "dscp", 8, 6, type_id::dscp);
    expect_field("ip", "ecn", 14, 2, type_id::ecn);
    expect_field("ip", "length", 16, 16, type_id::integer);
    expect_field("ip", "id", 32, 16, type_id::integer);
    expect_field("ip", "frag-off", 48, 16, type_id::xinteger);
    expect_field("ip", "ttl", 64, 8, type_id::integer);
    expect_field("ip", "protocol", 72, 8, type_id::inet_protocol);
    expect_field("ip", "checksum", 80, 16, type_id::integer);
    expect_field("ip", "saddr", 96, 32, type_id::ipaddr);
    expect_field("ip", "daddr", 128, 32, type_id::ipaddr);
    const proto_desc& ip = desc("ip");
    EXPECT_EQ(ip.field_index("dscp"), IPHDR_DSCP);
    EXPECT_EQ(ip.field_index("daddr"), IPHDR_DADDR);
    // Upper protocol dependency is `meta l4proto`, template 0.
    EXPECT_EQ(ip.protocol_key, 0);
    EXPECT_EQ(ip.templates[0].token, "l4proto");
    EXPECT_EQ(ip.templates[0].meta_key, META_L4PROTO);
    EXPECT_EQ(ip.templates[0].len, 8u);
    EXPECT_EQ(ip.templates[0].dtype->id, type_id::inet_protocol);
    EXPECT_EQ(ip.checksum_key, IPHDR_CHECKSUM);
    EXPECT_EQ(ip.format_order.front(), IPHDR_SADDR);
    EXPECT_EQ(ip.format_order.size(), 8u);
    EXPECT_EQ(ip.format_filter, (1u << IPHDR_VERSION) | (1u << IPHDR_HDRLENGTH) | (1u << IPHDR_FRAG_OFF));
    EXPECT_EQ(ip.pseudohdr, (std::vector<int>{IPHDR_SADDR, IPHDR_DADDR, IPHDR_PROTOCOL, IPHDR_LENGTH}));
}

TEST(proto, ip6_fields) {
    expect_field("ip6", "version", 0, 4, type_id::integer);
    expect_field("ip6", "dscp", 4, 6, type_id::dscp);
    expect_field("ip6", "ecn", 10, 2, type_id::ecn);
    expect_field("ip6", "flowlabel", 12, 20, type_id::integer);
    expect_field("ip6", "length", 32, 16, type_id::integer);
    expect_field("ip6", "nexthdr", 48, 8, type_id::inet_protocol);
    expect_field("ip6", "hoplimit", 56, 8, type_id::integer);
    expect_field("ip6", "saddr", 64, 128, type_id::ip6addr);
    expect_field("ip6", "daddr", 192, 128, type_id::ip6addr);
    const proto_desc& ip6 = desc("ip6");
    EXPECT_EQ(ip6.field_index("flowlabel"), IP6HDR_FLOWLABEL);
    EXPECT_EQ(ip6.field_at(IP6HDR_PROTOCOL), nullptr);
    EXPECT_EQ(ip6.checksum_key, -1);
    EXPECT_EQ(ip6.templates[0].meta_key, META_L4PROTO);
}

TEST(proto, link_layer) {
    expect_field("ether", "daddr", 0, 48, type_id::etheraddr);
    expect_field("ether", "saddr", 48, 48, type_id::etheraddr);
    expect_field("ether", "type", 96, 16, type_id::ethertype);
    expect_field("vlan", "pcp", 0, 3, type_id::integer);
    expect_field("vlan", "dei", 3, 1, type_id::integer);
    expect_field("vlan", "cfi", 3, 1, type_id::integer);
    expect_field("vlan", "id", 4, 12, type_id::integer);
    expect_field("vlan", "type", 16, 16, type_id::ethertype);

    const proto_desc& eth = desc("ether");
    EXPECT_EQ(eth.length, 112u);
    EXPECT_EQ(eth.protocol_key, ETHHDR_TYPE);
    EXPECT_EQ(eth.base, proto_base::ll);
    EXPECT_EQ(eth.format_order, (std::vector<int>{ETHHDR_SADDR, ETHHDR_DADDR, ETHHDR_TYPE}));
    // Ether types as plain numbers.
    EXPECT_EQ(eth.find_upper(0x0800), proto_lookup("ip"));
    EXPECT_EQ(eth.find_upper(0x0806), proto_lookup("arp"));
    EXPECT_EQ(eth.find_upper(0x86dd), proto_lookup("ip6"));
    EXPECT_EQ(eth.find_upper(0x8100), proto_lookup("vlan"));
    EXPECT_EQ(eth.find_upper(0x88a8), proto_lookup("vlan"));
    EXPECT_EQ(eth.find_upper(0x0008), nullptr);
    EXPECT_EQ(eth.protocols.size(), 5u);
    EXPECT_TRUE(num_of(eth, "vlan") == 0x8100);  // first link wins

    const proto_desc& vlan = desc("vlan");
    EXPECT_EQ(vlan.length, 32u);
    EXPECT_EQ(vlan.protocol_key, VLANHDR_TYPE);
    EXPECT_EQ(vlan.field_index("id"), VLANHDR_VID);
    EXPECT_EQ(vlan.find_upper(0x8100), &vlan);
    EXPECT_EQ(vlan.find_upper(0x88a8), &vlan);
    EXPECT_EQ(vlan.find_upper(0x0800), proto_lookup("ip"));
}

TEST(proto, arp_fields) {
    expect_field("arp", "htype", 0, 16, type_id::integer);
    expect_field("arp", "ptype", 16, 16, type_id::ethertype);
    expect_field("arp", "hlen", 32, 8, type_id::integer);
    expect_field("arp", "plen", 40, 8, type_id::integer);
    expect_field("arp", "operation", 48, 16, type_id::arpop);
    expect_field("arp", "saddr ether", 64, 48, type_id::etheraddr);
    expect_field("arp", "saddr ip", 112, 32, type_id::ipaddr);
    expect_field("arp", "daddr ether", 144, 48, type_id::etheraddr);
    expect_field("arp", "daddr ip", 192, 32, type_id::ipaddr);
    EXPECT_EQ(desc("arp").field_index("daddr ip"), ARPHDR_DADDR_IP);
}

TEST(proto, transport_headers) {
    expect_field("udp", "sport", 0, 16, type_id::inet_service);
    expect_field("udp", "dport", 16, 16, type_id::inet_service);
    expect_field("udp", "length", 32, 16, type_id::integer);
    expect_field("udp", "checksum", 48, 16, type_id::integer);
    expect_field("udplite", "csumcov", 32, 16, type_id::integer);
    EXPECT_EQ(desc("udplite").field_index("csumcov"), UDPHDR_CSUMCOV);
    expect_field("dccp", "sport", 0, 16, type_id::inet_service);
    expect_field("dccp", "type", 67, 4, type_id::dccp_pkttype);
    expect_field("sctp", "vtag", 32, 32, type_id::integer);
    expect_field("sctp", "checksum", 64, 32, type_id::integer);
    EXPECT_EQ(desc("sctp").checksum_type, csum_type::sctp);
    expect_field("th", "sport", 0, 16, type_id::inet_service);
    expect_field("th", "dport", 16, 16, type_id::inet_service);
    expect_field("ah", "nexthdr", 0, 8, type_id::inet_protocol);
    expect_field("ah", "hdrlength", 8, 8, type_id::integer);
    expect_field("ah", "reserved", 16, 16, type_id::integer);
    expect_field("ah", "spi", 32, 32, type_id::integer);
    expect_field("ah", "sequence", 64, 32, type_id::integer);
    EXPECT_EQ(desc("ah").protocol_key, AHHDR_NEXTHDR);
    EXPECT_EQ(desc("ah").find_upper(51), &desc("ah"));
    expect_field("esp", "spi", 0, 32, type_id::integer);
    expect_field("esp", "sequence", 32, 32, type_id::integer);
    expect_field("comp", "nexthdr", 0, 8, type_id::inet_protocol);
    expect_field("comp", "flags", 8, 8, type_id::bitmask);
    expect_field("comp", "cpi", 16, 16, type_id::integer);
    EXPECT_EQ(desc("udp").find_upper(0), proto_lookup("vxlan"));
}

TEST(proto, icmp_fields_carry_type_dependencies) {
    expect_field("icmp", "type", 0, 8, type_id::icmp_type);
    expect_field("icmp", "code", 8, 8, type_id::icmp_code);
    expect_field("icmp", "id", 32, 16, type_id::integer);
    expect_field("icmp", "sequence", 48, 16, type_id::integer);
    expect_field("icmp", "gateway", 32, 32, type_id::integer);
    expect_field("icmp", "mtu", 48, 16, type_id::integer);
    const proto_desc& icmp = desc("icmp");
    EXPECT_EQ(icmp.protocol_key, ICMPHDR_TYPE);
    EXPECT_EQ(icmp.field("id")->icmp_dep, ICMP_DEP_ECHO);
    EXPECT_EQ(icmp.field("gateway")->icmp_dep, ICMP_DEP_ADDRESS);
    EXPECT_EQ(icmp.field("mtu")->icmp_dep, ICMP_DEP_MTU);
    EXPECT_EQ(icmp.field("checksum")->icmp_dep, ICMP_DEP_ANY);
    EXPECT_EQ(icmp_dep_to_type(ICMP_DEP_ECHO), 8);
    EXPECT_EQ(icmp_dep_to_type(ICMP_DEP_MTU), 3);
    EXPECT_EQ(icmp_dep_to_type(ICMP_DEP_ADDRESS), 5);
    EXPECT_TRUE(icmp_dep_type_match(ICMP_DEP_ECHO, 0));  // echo-reply also has id
    EXPECT_FALSE(icmp_dep_type_match(ICMP_DEP_MTU, 5));

    expect_field("icmpv6", "type", 0, 8, type_id::icmp6_type);
    expect_field("icmpv6", "code", 8, 8, type_id::icmpv6_code);
    expect_field("icmpv6", "parameter-problem", 32, 32, type_id::integer);
    expect_field("icmpv6", "mtu", 32, 32, type_id::integer);
    expect_field("icmpv6", "id", 32, 16, type_id::integer);
    expect_field("icmpv6", "max-delay", 32, 16, type_id::integer);
    expect_field("icmpv6", "taddr", 64, 128, type_id::ip6addr);
    expect_field("icmpv6", "daddr", 192, 128, type_id::ip6addr);
    const proto_desc& icmp6 = desc("icmpv6");
    EXPECT_EQ(icmp6.field("max-delay")->icmp_dep, ICMP_DEP_ICMP6_MGMQ);
    EXPECT_EQ(icmp_dep_to_type(ICMP_DEP_ICMP6_MGMQ), 130);
    EXPECT_EQ(icmp_dep_to_type(ICMP_DEP_ICMP6_ADDRESS), 135);
    EXPECT_EQ(icmp_dep_to_type(ICMP_DEP_ICMP6_REDIRECT), 137);
    EXPECT_TRUE(icmp_dep_type_match(ICMP_DEP_ICMP6_ADDRESS, 136));
    EXPECT_TRUE(icmp_dep_type_match(ICMP_DEP_ICMP6_ADDRESS, 130));

    expect_field("igmp", "type", 0, 8, type_id::igmp_type);
    expect_field("igmp", "mrt", 8, 8, type_id::integer);
    expect_field("igmp", "checksum", 16, 16, type_id::integer);
    expect_field("igmp", "group", 32, 32, type_id::integer);
    EXPECT_EQ(desc("igmp").field_index("group"), IGMPHDR_GROUP);
}

TEST(proto, network_upper_links) {
    const proto_desc& ip = desc("ip");
    EXPECT_EQ(ip.find_upper(6), proto_lookup("tcp"));
    EXPECT_EQ(ip.find_upper(17), proto_lookup("udp"));
    EXPECT_EQ(ip.find_upper(1), proto_lookup("icmp"));
    EXPECT_EQ(ip.find_upper(2), proto_lookup("igmp"));
    EXPECT_EQ(ip.find_upper(58), proto_lookup("icmpv6"));
    EXPECT_EQ(ip.find_upper(33), proto_lookup("dccp"));
    EXPECT_EQ(ip.find_upper(132), proto_lookup("sctp"));
    EXPECT_EQ(ip.find_upper(136), proto_lookup("udplite"));
    EXPECT_EQ(ip.find_upper(50), proto_lookup("esp"));
    EXPECT_EQ(ip.find_upper(51), proto_lookup("ah"));
    EXPECT_EQ(ip.find_upper(108), proto_lookup("comp"));
    EXPECT_EQ(ip.find_upper(47), proto_lookup("gre"));  // gre before gretap
    EXPECT_TRUE(num_of(ip, "gretap") == 47);
    EXPECT_EQ(ip.protocols.size(), 13u);
    const proto_desc& ip6 = desc("ip6");
    EXPECT_EQ(ip6.find_upper(58), proto_lookup("icmpv6"));
    EXPECT_EQ(ip6.find_upper(1), proto_lookup("icmp"));
    EXPECT_EQ(ip6.protocols.size(), 13u);
    EXPECT_EQ(ip6.protocols.front().desc, proto_lookup("esp"));
}

TEST(proto, pseudo_headers) {
    const proto_desc* inet = proto_lookup(proto_id::inet);
    ASSERT_NE(inet, nullptr);
    EXPECT_EQ(inet->base, proto_base::ll);
    EXPECT_EQ(inet->find_upper(2), proto_lookup("ip"));
    EXPECT_EQ(inet->find_upper(10), proto_lookup("ip6"));
    EXPECT_EQ(inet->templates[0].meta_key, META_NFPROTO);
    EXPECT_EQ(inet->templates[0].dtype->id, type_id::nfproto);
    EXPECT_EQ(inet->templates[0].len, 8u);

    const proto_desc* svc = proto_lookup(proto_id::inet_service);
    EXPECT_EQ(svc->base, proto_base::transport);
    EXPECT_EQ(svc->protocol_key, 0);
    EXPECT_EQ(svc->templates[0].meta_key, META_L4PROTO);
    EXPECT_EQ(svc->find_upper(6), proto_lookup("tcp"));
    EXPECT_EQ(svc->find_upper(58), proto_lookup("icmpv6"));

    const proto_desc* netdev = proto_lookup(proto_id::netdev);
    EXPECT_EQ(netdev->templates[0].meta_key, META_PROTOCOL);
    EXPECT_EQ(netdev->templates[0].len, 16u);
    EXPECT_EQ(netdev->templates[0].dtype->id, type_id::ethertype);
    EXPECT_EQ(netdev->find_upper(0x86dd), proto_lookup("ip6"));
}

TEST(proto, tunnels) {
    expect_field("vxlan", "vni", 32, 24, type_id::integer);
    expect_field("vxlan", "flags", 0, 8, type_id::bitmask);
    expect_field("geneve", "vni", 32, 24, type_id::integer);
    expect_field("geneve", "type", 16, 16, type_id::ethertype);
    expect_field("gre", "flags", 0, 5, type_id::integer);
    expect_field("gre", "version", 13, 3, type_id::integer);
    expect_field("gre", "protocol", 16, 16, type_id::ethertype);
    EXPECT_EQ(desc("vxlan").field_index("vni"), VXLANHDR_VNI);
    EXPECT_EQ(desc("gre").field_index("version"), GREHDR_VERSION);
    EXPECT_EQ(desc("vxlan").base, proto_base::inner);
    EXPECT_EQ(desc("gre").base, proto_base::transport);
    EXPECT_EQ(desc("gretap").templates.size(), 1u);
    EXPECT_EQ(desc("vxlan").find_upper(0x88a8), nullptr);
    EXPECT_EQ(desc("vxlan").find_upper(0x0800), proto_lookup("ip"));
    EXPECT_EQ(desc("vxlan").inner.hdrsize, 8u);
    EXPECT_EQ(desc("gre").inner.hdrsize, 4u);
    EXPECT_EQ(proto_find_inner(INNER_T_VXLAN, 8, INNER_F_HDRSIZE | INNER_F_LL | INNER_F_NH | INNER_F_TH),
              proto_lookup("vxlan"));
    EXPECT_EQ(proto_find_inner(INNER_T_GRE, 4, INNER_F_NH | INNER_F_TH), proto_lookup("gre"));
    EXPECT_EQ(proto_find_inner(INNER_T_GRETAP, 4, INNER_F_LL | INNER_F_NH | INNER_F_TH), proto_lookup("gretap"));
    EXPECT_EQ(proto_find_inner(INNER_T_GENEVE, 4, 0), nullptr);
}

TEST(proto, hook_protocols) {
    EXPECT_EQ(hook_proto_for(family::bridge).desc, proto_lookup("ether"));
    EXPECT_EQ(hook_proto_for(family::bridge).base, proto_base::ll);
    EXPECT_EQ(hook_proto_for(family::netdev).desc, proto_lookup(proto_id::netdev));
    EXPECT_EQ(hook_proto_for(family::inet).desc, proto_lookup(proto_id::inet));
    EXPECT_EQ(hook_proto_for(family::inet).base, proto_base::ll);
    EXPECT_EQ(hook_proto_for(family::ipv4).desc, proto_lookup("ip"));
    EXPECT_EQ(hook_proto_for(family::ipv4).base, proto_base::network);
    EXPECT_EQ(hook_proto_for(family::ipv6).desc, proto_lookup("ip6"));
    EXPECT_EQ(hook_proto_for(family::arp).desc, proto_lookup("arp"));
    EXPECT_EQ(hook_proto_for(family::arp).base, proto_base::network);
    EXPECT_EQ(hook_proto_for(family::unspec).desc, nullptr);
}

TEST(proto, device_types) {
    uint16_t type = 0;
    EXPECT_TRUE(proto_dev_type(proto_lookup("ether"), type));
    EXPECT_EQ(type, 1);
    type = 0;
    EXPECT_TRUE(proto_dev_type(proto_lookup("ip"), type));
    EXPECT_EQ(type, 1);
    EXPECT_FALSE(proto_dev_type(proto_lookup("tcp"), type));
    EXPECT_EQ(proto_dev_desc(1), proto_lookup("ether"));
    EXPECT_EQ(proto_dev_desc(772), nullptr);
}

TEST(proto, base_names) {
    EXPECT_EQ(proto_base_token(proto_base::ll), "ll");
    EXPECT_EQ(proto_base_token(proto_base::network), "nh");
    EXPECT_EQ(proto_base_token(proto_base::transport), "th");
    EXPECT_EQ(proto_base_token(proto_base::inner), "ih");
    EXPECT_EQ(proto_base_name(proto_base::network), "network layer");
    EXPECT_EQ(proto_base_name(proto_base::inner), "payload data");
}

TEST(proto, template_lookup_by_offset) {
    // `@th,16,16` in a tcp context is `tcp dport`; in the pseudo th header `th dport`.
    EXPECT_EQ(proto_template_find(desc("tcp"), 16, 16), TCPHDR_DPORT);
    EXPECT_EQ(proto_template_find(desc("th"), 0, 16), THDR_SPORT);
    EXPECT_EQ(proto_template_find(desc("tcp"), 16, 8), -1);
    EXPECT_EQ(proto_template_find(desc("ip"), 96, 32), IPHDR_SADDR);
    EXPECT_EQ(proto_template_find(desc("ip"), 8, 6), IPHDR_DSCP);
    // The meta template at [0] (offset 0, len 8) is never a payload match.
    EXPECT_EQ(proto_template_find(desc("ip"), 0, 8), -1);
    // vlan dei comes before its alias cfi.
    EXPECT_EQ(proto_template_find(desc("vlan"), 3, 1), VLANHDR_DEI);
    // icmp: 32/16 is id unless the known type says otherwise.
    EXPECT_EQ(proto_template_find(desc("icmp"), 32, 16), ICMPHDR_ID);
    EXPECT_EQ(proto_template_find(desc("icmp"), 32, 16, 0), ICMPHDR_ID);
    EXPECT_EQ(proto_template_find(desc("icmp"), 48, 16, 3), ICMPHDR_MTU);
    EXPECT_EQ(proto_template_find(desc("icmp"), 48, 16, 8), ICMPHDR_SEQ);
    EXPECT_EQ(proto_template_find(desc("icmpv6"), 32, 16, 130), ICMP6HDR_MAXDELAY);
    EXPECT_EQ(proto_template_find(desc("icmpv6"), 32, 32, 2), ICMP6HDR_MTU);
    EXPECT_EQ(proto_template_find(desc("icmpv6"), 32, 32, 4), ICMP6HDR_PPTR);
    EXPECT_EQ(proto_template_find(desc("ether"), 96, 16), ETHHDR_TYPE);
}

TEST(meta, key_table) {
    const meta_template* l4 = meta_lookup(META_L4PROTO);
    ASSERT_NE(l4, nullptr);
    EXPECT_EQ(l4->token, "l4proto");
    EXPECT_EQ(l4->len, 8u);
    EXPECT_EQ(l4->dtype->id, type_id::inet_protocol);
    EXPECT_EQ(l4->order, byte_order::host);
    EXPECT_FALSE(l4->unqualified_print);

    const meta_template* proto = meta_lookup(META_PROTOCOL);
    EXPECT_EQ(proto->len, 16u);
    EXPECT_EQ(proto->order, byte_order::big);
    EXPECT_EQ(proto->dtype->id, type_id::ethertype);

    const meta_template* mark = meta_lookup(META_MARK);
    EXPECT_EQ(mark->len, 32u);
    EXPECT_EQ(mark->dtype->id, type_id::mark);
    EXPECT_EQ(mark->order, byte_order::host);

    EXPECT_EQ(meta_lookup(META_IIFNAME)->len, 128u);
    EXPECT_EQ(meta_lookup(META_IIFNAME)->dtype->id, type_id::ifname);
    EXPECT_EQ(meta_lookup(META_IIF)->dtype->id, type_id::ifindex);
    EXPECT_EQ(meta_lookup(META_IIFTYPE)->len, 16u);
    EXPECT_EQ(meta_lookup(META_NFTRACE)->len, 1u);
    EXPECT_EQ(meta_lookup(META_PRANDOM)->order, byte_order::big);
    EXPECT_EQ(meta_lookup(META_TIME_NS)->len, 64u);
    EXPECT_EQ(meta_lookup(META_TIME_NS)->dtype->id, type_id::time_date);
    EXPECT_EQ(meta_lookup(META_BRI_IIFHWADDR)->token, "ibrhwaddr");
    EXPECT_EQ(meta_lookup(META_BRI_IIFHWADDR)->len, 48u);
    EXPECT_EQ(meta_lookup(META_SECPATH)->token, "ipsec");
    EXPECT_EQ(meta_lookup(META_PRIORITY)->dtype->id, type_id::classid);
    EXPECT_EQ(meta_lookup(META_MAX), nullptr);
    EXPECT_EQ(meta_lookup(-1), nullptr);

    // Every key has a token, a type and a width.
    for (int k = 0; k < META_MAX; k++) {
        const meta_template* m = meta_lookup(k);
        ASSERT_NE(m, nullptr);
        EXPECT_FALSE(m->token.empty()) << k;
        EXPECT_NE(m->dtype, nullptr) << k;
        EXPECT_GT(m->len, 0u) << k;
        EXPECT_EQ(meta_key_by_name(m->token), k);
    }
}

TEST(meta, unqualified_keys_and_aliases) {
    std::set<int> unqualified;
    for (int k = 0; k < META_MAX; k++) {
        if (meta_lookup(k)->unqualified_print)
            unqualified.insert(k);
        EXPECT_EQ(meta_lookup(k)->unqualified_print, meta_key_is_unqualified(k));
    }
    EXPECT_EQ(unqualified, (std::set<int>{META_IIF, META_OIF, META_IIFNAME, META_OIFNAME, META_IIFGROUP,
                                          META_OIFGROUP}));
    EXPECT_EQ(meta_key_by_name("ibriport"), META_BRI_IIFNAME);
    EXPECT_EQ(meta_key_by_name("obriport"), META_BRI_OIFNAME);
    EXPECT_EQ(meta_key_by_name("secpath"), META_SECPATH);
    EXPECT_EQ(meta_key_by_name("skuid"), META_SKUID);
    EXPECT_EQ(meta_key_by_name("nosuchkey"), -1);
    EXPECT_EQ(meta_key_by_name(""), -1);
}

TEST(ct, key_table) {
    const ct_template* mark = ct_lookup(CT_MARK);
    ASSERT_NE(mark, nullptr);
    EXPECT_EQ(mark->token, "mark");
    EXPECT_EQ(mark->len, 32u);
    EXPECT_EQ(mark->order, byte_order::host);
    EXPECT_EQ(mark->dtype->id, type_id::mark);

    EXPECT_EQ(ct_lookup(CT_STATE)->dtype->id, type_id::ct_state);
    EXPECT_EQ(ct_lookup(CT_DIRECTION)->len, 8u);
    EXPECT_EQ(ct_lookup(CT_EXPIRATION)->dtype->id, type_id::time);
    EXPECT_EQ(ct_lookup(CT_EXPIRATION)->len, 32u);
    EXPECT_EQ(ct_lookup(CT_HELPER)->len, 128u);
    EXPECT_EQ(ct_lookup(CT_HELPER)->dtype->id, type_id::string);
    EXPECT_EQ(ct_lookup(CT_SRC)->len, 0u);
    EXPECT_EQ(ct_lookup(CT_SRC)->order, byte_order::big);
    EXPECT_EQ(ct_lookup(CT_PROTO_DST)->dtype->id, type_id::inet_service);
    EXPECT_EQ(ct_lookup(CT_PROTO_DST)->order, byte_order::big);
    EXPECT_EQ(ct_lookup(CT_LABELS)->len, 128u);
    EXPECT_EQ(ct_lookup(CT_BYTES)->len, 64u);
    EXPECT_EQ(ct_lookup(CT_ZONE)->len, 16u);
    EXPECT_EQ(ct_lookup(CT_EVENTMASK)->dtype->id, type_id::ct_eventbit);
    EXPECT_EQ(ct_lookup(CT_SRC_IP6)->len, 128u);
    EXPECT_EQ(ct_lookup(CT_ID)->order, byte_order::big);
    EXPECT_EQ(ct_lookup(CT_MAX), nullptr);

    EXPECT_EQ(ct_key_by_name("proto-src"), CT_PROTO_SRC);
    EXPECT_EQ(ct_key_by_name("label"), CT_LABELS);
    EXPECT_EQ(ct_key_by_name("packets"), CT_PKTS);
    EXPECT_EQ(ct_key_by_name("event"), CT_EVENTMASK);
    EXPECT_EQ(ct_key_by_name("ip6 daddr"), CT_DST_IP6);
    EXPECT_EQ(ct_key_by_name("l3proto"), CT_L3PROTOCOL);
    EXPECT_EQ(ct_key_by_name("labels"), -1);
    for (int k = 0; k < CT_MAX; k++)
        EXPECT_EQ(ct_key_by_name(ct_lookup(k)->token), k) << k;
}

TEST(exthdr, ipv6_extension_headers) {
    const exthdr_desc* frag = exthdr_lookup(exthdr_op::ipv6, "frag");
    ASSERT_NE(frag, nullptr);
    EXPECT_EQ(frag->type, 44u);
    EXPECT_EQ(frag->field("frag-off")->offset, 16u);
    EXPECT_EQ(frag->field("frag-off")->len, 13u);
    EXPECT_EQ(frag->field("more-fragments")->offset, 31u);
    EXPECT_EQ(frag->field("more-fragments")->len, 1u);
    EXPECT_EQ(frag->field("id")->offset, 32u);
    EXPECT_EQ(frag->field_index("reserved2"), FRAGHDR_RESERVED2);

    const exthdr_desc* srh = exthdr_lookup(exthdr_op::ipv6, "srh");
    ASSERT_NE(srh, nullptr);
    EXPECT_EQ(srh->proto_key, 4);
    EXPECT_EQ(srh->field_at(RT4HDR_SID_1 + 1)->offset, 192u);
    EXPECT_EQ(srh->field_at(RT4HDR_SID_1)->dtype->id, type_id::ip6addr);
    EXPECT_EQ(srh->field("tag")->len, 16u);

    const exthdr_desc* rt2 = exthdr_lookup(exthdr_op::ipv6, "rt2");
    ASSERT_NE(rt2, nullptr);
    EXPECT_EQ(rt2->field_at(RT2HDR_ADDR), nullptr);
    EXPECT_EQ(exthdr_lookup(exthdr_op::ipv6, "rt0")->field_at(RT0HDR_ADDR_1)->offset, 64u);

    const exthdr_desc* mh = exthdr_lookup(exthdr_op::ipv6, "mh");
    EXPECT_EQ(mh->type, 135u);
    EXPECT_EQ(mh->field("type")->dtype->id, type_id::mh_type);
    EXPECT_EQ(mh->field("checksum")->offset, 32u);

    EXPECT_EQ(exthdr_lookup(exthdr_op::ipv6, 43u)->name, "rt");
    EXPECT_EQ(exthdr_lookup(exthdr_op::ipv6, 0u)->name, "hbh");
    EXPECT_EQ(exthdr_lookup(exthdr_op::ipv6, 60u)->name, "dst");
    EXPECT_EQ(exthdr_lookup(exthdr_op::ipv6, 6u), nullptr);
    EXPECT_EQ(exthdr_all(exthdr_op::ipv6).size(), 8u);

    // Raw routing header loads resolve into the variants.
    exthdr_field_ref r = exthdr_template_find(exthdr_op::ipv6, 43, 24, 8);
    EXPECT_EQ(r.desc->name, "rt");
    EXPECT_EQ(r.field, RTHDR_SEG_LEFT);
    r = exthdr_template_find(exthdr_op::ipv6, 43, 48, 16);
    EXPECT_EQ(r.desc->name, "srh");
    EXPECT_EQ(r.field, RT4HDR_TAG);
    r = exthdr_template_find(exthdr_op::ipv6, 43, 64, 128);
    EXPECT_EQ(r.desc->name, "srh");  // srh is tried before rt0
    r = exthdr_template_find(exthdr_op::ipv6, 43, 32, 32);
    EXPECT_EQ(r.desc->name, "rt0");
    EXPECT_EQ(r.field, RT0HDR_RESERVED);
    r = exthdr_template_find(exthdr_op::ipv6, 44, 7, 3);
    EXPECT_EQ(r.desc->name, "frag");
    EXPECT_EQ(r.field, -1);
}

TEST(exthdr, tcp_options) {
    const exthdr_desc* maxseg = exthdr_lookup(exthdr_op::tcpopt, "maxseg");
    ASSERT_NE(maxseg, nullptr);
    EXPECT_EQ(maxseg->type, 2u);
    const proto_hdr_template* size = maxseg->field("size");
    ASSERT_NE(size, nullptr);
    EXPECT_EQ(size->offset, 16u);
    EXPECT_EQ(size->len, 16u);
    EXPECT_EQ(size->order, byte_order::big);
    EXPECT_EQ(maxseg->field_index("size"), TCPOPT_MAXSEG_SIZE);
    EXPECT_EQ(maxseg->field_index("kind"), TCPOPT_MAXSEG_KIND);

    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, "window")->field("count")->len, 8u);
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, "sack-permitted"), exthdr_lookup(exthdr_op::tcpopt, "sack-perm"));
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, "sack-perm")->type, 4u);
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, "timestamp")->field("tsecr")->offset, 48u);
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, 34u)->name, "fastopen");
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, 19u)->name, "md5sig");
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, 6u), nullptr);
    EXPECT_EQ(exthdr_all(exthdr_op::tcpopt).size(), 10u);

    const exthdr_desc* mptcp = exthdr_lookup(exthdr_op::tcpopt, "mptcp");
    EXPECT_EQ(mptcp->type, 30u);
    EXPECT_EQ(mptcp->field("subtype")->offset, 16u);
    EXPECT_EQ(mptcp->field("subtype")->len, 4u);
    EXPECT_EQ(mptcp->field("subtype")->dtype->id, type_id::mptcp_subtype);

    // sack blocks: sackN left/right sit 64 bits apart.
    const exthdr_desc* sack = exthdr_lookup(exthdr_op::tcpopt, "sack");
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, "sack0"), sack);
    EXPECT_EQ(exthdr_lookup(exthdr_op::tcpopt, "sack3"), sack);
    EXPECT_EQ(tcpopt_kind_by_name("sack2"), TCPOPT_KIND_SACK2);
    EXPECT_EQ(tcpopt_kind_by_name("sack0"), TCPOPT_KIND_SACK);
    EXPECT_EQ(tcpopt_kind_by_name("foobar"), -1);
    exthdr_field_ref r = tcpopt_resolve(TCPOPT_KIND_SACK1, TCPOPT_SACK_LEFT);
    EXPECT_EQ(r.desc, sack);
    EXPECT_EQ(r.field, TCPOPT_SACK_LEFT1);
    EXPECT_EQ(sack->field_at(r.field)->offset, 80u);
    r = tcpopt_resolve(TCPOPT_KIND_SACK3, TCPOPT_SACK_RIGHT);
    EXPECT_EQ(sack->field_at(r.field)->offset, 240u);
    r = tcpopt_resolve(TCPOPT_KIND_SACK, TCPOPT_SACK_RIGHT);
    EXPECT_EQ(sack->field_at(r.field)->offset, 48u);

    // Unknown kinds: kind/length only.
    r = tcpopt_resolve(255, TCPOPT_COMMON_LENGTH);
    EXPECT_EQ(r.desc, tcpopt_fallback());
    EXPECT_EQ(r.field, TCPOPT_COMMON_LENGTH);
    EXPECT_EQ(tcpopt_resolve(255, 2).field, -1);
    EXPECT_EQ(tcpopt_resolve(256 + 10, 0).desc, nullptr);
    EXPECT_EQ(tcpopt_resolve(TCPOPT_KIND_EOL, TCPOPT_COMMON_LENGTH).field, -1);

    r = exthdr_template_find(exthdr_op::tcpopt, 5, 112, 32);
    EXPECT_EQ(r.field, TCPOPT_SACK_RIGHT1);
    EXPECT_EQ(exthdr_template_find(exthdr_op::tcpopt, 255, 8, 8).desc, nullptr);
}

TEST(exthdr, ip_options) {
    const exthdr_desc* lsrr = exthdr_lookup(exthdr_op::ipv4, "lsrr");
    ASSERT_NE(lsrr, nullptr);
    EXPECT_EQ(lsrr->type, 131u);
    EXPECT_EQ(lsrr->field_index("addr"), IPOPT_FIELD_ADDR_0);
    EXPECT_EQ(lsrr->field("addr")->offset, 24u);
    EXPECT_EQ(lsrr->field("addr")->dtype->id, type_id::ipaddr);
    EXPECT_EQ(lsrr->field("ptr")->offset, 16u);
    EXPECT_EQ(exthdr_lookup(exthdr_op::ipv4, 7u)->name, "rr");
    EXPECT_EQ(exthdr_lookup(exthdr_op::ipv4, 137u)->name, "ssrr");
    const exthdr_desc* ra = exthdr_lookup(exthdr_op::ipv4, "ra");
    EXPECT_EQ(ra->type, 148u);
    EXPECT_EQ(ra->field_index("value"), IPOPT_FIELD_VALUE);
    EXPECT_EQ(ra->field("value")->len, 16u);
    EXPECT_EQ(ra->field("addr"), nullptr);
}

TEST(exthdr, sctp_chunks) {
    const std::set<std::string> names = {"data", "init", "init-ack", "sack", "heartbeat", "heartbeat-ack", "abort",
                                         "shutdown", "shutdown-ack", "error", "cookie-echo", "cookie-ack", "ecne",
                                         "cwr", "shutdown-complete", "asconf-ack", "forward-tsn", "asconf"};
    std::set<std::string> got;
    for (const exthdr_desc* d : exthdr_all(exthdr_op::sctp)) {
        got.insert(std::string(d->name));
        EXPECT_EQ(d->field_index("type"), SCTP_CHUNK_COMMON_TYPE);
        EXPECT_EQ(d->field("length")->offset, 16u);
        EXPECT_EQ(d->field("length")->len, 16u);
    }
    EXPECT_EQ(got, names);
    const exthdr_desc* data = exthdr_lookup(exthdr_op::sctp, "data");
    EXPECT_EQ(data->field("ppid")->offset, 96u);
    EXPECT_EQ(data->field_index("tsn"), SCTP_CHUNK_DATA_TSN);
    const exthdr_desc* init = exthdr_lookup(exthdr_op::sctp, "init");
    EXPECT_EQ(init->field("num-inbound-streams")->offset, 112u);
    EXPECT_EQ(init->field("initial-tsn")->offset, 128u);
    EXPECT_EQ(exthdr_lookup(exthdr_op::sctp, 193u)->name, "asconf");
    EXPECT_EQ(exthdr_lookup(exthdr_op::sctp, 192u)->field("new-cum-tsn")->offset, 32u);
    EXPECT_EQ(exthdr_lookup(exthdr_op::sctp, 12u)->field("lowest-tsn")->len, 32u);
    EXPECT_EQ(exthdr_lookup(exthdr_op::sctp, 15u), nullptr);
}

TEST(exthdr, dccp_options) {
    EXPECT_EQ(exthdr_lookup(exthdr_op::dccp, 40u)->name, "data_dropped");
    EXPECT_EQ(exthdr_lookup(exthdr_op::dccp, 20u)->name, "reserved_short");
    EXPECT_EQ(exthdr_lookup(exthdr_op::dccp, 100u)->name, "reserved_long");
    EXPECT_EQ(exthdr_lookup(exthdr_op::dccp, 200u)->name, "ccid_specific");
    EXPECT_EQ(exthdr_lookup(exthdr_op::dccp, 0u)->name, "padding");
    const exthdr_desc* d = exthdr_lookup(exthdr_op::dccp, "timestamp_echo");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->type, 42u);
    EXPECT_EQ(d->field_index("type"), DCCPOPT_FIELD_TYPE);
    EXPECT_EQ(d->field("type")->len, 8u);
    exthdr_field_ref r = exthdr_template_find(exthdr_op::dccp, 130, 0, 8);
    EXPECT_EQ(r.desc->name, "ccid_specific");
    EXPECT_EQ(r.field, DCCPOPT_FIELD_TYPE);
}

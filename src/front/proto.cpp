// Protocol header descriptions, following nftables 1.1's src/proto.c: the same headers,
// field order, offsets, widths, types and upper-layer links, so that field indexes and
// dependency generation behave as in nft.
//
// The tables are built on first use (function-local static): their datatypes come from the
// datatype registry, which must not be touched during static initialisation.
#include "front/proto.hpp"

#include <array>
#include <utility>

#include "front/rule.hpp"

namespace nfqwall::front {

namespace {

// Link layer protocol numbers (ether type), kept as plain host numbers: the evaluator
// compares them with the big-endian field value read as a number.
constexpr uint32_t eth_p_ip = 0x0800;
constexpr uint32_t eth_p_arp = 0x0806;
constexpr uint32_t eth_p_ipv6 = 0x86dd;
constexpr uint32_t eth_p_8021q = 0x8100;
constexpr uint32_t eth_p_8021ad = 0x88a8;

constexpr uint32_t ipproto_icmp = 1;
constexpr uint32_t ipproto_igmp = 2;
constexpr uint32_t ipproto_tcp = 6;
constexpr uint32_t ipproto_udp = 17;
constexpr uint32_t ipproto_dccp = 33;
constexpr uint32_t ipproto_gre = 47;
constexpr uint32_t ipproto_esp = 50;
constexpr uint32_t ipproto_ah = 51;
constexpr uint32_t ipproto_icmpv6 = 58;
constexpr uint32_t ipproto_comp = 108;
constexpr uint32_t ipproto_sctp = 132;
constexpr uint32_t ipproto_udplite = 136;

constexpr uint32_t nfproto_ipv4 = 2;
constexpr uint32_t nfproto_ipv6 = 10;

constexpr uint16_t arphrd_ether = 1;

// ICMP/ICMPv6 message types the field dependencies refer to.
constexpr uint8_t icmp_echoreply = 0;
constexpr uint8_t icmp_dest_unreach = 3;
constexpr uint8_t icmp_redirect = 5;
constexpr uint8_t icmp_echo = 8;
constexpr uint8_t icmp6_packet_too_big = 2;
constexpr uint8_t icmp6_param_prob = 4;
constexpr uint8_t icmp6_echo_request = 128;
constexpr uint8_t icmp6_echo_reply = 129;
constexpr uint8_t mld_listener_query = 130;
constexpr uint8_t mld_listener_report = 131;
constexpr uint8_t mld_listener_reduction = 132;
constexpr uint8_t nd_neighbor_solicit = 135;
constexpr uint8_t nd_neighbor_advert = 136;
constexpr uint8_t nd_redirect = 137;

// A big-endian header field (nft's PROTO_HDR_TEMPLATE with BYTEORDER_BIG_ENDIAN).
proto_hdr_template hdr(std::string_view token, type_id t, uint32_t offset, uint32_t len,
                       icmp_hdr_dep dep = ICMP_DEP_ANY) {
    proto_hdr_template tmpl;
    tmpl.token = token;
    tmpl.dtype = &dt(t);
    tmpl.order = byte_order::big;
    tmpl.offset = offset;
    tmpl.len = len;
    tmpl.icmp_dep = dep;
    return tmpl;
}

// A field read with a meta expression (nft's PROTO_META_TEMPLATE, which leaves the byte
// order unset: the meta key's own order applies).
proto_hdr_template meta_field(std::string_view token, type_id t, int key, uint32_t len) {
    proto_hdr_template tmpl;
    tmpl.token = token;
    tmpl.dtype = &dt(t);
    tmpl.order = byte_order::invalid;
    tmpl.len = len;
    tmpl.meta_key = key;
    return tmpl;
}

// Place a template at its field index, growing the table with unused slots as needed.
void put(proto_desc& d, int index, proto_hdr_template tmpl) {
    if (d.templates.size() <= static_cast<size_t>(index))
        d.templates.resize(static_cast<size_t>(index) + 1);
    d.templates[static_cast<size_t>(index)] = tmpl;
}

uint32_t bit(int field) {
    return 1u << static_cast<uint32_t>(field);
}

// All descriptions live in one object so that their mutual links (ah -> ah, vlan -> vlan,
// udp -> vxlan) can point at each other; it is constructed in place and never copied.
struct proto_tables {
    proto_desc eth, vlan, arp, ip, ip6, icmp, igmp, icmp6, ah, esp, comp, udp, udplite, tcp, dccp, sctp, th,
        inet, inet_service, netdev, gre, vxlan, geneve, gretap;
    // A layer known to be present but of no protocol nft knows (`meta l4proto 253`).
    proto_desc unknown;
    std::array<const proto_desc*, 24> all{};

    proto_tables() {
        build_transport();
        build_network();
        build_link();
        build_tunnels();
        build_pseudo();
        unknown.name = "unknown";
        unknown.id = proto_id::unknown;
        unknown.base = proto_base::invalid;
        all = {&eth, &vlan, &arp, &ip, &ip6, &icmp, &igmp, &icmp6, &ah, &esp, &comp, &udp,
               &udplite, &tcp, &dccp, &sctp, &th, &inet, &inet_service, &netdev, &gre, &vxlan, &geneve, &gretap};
    }
    proto_tables(const proto_tables&) = delete;
    proto_tables& operator=(const proto_tables&) = delete;

    // The transport protocols an IPsec or compression header may carry (nft's ah/comp
    // links, also the first part of ip6's and inet_service's).
    std::vector<proto_link> ipsec_uppers() const {
        return {{ipproto_esp, &esp},         {ipproto_ah, &ah},   {ipproto_comp, &comp},
                {ipproto_udp, &udp},         {ipproto_udplite, &udplite},
                {ipproto_tcp, &tcp},         {ipproto_dccp, &dccp}, {ipproto_sctp, &sctp}};
    }

    // What an ethernet type field may announce (ether, vlan, netdev).
    std::vector<proto_link> ll_uppers(bool with_8021ad) const {
        std::vector<proto_link> v = {
            {eth_p_ip, &ip}, {eth_p_arp, &arp}, {eth_p_ipv6, &ip6}, {eth_p_8021q, &vlan}};
        if (with_8021ad)
            v.push_back({eth_p_8021ad, &vlan});
        return v;
    }

    void build_transport() {
        ah.name = "ah";
        ah.id = proto_id::ah;
        ah.base = proto_base::transport;
        ah.protocol_key = AHHDR_NEXTHDR;
        ah.protocols = ipsec_uppers();
        put(ah, AHHDR_NEXTHDR, hdr("nexthdr", type_id::inet_protocol, 0, 8));
        put(ah, AHHDR_HDRLENGTH, hdr("hdrlength", type_id::integer, 8, 8));
        put(ah, AHHDR_RESERVED, hdr("reserved", type_id::integer, 16, 16));
        put(ah, AHHDR_SPI, hdr("spi", type_id::integer, 32, 32));
        put(ah, AHHDR_SEQUENCE, hdr("sequence", type_id::integer, 64, 32));
        ah.format_order = {AHHDR_SPI, AHHDR_HDRLENGTH, AHHDR_NEXTHDR};
        ah.format_filter = bit(AHHDR_RESERVED) | bit(AHHDR_SEQUENCE);

        esp.name = "esp";
        esp.id = proto_id::esp;
        esp.base = proto_base::transport;
        put(esp, ESPHDR_SPI, hdr("spi", type_id::integer, 0, 32));
        put(esp, ESPHDR_SEQUENCE, hdr("sequence", type_id::integer, 32, 32));

        comp.name = "comp";
        comp.id = proto_id::comp;
        comp.base = proto_base::transport;
        comp.protocol_key = COMPHDR_NEXTHDR;
        comp.protocols = ipsec_uppers();
        put(comp, COMPHDR_NEXTHDR, hdr("nexthdr", type_id::inet_protocol, 0, 8));
        put(comp, COMPHDR_FLAGS, hdr("flags", type_id::bitmask, 8, 8));
        put(comp, COMPHDR_CPI, hdr("cpi", type_id::integer, 16, 16));

        icmp.name = "icmp";
        icmp.id = proto_id::icmp;
        icmp.base = proto_base::transport;
        icmp.protocol_key = ICMPHDR_TYPE;
        icmp.checksum_key = ICMPHDR_CHECKSUM;
        icmp.checksum_type = csum_type::inet;
        put(icmp, ICMPHDR_TYPE, hdr("type", type_id::icmp_type, 0, 8));
        put(icmp, ICMPHDR_CODE, hdr("code", type_id::icmp_code, 8, 8));
        put(icmp, ICMPHDR_CHECKSUM, hdr("checksum", type_id::integer, 16, 16));
        put(icmp, ICMPHDR_ID, hdr("id", type_id::integer, 32, 16, ICMP_DEP_ECHO));
        put(icmp, ICMPHDR_SEQ, hdr("sequence", type_id::integer, 48, 16, ICMP_DEP_ECHO));
        put(icmp, ICMPHDR_GATEWAY, hdr("gateway", type_id::integer, 32, 32, ICMP_DEP_ADDRESS));
        put(icmp, ICMPHDR_MTU, hdr("mtu", type_id::integer, 48, 16, ICMP_DEP_MTU));

        igmp.name = "igmp";
        igmp.id = proto_id::igmp;
        igmp.base = proto_base::transport;
        igmp.checksum_key = IGMPHDR_CHECKSUM;
        igmp.checksum_type = csum_type::inet;
        put(igmp, IGMPHDR_TYPE, hdr("type", type_id::igmp_type, 0, 8));
        put(igmp, IGMPHDR_MRT, hdr("mrt", type_id::integer, 8, 8));
        put(igmp, IGMPHDR_CHECKSUM, hdr("checksum", type_id::integer, 16, 16));
        put(igmp, IGMPHDR_GROUP, hdr("group", type_id::integer, 32, 32));

        // udp links to vxlan/geneve with number 0: the tunnel is chosen by the user
        // (`udp dport 4789 vxlan ...`), not by a protocol field.
        udp.name = "udp";
        udp.id = proto_id::udp;
        udp.base = proto_base::transport;
        udp.checksum_key = UDPHDR_CHECKSUM;
        udp.checksum_type = csum_type::inet;
        udp.protocols = {{0, &vxlan}, {0, &geneve}};
        put(udp, UDPHDR_SPORT, hdr("sport", type_id::inet_service, 0, 16));
        put(udp, UDPHDR_DPORT, hdr("dport", type_id::inet_service, 16, 16));
        put(udp, UDPHDR_LENGTH, hdr("length", type_id::integer, 32, 16));
        put(udp, UDPHDR_CHECKSUM, hdr("checksum", type_id::integer, 48, 16));

        udplite.name = "udplite";
        udplite.id = proto_id::udplite;
        udplite.base = proto_base::transport;
        udplite.checksum_key = UDPHDR_CHECKSUM;
        udplite.checksum_type = csum_type::inet;
        put(udplite, UDPHDR_SPORT, hdr("sport", type_id::inet_service, 0, 16));
        put(udplite, UDPHDR_DPORT, hdr("dport", type_id::inet_service, 16, 16));
        put(udplite, UDPHDR_CSUMCOV, hdr("csumcov", type_id::integer, 32, 16));
        put(udplite, UDPHDR_CHECKSUM, hdr("checksum", type_id::integer, 48, 16));

        tcp.name = "tcp";
        tcp.id = proto_id::tcp;
        tcp.base = proto_base::transport;
        tcp.checksum_key = TCPHDR_CHECKSUM;
        tcp.checksum_type = csum_type::inet;
        put(tcp, TCPHDR_SPORT, hdr("sport", type_id::inet_service, 0, 16));
        put(tcp, TCPHDR_DPORT, hdr("dport", type_id::inet_service, 16, 16));
        put(tcp, TCPHDR_SEQ, hdr("sequence", type_id::integer, 32, 32));
        put(tcp, TCPHDR_ACKSEQ, hdr("ackseq", type_id::integer, 64, 32));
        put(tcp, TCPHDR_DOFF, hdr("doff", type_id::integer, 96, 4));
        put(tcp, TCPHDR_RESERVED, hdr("reserved", type_id::integer, 100, 4));
        put(tcp, TCPHDR_FLAGS, hdr("flags", type_id::tcp_flag, 104, 8));
        put(tcp, TCPHDR_WINDOW, hdr("window", type_id::integer, 112, 16));
        put(tcp, TCPHDR_CHECKSUM, hdr("checksum", type_id::integer, 128, 16));
        put(tcp, TCPHDR_URGPTR, hdr("urgptr", type_id::integer, 144, 16));
        tcp.format_filter =
            bit(TCPHDR_SEQ) | bit(TCPHDR_ACKSEQ) | bit(TCPHDR_DOFF) | bit(TCPHDR_RESERVED) | bit(TCPHDR_URGPTR);

        dccp.name = "dccp";
        dccp.id = proto_id::dccp;
        dccp.base = proto_base::transport;
        put(dccp, DCCPHDR_SPORT, hdr("sport", type_id::inet_service, 0, 16));
        put(dccp, DCCPHDR_DPORT, hdr("dport", type_id::inet_service, 16, 16));
        // 4 bits after the 3 reserved bits of byte 8 (dccph_type).
        put(dccp, DCCPHDR_TYPE, hdr("type", type_id::dccp_pkttype, 8 * 8 + 3, 4));

        sctp.name = "sctp";
        sctp.id = proto_id::sctp;
        sctp.base = proto_base::transport;
        sctp.checksum_key = SCTPHDR_CHECKSUM;
        sctp.checksum_type = csum_type::sctp;
        put(sctp, SCTPHDR_SPORT, hdr("sport", type_id::inet_service, 0, 16));
        put(sctp, SCTPHDR_DPORT, hdr("dport", type_id::inet_service, 16, 16));
        put(sctp, SCTPHDR_VTAG, hdr("vtag", type_id::integer, 32, 32));
        put(sctp, SCTPHDR_CHECKSUM, hdr("checksum", type_id::integer, 64, 32));

        // The ports shared by udp, tcp, dccp and sctp (`th dport`).
        th.name = "th";
        th.id = proto_id::th;
        th.base = proto_base::transport;
        put(th, THDR_SPORT, hdr("sport", type_id::inet_service, 0, 16));
        put(th, THDR_DPORT, hdr("dport", type_id::inet_service, 16, 16));

        icmp6.name = "icmpv6";
        icmp6.id = proto_id::icmp6;
        icmp6.base = proto_base::transport;
        icmp6.protocol_key = ICMP6HDR_TYPE;
        icmp6.checksum_key = ICMP6HDR_CHECKSUM;
        icmp6.checksum_type = csum_type::inet;
        put(icmp6, ICMP6HDR_TYPE, hdr("type", type_id::icmp6_type, 0, 8));
        put(icmp6, ICMP6HDR_CODE, hdr("code", type_id::icmpv6_code, 8, 8));
        put(icmp6, ICMP6HDR_CHECKSUM, hdr("checksum", type_id::integer, 16, 16));
        put(icmp6, ICMP6HDR_PPTR, hdr("parameter-problem", type_id::integer, 32, 32, ICMP_DEP_ICMP6_PPTR));
        put(icmp6, ICMP6HDR_MTU, hdr("mtu", type_id::integer, 32, 32, ICMP_DEP_ICMP6_MTU));
        put(icmp6, ICMP6HDR_ID, hdr("id", type_id::integer, 32, 16, ICMP_DEP_ICMP6_ECHO));
        put(icmp6, ICMP6HDR_SEQ, hdr("sequence", type_id::integer, 48, 16, ICMP_DEP_ICMP6_ECHO));
        put(icmp6, ICMP6HDR_MAXDELAY, hdr("max-delay", type_id::integer, 32, 16, ICMP_DEP_ICMP6_MGMQ));
        // Neighbour discovery target (after the 8 byte header) and redirect destination
        // (after the target).
        put(icmp6, ICMP6HDR_TADDR, hdr("taddr", type_id::ip6addr, 64, 128, ICMP_DEP_ICMP6_ADDRESS));
        put(icmp6, ICMP6HDR_DADDR, hdr("daddr", type_id::ip6addr, 192, 128, ICMP_DEP_ICMP6_REDIRECT));
    }

    void build_network() {
        ip.name = "ip";
        ip.id = proto_id::ip;
        ip.base = proto_base::network;
        // nft matches the upper protocol with `meta l4proto` (template 0), which also sees
        // through IPv6 extension headers; kept for IPv4 for consistency.
        ip.protocol_key = 0;
        ip.checksum_key = IPHDR_CHECKSUM;
        ip.checksum_type = csum_type::inet;
        ip.protocols = {{ipproto_icmp, &icmp}, {ipproto_igmp, &igmp}, {ipproto_icmpv6, &icmp6},
                        {ipproto_esp, &esp},   {ipproto_ah, &ah},     {ipproto_comp, &comp},
                        {ipproto_udp, &udp},   {ipproto_udplite, &udplite},
                        {ipproto_tcp, &tcp},   {ipproto_dccp, &dccp}, {ipproto_sctp, &sctp},
                        {ipproto_gre, &gre},   {ipproto_gre, &gretap}};
        put(ip, 0, meta_field("l4proto", type_id::inet_protocol, META_L4PROTO, 8));
        put(ip, IPHDR_VERSION, hdr("version", type_id::integer, 0, 4));
        put(ip, IPHDR_HDRLENGTH, hdr("hdrlength", type_id::integer, 4, 4));
        put(ip, IPHDR_DSCP, hdr("dscp", type_id::dscp, 8, 6));
        put(ip, IPHDR_ECN, hdr("ecn", type_id::ecn, 14, 2));
        put(ip, IPHDR_LENGTH, hdr("length", type_id::integer, 16, 16));
        put(ip, IPHDR_ID, hdr("id", type_id::integer, 32, 16));
        put(ip, IPHDR_FRAG_OFF, hdr("frag-off", type_id::xinteger, 48, 16));
        put(ip, IPHDR_TTL, hdr("ttl", type_id::integer, 64, 8));
        put(ip, IPHDR_PROTOCOL, hdr("protocol", type_id::inet_protocol, 72, 8));
        put(ip, IPHDR_CHECKSUM, hdr("checksum", type_id::integer, 80, 16));
        put(ip, IPHDR_SADDR, hdr("saddr", type_id::ipaddr, 96, 32));
        put(ip, IPHDR_DADDR, hdr("daddr", type_id::ipaddr, 128, 32));
        ip.format_order = {IPHDR_SADDR, IPHDR_DADDR, IPHDR_DSCP,     IPHDR_ECN,
                           IPHDR_TTL,   IPHDR_ID,    IPHDR_PROTOCOL, IPHDR_LENGTH};
        ip.format_filter = bit(IPHDR_VERSION) | bit(IPHDR_HDRLENGTH) | bit(IPHDR_FRAG_OFF);
        ip.pseudohdr = {IPHDR_SADDR, IPHDR_DADDR, IPHDR_PROTOCOL, IPHDR_LENGTH};

        ip6.name = "ip6";
        ip6.id = proto_id::ip6;
        ip6.base = proto_base::network;
        ip6.protocol_key = 0;
        ip6.protocols = ipsec_uppers();
        ip6.protocols.insert(ip6.protocols.end(), {{ipproto_icmp, &icmp},
                                                   {ipproto_igmp, &igmp},
                                                   {ipproto_icmpv6, &icmp6},
                                                   {ipproto_gre, &gre},
                                                   {ipproto_gre, &gretap}});
        put(ip6, 0, meta_field("l4proto", type_id::inet_protocol, META_L4PROTO, 8));
        put(ip6, IP6HDR_VERSION, hdr("version", type_id::integer, 0, 4));
        put(ip6, IP6HDR_DSCP, hdr("dscp", type_id::dscp, 4, 6));
        put(ip6, IP6HDR_ECN, hdr("ecn", type_id::ecn, 10, 2));
        put(ip6, IP6HDR_FLOWLABEL, hdr("flowlabel", type_id::integer, 12, 20));
        put(ip6, IP6HDR_LENGTH, hdr("length", type_id::integer, 32, 16));
        put(ip6, IP6HDR_NEXTHDR, hdr("nexthdr", type_id::inet_protocol, 48, 8));
        put(ip6, IP6HDR_HOPLIMIT, hdr("hoplimit", type_id::integer, 56, 8));
        put(ip6, IP6HDR_SADDR, hdr("saddr", type_id::ip6addr, 64, 128));
        put(ip6, IP6HDR_DADDR, hdr("daddr", type_id::ip6addr, 192, 128));
        ip6.format_order = {IP6HDR_SADDR,    IP6HDR_DADDR,     IP6HDR_DSCP,    IP6HDR_ECN,
                            IP6HDR_HOPLIMIT, IP6HDR_FLOWLABEL, IP6HDR_NEXTHDR, IP6HDR_LENGTH};
        ip6.format_filter = bit(IP6HDR_VERSION);
        ip6.pseudohdr = {IP6HDR_SADDR, IP6HDR_DADDR, IP6HDR_NEXTHDR, IP6HDR_LENGTH};

        // ARP for ethernet/IPv4: hardware and protocol addresses at fixed offsets.
        arp.name = "arp";
        arp.id = proto_id::arp;
        arp.base = proto_base::network;
        put(arp, ARPHDR_HRD, hdr("htype", type_id::integer, 0, 16));
        put(arp, ARPHDR_PRO, hdr("ptype", type_id::ethertype, 16, 16));
        put(arp, ARPHDR_HLN, hdr("hlen", type_id::integer, 32, 8));
        put(arp, ARPHDR_PLN, hdr("plen", type_id::integer, 40, 8));
        put(arp, ARPHDR_OP, hdr("operation", type_id::arpop, 48, 16));
        put(arp, ARPHDR_SADDR_ETHER, hdr("saddr ether", type_id::etheraddr, 64, 48));
        put(arp, ARPHDR_SADDR_IP, hdr("saddr ip", type_id::ipaddr, 112, 32));
        put(arp, ARPHDR_DADDR_ETHER, hdr("daddr ether", type_id::etheraddr, 144, 48));
        put(arp, ARPHDR_DADDR_IP, hdr("daddr ip", type_id::ipaddr, 192, 32));
        arp.format_filter = bit(ARPHDR_HRD) | bit(ARPHDR_PRO) | bit(ARPHDR_HLN) | bit(ARPHDR_PLN) |
                            bit(ARPHDR_SADDR_ETHER) | bit(ARPHDR_DADDR_ETHER) | bit(ARPHDR_SADDR_IP) |
                            bit(ARPHDR_DADDR_IP);
    }

    void build_link() {
        vlan.name = "vlan";
        vlan.id = proto_id::vlan;
        vlan.base = proto_base::ll;
        vlan.protocol_key = VLANHDR_TYPE;
        vlan.length = 4 * 8;
        vlan.protocols = ll_uppers(true);
        put(vlan, VLANHDR_PCP, hdr("pcp", type_id::integer, 0, 3));
        put(vlan, VLANHDR_DEI, hdr("dei", type_id::integer, 3, 1));
        put(vlan, VLANHDR_CFI, hdr("cfi", type_id::integer, 3, 1));
        put(vlan, VLANHDR_VID, hdr("id", type_id::integer, 4, 12));
        put(vlan, VLANHDR_TYPE, hdr("type", type_id::ethertype, 16, 16));

        eth.name = "ether";
        eth.id = proto_id::eth;
        eth.base = proto_base::ll;
        eth.protocol_key = ETHHDR_TYPE;
        eth.length = 14 * 8;
        eth.protocols = ll_uppers(true);
        put(eth, ETHHDR_DADDR, hdr("daddr", type_id::etheraddr, 0, 48));
        put(eth, ETHHDR_SADDR, hdr("saddr", type_id::etheraddr, 48, 48));
        put(eth, ETHHDR_TYPE, hdr("type", type_id::ethertype, 96, 16));
        eth.format_order = {ETHHDR_SADDR, ETHHDR_DADDR, ETHHDR_TYPE};
    }

    void build_tunnels() {
        // Tunnel headers carry an inner ethernet frame (vxlan, geneve, gretap) or an inner
        // network packet (gre); vxlan and geneve links omit 802.1ad as nft does.
        vxlan.name = "vxlan";
        vxlan.id = proto_id::vxlan;
        vxlan.base = proto_base::inner;
        vxlan.protocols = ll_uppers(false);
        put(vxlan, VXLANHDR_VNI, hdr("vni", type_id::integer, 4 * 8, 24));
        put(vxlan, VXLANHDR_FLAGS, hdr("flags", type_id::bitmask, 0, 8));
        vxlan.inner = {8, INNER_F_HDRSIZE | INNER_F_LL | INNER_F_NH | INNER_F_TH, INNER_T_VXLAN};

        geneve.name = "geneve";
        geneve.id = proto_id::geneve;
        geneve.base = proto_base::inner;
        geneve.protocols = ll_uppers(false);
        put(geneve, GNVHDR_VNI, hdr("vni", type_id::integer, 4 * 8, 24));
        put(geneve, GNVHDR_TYPE, hdr("type", type_id::ethertype, 16, 16));
        geneve.inner = {8, INNER_F_HDRSIZE | INNER_F_LL | INNER_F_NH | INNER_F_TH, INNER_T_GENEVE};

        gre.name = "gre";
        gre.id = proto_id::gre;
        gre.base = proto_base::transport;
        gre.protocol_key = 0;
        put(gre, 0, meta_field("l4proto", type_id::inet_protocol, META_L4PROTO, 8));
        put(gre, GREHDR_VERSION, hdr("version", type_id::integer, 13, 3));
        put(gre, GREHDR_FLAGS, hdr("flags", type_id::integer, 0, 5));
        put(gre, GREHDR_PROTOCOL, hdr("protocol", type_id::ethertype, 16, 16));
        gre.inner = {4, INNER_F_NH | INNER_F_TH, INNER_T_GRE};

        gretap.name = "gretap";
        gretap.id = proto_id::gretap;
        gretap.base = proto_base::transport;
        gretap.protocol_key = 0;
        put(gretap, 0, meta_field("l4proto", type_id::inet_protocol, META_L4PROTO, 8));
        gretap.inner = {4, INNER_F_LL | INNER_F_NH | INNER_F_TH, INNER_T_GRETAP};
    }

    void build_pseudo() {
        // inet chains see IPv4 and IPv6; the network protocol is `meta nfproto`.
        inet.name = "inet";
        inet.id = proto_id::inet;
        inet.base = proto_base::ll;
        inet.protocol_key = 0;
        inet.protocols = {{nfproto_ipv4, &ip}, {nfproto_ipv6, &ip6}};
        put(inet, 0, meta_field("nfproto", type_id::nfproto, META_NFPROTO, 8));

        // Transport protocols common to IPv4 and IPv6, selected by `meta l4proto`.
        inet_service.name = "inet-service";
        inet_service.id = proto_id::inet_service;
        inet_service.base = proto_base::transport;
        inet_service.protocol_key = 0;
        inet_service.protocols = ip6.protocols;
        put(inet_service, 0, meta_field("l4proto", type_id::inet_protocol, META_L4PROTO, 8));

        // netdev chains: the network protocol is `meta protocol` (skb->protocol).
        netdev.name = "netdev";
        netdev.id = proto_id::netdev;
        netdev.base = proto_base::ll;
        netdev.protocol_key = 0;
        netdev.protocols = ll_uppers(true);
        put(netdev, 0, meta_field("protocol", type_id::ethertype, META_PROTOCOL, 16));
    }
};

const proto_tables& tables() {
    static const proto_tables t;
    return t;
}

}  // namespace

const proto_hdr_template* proto_desc::field(std::string_view token) const {
    const int i = field_index(token);
    return i < 0 ? nullptr : &templates[static_cast<size_t>(i)];
}

int proto_desc::field_index(std::string_view token) const {
    if (token.empty())
        return -1;
    for (size_t i = 0; i < templates.size(); i++) {
        if (templates[i].token == token)
            return static_cast<int>(i);
    }
    return -1;
}

const proto_hdr_template* proto_desc::field_at(int index) const {
    if (index < 0 || static_cast<size_t>(index) >= templates.size())
        return nullptr;
    const proto_hdr_template& t = templates[static_cast<size_t>(index)];
    return t.token.empty() ? nullptr : &t;
}

const proto_desc* proto_desc::find_upper(u128 num) const {
    for (const proto_link& l : protocols) {
        if (l.num == num)
            return l.desc;
    }
    return nullptr;
}

bool proto_desc::find_num(const proto_desc* upper, u128& num) const {
    for (const proto_link& l : protocols) {
        if (l.desc == upper) {
            num = l.num;
            return true;
        }
    }
    return false;
}

const proto_desc* proto_lookup(proto_id id) {
    if (id == proto_id::unknown) return &tables().unknown;
    for (const proto_desc* d : tables().all) {
        if (d->id == id)
            return d;
    }
    return nullptr;
}

const proto_desc* proto_lookup(std::string_view keyword) {
    // Only real headers have a keyword; the pseudo headers (inet, inet-service, netdev)
    // are reachable by id only.
    for (const proto_desc* d : tables().all) {
        if (d->id == proto_id::inet || d->id == proto_id::inet_service || d->id == proto_id::netdev)
            continue;
        if (d->name == keyword)
            return d;
    }
    return nullptr;
}

std::span<const proto_desc* const> proto_all() {
    return tables().all;
}

hook_proto hook_proto_for(family f) {
    const proto_tables& t = tables();
    switch (f) {
    case family::bridge:
        return {proto_base::ll, &t.eth};
    case family::netdev:
        return {proto_base::ll, &t.netdev};
    case family::inet:
        return {proto_base::ll, &t.inet};
    case family::ipv4:
        return {proto_base::network, &t.ip};
    case family::ipv6:
        return {proto_base::network, &t.ip6};
    case family::arp:
        return {proto_base::network, &t.arp};
    case family::unspec:
        break;
    }
    return {proto_base::invalid, nullptr};
}

std::string_view proto_base_name(proto_base b) {
    switch (b) {
    case proto_base::invalid:
        return "invalid";
    case proto_base::ll:
        return "link layer";
    case proto_base::network:
        return "network layer";
    case proto_base::transport:
        return "transport layer";
    case proto_base::inner:
        return "payload data";
    }
    return "invalid";
}

std::string_view proto_base_token(proto_base b) {
    switch (b) {
    case proto_base::invalid:
        return "invalid";
    case proto_base::ll:
        return "ll";
    case proto_base::network:
        return "nh";
    case proto_base::transport:
        return "th";
    case proto_base::inner:
        return "ih";
    }
    return "invalid";
}

int proto_template_find(const proto_desc& desc, uint32_t offset, uint32_t len, uint8_t icmp_type) {
    for (size_t i = 0; i < desc.templates.size(); i++) {
        const proto_hdr_template& t = desc.templates[i];
        if (t.token.empty() || t.offset != offset || t.len != len)
            continue;
        if (i == 0 && t.meta_key >= 0)
            continue;
        if (t.icmp_dep != ICMP_DEP_ANY && icmp_type != 0 && !icmp_dep_type_match(t.icmp_dep, icmp_type))
            continue;
        return static_cast<int>(i);
    }
    return -1;
}

uint8_t icmp_dep_to_type(icmp_hdr_dep dep) {
    switch (dep) {
    case ICMP_DEP_ANY:
        return 0;
    case ICMP_DEP_ECHO:
        return icmp_echo;
    case ICMP_DEP_MTU:
        return icmp_dest_unreach;
    case ICMP_DEP_ADDRESS:
        return icmp_redirect;
    case ICMP_DEP_ICMP6_MTU:
        return icmp6_packet_too_big;
    case ICMP_DEP_ICMP6_PPTR:
        return icmp6_param_prob;
    case ICMP_DEP_ICMP6_ECHO:
        return icmp6_echo_request;
    case ICMP_DEP_ICMP6_MGMQ:
        return mld_listener_query;
    case ICMP_DEP_ICMP6_ADDRESS:
        return nd_neighbor_solicit;
    case ICMP_DEP_ICMP6_REDIRECT:
        return nd_redirect;
    }
    return 0;
}

bool icmp_dep_type_match(icmp_hdr_dep dep, uint8_t type) {
    switch (dep) {
    case ICMP_DEP_ANY:
        return true;
    case ICMP_DEP_ECHO:
        return type == icmp_echo || type == icmp_echoreply;
    case ICMP_DEP_ICMP6_ECHO:
        return type == icmp6_echo_request || type == icmp6_echo_reply;
    case ICMP_DEP_ICMP6_ADDRESS:
        return type == nd_neighbor_solicit || type == nd_neighbor_advert || type == nd_redirect ||
               type == mld_listener_query || type == mld_listener_report || type == mld_listener_reduction;
    case ICMP_DEP_MTU:
    case ICMP_DEP_ADDRESS:
    case ICMP_DEP_ICMP6_MTU:
    case ICMP_DEP_ICMP6_PPTR:
    case ICMP_DEP_ICMP6_MGMQ:
    case ICMP_DEP_ICMP6_REDIRECT:
        return icmp_dep_to_type(dep) == type;
    }
    return false;
}

bool proto_dev_type(const proto_desc* desc, uint16_t& type) {
    const proto_desc* eth = &tables().eth;
    u128 num = 0;
    if (desc == nullptr)
        return false;
    if (desc == eth || eth->find_num(desc, num)) {
        type = arphrd_ether;
        return true;
    }
    return false;
}

const proto_desc* proto_dev_desc(uint16_t type) {
    return type == arphrd_ether ? &tables().eth : nullptr;
}

const proto_desc* proto_find_inner(uint32_t type, uint32_t hdrsize, uint32_t flags) {
    const proto_tables& t = tables();
    for (const proto_desc* d : {&t.vxlan, &t.geneve, &t.gre, &t.gretap}) {
        if (d->inner.type == type && d->inner.hdrsize == hdrsize && d->inner.flags == flags)
            return d;
    }
    return nullptr;
}

}  // namespace nfqwall::front

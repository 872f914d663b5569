// Protocol header descriptions: which fields each header has (offset, width, type), how
// headers stack (ether type -> ip -> protocol -> tcp), and the pseudo-headers nft uses for
// families (inet, netdev). Also the key tables of meta, ct, exthdr and option expressions.
// Modelled on nftables' proto.c, meta.c, ct.c, exthdr.c, tcpopt.c, ipopt.c, sctp_chunk.c.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "front/datatype.hpp"
#include "front/expr.hpp"

namespace nfqwall::front {

enum class family : uint8_t;

// One header field. A "meta template" (meta_key >= 0) names a field that is read with a meta
// expression instead of a payload load (inet's nfproto, ip's l4proto).
struct proto_hdr_template {
    std::string_view token;  // "dport"
    const datatype* dtype = nullptr;
    byte_order order = byte_order::big;
    uint32_t offset = 0;  // bits from the start of the header
    uint32_t len = 0;     // bits
    int meta_key = -1;
};

struct proto_link {
    u128 num;  // value of the lower layer's protocol key field
    const struct proto_desc* desc;
};

enum class proto_id : uint8_t {
    unknown,
    eth,
    vlan,
    arp,
    ip,
    ip6,
    icmp,
    igmp,
    icmp6,
    ah,
    esp,
    comp,
    udp,
    udplite,
    tcp,
    dccp,
    sctp,
    th,
    inet,
    inet_service,
    netdev,
    gre,
    vxlan,
    geneve,
    gretap,
};

struct proto_desc {
    std::string_view name;  // the keyword: "tcp"
    proto_id id = proto_id::unknown;
    proto_base base = proto_base::invalid;
    int protocol_key = -1;  // template index naming the upper protocol (ip protocol)
    int checksum_key = -1;
    uint32_t length = 0;  // header length in bits when fixed (ether, vlan)
    std::vector<proto_link> protocols;  // upper layer protocols
    std::vector<proto_hdr_template> templates;  // indexed by field number; [0] may be a meta template
    // Listing: field order preference and fields never shown merged (nft's .format).
    std::vector<int> format_order;
    uint32_t format_filter = 0;

    const proto_hdr_template* field(std::string_view token) const;
    int field_index(std::string_view token) const;
    const proto_desc* find_upper(u128 num) const;
    bool find_num(const proto_desc* upper, u128& num) const;
};

// The protocol descriptions by id (nullptr for unknown).
const proto_desc* proto_lookup(proto_id id);
// By keyword ("tcp", "ip6", "ether", "vlan", "th"...).
const proto_desc* proto_lookup(std::string_view keyword);

// The header a family's chains start with: ip -> (network, ip), inet -> (ll, inet)...
struct hook_proto {
    proto_base base;
    const proto_desc* desc;
};
hook_proto hook_proto_for(family f);

// ---- meta ----

enum meta_key : int {
    META_LEN = 0,
    META_PROTOCOL = 1,
    META_PRIORITY = 2,
    META_MARK = 3,
    META_IIF = 4,
    META_OIF = 5,
    META_IIFNAME = 6,
    META_OIFNAME = 7,
    META_IIFTYPE = 8,
    META_OIFTYPE = 9,
    META_SKUID = 10,
    META_SKGID = 11,
    META_NFTRACE = 12,
    META_RTCLASSID = 13,
    META_SECMARK = 14,
    META_NFPROTO = 15,
    META_L4PROTO = 16,
    META_BRI_IIFNAME = 17,
    META_BRI_OIFNAME = 18,
    META_PKTTYPE = 19,
    META_CPU = 20,
    META_IIFGROUP = 21,
    META_OIFGROUP = 22,
    META_CGROUP = 23,
    META_PRANDOM = 24,
    META_SECPATH = 25,
    META_IIFKIND = 26,
    META_OIFKIND = 27,
    META_BRI_IIFPVID = 28,
    META_BRI_IIFVPROTO = 29,
    META_TIME_NS = 30,
    META_TIME_DAY = 31,
    META_TIME_HOUR = 32,
    META_SDIF = 33,
    META_SDIFNAME = 34,
    META_BRI_BROUTE = 35,
    META_BRI_IIFHWADDR = 36,
    META_MAX,
};

struct meta_template {
    std::string_view token;  // "mark", "l4proto"...
    const datatype* dtype = nullptr;
    uint32_t len = 0;  // bits
    byte_order order = byte_order::host;
    bool unqualified_print = false;  // listed without `meta ` (iifname, oif...)
};
const meta_template* meta_lookup(int key);
int meta_key_by_name(std::string_view token);

// ---- ct ----

enum ct_key : int {
    CT_STATE = 0,
    CT_DIRECTION = 1,
    CT_STATUS = 2,
    CT_MARK = 3,
    CT_SECMARK = 4,
    CT_EXPIRATION = 5,
    CT_HELPER = 6,
    CT_L3PROTOCOL = 7,
    CT_SRC = 8,
    CT_DST = 9,
    CT_PROTOCOL = 10,
    CT_PROTO_SRC = 11,
    CT_PROTO_DST = 12,
    CT_LABELS = 13,
    CT_PKTS = 14,
    CT_BYTES = 15,
    CT_AVGPKT = 16,
    CT_ZONE = 17,
    CT_EVENTMASK = 18,
    CT_SRC_IP = 19,
    CT_DST_IP = 20,
    CT_SRC_IP6 = 21,
    CT_DST_IP6 = 22,
    CT_ID = 23,
    CT_MAX,
};

struct ct_template {
    std::string_view token;  // "state", "proto-src"...
    const datatype* dtype = nullptr;
    uint32_t len = 0;
    byte_order order = byte_order::host;
};
const ct_template* ct_lookup(int key);
int ct_key_by_name(std::string_view token);

// ---- ipv6 extension headers, tcp/ip options, sctp chunks ----

struct exthdr_desc {
    std::string_view name;  // "hbh", "rt", "frag", "maxseg", "lsrr", "data"...
    exthdr_op op = exthdr_op::ipv6;
    uint32_t type = 0;  // header number / option kind / chunk type
    std::vector<proto_hdr_template> templates;  // [0] is the type/nexthdr field where nft has one

    const proto_hdr_template* field(std::string_view token) const;
    int field_index(std::string_view token) const;
};

const exthdr_desc* exthdr_lookup(exthdr_op op, std::string_view name);
const exthdr_desc* exthdr_lookup(exthdr_op op, uint32_t type);
std::span<const exthdr_desc* const> exthdr_all(exthdr_op op);

}  // namespace nfqwall::front

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
// expr.hpp is not self-contained: set_elem_expr's inline constructor needs stmt complete
// (it destroys a vector<stmt_ptr>), so a TU including only proto.hpp would not compile.
#include "front/stmt.hpp"

namespace nfqwall::front {

enum class family : uint8_t;

// Which ICMP/ICMPv6 message type a header field belongs to (nft's icmp_hdr_field_type);
// the evaluator adds an `icmp type` dependency from it and listing uses it to pick between
// fields sharing offset and width (icmp sequence vs icmp mtu).
enum icmp_hdr_dep : uint8_t {
    ICMP_DEP_ANY = 0,
    ICMP_DEP_ECHO,           // echo request/reply
    ICMP_DEP_MTU,            // destination unreachable
    ICMP_DEP_ADDRESS,        // redirect
    ICMP_DEP_ICMP6_MTU,      // packet too big
    ICMP_DEP_ICMP6_PPTR,     // parameter problem
    ICMP_DEP_ICMP6_ECHO,     // echo request/reply
    ICMP_DEP_ICMP6_MGMQ,     // mld listener query
    ICMP_DEP_ICMP6_ADDRESS,  // neighbour solicit/advert, redirect and MLD
    ICMP_DEP_ICMP6_REDIRECT,
};

// One header field. A "meta template" (meta_key >= 0) names a field that is read with a meta
// expression instead of a payload load (inet's nfproto, ip's l4proto).
struct proto_hdr_template {
    std::string_view token;  // "dport"
    const datatype* dtype = nullptr;
    byte_order order = byte_order::big;
    uint32_t offset = 0;  // bits from the start of the header
    uint32_t len = 0;     // bits
    int meta_key = -1;
    // ICMP/ICMPv6 fields only exist for some message types (id needs echo...).
    icmp_hdr_dep icmp_dep = ICMP_DEP_ANY;
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

// Which checksum the kernel recomputes when a field of the header is rewritten
// (NFT_PAYLOAD_CSUM_*).
enum class csum_type : uint8_t { none = 0, inet = 1, sctp = 2 };

// Tunnel headers (vxlan, geneve, gre, gretap): how the kernel's inner expression finds the
// encapsulated packet. Values are the kernel's NFT_INNER_* flags and types.
enum inner_flag : uint32_t {
    INNER_F_HDRSIZE = 1u << 0,
    INNER_F_LL = 1u << 1,
    INNER_F_NH = 1u << 2,
    INNER_F_TH = 1u << 3,
};
enum inner_type : uint32_t {
    INNER_T_UNSPEC = 0,
    INNER_T_VXLAN = 1,
    INNER_T_GENEVE = 2,
    INNER_T_GRE = 3,     // nft: NFT_INNER_GENEVE + 1
    INNER_T_GRETAP = 4,  // nft: NFT_INNER_GENEVE + 2
};
struct proto_inner {
    uint32_t hdrsize = 0;  // bytes of tunnel header before the inner packet
    uint32_t flags = 0;    // inner_flag bits
    uint32_t type = INNER_T_UNSPEC;
};

struct proto_desc {
    std::string_view name;  // the keyword: "tcp"
    proto_id id = proto_id::unknown;
    proto_base base = proto_base::invalid;
    // Template index naming the upper protocol. nft uses 0 (the meta template) for ip, ip6,
    // inet, netdev, inet_service and gre: dependencies are `meta l4proto`/`meta nfproto`/
    // `meta protocol` matches, not payload loads. -1: the header names no upper protocol.
    int protocol_key = -1;
    int checksum_key = -1;  // -1: no checksum field
    uint32_t length = 0;  // header length in bits when fixed (ether, vlan)
    std::vector<proto_link> protocols;  // upper layer protocols
    std::vector<proto_hdr_template> templates;  // indexed by field number; [0] may be a meta template
    // Listing: field order preference and fields never shown merged (nft's .format).
    std::vector<int> format_order;
    uint32_t format_filter = 0;
    csum_type checksum_type = csum_type::none;
    // Fields that are part of the upper layer's checksum pseudo header (ip saddr...).
    std::vector<int> pseudohdr;
    proto_inner inner;  // tunnel headers only

    const proto_hdr_template* field(std::string_view token) const;
    int field_index(std::string_view token) const;
    // The template at a field index; nullptr when out of range or an unused slot.
    const proto_hdr_template* field_at(int index) const;
    const proto_desc* find_upper(u128 num) const;
    bool find_num(const proto_desc* upper, u128& num) const;
};

// The protocol descriptions by id; proto_id::unknown is a placeholder for a layer that is
// present but carries no protocol nft knows.
const proto_desc* proto_lookup(proto_id id);
// By keyword ("tcp", "ip6", "ether", "vlan", "th"...).
const proto_desc* proto_lookup(std::string_view keyword);

// The header a family's chains start with: ip -> (network, ip), inet -> (ll, inet)...
struct hook_proto {
    proto_base base;
    const proto_desc* desc;
};
hook_proto hook_proto_for(family f);

// All descriptions, in proto_id order (unknown excluded).
std::span<const proto_desc* const> proto_all();

// nft's proto_base_names ("link layer", "network layer", ...) and proto_base_tokens
// ("ll", "nh", "th", "ih") used in raw payload syntax `@th,16,16`.
std::string_view proto_base_name(proto_base b);
std::string_view proto_base_token(proto_base b);

// The template of `desc` at (offset, len) in bits, as nft's payload_expr_complete looks it up
// to turn a raw load back into `tcp dport`: the meta template at [0] never matches, and when
// `icmp_type` is known (non-zero) fields whose icmp_dep excludes that type are skipped.
// Returns the field index or -1.
int proto_template_find(const proto_desc& desc, uint32_t offset, uint32_t len, uint8_t icmp_type = 0);

// The ICMP/ICMPv6 type a field's dependency is generated with (0 for ICMP_DEP_ANY), and
// whether a known type satisfies a dependency (echo request and reply both do for id).
uint8_t icmp_dep_to_type(icmp_hdr_dep dep);
bool icmp_dep_type_match(icmp_hdr_dep dep, uint8_t type);

// Link layer device types (ARPHRD_*): only ethernet is known. proto_dev_type gives the
// device type carrying `desc` (ether itself or a protocol directly above it) for the
// `meta iiftype` dependency; proto_dev_desc the header of a device type.
bool proto_dev_type(const proto_desc* desc, uint16_t& type);
const proto_desc* proto_dev_desc(uint16_t type);

// The tunnel description matching a kernel inner expression (type, hdrsize, flags);
// nullptr if none.
const proto_desc* proto_find_inner(uint32_t type, uint32_t hdrsize, uint32_t flags);

// ---- header field indexes (nft's include/proto.h enums, same order) ----

enum eth_field : int { ETHHDR_INVALID, ETHHDR_DADDR, ETHHDR_SADDR, ETHHDR_TYPE };
enum vlan_field : int { VLANHDR_INVALID, VLANHDR_PCP, VLANHDR_DEI, VLANHDR_CFI, VLANHDR_VID, VLANHDR_TYPE };
enum arp_field : int {
    ARPHDR_INVALID,
    ARPHDR_HRD,
    ARPHDR_PRO,
    ARPHDR_HLN,
    ARPHDR_PLN,
    ARPHDR_OP,
    ARPHDR_SADDR_ETHER,
    ARPHDR_SADDR_IP,
    ARPHDR_DADDR_ETHER,
    ARPHDR_DADDR_IP,
};
enum ip_field : int {
    IPHDR_INVALID,
    IPHDR_VERSION,
    IPHDR_HDRLENGTH,
    IPHDR_DSCP,
    IPHDR_ECN,
    IPHDR_LENGTH,
    IPHDR_ID,
    IPHDR_FRAG_OFF,
    IPHDR_TTL,
    IPHDR_PROTOCOL,
    IPHDR_CHECKSUM,
    IPHDR_SADDR,
    IPHDR_DADDR,
};
enum icmp_field : int {
    ICMPHDR_INVALID,
    ICMPHDR_TYPE,
    ICMPHDR_CODE,
    ICMPHDR_CHECKSUM,
    ICMPHDR_ID,
    ICMPHDR_SEQ,
    ICMPHDR_GATEWAY,
    ICMPHDR_MTU,
};
enum igmp_field : int { IGMPHDR_INVALID, IGMPHDR_TYPE, IGMPHDR_CHECKSUM, IGMPHDR_MRT, IGMPHDR_GROUP };
enum icmp6_field : int {
    ICMP6HDR_INVALID,
    ICMP6HDR_TYPE,
    ICMP6HDR_CODE,
    ICMP6HDR_CHECKSUM,
    ICMP6HDR_PPTR,
    ICMP6HDR_MTU,
    ICMP6HDR_ID,
    ICMP6HDR_SEQ,
    ICMP6HDR_MAXDELAY,
    ICMP6HDR_TADDR,
    ICMP6HDR_DADDR,
};
enum ip6_field : int {
    IP6HDR_INVALID,
    IP6HDR_VERSION,
    IP6HDR_DSCP,
    IP6HDR_ECN,
    IP6HDR_FLOWLABEL,
    IP6HDR_LENGTH,
    IP6HDR_NEXTHDR,
    IP6HDR_HOPLIMIT,
    IP6HDR_SADDR,
    IP6HDR_DADDR,
    IP6HDR_PROTOCOL,  // declared by nft but without a template
};
enum ah_field : int { AHHDR_INVALID, AHHDR_NEXTHDR, AHHDR_HDRLENGTH, AHHDR_RESERVED, AHHDR_SPI, AHHDR_SEQUENCE };
enum esp_field : int { ESPHDR_INVALID, ESPHDR_SPI, ESPHDR_SEQUENCE };
enum comp_field : int { COMPHDR_INVALID, COMPHDR_NEXTHDR, COMPHDR_FLAGS, COMPHDR_CPI };
enum udp_field : int {
    UDPHDR_INVALID,
    UDPHDR_SPORT,
    UDPHDR_DPORT,
    UDPHDR_LENGTH,
    UDPHDR_CSUMCOV = UDPHDR_LENGTH,  // udplite
    UDPHDR_CHECKSUM,
};
enum tcp_field : int {
    TCPHDR_INVALID,
    TCPHDR_SPORT,
    TCPHDR_DPORT,
    TCPHDR_SEQ,
    TCPHDR_ACKSEQ,
    TCPHDR_DOFF,
    TCPHDR_RESERVED,
    TCPHDR_FLAGS,
    TCPHDR_WINDOW,
    TCPHDR_CHECKSUM,
    TCPHDR_URGPTR,
};
enum dccp_field : int { DCCPHDR_INVALID, DCCPHDR_SPORT, DCCPHDR_DPORT, DCCPHDR_TYPE };
enum sctp_field : int { SCTPHDR_INVALID, SCTPHDR_SPORT, SCTPHDR_DPORT, SCTPHDR_VTAG, SCTPHDR_CHECKSUM };
enum th_field : int { THDR_INVALID, THDR_SPORT, THDR_DPORT };
enum vxlan_field : int { VXLANHDR_INVALID, VXLANHDR_VNI, VXLANHDR_FLAGS };
enum geneve_field : int { GNVHDR_INVALID, GNVHDR_VNI, GNVHDR_TYPE };
enum gre_field : int { GREHDR_INVALID, GREHDR_VERSION, GREHDR_FLAGS, GREHDR_PROTOCOL };

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
// Also accepts nft's backwards compatible names ibriport, obriport and secpath; -1 if unknown.
int meta_key_by_name(std::string_view token);
// Keys nft lists without `meta ` (iif, oif, iifname, oifname, iifgroup, oifgroup).
bool meta_key_is_unqualified(int key);

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
// By template token ("state", "proto-src", "ip saddr"...); -1 if unknown.
int ct_key_by_name(std::string_view token);

// ---- ipv6 extension headers, tcp/ip options, sctp chunks ----

struct exthdr_desc {
    std::string_view name;  // "hbh", "rt", "frag", "maxseg", "lsrr", "data"...
    exthdr_op op = exthdr_op::ipv6;
    uint32_t type = 0;  // header number / option kind / chunk type
    std::vector<proto_hdr_template> templates;  // [0] is the type/nexthdr field where nft has one
    // Routing header variants (rt0, rt2, srh): the `rt type` value they imply; -1 otherwise.
    int proto_key = -1;

    const proto_hdr_template* field(std::string_view token) const;
    int field_index(std::string_view token) const;
    // The template at a field index; nullptr when out of range or an unused slot (rt2 has
    // only unused slots, as in nft).
    const proto_hdr_template* field_at(int index) const;
};

// By name: ipv6 "hbh" "rt" "rt0" "rt2" "srh" "frag" "dst" "mh"; tcpopt "eol" "nop" "maxseg"
// "window" "sack-perm" (alias "sack-permitted") "sack" "sack0".."sack3" (all the sack
// description; see tcpopt_kind_by_name) "timestamp" "md5sig" "mptcp" "fastopen"; ipv4 "lsrr"
// "rr" "ssrr" "ra"; sctp chunk names ("data", "init-ack"...); dccp option names as nft has
// them internally ("padding", "timestamp_echo"...).
const exthdr_desc* exthdr_lookup(exthdr_op op, std::string_view name);
// By wire number. ipv6: the generic header for 0/43/44/60/135 (43 gives rt, never rt0/srh);
// dccp: ranges map onto reserved_short (3-31), reserved_long (45-127), ccid_specific (128+).
const exthdr_desc* exthdr_lookup(exthdr_op op, uint32_t type);
std::span<const exthdr_desc* const> exthdr_all(exthdr_op op);

struct exthdr_field_ref {
    const exthdr_desc* desc = nullptr;
    int field = -1;
};
// Raw exthdr load back to a named field (nft's exthdr_init_raw/tcpopt_init_raw/
// ipopt_init_raw/sctp_chunk_init_raw/dccpopt_init_raw template search): the description of
// wire `type` and the template at (offset, len) bits. For routing headers the variants srh,
// rt0, rt2 are tried after rt. desc is set when the type is known even if no field matches.
exthdr_field_ref exthdr_template_find(exthdr_op op, uint32_t type, uint32_t offset, uint32_t len);

// ---- ipv6 extension header field indexes (nft's include/exthdr.h) ----

enum hbh_field : int { HBHHDR_INVALID, HBHHDR_NEXTHDR, HBHHDR_HDRLENGTH };
enum rt_field : int { RTHDR_INVALID, RTHDR_NEXTHDR, RTHDR_HDRLENGTH, RTHDR_TYPE, RTHDR_SEG_LEFT };
enum rt0_field : int { RT0HDR_INVALID, RT0HDR_RESERVED, RT0HDR_ADDR_1 };  // addr[n] is RT0HDR_ADDR_1 + n - 1
enum rt2_field : int { RT2HDR_INVALID, RT2HDR_RESERVED, RT2HDR_ADDR };
enum rt4_field : int { RT4HDR_INVALID, RT4HDR_LASTENT, RT4HDR_FLAGS, RT4HDR_TAG, RT4HDR_SID_1 };  // sid[n]
enum frag_field : int {
    FRAGHDR_INVALID,
    FRAGHDR_NEXTHDR,
    FRAGHDR_RESERVED,
    FRAGHDR_FRAG_OFF,
    FRAGHDR_RESERVED2,
    FRAGHDR_MFRAGS,
    FRAGHDR_ID,
};
enum dst_field : int { DSTHDR_INVALID, DSTHDR_NEXTHDR, DSTHDR_HDRLENGTH };
enum mh_field : int { MHHDR_INVALID, MHHDR_NEXTHDR, MHHDR_HDRLENGTH, MHHDR_TYPE, MHHDR_RESERVED, MHHDR_CHECKSUM };

// ---- tcp options (nft's include/tcpopt.h); note the templates start at index 0 ----

enum tcpopt_kind : int {
    TCPOPT_KIND_EOL = 0,
    TCPOPT_KIND_NOP = 1,
    TCPOPT_KIND_MAXSEG = 2,
    TCPOPT_KIND_WINDOW = 3,
    TCPOPT_KIND_SACK_PERMITTED = 4,
    TCPOPT_KIND_SACK = 5,
    TCPOPT_KIND_TIMESTAMP = 8,
    TCPOPT_KIND_MD5SIG = 19,
    TCPOPT_KIND_MPTCP = 30,
    TCPOPT_KIND_FASTOPEN = 34,
    // nft-internal: sack blocks 1..3 (`sack1 left`), folded into sack's fields.
    TCPOPT_KIND_SACK1 = 256,
    TCPOPT_KIND_SACK2 = 257,
    TCPOPT_KIND_SACK3 = 258,
};
enum tcpopt_common_field : int { TCPOPT_COMMON_KIND, TCPOPT_COMMON_LENGTH };
enum tcpopt_maxseg_field : int { TCPOPT_MAXSEG_KIND, TCPOPT_MAXSEG_LENGTH, TCPOPT_MAXSEG_SIZE };
enum tcpopt_ts_field : int { TCPOPT_TS_KIND, TCPOPT_TS_LENGTH, TCPOPT_TS_TSVAL, TCPOPT_TS_TSECR };
enum tcpopt_window_field : int { TCPOPT_WINDOW_KIND, TCPOPT_WINDOW_LENGTH, TCPOPT_WINDOW_COUNT };
enum tcpopt_sack_field : int {
    TCPOPT_SACK_KIND,
    TCPOPT_SACK_LENGTH,
    TCPOPT_SACK_LEFT,
    TCPOPT_SACK_RIGHT,
    TCPOPT_SACK_LEFT1,
    TCPOPT_SACK_RIGHT1,
    TCPOPT_SACK_LEFT2,
    TCPOPT_SACK_RIGHT2,
    TCPOPT_SACK_LEFT3,
    TCPOPT_SACK_RIGHT3,
};
enum tcpopt_mptcp_field : int { TCPOPT_MPTCP_KIND, TCPOPT_MPTCP_LENGTH, TCPOPT_MPTCP_SUBTYPE };

// "sack1" -> TCPOPT_KIND_SACK1, "sack0"/"sack" -> TCPOPT_KIND_SACK, "maxseg" -> 2...; -1 if unknown.
int tcpopt_kind_by_name(std::string_view name);
// nft's tcpopt_expr_alloc: the description and field for an option kind (wire kind, or
// TCPOPT_KIND_SACK1..3 with a sack field, which selects that block's left/right). Unknown
// kinds up to 255 get the fallback description (kind/length only; other fields give
// field -1). Kinds above 255 (other than SACK1..3) give desc nullptr.
exthdr_field_ref tcpopt_resolve(uint32_t kind, int field);
// The nameless description nft uses for options it does not know (`tcp option 255 ...`).
const exthdr_desc* tcpopt_fallback();

// ---- ip options (nft's include/ipopt.h) ----

enum ipopt_type : int {
    IPOPT_TYPE_RR = 7,
    IPOPT_TYPE_LSRR = 131,
    IPOPT_TYPE_SSRR = 137,
    IPOPT_TYPE_RA = 148,
};
enum ipopt_field : int {
    IPOPT_FIELD_INVALID,
    IPOPT_FIELD_TYPE,
    IPOPT_FIELD_LENGTH,
    IPOPT_FIELD_VALUE,
    IPOPT_FIELD_PTR,
    IPOPT_FIELD_ADDR_0,
};

// ---- sctp chunks (nft's include/sctp_chunk.h); templates start at index 0 ----

enum sctp_chunk_type : int {
    SCTP_CHUNK_TYPE_DATA = 0,
    SCTP_CHUNK_TYPE_INIT = 1,
    SCTP_CHUNK_TYPE_INIT_ACK = 2,
    SCTP_CHUNK_TYPE_SACK = 3,
    SCTP_CHUNK_TYPE_HEARTBEAT = 4,
    SCTP_CHUNK_TYPE_HEARTBEAT_ACK = 5,
    SCTP_CHUNK_TYPE_ABORT = 6,
    SCTP_CHUNK_TYPE_SHUTDOWN = 7,
    SCTP_CHUNK_TYPE_SHUTDOWN_ACK = 8,
    SCTP_CHUNK_TYPE_ERROR = 9,
    SCTP_CHUNK_TYPE_COOKIE_ECHO = 10,
    SCTP_CHUNK_TYPE_COOKIE_ACK = 11,
    SCTP_CHUNK_TYPE_ECNE = 12,
    SCTP_CHUNK_TYPE_CWR = 13,
    SCTP_CHUNK_TYPE_SHUTDOWN_COMPLETE = 14,
    SCTP_CHUNK_TYPE_ASCONF_ACK = 128,
    SCTP_CHUNK_TYPE_FORWARD_TSN = 192,
    SCTP_CHUNK_TYPE_ASCONF = 193,
};
enum sctp_chunk_field : int {
    SCTP_CHUNK_COMMON_TYPE = 0,
    SCTP_CHUNK_COMMON_FLAGS = 1,
    SCTP_CHUNK_COMMON_LENGTH = 2,
    // chunk specific fields start at 3
    SCTP_CHUNK_DATA_TSN = 3,
    SCTP_CHUNK_DATA_STREAM = 4,
    SCTP_CHUNK_DATA_SSN = 5,
    SCTP_CHUNK_DATA_PPID = 6,
    SCTP_CHUNK_INIT_TAG = 3,
    SCTP_CHUNK_INIT_RWND = 4,
    SCTP_CHUNK_INIT_OSTREAMS = 5,
    SCTP_CHUNK_INIT_ISTREAMS = 6,
    SCTP_CHUNK_INIT_TSN = 7,
    SCTP_CHUNK_SACK_CTSN_ACK = 3,
    SCTP_CHUNK_SACK_RWND = 4,
    SCTP_CHUNK_SACK_GACK_BLOCKS = 5,
    SCTP_CHUNK_SACK_DUP_TSNS = 6,
    SCTP_CHUNK_SHUTDOWN_CTSN_ACK = 3,
    SCTP_CHUNK_ECNE_CWR_MIN_TSN = 3,
    SCTP_CHUNK_ASCONF_SEQNO = 3,
    SCTP_CHUNK_FORWARD_TSN_NCTSN = 3,
};

// ---- dccp options (nft's include/dccpopt.h) ----

enum dccpopt_field : int { DCCPOPT_FIELD_INVALID, DCCPOPT_FIELD_TYPE };
enum dccpopt_type : int {
    DCCPOPT_PADDING = 0,
    DCCPOPT_MANDATORY = 1,
    DCCPOPT_SLOW_RECEIVER = 2,
    DCCPOPT_RESERVED_SHORT = 3,
    DCCPOPT_CHANGE_L = 32,
    DCCPOPT_CONFIRM_L = 33,
    DCCPOPT_CHANGE_R = 34,
    DCCPOPT_CONFIRM_R = 35,
    DCCPOPT_INIT_COOKIE = 36,
    DCCPOPT_NDP_COUNT = 37,
    DCCPOPT_ACK_VECTOR_NONCE_0 = 38,
    DCCPOPT_ACK_VECTOR_NONCE_1 = 39,
    DCCPOPT_DATA_DROPPED = 40,
    DCCPOPT_TIMESTAMP = 41,
    DCCPOPT_TIMESTAMP_ECHO = 42,
    DCCPOPT_ELAPSED_TIME = 43,
    DCCPOPT_DATA_CHECKSUM = 44,
    DCCPOPT_RESERVED_LONG = 45,
    DCCPOPT_CCID_SPECIFIC = 128,
};

}  // namespace nfqwall::front

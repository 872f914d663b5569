// Expressions of the nft language, in the order of nft(8): payload, extension headers,
// meta, socket, osf, fib, routing, ipsec, numgen, hash, conntrack; then the operators that
// combine them and the right-hand sides they are compared with.
#pragma once

#include "grammar/lexical.hpp"

namespace nfqwall::grammar {

// Forward declarations for recursive productions.
struct basic_expr;
struct basic_rhs_expr;
struct basic_stmt_expr;
struct concat_expr;
struct set_expr;
struct verdict_expr;
struct stateful_stmt;
struct set_elem_stmt;

// ---- variables and symbols ----

// `$name`: a value from `define`.
struct variable_expr : seq<dollar, identifier_word, sp> {};
// A word standing for a value of a type the context gives (nft's symbol_expr).
struct symbol_word : seq<value_word, sp> {};
struct symbol_expr : sor<variable_expr, symbol_word> {};
// A number written where a value is expected (nft's integer_expr).
struct integer_expr : number {};
// `@name`: a named set.
struct set_ref_symbol_expr : seq<at_sign, identifier_word, sp> {};
struct set_ref_expr : sor<set_ref_symbol_expr, variable_expr> {};

// ---- payload expressions (nft(8) PAYLOAD EXPRESSIONS) ----

// Raw payload: @base,offset,length (in bits).
struct payload_base_spec : sor<kw<"ll">, kw<"nh">, kw<"th">, kw<"ih">> {};
struct payload_raw_expr : seq<at_sign, payload_base_spec, comma, number, comma, number> {};

struct eth_hdr_field : sor<kw<"saddr">, kw<"daddr">, kw<"type">> {};
struct eth_hdr_expr : seq<kw<"ether">, eth_hdr_field> {};

struct vlan_hdr_field : sor<kw<"id">, kw<"cfi">, kw<"dei">, kw<"pcp">, kw<"type">> {};
struct vlan_hdr_expr : seq<kw<"vlan">, vlan_hdr_field> {};

struct arp_addr_proto : sor<kw<"ether">, kw<"ip">> {};
struct arp_hdr_field : sor<kw<"htype">, kw<"ptype">, kw<"hlen">, kw<"plen">, kw<"operation">,
                           seq<kw<"saddr">, arp_addr_proto>, seq<kw<"daddr">, arp_addr_proto>> {};
struct arp_hdr_expr : seq<kw<"arp">, arp_hdr_field> {};

struct ip_hdr_field : sor<kw<"version">, kw<"hdrlength">, kw<"dscp">, kw<"ecn">, kw<"length">, kw<"id">,
                          kw<"frag-off">, kw<"ttl">, kw<"protocol">, kw<"checksum">, kw<"saddr">, kw<"daddr">> {};
struct ip_option_type : sor<kw<"lsrr">, kw<"rr">, kw<"ssrr">, kw<"ra">> {};
struct ip_option_field : sor<kw<"type">, kw<"length">, kw<"value">, kw<"ptr">, kw<"addr">> {};
struct ip_option_expr : seq<kw<"option">, ip_option_type, opt<ip_option_field>> {};
struct ip_hdr_expr : seq<kw<"ip">, sor<ip_option_expr, ip_hdr_field>> {};

struct icmp_hdr_field : sor<kw<"type">, kw<"code">, kw<"checksum">, kw<"id">, kw<"sequence">, kw<"gateway">,
                            kw<"mtu">> {};
struct icmp_hdr_expr : seq<kw<"icmp">, icmp_hdr_field> {};

struct igmp_hdr_field : sor<kw<"type">, kw<"checksum">, kw<"mrt">, kw<"group">> {};
struct igmp_hdr_expr : seq<kw<"igmp">, igmp_hdr_field> {};

struct ip6_hdr_field : sor<kw<"version">, kw<"dscp">, kw<"ecn">, kw<"flowlabel">, kw<"length">, kw<"nexthdr">,
                           kw<"hoplimit">, kw<"saddr">, kw<"daddr">> {};
struct ip6_hdr_expr : seq<kw<"ip6">, ip6_hdr_field> {};

struct icmp6_hdr_field : sor<kw<"type">, kw<"code">, kw<"checksum">, kw<"param-problem">, kw<"mtu">, kw<"id">,
                             kw<"sequence">, kw<"max-delay">, kw<"taddr">, kw<"daddr">> {};
struct icmp6_hdr_expr : seq<kw<"icmpv6">, icmp6_hdr_field> {};

struct auth_hdr_field : sor<kw<"nexthdr">, kw<"hdrlength">, kw<"reserved">, kw<"spi">, kw<"sequence">> {};
struct auth_hdr_expr : seq<kw<"ah">, auth_hdr_field> {};

struct esp_hdr_field : sor<kw<"spi">, kw<"sequence">> {};
struct esp_hdr_expr : seq<kw<"esp">, esp_hdr_field> {};

struct comp_hdr_field : sor<kw<"nexthdr">, kw<"flags">, kw<"cpi">> {};
struct comp_hdr_expr : seq<kw<"comp">, comp_hdr_field> {};

struct udp_hdr_field : sor<kw<"sport">, kw<"dport">, kw<"length">, kw<"checksum">> {};
struct udp_hdr_expr : seq<kw<"udp">, udp_hdr_field> {};

struct udplite_hdr_field : sor<kw<"sport">, kw<"dport">, kw<"csumcov">, kw<"checksum">> {};
struct udplite_hdr_expr : seq<kw<"udplite">, udplite_hdr_field> {};

struct tcp_hdr_field : sor<kw<"sport">, kw<"dport">, kw<"sequence">, kw<"ackseq">, kw<"doff">, kw<"reserved">,
                           kw<"flags">, kw<"window">, kw<"checksum">, kw<"urgptr">> {};
struct tcp_option_sack : sor<kw<"sack">, kw<"sack0">, kw<"sack1">, kw<"sack2">, kw<"sack3">> {};
struct tcp_option_type : sor<kw<"echo">, kw<"eol">, kw<"fastopen">, kw<"md5sig">, kw<"mptcp">, kw<"maxseg">,
                             kw<"mss">, kw<"nop">, kw<"noop">, kw<"sack-permitted">, kw<"sack-perm">,
                             kw<"timestamp">, kw<"window">, tcp_option_sack, number> {};
struct tcp_option_field : sor<kw<"size">, kw<"left">, kw<"right">, kw<"count">, kw<"tsval">, kw<"tsecr">,
                              kw<"subtype">, kw<"length">> {};
struct tcp_option_raw : seq<at_sign, tcp_option_type, comma, number, comma, number> {};
struct tcp_option_expr : seq<kw<"option">, sor<tcp_option_raw, seq<tcp_option_type, opt<tcp_option_field>>>> {};
struct tcp_hdr_expr : seq<kw<"tcp">, sor<tcp_option_expr, tcp_hdr_field>> {};

struct dccp_hdr_field : sor<kw<"sport">, kw<"dport">, kw<"type">> {};
struct dccp_option_expr : seq<kw<"option">, number> {};
struct dccp_hdr_expr : seq<kw<"dccp">, sor<dccp_option_expr, dccp_hdr_field>> {};

struct sctp_chunk_type : sor<kw<"data">, kw<"init">, kw<"init-ack">, kw<"sack">, kw<"heartbeat">,
                             kw<"heartbeat-ack">, kw<"abort">, kw<"shutdown">, kw<"shutdown-ack">, kw<"error">,
                             kw<"cookie-echo">, kw<"cookie-ack">, kw<"ecne">, kw<"cwr">,
                             kw<"shutdown-complete">, kw<"asconf-ack">, kw<"forward-tsn">, kw<"asconf">> {};
struct sctp_chunk_field : sor<kw<"type">, kw<"flags">, kw<"length">, kw<"tsn">, kw<"stream">, kw<"ssn">,
                              kw<"ppid">, kw<"init-tag">, kw<"a-rwnd">, kw<"num-outbound-streams">,
                              kw<"num-inbound-streams">, kw<"initial-tsn">, kw<"cum-tsn-ack">,
                              kw<"num-gap-ack-blocks">, kw<"num-dup-tsns">, kw<"lowest-tsn">, kw<"seqno">,
                              kw<"new-cum-tsn">> {};
struct sctp_chunk_expr : seq<kw<"chunk">, sctp_chunk_type, opt<sctp_chunk_field>> {};
struct sctp_hdr_field : sor<kw<"sport">, kw<"dport">, kw<"vtag">, kw<"checksum">> {};
struct sctp_hdr_expr : seq<kw<"sctp">, sor<sctp_chunk_expr, sctp_hdr_field>> {};

struct th_hdr_field : sor<kw<"sport">, kw<"dport">> {};
struct th_hdr_expr : seq<kw<"th">, th_hdr_field> {};

// Headers inside tunnels (vxlan, geneve, gre, gretap).
struct inner_inet_expr : sor<ip_hdr_expr, icmp_hdr_expr, igmp_hdr_expr, ip6_hdr_expr, icmp6_hdr_expr, auth_hdr_expr,
                             esp_hdr_expr, comp_hdr_expr, udp_hdr_expr, udplite_hdr_expr, tcp_hdr_expr,
                             dccp_hdr_expr, sctp_hdr_expr, th_hdr_expr> {};
struct inner_eth_expr : sor<eth_hdr_expr, vlan_hdr_expr, arp_hdr_expr> {};
struct inner_expr : sor<inner_eth_expr, inner_inet_expr> {};

struct vxlan_hdr_field : sor<kw<"vni">, kw<"flags">> {};
struct vxlan_hdr_expr : seq<kw<"vxlan">, sor<vxlan_hdr_field, inner_expr>> {};
struct geneve_hdr_field : sor<kw<"vni">, kw<"type">> {};
struct geneve_hdr_expr : seq<kw<"geneve">, sor<geneve_hdr_field, inner_expr>> {};
struct gre_hdr_field : sor<kw<"version">, kw<"flags">, kw<"protocol">> {};
struct gre_hdr_expr : seq<kw<"gre">, sor<gre_hdr_field, inner_inet_expr>> {};
struct gretap_hdr_expr : seq<kw<"gretap">, inner_expr> {};

struct payload_expr : sor<payload_raw_expr, eth_hdr_expr, vlan_hdr_expr, arp_hdr_expr, ip_hdr_expr, icmp_hdr_expr,
                          igmp_hdr_expr, ip6_hdr_expr, icmp6_hdr_expr, auth_hdr_expr, esp_hdr_expr, comp_hdr_expr,
                          udp_hdr_expr, udplite_hdr_expr, tcp_hdr_expr, dccp_hdr_expr, sctp_hdr_expr, th_hdr_expr,
                          vxlan_hdr_expr, geneve_hdr_expr, gre_hdr_expr, gretap_hdr_expr> {};

// ---- IPv6 extension headers (nft(8) EXTENSION HEADER EXPRESSIONS) ----

struct hbh_hdr_expr : seq<kw<"hbh">, sor<kw<"nexthdr">, kw<"hdrlength">>> {};
struct rt_hdr_expr : seq<kw<"rt">, sor<kw<"nexthdr">, kw<"hdrlength">, kw<"type">, kw<"seg-left">>> {};
struct exthdr_index : seq<lbracket, number, rbracket> {};
struct rt0_hdr_expr : seq<kw<"rt0">, kw<"addr">, exthdr_index> {};
struct rt2_hdr_expr : seq<kw<"rt2">, kw<"addr">> {};
struct rt4_hdr_expr : seq<kw<"srh">, sor<kw<"last-entry">, kw<"flags">, kw<"tag">, seq<kw<"sid">, exthdr_index>>> {};
struct frag_hdr_expr : seq<kw<"frag">, sor<kw<"nexthdr">, kw<"reserved">, kw<"frag-off">, kw<"reserved2">,
                                           kw<"more-fragments">, kw<"id">>> {};
struct dst_hdr_expr : seq<kw<"dst">, sor<kw<"nexthdr">, kw<"hdrlength">>> {};
struct mh_hdr_expr : seq<kw<"mh">, sor<kw<"nexthdr">, kw<"hdrlength">, kw<"type">, kw<"reserved">,
                                       kw<"checksum">>> {};
struct exthdr_expr : sor<hbh_hdr_expr, rt_hdr_expr, rt0_hdr_expr, rt2_hdr_expr, rt4_hdr_expr, frag_hdr_expr,
                         dst_hdr_expr, mh_hdr_expr> {};
struct exthdr_exists_expr : seq<kw<"exthdr">, sor<kw<"hbh">, kw<"rt">, kw<"frag">, kw<"dst">, kw<"mh">>> {};

// ---- meta (nft(8) META EXPRESSIONS) ----

struct meta_key_qualified : sor<kw<"length">, kw<"protocol">, kw<"priority">, kw<"random">, kw<"secmark">,
                                kw<"nfproto">, kw<"l4proto">, kw<"iifkind">, kw<"oifkind">, kw<"ibrpvid">,
                                kw<"ibrvproto">, kw<"sdifname">, kw<"sdif">, kw<"broute">, kw<"ibrhwaddr">, kw<"secpath">> {};
struct meta_key_unqualified : sor<kw<"mark">, kw<"iif">, kw<"iifname">, kw<"iiftype">, kw<"oif">, kw<"oifname">,
                                  kw<"oiftype">, kw<"skuid">, kw<"skgid">, kw<"nftrace">, kw<"rtclassid">,
                                  kw<"ibrname">, kw<"obrname">, kw<"pkttype">, kw<"cpu">, kw<"iifgroup">,
                                  kw<"oifgroup">, kw<"cgroup">, kw<"ipsec">, kw<"time">, kw<"day">, kw<"hour">> {};
struct meta_key : sor<meta_key_qualified, meta_key_unqualified> {};
struct meta_expr : sor<seq<kw<"meta">, meta_key>, meta_key_unqualified> {};

// ---- socket, osf, fib, routing, ipsec, numgen, hash, tunnel ----

struct socket_expr : seq<kw<"socket">, sor<seq<kw<"cgroupv2">, kw<"level">, number>,
                                           sor<kw<"transparent">, kw<"mark">, kw<"wildcard">>>> {};

struct osf_ttl : seq<kw<"ttl">, sor<kw<"loose">, kw<"skip">>> {};
struct osf_expr : seq<kw<"osf">, opt<osf_ttl>, sor<kw<"version">, kw<"name">>> {};

struct fib_flag : sor<kw<"saddr">, kw<"daddr">, kw<"mark">, kw<"iif">, kw<"oif">> {};
struct fib_tuple : list<fib_flag, dot> {};
struct fib_result : sor<kw<"oifname">, kw<"oif">, kw<"type">, kw<"check">> {};
struct fib_expr : seq<kw<"fib">, fib_tuple, fib_result> {};

struct nf_key_proto : sor<kw<"ip">, kw<"ip6">> {};
struct rt_key : sor<kw<"classid">, kw<"nexthop">, kw<"mtu">, kw<"ipsec">> {};
struct rt_expr : seq<kw<"rt">, opt<nf_key_proto>, rt_key> {};

struct xfrm_spnum : seq<kw<"spnum">, number> {};
struct xfrm_state_key : sor<kw<"spi">, kw<"reqid">> {};
struct xfrm_addr_key : seq<nf_key_proto, sor<kw<"saddr">, kw<"daddr">>> {};
struct xfrm_expr : seq<kw<"ipsec">, sor<kw<"in">, kw<"out">>, opt<xfrm_spnum>, sor<xfrm_state_key, xfrm_addr_key>> {};

struct offset_opt : seq<kw<"offset">, number> {};
struct numgen_expr : seq<kw<"numgen">, sor<kw<"inc">, kw<"random">>, kw<"mod">, number, opt<offset_opt>> {};

struct hash_seed : seq<kw<"seed">, number> {};
struct jhash_expr : seq<kw<"jhash">, concat_expr, kw<"mod">, number, opt<hash_seed>, opt<offset_opt>> {};
struct symhash_expr : seq<kw<"symhash">, kw<"mod">, number, opt<offset_opt>> {};
struct hash_expr : sor<jhash_expr, symhash_expr> {};

struct tunnel_expr : seq<kw<"tunnel">, sor<kw<"path">, kw<"id">>> {};

// ---- conntrack (nft(8) CONNTRACK EXPRESSIONS) ----

struct ct_dir : sor<kw<"original">, kw<"reply">> {};
struct ct_key_dir_optional : sor<kw<"bytes">, kw<"packets">, kw<"avgpkt">, kw<"zone">> {};
struct ct_key : sor<kw<"l3proto">, kw<"protocol">, kw<"mark">, kw<"state">, kw<"direction">, kw<"status">,
                    kw<"expiration">, kw<"helper">, kw<"saddr">, kw<"daddr">, kw<"proto-src">, kw<"proto-dst">,
                    kw<"label">, kw<"event">, kw<"secmark">, kw<"id">, ct_key_dir_optional> {};
struct ct_key_dir : sor<kw<"saddr">, kw<"daddr">, kw<"l3proto">, kw<"protocol">, kw<"proto-src">,
                        kw<"proto-dst">, ct_key_dir_optional> {};
struct ct_key_proto_field : seq<nf_key_proto, sor<kw<"saddr">, kw<"daddr">>> {};
struct ct_expr : seq<kw<"ct">, sor<seq<ct_dir, sor<ct_key_proto_field, ct_key_dir>>, ct_key>> {};

// ---- selectors and operators ----

struct selector_expr : sor<payload_expr, exthdr_expr, exthdr_exists_expr, xfrm_expr, meta_expr, tunnel_expr,
                           socket_expr, rt_expr, ct_expr, numgen_expr, hash_expr, fib_expr, osf_expr> {};

// Operator tokens; the word forms (`and`, `lshift`...) are keywords too.
struct op_lshift : sor<punct<'<', '<'>, kw<"lshift">> {};
struct op_rshift : sor<punct<'>', '>'>, kw<"rshift">> {};
struct op_and : sor<seq<one<'&'>, sp>, kw<"and">> {};
struct op_xor : sor<seq<one<'^'>, sp>, kw<"xor">> {};
struct op_or : sor<seq<one<'|'>, sp>, kw<"or">> {};

// Values on the right of a match (nft's primary_rhs_expr).
struct boolean_expr : sor<kw<"exists">, kw<"missing">> {};
// Keywords that stand for themselves as values: `meta protocol ip`, `ct direction reply`.
struct keyword_expr : sor<kw<"ether">, kw<"ip">, kw<"ip6">, kw<"vlan">, kw<"arp">, kw<"dnat">, kw<"snat">,
                          kw<"ecn">, kw<"reset">, kw<"destroy">, kw<"original">, kw<"reply">, kw<"label">,
                          kw<"last">> {};
// Protocol keywords that are inet_proto constants: `ip protocol tcp`.
struct proto_keyword_expr : sor<kw<"tcp">, kw<"udp">, kw<"udplite">, kw<"esp">, kw<"ah">, kw<"icmp">, kw<"igmp">,
                                kw<"icmpv6">, kw<"gre">, kw<"comp">, kw<"dccp">, kw<"sctp">> {};
// `redirect` is also an icmp type.
struct redirect_keyword_expr : kw<"redirect"> {};
struct paren_rhs_expr : seq<lparen, basic_rhs_expr, rparen> {};
struct primary_rhs_expr : sor<symbol_expr, integer_expr, boolean_expr, keyword_expr, proto_keyword_expr,
                              redirect_keyword_expr, paren_rhs_expr> {};

struct shift_rhs_tail_l : seq<op_lshift, primary_rhs_expr> {};
struct shift_rhs_tail_r : seq<op_rshift, primary_rhs_expr> {};
struct shift_rhs_expr : seq<primary_rhs_expr, star<sor<shift_rhs_tail_l, shift_rhs_tail_r>>> {};
struct and_rhs_tail : seq<op_and, shift_rhs_expr> {};
struct and_rhs_expr : seq<shift_rhs_expr, star<and_rhs_tail>> {};
struct xor_rhs_tail : seq<op_xor, and_rhs_expr> {};
struct xor_rhs_expr : seq<and_rhs_expr, star<xor_rhs_tail>> {};
struct or_rhs_tail : seq<op_or, xor_rhs_expr> {};
struct basic_rhs_expr : seq<xor_rhs_expr, star<or_rhs_tail>> {};

struct prefix_rhs_expr : seq<basic_rhs_expr, slash, number> {};
struct range_rhs_expr : seq<basic_rhs_expr, dash, basic_rhs_expr> {};
struct multiton_rhs_expr : sor<prefix_rhs_expr, range_rhs_expr> {};
struct concat_rhs_item : sor<multiton_rhs_expr, basic_rhs_expr> {};
struct concat_rhs_tail : seq<dot, concat_rhs_item> {};
struct concat_rhs_expr : seq<concat_rhs_item, star<concat_rhs_tail>> {};
struct list_rhs_expr : seq<basic_rhs_expr, plus<seq<comma, basic_rhs_expr>>> {};
struct rhs_expr : sor<concat_rhs_expr, set_expr, set_ref_symbol_expr> {};

// The left side of a match (nft's primary_expr ... concat_expr).
struct paren_expr : seq<lparen, basic_expr, rparen> {};
struct primary_expr : sor<selector_expr, paren_expr, integer_expr, symbol_expr> {};
struct shift_tail_l : seq<op_lshift, primary_rhs_expr> {};
struct shift_tail_r : seq<op_rshift, primary_rhs_expr> {};
struct shift_expr : seq<primary_expr, star<sor<shift_tail_l, shift_tail_r>>> {};
struct and_tail : seq<op_and, shift_rhs_expr> {};
struct and_expr : seq<shift_expr, star<and_tail>> {};
struct xor_tail : seq<op_xor, and_rhs_expr> {};
struct xor_expr : seq<and_expr, star<xor_tail>> {};
struct or_tail : seq<op_or, xor_rhs_expr> {};
struct basic_expr : seq<xor_expr, star<or_tail>> {};
struct concat_tail : seq<dot, basic_expr> {};
struct concat_expr : seq<basic_expr, star<concat_tail>> {};

// ---- sets and maps (nft(8) SETS, MAPS) ----

struct time_spec : time_word {};
struct comment_spec : seq<kw<"comment">, string_token> {};
struct set_elem_option : sor<seq<kw<"timeout">, time_spec>, seq<kw<"expires">, time_spec>, comment_spec> {};
struct set_elem_catchall : asterisk {};
struct set_elem_key_expr : sor<set_elem_catchall, concat_rhs_expr> {};
struct set_elem_expr : seq<set_elem_key_expr, star<set_elem_stmt>, star<set_elem_option>, star<set_elem_stmt>> {};
struct set_rhs_expr : sor<verdict_expr, concat_rhs_expr> {};
struct set_mapping_tail : seq<colon, set_rhs_expr> {};
// The common shape of big sets, one word per element (`10.0.0.1,`): matched without the
// general element rule's alternatives; anything more (ranges, concatenations, options,
// mappings, keywords, variables) takes the general rule.
struct plain_set_elem : seq<sor<symbol_word, integer_expr>, at<opt_newlines, sor<comma, rbrace>>> {};
struct set_list_member
    : seq<opt_newlines, sor<plain_set_elem, set_expr, seq<set_elem_expr, opt<set_mapping_tail>>>, opt_newlines> {};
struct set_list_expr : seq<set_list_member, star<seq<comma, opt_newlines, opt<set_list_member>>>> {};
struct set_expr : seq<lbrace, opt_newlines, opt<set_list_expr>, rbrace> {};

struct map_lookup_tail : seq<kw<"map">, rhs_expr> {};
struct map_expr : seq<concat_expr, map_lookup_tail> {};

// ---- verdicts ----

struct chain_expr : sor<variable_expr, identifier> {};
struct verdict_jump : seq<kw<"jump">, chain_expr> {};
struct verdict_goto : seq<kw<"goto">, chain_expr> {};
struct verdict_expr : sor<kw<"accept">, kw<"drop">, kw<"continue">, verdict_jump, verdict_goto, kw<"return">> {};

// ---- expressions in statements (nft's stmt_expr) ----

struct paren_stmt_expr : seq<lparen, basic_stmt_expr, rparen> {};
struct primary_stmt_expr : sor<selector_expr, paren_stmt_expr, integer_expr, boolean_expr, keyword_expr,
                               proto_keyword_expr, symbol_expr> {};
struct shift_stmt_tail_l : seq<op_lshift, primary_stmt_expr> {};
struct shift_stmt_tail_r : seq<op_rshift, primary_stmt_expr> {};
struct shift_stmt_expr : seq<primary_stmt_expr, star<sor<shift_stmt_tail_l, shift_stmt_tail_r>>> {};
struct and_stmt_tail : seq<op_and, shift_stmt_expr> {};
struct and_stmt_expr : seq<shift_stmt_expr, star<and_stmt_tail>> {};
struct xor_stmt_tail : seq<op_xor, and_stmt_expr> {};
struct xor_stmt_expr : seq<and_stmt_expr, star<xor_stmt_tail>> {};
struct or_stmt_tail : seq<op_or, xor_stmt_expr> {};
struct basic_stmt_expr : seq<xor_stmt_expr, star<or_stmt_tail>> {};
struct concat_stmt_tail : seq<dot, primary_stmt_expr> {};
struct concat_stmt_expr : seq<basic_stmt_expr, star<concat_stmt_tail>> {};
struct map_stmt_tail : seq<kw<"map">, sor<set_expr, set_ref_expr>> {};
struct map_stmt_expr : seq<concat_stmt_expr, opt<map_stmt_tail>> {};
struct prefix_stmt_expr : seq<basic_stmt_expr, slash, number> {};
struct range_stmt_expr : seq<basic_stmt_expr, dash, basic_stmt_expr> {};
struct symbol_stmt_expr : sor<symbol_expr, keyword_expr> {};
struct list_stmt_expr : seq<symbol_stmt_expr, plus<seq<comma, symbol_stmt_expr>>> {};
struct stmt_expr : sor<prefix_stmt_expr, range_stmt_expr, list_stmt_expr, map_stmt_expr> {};

}  // namespace nfqwall::grammar

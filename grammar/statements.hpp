// Statements (nft(8) STATEMENTS): verdicts, matches, payload/meta/ct changes, counters and
// other stateful statements, log, reject, NAT, queue, dup/fwd, set updates, object references.
#pragma once

#include "grammar/expressions.hpp"

namespace nfqwall::grammar {

struct rule_body;

// ---- verdict statements ----

struct verdict_map_expr : sor<set_expr, set_ref_expr> {};
// `KEY vmap { ... }`; the key is parsed once with the match it could also start (match_stmt).
struct vmap_tail : seq<kw<"vmap">, verdict_map_expr> {};
// A verdict on its own in a rule (the same words as verdict_expr, which is also map data).
struct verdict_stmt_plain : verdict_expr {};

// `jump { ... }`: an anonymous chain.
struct chain_stmt_type : sor<kw<"jump">, kw<"goto">> {};
struct subchain_item : sor<stmt_separator, seq<rule_body, stmt_separator>> {};
struct subchain_end : rbrace {};
struct chain_stmt : seq<chain_stmt_type, lbrace, opt_newlines, star<subchain_item>, subchain_end> {};

// ---- matches ----

struct relational_op : sor<punct<'=', '='>, punct<'!', '='>, punct<'<', '='>, punct<'>', '='>,
                           seq<one<'<'>, not_at<one<'<'>>, sp>, seq<one<'>'>, not_at<one<'>'>>, sp>,
                           seq<one<'!'>, sp>, kw<"eq">, kw<"ne">, kw<"le">, kw<"lt">, kw<"ge">, kw<"gt">,
                           kw<"not">> {};
// `syn / syn,ack` and `fin,syn / fin,syn,rst`: value and mask.
struct masked_rhs : seq<sor<list_rhs_expr, basic_rhs_expr>, slash, list_rhs_expr> {};
struct relational_rhs : sor<masked_rhs, list_rhs_expr, rhs_expr> {};
struct relational_lhs : sor<seq<concat_expr, opt<map_lookup_tail>>, set_expr> {};
struct relational_tail : seq<opt<relational_op>, relational_rhs> {};
// A statement that starts with an expression: a match, or a verdict map.
struct match_stmt : seq<relational_lhs, sor<vmap_tail, relational_tail>> {};

// ---- changing the packet ----

struct payload_stmt : seq<payload_expr, kw<"set">, stmt_expr> {};
struct meta_stmt_qualified : seq<kw<"meta">, meta_key, kw<"set">, stmt_expr> {};
struct meta_stmt_unqualified : seq<meta_key_unqualified, kw<"set">, stmt_expr> {};
struct notrack_stmt : kw<"notrack"> {};
struct flow_offload_stmt : seq<kw<"flow">, sor<kw<"offload">, kw<"add">>, at_sign, string_token> {};
struct meta_stmt : sor<meta_stmt_qualified, meta_stmt_unqualified, notrack_stmt, flow_offload_stmt> {};

struct ct_stmt_plain : seq<kw<"ct">, ct_key, kw<"set">, stmt_expr> {};
struct ct_stmt_dir : seq<kw<"ct">, ct_dir, ct_key_dir_optional, kw<"set">, stmt_expr> {};
struct ct_stmt : sor<ct_stmt_plain, ct_stmt_dir> {};

// ---- stateful statements ----

struct counter_arg : sor<seq<kw<"packets">, number>, seq<kw<"bytes">, number>> {};
struct counter_stmt : seq<kw<"counter">, star<counter_arg>> {};

struct last_used : seq<kw<"used">, sor<kw<"never">, time_spec>> {};
struct last_stmt : seq<kw<"last">, opt<last_used>> {};

// Units may be glued to what follows (`1025bytes/second`), so only letters end them.
struct bytes_unit : seq<sor<unit_word<"bytes">, unit_word<"kbytes">, unit_word<"mbytes">>, sp> {};
struct time_unit : sor<kw<"second">, kw<"minute">, kw<"hour">, kw<"day">, kw<"week">> {};
struct limit_mode : sor<kw<"over">, kw<"until">> {};
struct limit_rate_bytes : seq<number, bytes_unit, slash, time_unit> {};
struct limit_rate_pkts : seq<number, slash, time_unit> {};
struct limit_burst_bytes : seq<kw<"burst">, number, bytes_unit> {};
struct limit_burst_pkts : seq<kw<"burst">, number, kw<"packets">> {};
struct limit_args : sor<seq<opt<limit_mode>, limit_rate_bytes, opt<limit_burst_bytes>>,
                        seq<opt<limit_mode>, limit_rate_pkts, opt<limit_burst_pkts>>> {};
struct limit_stmt : seq<kw<"limit">, kw<"rate">, limit_args> {};

struct quota_used : seq<kw<"used">, number, bytes_unit> {};
struct quota_args : seq<opt<limit_mode>, number, bytes_unit, opt<quota_used>> {};
struct quota_stmt : seq<kw<"quota">, quota_args> {};

struct connlimit_stmt : seq<kw<"ct">, kw<"count">, opt<kw<"over">>, number> {};

struct stateful_stmt : sor<counter_stmt, limit_stmt, quota_stmt, connlimit_stmt, last_stmt> {};
struct set_elem_stmt : sor<counter_stmt, limit_stmt, connlimit_stmt, quota_stmt, last_stmt> {};

// ---- log ----

struct log_level : sor<kw<"emerg">, kw<"alert">, kw<"crit">, kw<"err">, kw<"warn">, kw<"notice">, kw<"info">,
                       kw<"debug">, kw<"audit">> {};
struct log_flag_tcp : sor<kw<"sequence">, kw<"options">> {};
struct log_flags : sor<seq<kw<"tcp">, list<log_flag_tcp, comma>>, seq<kw<"ip">, kw<"options">>, kw<"skuid">,
                       kw<"ether">, kw<"all">> {};
struct log_prefix : seq<kw<"prefix">, string_token> {};
struct log_arg : sor<log_prefix, seq<kw<"group">, number>, seq<kw<"snaplen">, number>,
                     seq<kw<"queue-threshold">, number>, seq<kw<"level">, log_level>, seq<kw<"flags">, log_flags>> {};
struct log_stmt : seq<kw<"log">, star<log_arg>> {};

// ---- reject ----

struct reject_with_expr : sor<plain_word, integer_expr> {};
struct reject_icmp : seq<kw<"icmp">, opt<kw<"type">>, reject_with_expr> {};
struct reject_icmp6 : seq<kw<"icmpv6">, opt<kw<"type">>, reject_with_expr> {};
struct reject_icmpx : seq<kw<"icmpx">, opt<kw<"type">>, reject_with_expr> {};
struct reject_tcp : seq<kw<"tcp">, kw<"reset">> {};
struct reject_opts : seq<kw<"with">, sor<reject_tcp, reject_icmpx, reject_icmp6, reject_icmp>> {};
struct reject_stmt : seq<kw<"reject">, opt<reject_opts>> {};

// ---- NAT ----

struct nat_flag : sor<kw<"random">, kw<"fully-random">, kw<"persistent">> {};
struct nat_flags : list<nat_flag, comma> {};
struct nat_addr : stmt_expr {};
struct nat_port : stmt_expr {};
struct nat_port_part : seq<colon, nat_port> {};
struct nat_to_addr : seq<kw<"to">, sor<nat_port_part, seq<nat_addr, opt<nat_port_part>>>> {};
struct nat_family : nf_key_proto {};
struct nat_special : sor<seq<nat_family, kw<"addr">, dot, kw<"port">, kw<"to">, nat_addr>,
                         seq<opt<nat_family>, kw<"interval">, kw<"to">, nat_addr>,
                         seq<opt<nat_family>, kw<"prefix">, kw<"to">, nat_addr>> {};
struct nat_stmt_args : seq<sor<nat_special, seq<nat_family, nat_to_addr>, nat_to_addr, nat_port_part,
                               seq<nat_addr, opt<nat_port_part>>>,
                           opt<nat_flags>> {};
struct nat_stmt : seq<sor<kw<"snat">, kw<"dnat">>, nat_stmt_args> {};

struct masq_stmt : seq<kw<"masquerade">, opt<kw<"to">, nat_port_part>, opt<nat_flags>> {};
struct redir_to : seq<kw<"to">, sor<nat_port_part, nat_port>> {};
struct redir_stmt : seq<kw<"redirect">, opt<redir_to>, opt<nat_flags>> {};

struct tproxy_addr : stmt_expr {};
struct tproxy_port : stmt_expr {};
struct tproxy_stmt : seq<kw<"tproxy">, opt<nat_family>, kw<"to">,
                         sor<seq<colon, tproxy_port>, seq<tproxy_addr, opt<colon, tproxy_port>>>> {};

// ---- queue, dup, fwd ----

struct queue_flag : sor<kw<"bypass">, kw<"fanout">> {};
struct queue_flags : list<queue_flag, comma> {};
struct queue_number : sor<variable_expr, integer_expr> {};
struct queue_range_tail : seq<dash, queue_number> {};
struct queue_expr_simple : seq<queue_number, opt<queue_range_tail>> {};
struct queue_map : map_expr {};
struct queue_to_expr : sor<numgen_expr, hash_expr, queue_map, queue_expr_simple> {};
struct queue_num_arg : seq<kw<"num">, queue_expr_simple> {};
struct queue_flags_arg : queue_flags {};
struct queue_stmt : seq<kw<"queue">, sor<seq<kw<"to">, queue_to_expr>,
                                         seq<kw<"flags">, queue_flags, sor<seq<kw<"to">, queue_to_expr>,
                                                                           queue_num_arg>>,
                                         star<sor<queue_num_arg, queue_flags_arg>>>> {};

struct dup_stmt : seq<kw<"dup">, kw<"to">, stmt_expr, opt<kw<"device">, stmt_expr>> {};
struct fwd_stmt : seq<kw<"fwd">, opt<nat_family>, kw<"to">, stmt_expr, opt<kw<"device">, stmt_expr>> {};

// ---- set and map updates from the packet path ----

struct set_stmt_op : sor<kw<"add">, kw<"update">, kw<"delete">> {};
struct set_elem_expr_stmt : seq<concat_expr, star<set_elem_option>> {};
struct set_stmt_old : seq<kw<"set">, set_stmt_op, set_elem_expr_stmt, set_ref_expr> {};
struct set_stmt_key : set_elem_expr_stmt {};
struct set_stmt_data : set_elem_expr_stmt {};
struct set_stmt_body : seq<lbrace, set_stmt_key, star<stateful_stmt>, opt<colon, set_stmt_data>, rbrace> {};
struct set_stmt : sor<set_stmt_old, seq<set_stmt_op, set_ref_expr, set_stmt_body>> {};

struct meter_key : set_elem_expr_stmt {};
struct meter_body_stmt;
struct meter_stmt : seq<kw<"meter">, identifier, opt<kw<"size">, number>, lbrace, meter_key, meter_body_stmt,
                        rbrace> {};

// ---- object references ----

struct objref_name : stmt_expr {};
struct objref_stmt : sor<seq<kw<"counter">, kw<"name">, objref_name>, seq<kw<"limit">, kw<"name">, objref_name>,
                         seq<kw<"quota">, kw<"name">, objref_name>, seq<kw<"synproxy">, kw<"name">, objref_name>,
                         seq<kw<"tunnel">, kw<"name">, objref_name>,
                         seq<kw<"ct">, kw<"timeout">, kw<"set">, objref_name>,
                         seq<kw<"ct">, kw<"expectation">, kw<"set">, objref_name>> {};

// ---- synproxy, option stripping, xtables ----

struct synproxy_arg : sor<seq<kw<"mss">, number>, seq<kw<"maxseg">, number>, seq<kw<"wscale">, number>,
                          kw<"timestamp">, kw<"sack-permitted">, kw<"sack-perm">> {};
struct synproxy_stmt : seq<kw<"synproxy">, star<synproxy_arg>> {};
struct optstrip_stmt : seq<kw<"reset">, kw<"tcp">, kw<"option">, tcp_option_type> {};
struct xt_stmt : seq<kw<"xt">, identifier_word, sp, string_token> {};

// ---- a rule ----

// Alternatives that start like a match come first when they are longer (`tcp dport set`,
// `ct mark set`, `... vmap`), and object references before the plain stateful statements.
struct stmt : sor<chain_stmt, verdict_stmt_plain, objref_stmt, payload_stmt, meta_stmt, ct_stmt, set_stmt, meter_stmt,
                  stateful_stmt, log_stmt, reject_stmt, nat_stmt, tproxy_stmt, queue_stmt, masq_stmt, redir_stmt,
                  dup_stmt, fwd_stmt, synproxy_stmt, optstrip_stmt, xt_stmt, match_stmt> {};
struct meter_body_stmt : stmt {};

struct rule_comment : comment_spec {};
struct rule_body : seq<plus<stmt>, opt<rule_comment>> {};

}  // namespace nfqwall::grammar

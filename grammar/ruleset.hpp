// Rulesets (nft(8) RULESET, TABLES, CHAINS, RULES, SETS, MAPS, FLOWTABLES, STATEFUL OBJECTS):
// the commands of a ruleset file and the blocks they contain.
#pragma once

#include "grammar/statements.hpp"

namespace nfqwall::grammar {

// ---- include and define (valid at every block level) ----

struct include_file : quoted_string {};
template <class Context>
struct include_line : seq<kw<"include">, include_file, stmt_separator> {};

struct define_name : identifier {};
struct negative_number : seq<dash, number> {};
struct empty_set : seq<lbrace, opt_newlines, rbrace> {};
struct initializer_expr : sor<list_rhs_expr, empty_set, negative_number, rhs_expr> {};
struct define_stmt : seq<kw<"define">, define_name, equals_sign, initializer_expr, stmt_separator> {};
struct redefine_stmt : seq<kw<"redefine">, define_name, equals_sign, initializer_expr, stmt_separator> {};
struct undefine_stmt : seq<kw<"undefine">, define_name, stmt_separator> {};

template <class Context>
struct common_block : sor<include_line<Context>, define_stmt, redefine_stmt, undefine_stmt> {};

struct top_context {};

// After a syntax error, skip to the end of the line (or of the enclosing block) and go on,
// so one run reports every broken line like nft does.
template <class Context>
struct recover_line {
    using rule_t = recover_line;
    using subs_t = type_list<>;
    template <typename ParseInput>
    static bool match(ParseInput& in) {
        // Never at the end of input or of a block: those are not errors to skip. At the top
        // level a stray '}' is an error like any other.
        constexpr bool top = std::is_same_v<Context, struct top_context>;
        if (in.empty() || (!top && in.peek_char() == '}')) return false;
        int depth = 0;
        while (!in.empty()) {
            const char c = in.peek_char();
            if (c == '"') {
                in.bump(1);
                while (!in.empty() && in.peek_char() != '"') in.bump(1);
                if (!in.empty()) in.bump(1);
                continue;
            }
            if (c == '#') {
                while (!in.empty() && in.peek_char() != '\n') in.bump(1);
                continue;
            }
            if (c == '{') ++depth;
            if (c == '}') {
                if (depth == 0 && !top) return true;
                if (depth > 0) --depth;
            }
            in.bump(1);
            if ((c == '\n' || c == ';') && depth == 0) {
                // The next item starts after its indentation, as after any separator.
                while (!in.empty() && (in.peek_char() == ' ' || in.peek_char() == '\t' || in.peek_char() == '\r')) {
                    in.bump(1);
                }
                return true;
            }
        }
        return true;
    }
};

struct table_context {};
struct chain_context {};
struct set_context {};
struct obj_context {};

// ---- names ----

struct family_spec : sor<kw<"ip">, kw<"ip6">, kw<"inet">, kw<"arp">, kw<"bridge">, kw<"netdev">> {};
struct table_name : identifier {};
struct table_spec : seq<opt<family_spec>, table_name> {};
struct chain_name : identifier {};
struct chain_spec : seq<table_spec, chain_name> {};
struct set_name : identifier {};
struct set_spec : seq<table_spec, set_name> {};
struct obj_name : identifier {};
struct obj_spec : seq<table_spec, obj_name> {};
struct flowtable_name : identifier {};
struct flowtable_spec : seq<table_spec, flowtable_name> {};
struct handle_spec : seq<kw<"handle">, number> {};
struct position_spec : seq<kw<"position">, number> {};
struct index_spec : seq<kw<"index">, number> {};
struct rule_position : seq<chain_spec, opt<sor<position_spec, handle_spec, index_spec>>> {};
struct ruleid_spec : seq<chain_spec, handle_spec> {};
struct table_handle_spec : seq<opt<family_spec>, handle_spec> {};
struct table_handle_tail : seq<table_spec, handle_spec> {};
struct ruleset_spec : opt<family_spec> {};

// ---- chains ----

struct chain_type_name : sor<kw<"filter">, kw<"nat">, kw<"route">> {};
struct hook_name : plain_word {};
struct prio_name : sor<plain_word, kw<"out">> {};
struct prio_offset : seq<sor<plus_sign, dash>, number> {};
struct prio_value : sor<negative_number, number, variable_expr, seq<prio_name, opt<prio_offset>>> {};
struct prio_spec : seq<kw<"priority">, prio_value> {};
struct device_name : sor<variable_expr, string_token> {};
struct device_list : seq<lbrace, opt_newlines, list<seq<device_name, opt_newlines>, seq<comma, opt_newlines>>,
                         opt<comma, opt_newlines>, rbrace> {};
struct devices_expr : sor<device_list, variable_expr> {};
struct dev_spec : sor<seq<kw<"device">, device_name>, seq<kw<"devices">, equals_sign, devices_expr>> {};
struct hook_spec : seq<kw<"type">, chain_type_name, kw<"hook">, hook_name, opt<dev_spec>, prio_spec> {};
struct policy_value : sor<kw<"accept">, kw<"drop">, variable_expr> {};
struct policy_spec : seq<kw<"policy">, policy_value> {};
struct chain_flags_spec : seq<kw<"flags">, kw<"offload">> {};
struct chain_devices : seq<kw<"devices">, equals_sign, devices_expr> {};
struct chain_comment : comment_spec {};
struct chain_rule : seq<rule_body, stmt_separator> {};
struct chain_item : sor<common_block<chain_context>, stmt_separator, seq<hook_spec, stmt_separator>,
                        seq<policy_spec, stmt_separator>, seq<chain_flags_spec, stmt_separator>,
                        seq<chain_devices, stmt_separator>, seq<chain_comment, stmt_separator>, chain_rule,
                        recover_line<chain_context>> {};
struct chain_block_begin : lbrace {};
struct chain_block_end : rbrace {};
struct chain_block : seq<chain_block_begin, star<chain_item>, chain_block_end> {};

// ---- sets and maps ----

struct type_identifier : sor<plain_word, kw<"mark">, kw<"dscp">, kw<"ecn">, kw<"classid">, kw<"time">> {};
struct data_type_expr : list<type_identifier, dot> {};
struct typeof_expr : list<selector_expr, dot> {};
struct set_flag : sor<kw<"constant">, kw<"interval">, kw<"timeout">, kw<"dynamic">> {};
struct set_flag_list : list<set_flag, comma> {};
struct set_policy_spec : sor<kw<"performance">, kw<"memory">> {};
struct set_size : seq<kw<"size">, number> {};
struct set_mechanism : sor<seq<kw<"policy">, set_policy_spec>, set_size> {};
struct set_key_type : seq<kw<"type">, data_type_expr> {};
struct set_key_typeof : seq<kw<"typeof">, typeof_expr> {};
struct set_flags_item : seq<kw<"flags">, set_flag_list> {};
struct set_timeout_item : seq<kw<"timeout">, time_spec> {};
struct set_gc_item : seq<kw<"gc-interval">, time_spec> {};
struct set_stateful_item : plus<stateful_stmt> {};
struct set_elements_value : sor<set_expr, variable_expr> {};
struct set_elements_item : seq<kw<"elements">, equals_sign, set_elements_value> {};
struct set_automerge_item : kw<"auto-merge"> {};
struct set_comment_item : comment_spec {};

struct map_obj_type : sor<kw<"counter">, kw<"quota">, kw<"limit">, kw<"secmark">, kw<"synproxy">,
                          seq<kw<"ct">, sor<kw<"timeout">, kw<"expectation">>>> {};
struct map_data_interval : kw<"interval"> {};
struct map_type_data : seq<opt<map_data_interval>, data_type_expr> {};
struct map_key_type : seq<kw<"type">, data_type_expr, colon, sor<seq<map_obj_type, at<stmt_separator>>, map_type_data>> {};
struct typeof_data_queue : kw<"queue"> {};
struct typeof_data_interval : seq<kw<"interval">, typeof_expr> {};
struct typeof_data_expr : sor<seq<map_obj_type, at<stmt_separator>>, typeof_data_interval, typeof_data_queue,
                              typeof_expr, plain_word> {};
struct map_key_typeof : seq<kw<"typeof">, typeof_expr, colon, typeof_data_expr> {};

struct set_item : sor<common_block<set_context>, stmt_separator, seq<set_key_typeof, stmt_separator>,
                      seq<set_key_type, stmt_separator>, seq<set_flags_item, stmt_separator>,
                      seq<set_timeout_item, stmt_separator>, seq<set_gc_item, stmt_separator>,
                      seq<set_stateful_item, stmt_separator>, set_elements_item, set_automerge_item,
                      seq<set_mechanism, stmt_separator>, seq<set_comment_item, stmt_separator>,
                      recover_line<set_context>> {};
struct map_item : sor<common_block<set_context>, stmt_separator, seq<map_key_typeof, stmt_separator>,
                      seq<map_key_type, stmt_separator>, seq<set_flags_item, stmt_separator>,
                      seq<set_timeout_item, stmt_separator>, seq<set_gc_item, stmt_separator>,
                      seq<set_stateful_item, stmt_separator>, set_elements_item,
                      seq<set_mechanism, stmt_separator>, seq<set_comment_item, stmt_separator>,
                      recover_line<set_context>> {};
struct set_block_begin : lbrace {};
struct map_block_begin : lbrace {};
struct set_block_end : rbrace {};
struct set_block : seq<set_block_begin, star<set_item>, set_block_end> {};
struct map_block : seq<map_block_begin, star<map_item>, set_block_end> {};

// ---- flowtables ----

struct flowtable_hook : seq<kw<"hook">, hook_name, prio_spec> {};
struct flowtable_devices : seq<kw<"devices">, equals_sign, devices_expr> {};
struct flowtable_counter : kw<"counter"> {};
struct flowtable_offload : seq<kw<"flags">, kw<"offload">> {};
struct flowtable_item : sor<common_block<obj_context>, stmt_separator, seq<flowtable_hook, stmt_separator>,
                            seq<flowtable_devices, stmt_separator>, flowtable_counter,
                            seq<flowtable_offload, stmt_separator>, recover_line<obj_context>> {};
struct flowtable_block_begin : lbrace {};
struct flowtable_block : seq<flowtable_block_begin, star<flowtable_item>, rbrace> {};

// ---- stateful objects ----

struct counter_config : seq<kw<"packets">, number, kw<"bytes">, number> {};
struct quota_config : quota_args {};
struct limit_config : seq<kw<"rate">, limit_args> {};
struct secmark_config : string_token {};
struct ct_l4proto : sor<kw<"tcp">, kw<"udp">> {};
struct ct_helper_type : seq<kw<"type">, quoted_string, kw<"protocol">, ct_l4proto> {};
struct ct_l3proto : seq<kw<"l3proto">, family_spec> {};
struct ct_protocol : seq<kw<"protocol">, ct_l4proto> {};
struct timeout_state : seq<plain_word, colon, sor<number, time_spec>> {};
struct ct_timeout_policy : seq<kw<"policy">, equals_sign, lbrace, opt_newlines,
                               list<seq<timeout_state, opt_newlines>, seq<comma, opt_newlines>>, rbrace> {};
struct ct_expect_dport : seq<kw<"dport">, number> {};
struct ct_expect_timeout : seq<kw<"timeout">, time_spec> {};
struct ct_expect_size : seq<kw<"size">, number> {};
struct synproxy_config : seq<sor<kw<"mss">, kw<"maxseg">>, number, opt<stmt_separator>, kw<"wscale">, number,
                             opt<stmt_separator>, opt<kw<"timestamp">>, opt<sor<kw<"sack-permitted">,
                             kw<"sack-perm">>>> {};
struct obj_comment : comment_spec {};
struct tunnel_erspan_item : sor<seq<kw<"version">, number>, seq<kw<"index">, number>,
                                seq<kw<"direction">, sor<kw<"ingress">, kw<"egress">>>, seq<kw<"id">, number>> {};
struct tunnel_vxlan_item : seq<kw<"gbp">, number> {};
struct tunnel_geneve_item : seq<kw<"class">, number, kw<"opt-type">, number, kw<"data">, string_token> {};
template <class Item>
struct tunnel_sub_block : seq<lbrace, star<sor<stmt_separator, seq<Item, opt<stmt_separator>>>>, rbrace> {};
struct tunnel_erspan : seq<kw<"erspan">, tunnel_sub_block<tunnel_erspan_item>> {};
struct tunnel_vxlan : seq<kw<"vxlan">, tunnel_sub_block<tunnel_vxlan_item>> {};
struct tunnel_geneve : seq<kw<"geneve">, tunnel_sub_block<tunnel_geneve_item>> {};
struct tunnel_config_item : sor<seq<kw<"id">, number>, seq<sor<kw<"ip">, kw<"ip6">>, sor<kw<"saddr">, kw<"daddr">>,
                                                         symbol_expr>,
                                seq<kw<"sport">, number>, seq<kw<"dport">, number>, seq<kw<"ttl">, number>,
                                seq<kw<"tos">, number>, tunnel_erspan, tunnel_vxlan, tunnel_geneve> {};

template <class Config>
struct obj_item : sor<common_block<obj_context>, stmt_separator, seq<Config, opt<stmt_separator>>,
                      seq<obj_comment, opt<stmt_separator>>, recover_line<obj_context>> {};
// Starts a stateful object (before its block, or before its inline configuration).
struct obj_begin : success {};
template <class Config>
struct obj_block : seq<lbrace, star<obj_item<Config>>, rbrace> {};

struct ct_helper_config : sor<seq<ct_helper_type, stmt_separator>, seq<ct_l3proto, stmt_separator>> {};
struct ct_timeout_config : sor<seq<ct_protocol, stmt_separator>, seq<ct_timeout_policy, stmt_separator>,
                               seq<ct_l3proto, stmt_separator>> {};
struct ct_expect_config : sor<seq<ct_protocol, stmt_separator>, seq<ct_expect_dport, stmt_separator>,
                              seq<ct_expect_timeout, stmt_separator>, seq<ct_expect_size, stmt_separator>,
                              seq<ct_l3proto, stmt_separator>> {};

// ---- tables ----

struct table_flag : plain_word {};
struct table_flags_item : seq<kw<"flags">, list<table_flag, comma>> {};
struct table_comment : comment_spec {};

// Each nested block must be followed by a newline or ';' before the next item (as in nft).
struct table_chain : seq<kw<"chain">, chain_name, chain_block, stmt_separator> {};
struct table_set : seq<kw<"set">, set_name, set_block, stmt_separator> {};
struct table_map : seq<kw<"map">, set_name, map_block, stmt_separator> {};
struct table_flowtable : seq<kw<"flowtable">, flowtable_name, flowtable_block, stmt_separator> {};
struct table_counter : seq<kw<"counter">, obj_name, obj_begin, obj_block<counter_config>, stmt_separator> {};
struct table_quota : seq<kw<"quota">, obj_name, obj_begin, obj_block<quota_config>, stmt_separator> {};
struct table_limit : seq<kw<"limit">, obj_name, obj_begin, obj_block<limit_config>, stmt_separator> {};
struct table_secmark : seq<kw<"secmark">, obj_name, obj_begin, obj_block<secmark_config>, stmt_separator> {};
struct table_synproxy : seq<kw<"synproxy">, obj_name, obj_begin, obj_block<synproxy_config>, stmt_separator> {};
struct table_ct_helper : seq<kw<"ct">, kw<"helper">, obj_name, obj_begin, obj_block<ct_helper_config>, stmt_separator> {};
struct table_ct_timeout : seq<kw<"ct">, kw<"timeout">, obj_name, obj_begin, obj_block<ct_timeout_config>, stmt_separator> {};
struct table_ct_expect : seq<kw<"ct">, kw<"expectation">, obj_name, obj_begin, obj_block<ct_expect_config>, stmt_separator> {};
struct table_tunnel : seq<kw<"tunnel">, obj_name, obj_begin, obj_block<tunnel_config_item>, stmt_separator> {};
struct table_item : sor<common_block<table_context>, stmt_separator, seq<table_flags_item, stmt_separator>,
                        seq<table_comment, stmt_separator>, table_chain, table_set, table_map, table_flowtable,
                        table_counter, table_quota, table_limit, table_secmark, table_synproxy, table_ct_helper,
                        table_ct_timeout, table_ct_expect, table_tunnel, recover_line<table_context>> {};
struct table_block_begin : lbrace {};
struct table_block_end : rbrace {};
struct table_block : seq<table_block_begin, star<table_item>, table_block_end> {};

// ---- commands ----

struct cmd_table : seq<kw<"table">, table_spec, opt<table_block>> {};
struct cmd_chain : seq<kw<"chain">, chain_spec, opt<chain_block>> {};
struct cmd_rule : seq<kw<"rule">, rule_position, rule_body> {};
struct cmd_rule_implicit : seq<rule_position, rule_body> {};
struct cmd_set : seq<kw<"set">, set_spec, set_block> {};
struct cmd_map : seq<kw<"map">, set_spec, map_block> {};
struct element_value : sor<set_expr, variable_expr> {};
struct cmd_element : seq<kw<"element">, set_spec, element_value> {};
struct cmd_flowtable : seq<kw<"flowtable">, flowtable_spec, flowtable_block> {};
struct cmd_counter : seq<kw<"counter">, obj_spec, obj_begin, opt<sor<obj_block<counter_config>, counter_config>>> {};
struct cmd_quota : seq<kw<"quota">, obj_spec, obj_begin, sor<obj_block<quota_config>, quota_config>> {};
struct cmd_limit : seq<kw<"limit">, obj_spec, obj_begin, sor<obj_block<limit_config>, limit_config>> {};
struct cmd_secmark : seq<kw<"secmark">, obj_spec, obj_begin, sor<obj_block<secmark_config>, secmark_config>> {};
struct cmd_synproxy : seq<kw<"synproxy">, obj_spec, obj_begin, sor<obj_block<synproxy_config>, synproxy_config>> {};
struct cmd_ct_helper : seq<kw<"ct">, kw<"helper">, obj_spec, obj_begin, obj_block<ct_helper_config>> {};
struct cmd_ct_timeout : seq<kw<"ct">, kw<"timeout">, obj_spec, obj_begin, obj_block<ct_timeout_config>> {};
struct cmd_ct_expect : seq<kw<"ct">, kw<"expectation">, obj_spec, obj_begin, obj_block<ct_expect_config>> {};
struct cmd_tunnel : seq<kw<"tunnel">, obj_spec, obj_begin, obj_block<tunnel_config_item>> {};
struct add_cmd : sor<cmd_table, cmd_chain, cmd_rule, cmd_set, cmd_map, cmd_element, cmd_flowtable, cmd_counter,
                     cmd_quota, cmd_limit, cmd_secmark, cmd_synproxy, cmd_ct_helper, cmd_ct_timeout, cmd_ct_expect,
                     cmd_tunnel, cmd_rule_implicit> {};

struct cmd_add : seq<kw<"add">, add_cmd> {};
struct cmd_create : seq<kw<"create">, add_cmd> {};
struct cmd_insert : seq<kw<"insert">, kw<"rule">, rule_position, rule_body> {};
struct cmd_replace : seq<kw<"replace">, kw<"rule">, ruleid_spec, rule_body> {};

// Commands naming an object to delete, destroy, flush, list or reset.
struct obj_kind_ct : seq<kw<"ct">, sor<kw<"helper">, kw<"timeout">, kw<"expectation">>> {};
struct obj_kind : sor<kw<"counter">, kw<"quota">, kw<"limit">, kw<"secmark">, kw<"synproxy">, kw<"tunnel">,
                      obj_kind_ct> {};
struct ref_table : seq<kw<"table">, sor<table_handle_spec, table_spec>> {};
struct ref_chain : seq<kw<"chain">, sor<table_handle_tail, seq<chain_spec, opt<chain_block>>>> {};
struct ref_rule : seq<kw<"rule">, ruleid_spec> {};
struct ref_set : seq<sor<kw<"set">, kw<"map">, kw<"meter">>, sor<table_handle_tail, set_spec>> {};
struct ref_element : seq<kw<"element">, set_spec, element_value> {};
struct ref_flowtable : seq<kw<"flowtable">, sor<table_handle_tail, seq<flowtable_spec, opt<flowtable_block>>>> {};
struct ref_obj : seq<obj_kind, sor<table_handle_tail, obj_spec>> {};
struct ref_ruleset : seq<kw<"ruleset">, ruleset_spec> {};
struct ref_plural : seq<sor<kw<"tables">, kw<"chains">, kw<"sets">, kw<"maps">, kw<"counters">, kw<"quotas">,
                            kw<"limits">, kw<"secmarks">, kw<"synproxys">, kw<"flowtables">, kw<"meters">,
                            kw<"rules">>,
                        opt<sor<seq<kw<"table">, table_spec>, table_spec, family_spec>>> {};
struct cmd_delete : seq<kw<"delete">, sor<ref_table, ref_chain, ref_rule, ref_set, ref_element, ref_flowtable,
                                          ref_obj>> {};
struct cmd_destroy : seq<kw<"destroy">, sor<ref_table, ref_chain, ref_rule, ref_set, ref_element, ref_flowtable,
                                            ref_obj>> {};
struct cmd_flush : seq<kw<"flush">, sor<ref_ruleset, ref_table, ref_chain, ref_set>> {};
struct cmd_list : seq<kw<"list">, sor<ref_ruleset, ref_table, ref_chain, ref_set, ref_flowtable, ref_obj,
                                      ref_plural>> {};
struct cmd_reset : seq<kw<"reset">, sor<ref_rule, ref_element, ref_set, ref_obj, ref_plural>> {};
struct cmd_get : seq<kw<"get">, ref_element> {};
struct rename_target : identifier {};
struct cmd_rename : seq<kw<"rename">, kw<"chain">, chain_spec, rename_target> {};
// Interactive commands have no meaning in a ruleset file.
struct cmd_unsupported : seq<sor<kw<"monitor">, kw<"import">, kw<"export">, kw<"describe">>,
                             star<not_one<'\n', ';'>>> {};

struct base_cmd : sor<cmd_add, cmd_create, cmd_insert, cmd_replace, cmd_delete, cmd_destroy, cmd_flush, cmd_list,
                      cmd_reset, cmd_get, cmd_rename, cmd_unsupported, add_cmd> {};

struct line : sor<common_block<top_context>, stmt_separator, seq<base_cmd, sor<stmt_separator, eof>>,
                  recover_line<top_context>> {};
// A whole ruleset file.
struct ruleset_file : seq<sp, star<line>, eof> {};

// The contents of an included file, by where the include appears.
struct table_items : seq<sp, star<table_item>, eof> {};
struct chain_items : seq<sp, star<chain_item>, eof> {};
struct set_items : seq<sp, star<sor<set_item, map_item>>, eof> {};

}  // namespace nfqwall::grammar

namespace tao::pegtl {
template <typename Name, class Context>
struct analyze_traits<Name, nfqwall::grammar::recover_line<Context>> : analyze_any_traits<> {};
}  // namespace tao::pegtl

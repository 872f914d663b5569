// The listing printer: nft's *_print functions (expression.c, statement.c, rule.c, meta.c,
// ct.c, payload.c, exthdr.c...) over the AST. Layout details (tabs, blank lines, the element
// wrapping of named sets) follow nft 1.1 exactly; deciding *what* to print is the listing
// pass's job (postprocess.hpp).
#include "front/print.hpp"

#include "front/listing_names.hpp"

#include <errno.h>
#include <netdb.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "front/postprocess.hpp"
#include "front/proto.hpp"
#include "front/rule.hpp"

namespace nfqwall::front {

namespace {

// Set while a named set's elements print: nft breaks every element onto its own line when
// elements carry data or options (octx->force_newline).
thread_local bool force_element_newline = false;

// Prints with nft's stateless output switched on, as set statements and set declarations do
// for the statements they hold.
struct stateless_scope {
    print_ctx& ctx;
    bool saved;
    explicit stateless_scope(print_ctx& c) : ctx(c), saved(c.opts.stateless) { ctx.opts.stateless = true; }
    ~stateless_scope() { ctx.opts.stateless = saved; }
    stateless_scope(const stateless_scope&) = delete;
    stateless_scope& operator=(const stateless_scope&) = delete;
};

std::string num(uint64_t v) { return std::to_string(v); }

bool is_bitmask_value(const expr& e) {
    return e.is(expr_kind::value) && e.dtype != nullptr && e.dtype->basetype != nullptr &&
           e.dtype->basetype->id == type_id::bitmask;
}

std::string byte_rate(uint64_t bytes) {
    const scaled_bytes b = scale_bytes(bytes);
    return num(b.value) + " " + std::string(b.unit);
}

std::string protocol_name(uint8_t l4proto) {
    if (auto name = ip_protocol_name(l4proto)) return *name;
    return num(l4proto);
}

// ---------------------------------------------------------------------------------------------
// Expressions.

// nft's expr_binop_precedence: parentheses only where a looser operator sits under a tighter
// one.
int binop_precedence(op o) {
    switch (o) {
    case op::lshift:
    case op::rshift: return 1;
    case op::band: return 2;
    case op::bxor: return 3;
    case op::bor: return 4;
    default: return 0;
    }
}

void binop_arg(op parent, const expr& arg, print_ctx& ctx) {
    const bool parens = arg.is(expr_kind::binop) && binop_precedence(parent) != 0 &&
                        binop_precedence(parent) < binop_precedence(arg.as<binop_expr>().oper);
    if (parens) ctx.put('(');
    print_expr(arg, ctx);
    if (parens) ctx.put(')');
}

// nft's must_print_eq_op: `==` shows where it cannot be mistaken for a flag test.
bool must_print_eq(const relational_expr& rel) {
    if (is_bitmask_value(*rel.right)) return true;
    return rel.left->is(expr_kind::binop);
}

void print_relational(const relational_expr& rel, print_ctx& ctx) {
    binop_arg(rel.oper, *rel.left, ctx);
    switch (rel.oper) {
    case op::implicit:
        ctx.put(' ');
        break;
    case op::eq:
        ctx.put(must_print_eq(rel) ? " == " : " ");
        break;
    default:
        ctx.put(' ');
        ctx.put(op_token(rel.oper));
        ctx.put(' ');
        break;
    }
    binop_arg(rel.oper, *rel.right, ctx);
}

void print_binop(const binop_expr& b, print_ctx& ctx) {
    binop_arg(b.oper, *b.left, ctx);
    ctx.put(' ');
    ctx.put(op_token(b.oper));
    ctx.put(' ');
    binop_arg(b.oper, *b.right, ctx);
}

// Range ends print with every numeric output option on (nft's range_expr_print).
void print_range_end(const expr& e, print_ctx& ctx) {
    if (e.is(expr_kind::value)) {
        print_value_numeric(e.as<value_expr>(), ctx);
    } else {
        print_expr(e, ctx);
    }
}

void print_verdict(const verdict_expr& v, print_ctx& ctx) {
    switch (v.code) {
    case verdict_code::accept: ctx.put("accept"); return;
    case verdict_code::drop: ctx.put("drop"); return;
    case verdict_code::queue: ctx.put("queue"); return;
    case verdict_code::cont: ctx.put("continue"); return;
    case verdict_code::brk: ctx.put("break"); return;
    case verdict_code::ret: ctx.put("return"); return;
    case verdict_code::jump: ctx.put("jump "); break;
    case verdict_code::go_to: ctx.put("goto "); break;
    }
    if (!v.chain) return;
    if (v.chain->is(expr_kind::value)) {
        ctx.put(value_string(v.chain->as<value_expr>()));
    } else if (v.chain->is(expr_kind::symbol)) {
        ctx.put(v.chain->as<symbol_expr>().text);
    } else {
        print_expr(*v.chain, ctx);
    }
}

// nft's calculate_delim: anonymous sets stay on one line; named sets wrap after a few
// elements of short types, after every element of the others.
std::string_view element_delimiter(const set_expr& s, int& count) {
    static constexpr std::string_view newline = ",\n\t\t\t     ";
    static constexpr std::string_view singleline = ", ";
    if (force_element_newline) return newline;
    if (s.set_flags & NFT_SET_ANONYMOUS) return singleline;
    if (s.dtype == nullptr) return newline;
    switch (nft_type(*s.dtype)) {
    case type_id::nfproto:
    case type_id::integer:
    case type_id::arpop:
    case type_id::inet_protocol:
    case type_id::inet_service:
    case type_id::tcp_flag:
    case type_id::dccp_pkttype:
    case type_id::mark:
    case type_id::ifindex:
    case type_id::classid:
    case type_id::uid:
    case type_id::gid:
    case type_id::ct_dir:
        if (count < 5) return singleline;
        count = 0;
        break;
    case type_id::ipaddr:
    case type_id::ct_state:
    case type_id::ct_status:
    case type_id::pkttype:
        if (count < 2) return singleline;
        count = 0;
        break;
    default:
        break;
    }
    return newline;
}

void print_set(const set_expr& s, print_ctx& ctx) {
    ctx.put("{ ");
    std::string_view delim;
    int count = 0;
    for (const auto& i : s.items) {
        ctx.put(delim);
        print_expr(*i, ctx);
        ++count;
        delim = element_delimiter(s, count);
    }
    ctx.put(" }");
}

void print_set_elem(const set_elem_expr& el, print_ctx& ctx) {
    // Map elements print key, options, then data (nft prints the mapping's left side here).
    const expr* key = el.key.get();
    const expr* data = nullptr;
    if (key != nullptr && key->is(expr_kind::mapping)) {
        data = key->as<mapping_expr>().right.get();
        key = key->as<mapping_expr>().left.get();
    }
    if (key != nullptr) print_expr(*key, ctx);
    for (const auto& s : el.stmts) {
        ctx.put(' ');
        print_stmt(*s, ctx);
    }
    if (el.timeout_never) {
        ctx.put(" timeout never");
    } else if (el.timeout != 0) {
        ctx.put(" timeout ");
        ctx.put(format_time_ms(el.timeout));
    }
    if (!ctx.opts.stateless && !el.timeout_never && el.expiration != 0) {
        ctx.put(" expires ");
        ctx.put(format_time_ms(el.expiration));
    }
    if (el.has_comment) {
        ctx.put(" comment \"");
        ctx.put(el.comment);
        ctx.put('"');
    }
    if (data != nullptr) {
        ctx.put(" : ");
        print_expr(*data, ctx);
    }
}

bool mappings_are_verdicts(const expr& mappings) {
    if (mappings.is(expr_kind::set_ref)) {
        const set* s = mappings.as<set_ref_expr>().target;
        return s != nullptr && s->data && s->data->dtype != nullptr && s->data->dtype->id == type_id::verdict;
    }
    if (!mappings.is(expr_kind::set)) return false;
    for (const auto& item : mappings.as<set_expr>().items) {
        const expr* m = item.get();
        if (m->is(expr_kind::set_elem)) m = m->as<set_elem_expr>().key.get();
        if (m != nullptr && m->is(expr_kind::mapping)) return m->as<mapping_expr>().right->is(expr_kind::verdict);
        return false;
    }
    return false;
}

void print_payload(const payload_expr& p, print_ctx& ctx) {
    if (p.inner_desc != nullptr && p.desc != p.inner_desc) {
        ctx.put(p.inner_desc->name);
        ctx.put(' ');
    }
    if (p.desc != nullptr && p.tmpl != nullptr) {
        ctx.put(p.desc->name);
        ctx.put(' ');
        ctx.put(p.tmpl->token);
        return;
    }
    ctx.put('@');
    ctx.put(proto_base_token(p.base));
    ctx.put(',');
    ctx.put(num(p.offset));
    ctx.put(',');
    ctx.put(num(p.len));
}

void print_exthdr(const exthdr_expr& x, print_ctx& ctx) {
    const std::string_view name = x.desc != nullptr ? x.desc->name : std::string_view("unknown-exthdr");
    switch (x.xop) {
    case exthdr_op::tcpopt: {
        if (x.is_raw || (x.tmpl == nullptr && !x.present)) {
            ctx.put("tcp option @" + num(x.raw_type) + "," + num(x.offset) + "," + num(x.len));
            return;
        }
        if ((x.desc == nullptr || x.desc->name.empty()) && x.present) {
            ctx.put("tcp option " + num(x.raw_type));
            return;
        }
        ctx.put("tcp option ");
        ctx.put(name);
        if (x.present) return;
        // Sack blocks share their field names; the block number comes from the offset.
        const uint32_t offset = x.tmpl != nullptr ? x.tmpl->offset : x.offset;
        if (const uint32_t block = offset / 64; block != 0) ctx.put(num(block));
        ctx.put(' ');
        ctx.put(x.tmpl->token);
        return;
    }
    case exthdr_op::ipv4:
        ctx.put("ip option ");
        ctx.put(name);
        if (x.present || x.tmpl == nullptr) return;
        ctx.put(' ');
        ctx.put(x.tmpl->token);
        return;
    case exthdr_op::sctp:
        ctx.put("sctp chunk ");
        ctx.put(name);
        if (x.present || x.tmpl == nullptr) return;
        ctx.put(' ');
        ctx.put(x.tmpl->token);
        return;
    case exthdr_op::dccp:
        ctx.put("dccp option " + num(x.raw_type));
        return;
    case exthdr_op::ipv6:
        if (x.present) {
            ctx.put("exthdr ");
            ctx.put(name);
            return;
        }
        ctx.put(name);
        ctx.put(' ');
        ctx.put(x.tmpl != nullptr ? x.tmpl->token : std::string_view("unknown"));
        return;
    }
}

void print_meta(const meta_expr& m, print_ctx& ctx) {
    const meta_template* t = meta_lookup(m.key);
    const std::string_view token = t != nullptr ? t->token : std::string_view("unknown");
    if (!meta_key_is_unqualified(m.key)) ctx.put("meta ");
    ctx.put(token);
}

std::string_view ct_direction_name(int dir) { return dir == 0 ? "original" : "reply"; }

// The key token, with the family nft learned from context for plain saddr/daddr.
std::string_view ct_key_token(int key, int nfproto) {
    if (key == CT_SRC || key == CT_DST) {
        const bool src = key == CT_SRC;
        if (nfproto == static_cast<int>(family::ipv4)) return src ? "ip saddr" : "ip daddr";
        if (nfproto == static_cast<int>(family::ipv6)) return src ? "ip6 saddr" : "ip6 daddr";
    }
    const ct_template* t = ct_lookup(key);
    return t != nullptr ? t->token : std::string_view("unknown");
}

void print_ct(const ct_expr& c, print_ctx& ctx) {
    ctx.put("ct ");
    if (c.direction >= 0) {
        ctx.put(ct_direction_name(c.direction));
        ctx.put(' ');
    }
    ctx.put(ct_key_token(c.key, c.nfproto));
}

// rt keys (NFT_RT_*) and their tokens.
void print_rt(const rt_expr& r, print_ctx& ctx) {
    static constexpr std::string_view tokens[] = {"classid", "nexthop", "nexthop", "mtu", "ipsec"};
    ctx.put("rt ");
    if (r.key == 1) ctx.put("ip ");
    if (r.key == 2) ctx.put("ip6 ");
    ctx.put(r.key >= 0 && r.key < 5 ? tokens[r.key] : std::string_view("unknown"));
}

void print_fib(const fib_expr& f, print_ctx& ctx) {
    // NFTA_FIB_F_* bits and NFT_FIB_RESULT_* values.
    constexpr uint32_t saddr = 1u << 0, daddr = 1u << 1, mark = 1u << 2, iif = 1u << 3, oif = 1u << 4,
                       present = 1u << 5;
    ctx.put("fib ");
    ctx.put((f.fib_flags & saddr) ? "saddr" : "daddr");
    if (f.fib_flags & mark) ctx.put(" . mark");
    if (f.fib_flags & iif) ctx.put(" . iif");
    if (f.fib_flags & oif) ctx.put(" . oif");
    if (f.fib_flags & present) {
        ctx.put(" check");
        return;
    }
    switch (f.result) {
    case 1: ctx.put(" oif"); break;
    case 2: ctx.put(" oifname"); break;
    case 3: ctx.put(" type"); break;
    default: ctx.put(" unknown"); break;
    }
    (void)daddr;
}

void print_hash(const hash_expr& h, print_ctx& ctx) {
    if (h.type == 1) {
        ctx.put("symhash");
    } else {
        ctx.put("jhash ");
        if (h.arg) print_expr(*h.arg, ctx);
    }
    ctx.put(" mod " + num(h.mod));
    if (h.seed_set) ctx.put(" seed 0x" + u128_to_hex(h.seed));
    if (h.offset != 0) ctx.put(" offset " + num(h.offset));
}

void print_socket(const socket_expr& s, print_ctx& ctx) {
    switch (s.key) {
    case 0: ctx.put("socket transparent"); break;
    case 1: ctx.put("socket mark"); break;
    case 2: ctx.put("socket wildcard"); break;
    case 3: ctx.put("socket cgroupv2 level " + num(s.level)); break;
    default: ctx.put("socket unknown"); break;
    }
}

void print_osf(const osf_expr& o, print_ctx& ctx) {
    ctx.put("osf ");
    if (o.ttl == 1) ctx.put("ttl loose ");
    if (o.ttl == 2) ctx.put("ttl skip ");
    ctx.put((o.osf_flags & 1) ? "version" : "name");
}

void print_xfrm(const xfrm_expr& x, print_ctx& ctx) {
    ctx.put(x.direction == 0 ? "ipsec in" : "ipsec out");
    if (x.spnum != 0) ctx.put(" spnum " + num(x.spnum));
    // NFT_XFRM_KEY_DADDR_IP4 = 1, DADDR_IP6, SADDR_IP4, SADDR_IP6, REQID, SPI.
    switch (x.key) {
    case 1: ctx.put(" ip daddr"); break;
    case 2: ctx.put(" ip6 daddr"); break;
    case 3: ctx.put(" ip saddr"); break;
    case 4: ctx.put(" ip6 saddr"); break;
    case 5: ctx.put(" reqid"); break;
    case 6: ctx.put(" spi"); break;
    default: ctx.put(" unknown"); break;
    }
}

void print_set_ref(const set_ref_expr& r, print_ctx& ctx) {
    const set* s = r.target;
    if (s != nullptr && s->anonymous() && !s->is_meter) {
        // Normally replaced by the listing pass; printed raw when print_expr is used directly.
        if (expr_ptr elems = listed_elements(*s)) {
            print_expr(*elems, ctx);
        } else {
            ctx.put("{  }");
        }
        return;
    }
    ctx.put('@');
    ctx.put(s != nullptr ? s->name : r.name);
}

// ---------------------------------------------------------------------------------------------
// Statements.

void print_limit_rate(uint64_t rate, uint64_t unit, limit_type type, bool over, uint32_t burst, bool default_burst,
                      print_ctx& ctx) {
    if (type == limit_type::packets) {
        ctx.put("rate ");
        if (over) ctx.put("over ");
        ctx.put(num(rate) + "/");
        ctx.put(rate_period_name(unit));
        if (default_burst) ctx.put(" burst " + num(burst) + " packets");
        return;
    }
    ctx.put("rate ");
    if (over) ctx.put("over ");
    ctx.put(byte_rate(rate) + "/");
    ctx.put(rate_period_name(unit));
    if (burst != 0) ctx.put(" burst " + byte_rate(burst));
}

void print_log(const log_stmt& l, print_ctx& ctx) {
    ctx.put("log");
    if (l.set_flags & LOG_F_PREFIX) ctx.put(" prefix \"" + l.prefix + "\"");
    if (l.set_flags & LOG_F_GROUP) ctx.put(" group " + num(l.group));
    if (l.set_flags & LOG_F_SNAPLEN) ctx.put(" snaplen " + num(l.snaplen));
    if (l.set_flags & LOG_F_QTHRESHOLD) ctx.put(" queue-threshold " + num(l.qthreshold));
    if ((l.set_flags & LOG_F_LEVEL) && l.level != 4) {
        ctx.put(" level ");
        ctx.put(log_level_name(l.level));
    }
    if ((l.logflags & NF_LOG_MASK) == NF_LOG_MASK) {
        ctx.put(" flags all");
        return;
    }
    if (l.logflags & (NF_LOG_TCPSEQ | NF_LOG_TCPOPT)) {
        std::string_view delim = " ";
        ctx.put(" flags tcp");
        if (l.logflags & NF_LOG_TCPSEQ) {
            ctx.put(" sequence");
            delim = ",";
        }
        if (l.logflags & NF_LOG_TCPOPT) {
            ctx.put(delim);
            ctx.put("options");
        }
    }
    if (l.logflags & NF_LOG_IPOPT) ctx.put(" flags ip options");
    if (l.logflags & NF_LOG_UID) ctx.put(" flags skuid");
    if (l.logflags & NF_LOG_MACDECODE) ctx.put(" flags ether");
}

void print_reject(const reject_stmt& r, print_ctx& ctx) {
    constexpr int icmp_port_unreach = 3;
    constexpr int icmp6_port_unreach = 4;
    constexpr int icmpx_port_unreach = 1;
    ctx.put("reject");
    auto code = [&] {
        if (r.code) {
            print_expr(*r.code, ctx);
        } else {
            ctx.put(num(static_cast<uint64_t>(std::max(r.icmp_code, 0))));
        }
    };
    switch (r.type) {
    case reject_type::tcp_rst:
        ctx.put(" with tcp reset");
        return;
    case reject_type::icmpx_unreach:
        if (r.icmp_code == icmpx_port_unreach) return;
        ctx.put(" with icmpx ");
        code();
        return;
    case reject_type::icmp_unreach:
    case reject_type::unset:
        // explicit_with carries nft's verbose_print (set by the listing pass).
        if (r.family == static_cast<int>(family::ipv4)) {
            if (!r.explicit_with && r.icmp_code == icmp_port_unreach) return;
            ctx.put(" with icmp ");
            code();
        } else if (r.family == static_cast<int>(family::ipv6)) {
            if (!r.explicit_with && r.icmp_code == icmp6_port_unreach) return;
            ctx.put(" with icmpv6 ");
            code();
        }
        return;
    }
}

bool is_ip6_value(const expr& e) {
    return e.is(expr_kind::value) && e.dtype != nullptr && e.dtype->id == type_id::ip6addr;
}

void print_nat(const nat_stmt& n, print_ctx& ctx) {
    static constexpr std::string_view names[] = {"snat", "dnat", "masquerade", "redirect"};
    ctx.put(names[static_cast<int>(n.type)]);
    if (n.addr || n.proto) {
        if (n.family == static_cast<int>(family::ipv4)) ctx.put(" ip");
        if (n.family == static_cast<int>(family::ipv6)) ctx.put(" ip6");
        if (n.type_flags & STMT_NAT_F_PREFIX) ctx.put(" prefix");
        ctx.put(" to");
    }
    if (n.addr) {
        ctx.put(' ');
        const expr& a = *n.addr;
        if (n.proto && is_ip6_value(a)) {
            ctx.put('[');
            print_expr(a, ctx);
            ctx.put(']');
        } else if (n.proto && a.is(expr_kind::range) && is_ip6_value(*a.as<range_expr>().left)) {
            ctx.put('[');
            print_expr(*a.as<range_expr>().left, ctx);
            ctx.put("]-[");
            print_expr(*a.as<range_expr>().right, ctx);
            ctx.put(']');
        } else {
            print_expr(a, ctx);
        }
    }
    if (n.proto) {
        if (!n.addr) ctx.put(' ');
        ctx.put(':');
        print_expr(*n.proto, ctx);
    }
    std::string_view delim = " ";
    if (n.flags & NF_NAT_RANGE_PROTO_RANDOM) {
        ctx.put(delim);
        ctx.put("random");
        delim = ",";
    }
    if (n.flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) {
        ctx.put(delim);
        ctx.put("fully-random");
        delim = ",";
    }
    if (n.flags & NF_NAT_RANGE_PERSISTENT) {
        ctx.put(delim);
        ctx.put("persistent");
    }
}

void print_tproxy(const tproxy_stmt& t, print_ctx& ctx) {
    ctx.put("tproxy");
    // The family only shows in inet tables; the listing pass clears it elsewhere.
    if (t.family == static_cast<int>(family::ipv4)) ctx.put(" ip");
    if (t.family == static_cast<int>(family::ipv6)) ctx.put(" ip6");
    ctx.put(" to");
    if (t.addr) {
        ctx.put(' ');
        if (is_ip6_value(*t.addr)) {
            ctx.put('[');
            print_expr(*t.addr, ctx);
            ctx.put(']');
        } else {
            print_expr(*t.addr, ctx);
        }
    }
    if (t.port) {
        if (!t.addr) ctx.put(' ');
        ctx.put(':');
        print_expr(*t.port, ctx);
    }
}

void print_queue(const queue_stmt& q, print_ctx& ctx) {
    ctx.put("queue");
    std::string_view delim = " flags ";
    if (q.flags & NFT_QUEUE_FLAG_BYPASS) {
        ctx.put(delim);
        ctx.put("bypass");
        delim = ",";
    }
    if (q.flags & NFT_QUEUE_FLAG_CPU_FANOUT) {
        ctx.put(delim);
        ctx.put("fanout");
    }
    ctx.put(" to ");
    if (q.queue) {
        print_expr(*q.queue, ctx);
    } else {
        ctx.put('0');
    }
}

std::string_view dynset_op_name(dynset_op o) {
    switch (o) {
    case dynset_op::add: return "add";
    case dynset_op::update: return "update";
    case dynset_op::del: return "delete";
    }
    return "add";
}

void print_nested_stmts(const std::vector<stmt_ptr>& stmts, print_ctx& ctx) {
    for (const auto& s : stmts) {
        ctx.put(' ');
        stateless_scope stateless(ctx);
        print_stmt(*s, ctx);
    }
}

void print_synproxy(const synproxy_stmt& s, print_ctx& ctx) {
    const std::string ts = (s.flags & NF_SYNPROXY_OPT_TIMESTAMP) ? " timestamp" : "";
    const std::string sack = (s.flags & NF_SYNPROXY_OPT_SACK_PERM) ? " sack-perm" : "";
    if ((s.flags & NF_SYNPROXY_OPT_MSS) && (s.flags & NF_SYNPROXY_OPT_WSCALE)) {
        ctx.put("synproxy mss " + num(s.mss) + " wscale " + num(s.wscale) + ts + sack);
    } else if (s.flags & NF_SYNPROXY_OPT_MSS) {
        ctx.put("synproxy mss " + num(s.mss) + ts + sack);
    } else if (s.flags & NF_SYNPROXY_OPT_WSCALE) {
        ctx.put("synproxy wscale " + num(s.wscale) + ts + sack);
    } else {
        ctx.put("synproxy" + ts + sack);
    }
}

void print_objref(const objref_stmt& o, print_ctx& ctx) {
    switch (o.type) {
    case obj_type::ct_helper: ctx.put("ct helper set "); break;
    case obj_type::ct_timeout: ctx.put("ct timeout set "); break;
    case obj_type::ct_expect: ctx.put("ct expectation set "); break;
    case obj_type::secmark: ctx.put("meta secmark set "); break;
    default:
        ctx.put(obj_type_name(o.type));
        ctx.put(" name ");
        break;
    }
    if (o.e) print_expr(*o.e, ctx);
}

void print_rules(const chain& c, print_ctx& ctx, family fam, std::string_view indent);

void print_chain_stmt(const chain_stmt& c, print_ctx& ctx, family fam) {
    ctx.put(c.verdict == verdict_code::go_to ? "goto {\n" : "jump {\n");
    if (c.body) {
        // Rules of a binding chain never show handles.
        const bool handles = ctx.opts.handles;
        ctx.opts.handles = false;
        print_rules(*c.body, ctx, fam, "\t");
        ctx.opts.handles = handles;
    }
    ctx.put("\t\t}");
}

// The family of the table being listed, for anonymous chains inside rules.
thread_local family listing_family = family::unspec;

// ---------------------------------------------------------------------------------------------
// Tables, chains, sets, objects, flowtables (rule.c).


std::string device_list(const std::vector<std::string>& devices) {
    std::string out = "{ ";
    for (size_t i = 0; i < devices.size(); ++i) {
        if (i != 0) out += ", ";
        out += "\"" + devices[i] + "\"";
    }
    return out + " }";
}

void print_rule_line(const rule& r, print_ctx& ctx, family fam) {
    const rule listed = postprocess_rule(r, fam);
    const family saved = listing_family;
    listing_family = fam;
    for (size_t i = 0; i < listed.stmts.size(); ++i) {
        if (i != 0) ctx.put(' ');
        print_stmt(*listed.stmts[i], ctx);
    }
    listing_family = saved;
    if (r.has_comment) ctx.put(" comment \"" + r.comment + "\"");
    if (ctx.opts.handles) ctx.put(" # handle " + num(r.handle));
}

void print_rules(const chain& c, print_ctx& ctx, family fam, std::string_view indent) {
    for (const rule& r : c.rules) {
        ctx.put("\t\t");
        ctx.put(indent);
        print_rule_line(r, ctx, fam);
        ctx.put('\n');
    }
}

void print_chain(const chain& c, const table& t, print_ctx& ctx) {
    ctx.put("\tchain " + c.name + " {");
    if (ctx.opts.handles) ctx.put(" # handle " + num(c.handle));
    if (c.has_comment) ctx.put("\n\t\tcomment \"" + c.comment + "\"");
    ctx.put('\n');
    if (c.is_base()) {
        ctx.put("\t\ttype " + (c.type.empty() ? std::string("filter") : c.type) + " hook ");
        ctx.put(hook_name(t.fam, c.hooknum));
        const auto devices = listed_devices(c.devices);
        if (devices.size() == 1) ctx.put(" device \"" + devices[0] + "\"");
        if (devices.size() > 1) ctx.put(" devices = " + device_list(devices));
        ctx.put(" priority " + priority_text(c.priority_value, t.fam, c.hooknum) + ";");
        ctx.put(c.policy.value_or(1) == 0 ? " policy drop;" : " policy accept;");
        if (c.flags & CHAIN_F_HW_OFFLOAD) ctx.put(" flags offload;");
        ctx.put('\n');
    }
    print_rules(c, ctx, t.fam, "");
    ctx.put("\t}\n");
}

// nft's set_print_key: a type name, or the expression for types of variable size.
void print_set_type(const expr& e, print_ctx& ctx) {
    if (e.dtype != nullptr && (e.dtype->size != 0 || e.dtype->id == type_id::verdict || e.dtype->is_concat())) {
        ctx.put(e.dtype->name);
    } else {
        print_expr(e, ctx);
    }
}

void print_set_declaration(const set& s, const expr* elements, print_ctx& ctx) {
    ctx.put((s.flags & (NFT_SET_MAP | NFT_SET_OBJECT)) ? "\tmap " : "\tset ");
    ctx.put(s.name + " {");
    if (ctx.opts.handles) ctx.put(" # handle " + num(s.handle));
    ctx.put("\n\t\t");
    ctx.put(s.key_typeof ? "typeof " : "type ");
    if (s.key) {
        if (s.key_typeof) {
            print_expr(*s.key, ctx);
        } else {
            print_set_type(*s.key, ctx);
        }
    }
    if ((s.flags & NFT_SET_MAP) && s.data && !(s.flags & NFT_SET_OBJECT)) {
        ctx.put(" : ");
        if (s.data->flags & EXPR_F_INTERVAL) ctx.put("interval ");
        if (s.data_typeof) {
            print_expr(*s.data, ctx);
        } else {
            print_set_type(*s.data, ctx);
        }
    } else if (s.flags & NFT_SET_OBJECT) {
        ctx.put(" : ");
        ctx.put(obj_type_name(s.objtype));
    }
    ctx.put('\n');
    if (!(s.flags & NFT_SET_CONSTANT)) {
        if (s.policy.has_value() && *s.policy != set_policy::performance) ctx.put("\t\tpolicy memory\n");
        if (s.size > 0) {
            ctx.put("\t\tsize " + num(s.size));
            // nft 1.1 shows how many elements the kernel holds next to the limit.
            if (elements != nullptr) ctx.put("\t# count " + num(elements->as<set_expr>().items.size()));
            ctx.put('\n');
        }
    }
    uint32_t flags = s.flags;
    // A default timeout already says the set has timeouts.
    if (s.timeout != 0) flags &= ~NFT_SET_TIMEOUT;
    if (flags & (NFT_SET_CONSTANT | NFT_SET_INTERVAL | NFT_SET_TIMEOUT | NFT_SET_EVAL)) {
        std::string_view delim;
        ctx.put("\t\tflags ");
        const std::pair<uint32_t, std::string_view> names[] = {
            {NFT_SET_CONSTANT, "constant"}, {NFT_SET_EVAL, "dynamic"}, {NFT_SET_INTERVAL, "interval"},
            {NFT_SET_TIMEOUT, "timeout"}};
        // The names test the set's own flags: once the line prints, `timeout` shows too.
        for (const auto& [bit, name] : names) {
            if (!(s.flags & bit)) continue;
            ctx.put(delim);
            ctx.put(name);
            delim = ",";
        }
        ctx.put('\n');
    }
    if (!s.stmts.empty()) {
        ctx.put("\t\t");
        stateless_scope stateless(ctx);
        for (size_t i = 0; i < s.stmts.size(); ++i) {
            if (i != 0) ctx.put(' ');
            print_stmt(*s.stmts[i], ctx);
        }
        ctx.put('\n');
    }
    if (s.automerge) ctx.put("\t\tauto-merge\n");
    if (s.timeout != 0) ctx.put("\t\ttimeout " + format_time_ms(s.timeout) + "\n");
    if (s.gc_int != 0) ctx.put("\t\tgc-interval " + format_time_ms(s.gc_int) + "\n");
    if (s.has_comment) ctx.put("\t\tcomment \"" + s.comment + "\"\n");
}

bool element_has_comment(const expr& elements) {
    for (const auto& item : elements.as<set_expr>().items) {
        const expr* e = item.get();
        if (e->is(expr_kind::mapping)) e = e->as<mapping_expr>().left.get();
        if (e->is(expr_kind::set_elem) && e->as<set_elem_expr>().has_comment) return true;
    }
    return false;
}

void print_named_set(const set& s, print_ctx& ctx) {
    const expr_ptr elements = listed_elements(s);
    print_set_declaration(s, elements.get(), ctx);
    if (elements) {
        ctx.put("\t\telements = ");
        force_element_newline = s.timeout != 0 || element_has_comment(*elements) ||
                                (s.flags & (NFT_SET_MAP | NFT_SET_OBJECT | NFT_SET_TIMEOUT | NFT_SET_CONCAT)) ||
                                (s.key && s.key->dtype && s.key->dtype->is_concat()) || !s.stmts.empty();
        print_expr(*elements, ctx);
        force_element_newline = false;
        ctx.put('\n');
    }
    ctx.put("\t}\n");
}

// Conntrack timeout policies print only the states whose timeout differs from the kernel's
// default, in state order (nft's timeout_protocol tables).
struct timeout_state {
    std::string_view name;
    uint64_t default_seconds;
};
constexpr timeout_state tcp_timeouts[] = {{"syn_sent", 120},   {"syn_recv", 60},   {"established", 432000},
                                          {"fin_wait", 120},   {"close_wait", 60}, {"last_ack", 30},
                                          {"time_wait", 120},  {"close", 10},      {"syn_sent2", 120},
                                          {"retrans", 300},    {"unack", 300}};
constexpr timeout_state udp_timeouts[] = {{"unreplied", 30}, {"replied", 120}};

void print_timeout_policy(const obj& o, print_ctx& ctx) {
    std::span<const timeout_state> states;
    if (o.l4proto == 6) states = tcp_timeouts;
    if (o.l4proto == 17) states = udp_timeouts;
    ctx.put("\t\tpolicy = { ");
    bool comma = false;
    for (const timeout_state& st : states) {
        uint64_t seconds = st.default_seconds;
        for (const auto& p : o.timeouts) {
            if (p.state == st.name) seconds = p.seconds;
        }
        if (seconds == st.default_seconds) continue;
        if (comma) ctx.put(", ");
        ctx.put(std::string(st.name) + " : " + format_time_ms(seconds * 1000));
        comma = true;
    }
    ctx.put(" }\n");
}

std::string_view l3proto_name(family l3proto, family table_family) {
    return family_name(l3proto == family::unspec ? table_family : l3proto);
}

void print_tunnel_data(const obj& o, print_ctx& ctx) {
    ctx.put("\n\t\tid " + num(o.tunnel_id));
    const std::string_view ip = o.tunnel_v6 ? "ip6" : "ip";
    if (!o.tunnel_src.empty()) ctx.put("\n\t\t" + std::string(ip) + " saddr " + o.tunnel_src);
    if (!o.tunnel_dst.empty()) ctx.put("\n\t\t" + std::string(ip) + " daddr " + o.tunnel_dst);
    if (o.tunnel_sport != 0) ctx.put("\n\t\tsport " + num(o.tunnel_sport));
    if (o.tunnel_dport != 0) ctx.put("\n\t\tdport " + num(o.tunnel_dport));
    if (o.tunnel_tos != 0) ctx.put("\n\t\ttos " + num(o.tunnel_tos));
    if (o.tunnel_ttl != 0) ctx.put("\n\t\tttl " + num(o.tunnel_ttl));
    switch (o.tunnel_type) {
    case obj::tunnel_kind::erspan:
        ctx.put("\n\t\terspan {\n\t\t\tversion " + num(o.erspan_version));
        if (o.erspan_version == 1) {
            ctx.put("\n\t\t\tindex " + num(o.erspan_index));
        } else {
            ctx.put(o.erspan_egress ? "\n\t\t\tdirection egress" : "\n\t\t\tdirection ingress");
            ctx.put("\n\t\t\tid " + num(o.erspan_hwid));
        }
        ctx.put("\n\t\t}");
        break;
    case obj::tunnel_kind::vxlan:
        ctx.put("\n\t\tvxlan {\n\t\t\tgbp " + num(o.vxlan_gbp) + "\n\t\t}");
        break;
    case obj::tunnel_kind::geneve:
        ctx.put("\n\t\tgeneve {");
        for (const auto& g : o.geneve_opts) {
            ctx.put("\n\t\t\tclass 0x" + u128_to_hex(g.cls) + " opt-type 0x" + u128_to_hex(g.type) + " data \"");
            ctx.put(g.data);
            ctx.put('"');
        }
        ctx.put("\n\t\t}");
        break;
    case obj::tunnel_kind::none:
        break;
    }
    ctx.put('\n');
}

void print_object(const obj& o, const table& t, print_ctx& ctx) {
    ctx.put('\t');
    ctx.put(obj_type_name(o.type));
    ctx.put(" " + o.name + " {");
    if (ctx.opts.handles) ctx.put(" # handle " + num(o.handle));
    if (o.has_comment) ctx.put("\n\t\tcomment \"" + o.comment + "\"");
    switch (o.type) {
    case obj_type::counter:
        if (ctx.opts.stateless) {
            ctx.put('\n');
        } else {
            ctx.put("\n\t\tpackets " + num(o.packets) + " bytes " + num(o.bytes) + "\n");
        }
        break;
    case obj_type::quota:
        ctx.put("\n\t\t");
        if (o.quota_over) ctx.put("over ");
        ctx.put(byte_rate(o.quota_bytes));
        if (!ctx.opts.stateless && o.quota_used != 0) ctx.put(" used " + byte_rate(o.quota_used));
        ctx.put('\n');
        break;
    case obj_type::secmark:
        ctx.put("\n\t\t\"" + o.secmark_ctx + "\"\n");
        break;
    case obj_type::ct_helper:
        ctx.put("\n\t\ttype \"" + o.helper_name + "\" protocol " + protocol_name(o.l4proto) + "\n");
        ctx.put("\t\tl3proto ");
        ctx.put(l3proto_name(o.l3proto, t.fam));
        ctx.put('\n');
        break;
    case obj_type::ct_timeout:
        ctx.put("\n\t\tprotocol " + protocol_name(o.l4proto) + "\n\t\tl3proto ");
        ctx.put(l3proto_name(o.l3proto, t.fam));
        ctx.put('\n');
        print_timeout_policy(o, ctx);
        break;
    case obj_type::ct_expect:
        ctx.put("\n\t\tprotocol " + protocol_name(o.l4proto) + "\n");
        ctx.put("\t\tdport " + num(o.expect_dport) + "\n");
        ctx.put("\t\ttimeout " + format_time_ms(o.expect_timeout) + "\n");
        ctx.put("\t\tsize " + num(o.expect_size) + "\n");
        ctx.put("\t\tl3proto ");
        ctx.put(l3proto_name(o.l3proto, t.fam));
        ctx.put('\n');
        break;
    case obj_type::limit:
        ctx.put("\n\t\t");
        // Objects omit the default burst of 5 packets, unlike limit statements.
        print_limit_rate(o.limit_rate, o.limit_unit, o.limit_kind, o.limit_over, o.limit_burst,
                         o.limit_burst > 0 && o.limit_burst != 5, ctx);
        ctx.put('\n');
        break;
    case obj_type::synproxy:
        if (o.syn_flags & NF_SYNPROXY_OPT_MSS) ctx.put("\n\t\tmss " + num(o.syn_mss));
        if (o.syn_flags & NF_SYNPROXY_OPT_WSCALE) ctx.put("\n\t\twscale " + num(o.syn_wscale));
        if (o.syn_flags & (NF_SYNPROXY_OPT_TIMESTAMP | NF_SYNPROXY_OPT_SACK_PERM)) {
            ctx.put("\n\t\t");
            ctx.put((o.syn_flags & NF_SYNPROXY_OPT_TIMESTAMP) ? "timestamp" : "");
            ctx.put(' ');
            ctx.put((o.syn_flags & NF_SYNPROXY_OPT_SACK_PERM) ? "sack-perm" : "");
        }
        ctx.put('\n');
        break;
    case obj_type::tunnel:
        print_tunnel_data(o, ctx);
        break;
    default:
        ctx.put('\n');
        break;
    }
    ctx.put("\t}\n");
}

void print_flowtable(const flowtable& f, print_ctx& ctx) {
    ctx.put("\tflowtable " + f.name + " {");
    if (ctx.opts.handles) ctx.put(" # handle " + num(f.handle));
    ctx.put('\n');
    ctx.put("\t\thook ");
    ctx.put(f.hooknum == hook::none ? std::string_view("ingress") : hook_name(family::netdev, f.hooknum));
    ctx.put(" priority " + priority_text(f.priority_value, family::netdev, f.hooknum) + "\n");
    if (!f.devices.empty()) ctx.put("\t\tdevices = " + device_list(listed_devices(f.devices)) + "\n");
    if (f.flags & 1) ctx.put("\t\tflags offload\n");
    if (f.flags & 2) ctx.put("\t\tcounter\n");
    ctx.put("\t}\n");
}

void print_table(const table& t, print_ctx& ctx) {
    ctx.put("table ");
    ctx.put(family_name(t.fam));
    ctx.put(" " + t.name + " {");
    const bool owned = t.flags & TABLE_F_OWNER;
    if (ctx.opts.handles || owned) ctx.put(" #");
    if (ctx.opts.handles) ctx.put(" handle " + num(t.handle));
    // The owner is the process holding the table: this one.
    if (owned) ctx.put(std::string(" progname ") + program_invocation_short_name);
    ctx.put('\n');
    std::string_view delim;
    if (t.flags != 0) {
        static constexpr std::string_view names[] = {"dormant", "owner", "persist"};
        ctx.put("\tflags ");
        bool comma = false;
        for (uint32_t i = 0; i < std::size(names); ++i) {
            if (!(t.flags & (1u << i))) continue;
            if (comma) ctx.put(',');
            ctx.put(names[i]);
            comma = true;
        }
        ctx.put('\n');
        delim = "\n";
    }
    if (t.has_comment) ctx.put("\tcomment \"" + t.comment + "\"\n");
    for (const auto& o : t.objs) {
        ctx.put(delim);
        print_object(*o, t, ctx);
        delim = "\n";
    }
    for (const auto& s : t.sets) {
        if (s->anonymous()) continue;
        ctx.put(delim);
        print_named_set(*s, ctx);
        delim = "\n";
    }
    for (const auto& f : t.flowtables) {
        ctx.put(delim);
        print_flowtable(*f, ctx);
        delim = "\n";
    }
    for (const auto& c : t.chains) {
        if (c->flags & CHAIN_F_BINDING) continue;
        ctx.put(delim);
        print_chain(*c, t, ctx);
        delim = "\n";
    }
    ctx.put("}\n");
}

// For callers that cannot say which table a rule is in: the family its matches point to.
// The evaluator's dependencies are the best witness (`meta nfproto` only appears in inet
// tables, link layer protocol tests in bridge and netdev ones); then the network header the
// rule reads. Rules that read neither list the same in every family.
family likely_family(const rule& r) {
    family from_headers = family::unspec;
    bool link_layer = false;
    bool device_type = false;  // `meta iiftype`: link layer matches in an ip, ip6 or inet chain
    for (const auto& s : r.stmts) {
        if (s->is(stmt_kind::reject) && s->as<reject_stmt>().type == reject_type::icmpx_unreach) return family::inet;
        if (!s->is(stmt_kind::expr) || !s->as<expr_stmt>().e->is(expr_kind::relational)) continue;
        const expr& left = *s->as<expr_stmt>().e->as<relational_expr>().left;
        if (left.is(expr_kind::meta)) {
            const int key = left.as<meta_expr>().key;
            if (key == META_NFPROTO) return family::inet;
            if (key == META_PROTOCOL) link_layer = true;
            if (key == META_IIFTYPE) device_type = true;
        }
        if (!left.is(expr_kind::payload) || left.as<payload_expr>().desc == nullptr) continue;
        const auto& p = left.as<payload_expr>();
        if (p.inner_desc != nullptr) continue;
        if (p.base == proto_base::ll) link_layer = true;
        if (from_headers != family::unspec || p.base != proto_base::network) continue;
        if (p.desc->id == proto_id::ip) from_headers = family::ipv4;
        if (p.desc->id == proto_id::ip6) from_headers = family::ipv6;
        if (p.desc->id == proto_id::arp) from_headers = family::arp;
    }
    if (link_layer && !device_type) return family::bridge;
    return from_headers != family::unspec ? from_headers : family::ipv4;
}

}  // namespace

void print_expr(const expr& e, print_ctx& ctx) {
    switch (e.kind) {
    case expr_kind::verdict: print_verdict(e.as<verdict_expr>(), ctx); break;
    case expr_kind::symbol: {
        const auto& s = e.as<symbol_expr>();
        if (s.sym == symbol_kind::set) ctx.put('@');
        if (s.quoted) ctx.put('"');
        ctx.put(s.text);
        if (s.quoted) ctx.put('"');
        break;
    }
    case expr_kind::variable: {
        const auto& v = e.as<variable_expr>();
        if (v.bound) {
            print_expr(*v.bound, ctx);
        } else {
            ctx.put("$" + v.name);
        }
        break;
    }
    case expr_kind::value: print_value(e.as<value_expr>(), ctx); break;
    case expr_kind::prefix: {
        const auto& p = e.as<prefix_expr>();
        print_expr(*p.prefix, ctx);
        ctx.put("/" + num(p.prefix_len));
        break;
    }
    case expr_kind::range: {
        const auto& r = e.as<range_expr>();
        print_range_end(*r.left, ctx);
        ctx.put('-');
        print_range_end(*r.right, ctx);
        break;
    }
    case expr_kind::unary: print_expr(*e.as<unary_expr>().arg, ctx); break;
    case expr_kind::binop: print_binop(e.as<binop_expr>(), ctx); break;
    case expr_kind::relational: print_relational(e.as<relational_expr>(), ctx); break;
    case expr_kind::concat: {
        std::string_view delim;
        for (const auto& i : e.as<concat_expr>().items) {
            ctx.put(delim);
            print_expr(*i, ctx);
            delim = " . ";
        }
        break;
    }
    case expr_kind::list: {
        std::string_view delim;
        for (const auto& i : e.as<list_expr>().items) {
            ctx.put(delim);
            print_expr(*i, ctx);
            delim = ",";
        }
        break;
    }
    case expr_kind::set: print_set(e.as<set_expr>(), ctx); break;
    case expr_kind::set_ref: print_set_ref(e.as<set_ref_expr>(), ctx); break;
    case expr_kind::set_elem: print_set_elem(e.as<set_elem_expr>(), ctx); break;
    case expr_kind::set_elem_catchall: ctx.put('*'); break;
    case expr_kind::mapping: {
        const auto& m = e.as<mapping_expr>();
        if (m.left->is(expr_kind::set_elem)) {
            // Options of a map element print between key and data.
            const auto& el = m.left->as<set_elem_expr>();
            print_set_elem(el, ctx);
        } else {
            print_expr(*m.left, ctx);
        }
        ctx.put(" : ");
        print_expr(*m.right, ctx);
        break;
    }
    case expr_kind::map: {
        const auto& m = e.as<map_expr>();
        print_expr(*m.key, ctx);
        ctx.put(mappings_are_verdicts(*m.mappings) ? " vmap " : " map ");
        print_expr(*m.mappings, ctx);
        break;
    }
    case expr_kind::payload: print_payload(e.as<payload_expr>(), ctx); break;
    case expr_kind::exthdr: print_exthdr(e.as<exthdr_expr>(), ctx); break;
    case expr_kind::meta: print_meta(e.as<meta_expr>(), ctx); break;
    case expr_kind::ct: print_ct(e.as<ct_expr>(), ctx); break;
    case expr_kind::rt: print_rt(e.as<rt_expr>(), ctx); break;
    case expr_kind::fib: print_fib(e.as<fib_expr>(), ctx); break;
    case expr_kind::numgen: {
        const auto& n = e.as<numgen_expr>();
        ctx.put(n.type == 1 ? "numgen random mod " : "numgen inc mod ");
        ctx.put(num(n.mod));
        if (n.offset != 0) ctx.put(" offset " + num(n.offset));
        break;
    }
    case expr_kind::hash: print_hash(e.as<hash_expr>(), ctx); break;
    case expr_kind::socket: print_socket(e.as<socket_expr>(), ctx); break;
    case expr_kind::osf: print_osf(e.as<osf_expr>(), ctx); break;
    case expr_kind::xfrm: print_xfrm(e.as<xfrm_expr>(), ctx); break;
    case expr_kind::tunnel: ctx.put(e.as<tunnel_expr>().key == 1 ? "tunnel id" : "tunnel path"); break;
    case expr_kind::invalid: break;
    }
}

void print_stmt(const stmt& s, print_ctx& ctx) {
    switch (s.kind) {
    case stmt_kind::expr:
        if (s.as<expr_stmt>().e) print_expr(*s.as<expr_stmt>().e, ctx);
        break;
    case stmt_kind::verdict:
        if (s.as<verdict_stmt>().e) print_expr(*s.as<verdict_stmt>().e, ctx);
        break;
    case stmt_kind::counter: {
        const auto& c = s.as<counter_stmt>();
        ctx.put("counter");
        if (!ctx.opts.stateless) ctx.put(" packets " + num(c.packets) + " bytes " + num(c.bytes));
        break;
    }
    case stmt_kind::last: {
        const auto& l = s.as<last_stmt>();
        ctx.put("last");
        if (ctx.opts.stateless) break;
        ctx.put(" used ");
        ctx.put(l.set ? format_time_ms(l.used) : std::string("never"));
        break;
    }
    case stmt_kind::limit: {
        const auto& l = s.as<limit_stmt>();
        ctx.put("limit ");
        // nft's parser gives packet limits a burst of 5 when none is written.
        const uint32_t burst = l.type == limit_type::packets && l.burst == 0 ? 5 : l.burst;
        print_limit_rate(l.rate, l.unit, l.type, l.over, burst, true, ctx);
        break;
    }
    case stmt_kind::quota: {
        const auto& q = s.as<quota_stmt>();
        ctx.put("quota ");
        if (q.over) ctx.put("over ");
        ctx.put(byte_rate(q.bytes));
        if (!ctx.opts.stateless && q.used != 0) ctx.put(" used " + byte_rate(q.used));
        break;
    }
    case stmt_kind::connlimit: {
        const auto& c = s.as<connlimit_stmt>();
        ctx.put(c.over ? "ct count over " : "ct count ");
        ctx.put(num(c.count));
        break;
    }
    case stmt_kind::log: print_log(s.as<log_stmt>(), ctx); break;
    case stmt_kind::reject: print_reject(s.as<reject_stmt>(), ctx); break;
    case stmt_kind::nat: print_nat(s.as<nat_stmt>(), ctx); break;
    case stmt_kind::tproxy: print_tproxy(s.as<tproxy_stmt>(), ctx); break;
    case stmt_kind::queue: print_queue(s.as<queue_stmt>(), ctx); break;
    case stmt_kind::dup: {
        const auto& d = s.as<dup_stmt>();
        ctx.put("dup");
        if (d.to) {
            ctx.put(" to ");
            print_expr(*d.to, ctx);
            if (d.dev) {
                ctx.put(" device ");
                print_expr(*d.dev, ctx);
            }
        }
        break;
    }
    case stmt_kind::fwd: {
        const auto& f = s.as<fwd_stmt>();
        if (f.addr) {
            ctx.put(f.family == static_cast<int>(family::ipv6) ? "fwd ip6 to " : "fwd ip to ");
            print_expr(*f.addr, ctx);
            ctx.put(" device ");
            if (f.dev) print_expr(*f.dev, ctx);
        } else {
            ctx.put("fwd to ");
            if (f.dev) print_expr(*f.dev, ctx);
        }
        break;
    }
    case stmt_kind::meta: {
        const auto& m = s.as<meta_stmt>();
        const meta_template* t = meta_lookup(m.key);
        if (!meta_key_is_unqualified(m.key)) ctx.put("meta ");
        ctx.put(t != nullptr ? t->token : std::string_view("unknown"));
        ctx.put(" set ");
        if (m.value) print_expr(*m.value, ctx);
        break;
    }
    case stmt_kind::ct: {
        const auto& c = s.as<ct_stmt>();
        ctx.put("ct ");
        if (c.direction >= 0) {
            ctx.put(ct_direction_name(c.direction));
            ctx.put(' ');
        }
        ctx.put(ct_key_token(c.key, 0));
        ctx.put(" set ");
        if (c.value) print_expr(*c.value, ctx);
        break;
    }
    case stmt_kind::payload: {
        const auto& p = s.as<payload_stmt>();
        if (p.dest) print_expr(*p.dest, ctx);
        ctx.put(" set ");
        if (p.value) print_expr(*p.value, ctx);
        break;
    }
    case stmt_kind::exthdr: {
        const auto& x = s.as<exthdr_stmt>();
        if (x.dest) print_expr(*x.dest, ctx);
        ctx.put(" set ");
        if (x.value) print_expr(*x.value, ctx);
        break;
    }
    case stmt_kind::notrack: ctx.put("notrack"); break;
    case stmt_kind::flow_offload: ctx.put("flow add @" + s.as<flow_offload_stmt>().table); break;
    case stmt_kind::set: {
        const auto& st = s.as<set_stmt>();
        ctx.put(dynset_op_name(st.sop));
        ctx.put(' ');
        if (st.set) print_expr(*st.set, ctx);
        ctx.put(" { ");
        if (st.key) print_expr(*st.key, ctx);
        print_nested_stmts(st.stmts, ctx);
        ctx.put(" }");
        break;
    }
    case stmt_kind::map: {
        const auto& m = s.as<map_stmt>();
        ctx.put(dynset_op_name(m.sop));
        ctx.put(' ');
        if (m.set) print_expr(*m.set, ctx);
        ctx.put(" { ");
        if (m.key) print_expr(*m.key, ctx);
        print_nested_stmts(m.stmts, ctx);
        ctx.put(" : ");
        if (m.data) print_expr(*m.data, ctx);
        ctx.put(" }");
        break;
    }
    case stmt_kind::meter: {
        const auto& m = s.as<meter_stmt>();
        ctx.put("meter " + m.name);
        if (m.size != 0) ctx.put(" size " + num(m.size));
        ctx.put(" { ");
        if (m.key) print_expr(*m.key, ctx);
        if (m.body) {
            ctx.put(' ');
            stateless_scope stateless(ctx);
            print_stmt(*m.body, ctx);
        }
        ctx.put(" }");
        break;
    }
    case stmt_kind::objref: print_objref(s.as<objref_stmt>(), ctx); break;
    case stmt_kind::synproxy: print_synproxy(s.as<synproxy_stmt>(), ctx); break;
    case stmt_kind::optstrip:
        ctx.put("reset ");
        if (s.as<optstrip_stmt>().e) print_expr(*s.as<optstrip_stmt>().e, ctx);
        break;
    case stmt_kind::chain: print_chain_stmt(s.as<chain_stmt>(), ctx, listing_family); break;
    case stmt_kind::invalid: break;
    }
}

std::string rule_text(const rule& r, family fam, const list_options& opts) {
    print_ctx ctx{opts, {}};
    print_rule_line(r, ctx, fam);
    return ctx.out;
}

std::string rule_text(const rule& r, const list_options& opts) { return rule_text(r, likely_family(r), opts); }

std::string list_ruleset_text(const ruleset& rs, const list_options& opts) {
    print_ctx ctx{opts, {}};
    for (const auto& t : rs.tables) print_table(*t, ctx);
    return ctx.out;
}

}  // namespace nfqwall::front

// libnftables JSON output: nft's *_json functions (json.c) over the AST after the listing
// pass. The sections follow print.cpp (constants, expressions, statements, then tables,
// chains, sets and objects) so that a construct's text and JSON forms sit at the same place
// in both files. Objects are built as nlohmann::ordered_json, which keeps keys in the order
// nft packs them, and written the way jansson's json_dumpf writes them.
#include "front/json.hpp"

#include <initializer_list>
#include <optional>
#include <span>

#include <nlohmann/json.hpp>

#include "front/listing_names.hpp"
#include "front/postprocess.hpp"
#include "front/print.hpp"
#include "front/proto.hpp"
#include "front/rule.hpp"

namespace nfqwall::front {

namespace {

using json = nlohmann::ordered_json;

// nft's output_ctx flags that change JSON.
struct json_ctx {
    list_options opts;
    // Inside a match nft prints a fib presence test as "oif", keeping the JSON of nft 1.0
    // (its __NFT_CTX_OUTPUT_RELATIONAL); everywhere else as "check".
    bool in_match = false;
    // Range ends print protocols as numbers (nft's range_expr_json).
    bool in_range = false;
    family fam{};
};

json to_json(const expr& e, const json_ctx& ctx);
json to_json(const stmt& s, const json_ctx& ctx);

// An operand the AST may leave out: null when it does.
json to_json(const expr_ptr& e, const json_ctx& ctx) { return e ? to_json(*e, ctx) : json(nullptr); }

json stateless_json(const stmt& s, const json_ctx& ctx) {
    json_ctx inner = ctx;
    inner.opts.stateless = true;
    return to_json(s, inner);
}

// `{"key": value}`, the shape of most of nft's JSON.
json tagged(std::string_view key, json value) {
    json out = json::object();
    out[std::string(key)] = std::move(value);
    return out;
}

// nft's json_add_array_new: an array member only when it has items.
void add_nonempty(json& object, std::string_view key, json array) {
    if (!array.empty()) object[std::string(key)] = std::move(array);
}

// The names of the bits set in `flags`, in table order.
using flag_name = std::pair<uint32_t, std::string_view>;
json flag_names_json(uint32_t flags, std::span<const flag_name> names) {
    json out = json::array();
    for (const auto& [bit, name] : names) {
        if (flags & bit) out.push_back(name);
    }
    return out;
}

void add_comment(json& o, bool has_comment, const std::string& comment) {
    if (has_comment) o["comment"] = comment;
}

// Statements whose options all default print as `{"name": null}`.
json object_or_null(json object) { return object.empty() ? json(nullptr) : object; }

// ---------------------------------------------------------------------------------------------
// Constants (nft's datatype_json: the type's json callback, else its symbols, else its text).

// nft's integer_type_json: a number, or a hex string past 64 bits.
json integer_json(u128 v) {
    if (v >> 64 == 0) return static_cast<uint64_t>(v);
    return "0x" + u128_to_hex(v);
}

// What a type's printer writes, as a JSON string without the quotes nft strips.
json printed_json(const value_expr& v, const json_ctx& ctx) {
    print_ctx text{ctx.opts, {}};
    print_value(v, text);
    const std::string_view s = text.out;
    if (s.starts_with('"')) return std::string(s.substr(1, s.find('"', 1) - 1));
    return text.out;
}

// Types whose JSON nft writes itself instead of printing them; nothing for the others.
std::optional<json> typed_json(const datatype& d, const value_expr& v, const json_ctx& ctx) {
    switch (d.id) {
    case type_id::integer:
    case type_id::xinteger:
    case type_id::queue:
    case type_id::inet_service:
    case type_id::uid:
    case type_id::gid: return integer_json(v.value);
    case type_id::string: {
        const std::string s = value_string(v);
        return s.substr(0, s.find('\0'));
    }
    case type_id::boolean:
    case type_id::boolean_exists: return v.value != 0;
    case type_id::time: return static_cast<uint64_t>(v.value / 1000);
    case type_id::inet_protocol:
        if (!ctx.opts.numeric_proto && !ctx.in_range && v.value <= UINT8_MAX) {
            if (auto name = ip_protocol_name(static_cast<uint8_t>(v.value))) return *name;
        }
        return integer_json(v.value);
    case type_id::ct_label: {
        // The lowest label bit, by name when connlabel.conf has one.
        uint32_t bit = 0;
        while (bit < 128 && !((v.value >> bit) & 1)) ++bit;
        const symbol_entry* s = d.symbols != nullptr ? d.symbols->find(bit) : nullptr;
        if (s != nullptr) return std::string(s->name);
        return bit;
    }
    case type_id::realm: return printed_json(v, ctx);
    default: return std::nullopt;
    }
}

json value_json(const value_expr& v, const json_ctx& ctx) {
    for (const datatype* d = v.dtype; d != nullptr; d = d->basetype) {
        if (auto j = typed_json(*d, v, ctx)) return *j;
        if (d->symbols != nullptr) {
            if (const symbol_entry* s = d->symbols->find(v.value)) return std::string(s->name);
            // nft's symbolic_constant_json falls back to the deepest base type.
            const datatype* root = d->root();
            if (auto j = root != nullptr ? typed_json(*root, v, ctx) : std::nullopt) return *j;
            return integer_json(v.value);
        }
        if (d->print != nullptr) return printed_json(v, ctx);
    }
    return integer_json(v.value);
}

// ---------------------------------------------------------------------------------------------
// Expressions.

std::string_view verdict_name(verdict_code code) {
    switch (code) {
    case verdict_code::accept: return "accept";
    case verdict_code::drop: return "drop";
    case verdict_code::queue: return "queue";
    case verdict_code::cont: return "continue";
    case verdict_code::brk: return "break";
    case verdict_code::ret: return "return";
    case verdict_code::jump: return "jump";
    case verdict_code::go_to: return "goto";
    }
    return "unknown";
}

json verdict_json(const verdict_expr& v, const json_ctx& ctx) {
    const bool to_chain = v.code == verdict_code::jump || v.code == verdict_code::go_to;
    if (!to_chain || !v.chain) return tagged(verdict_name(v.code), nullptr);
    json target;
    if (v.chain->is(expr_kind::value)) {
        target = value_string(v.chain->as<value_expr>());
    } else if (v.chain->is(expr_kind::symbol)) {
        target = v.chain->as<symbol_expr>().text;
    } else {
        target = to_json(*v.chain, ctx);
    }
    return tagged(verdict_name(v.code), tagged("target", std::move(target)));
}

// nft's __binop_expr_json: `a | b | c` is one array under one operator.
void binop_operands(op o, const expr& e, const json_ctx& ctx, json& out) {
    if (e.is(expr_kind::binop) && e.as<binop_expr>().oper == o) {
        binop_operands(o, *e.as<binop_expr>().left, ctx, out);
        binop_operands(o, *e.as<binop_expr>().right, ctx, out);
        return;
    }
    out.push_back(to_json(e, ctx));
}

json binop_json(const binop_expr& b, const json_ctx& ctx) {
    json operands = json::array();
    binop_operands(b.oper, b, ctx, operands);
    return tagged(op_token(b.oper), std::move(operands));
}

std::string_view match_op_name(op o) {
    // Flag tests (nft's OP_IMPLICIT) have no symbol: nft writes "in".
    return o == op::implicit ? std::string_view("in") : op_token(o);
}

json relational_json(const relational_expr& rel, const json_ctx& ctx) {
    json_ctx inner = ctx;
    inner.in_match = true;
    json m = json::object();
    m["op"] = match_op_name(rel.oper);
    m["left"] = to_json(*rel.left, inner);
    m["right"] = to_json(*rel.right, inner);
    return tagged("match", std::move(m));
}

json items_json(const std::vector<expr_ptr>& items, const json_ctx& ctx) {
    json out = json::array();
    for (const auto& i : items) out.push_back(to_json(*i, ctx));
    return out;
}

// nft's __set_elem_expr_json: a bare value unless the element carries options.
json element_json(const set_elem_expr& el, const expr& value, const json_ctx& ctx) {
    json v = to_json(value, ctx);
    if (el.timeout == 0 && el.expiration == 0 && !el.has_comment && el.stmts.empty()) return v;
    json o = tagged("val", std::move(v));
    if (el.timeout != 0) o["timeout"] = el.timeout / 1000;
    if (el.expiration != 0) o["expires"] = el.expiration / 1000;
    add_comment(o, el.has_comment, el.comment);
    // nft shows one statement per element, merged into the element's object.
    if (!el.stmts.empty()) {
        const json first = to_json(*el.stmts.front(), ctx);
        for (const auto& [key, value_json] : first.items()) {
            if (!o.contains(key)) o[key] = value_json;
        }
    }
    return tagged("elem", std::move(o));
}

json set_elem_json(const set_elem_expr& el, const json_ctx& ctx) {
    if (el.key && el.key->is(expr_kind::mapping)) {
        const auto& m = el.key->as<mapping_expr>();
        return json::array({element_json(el, *m.left, ctx), to_json(*m.right, ctx)});
    }
    if (!el.key) return nullptr;
    return element_json(el, *el.key, ctx);
}

json set_ref_json(const set_ref_expr& r, const json_ctx& ctx) {
    const set* s = r.target;
    if (s != nullptr && s->anonymous() && !s->is_meter) {
        // Normally replaced by its elements in the listing pass.
        if (expr_ptr elems = listed_elements(*s)) return to_json(*elems, ctx);
        return tagged("set", json::array());
    }
    return "@" + (s != nullptr ? s->name : r.name);
}

json payload_json(const payload_expr& p) {
    json o = json::object();
    if (p.desc != nullptr && p.tmpl != nullptr) {
        if (p.inner_desc != nullptr) o["tunnel"] = p.inner_desc->name;
        o["protocol"] = p.desc->name;
        o["field"] = p.tmpl->token;
    } else {
        o["base"] = proto_base_token(p.base);
        o["offset"] = p.offset;
        o["len"] = p.len;
    }
    return tagged("payload", std::move(o));
}

json tcp_option_json(const exthdr_expr& x) {
    if (x.is_raw || x.desc == nullptr || x.desc->name.empty()) {
        json raw = json::object();
        raw["base"] = x.raw_type;
        raw["offset"] = x.offset;
        raw["len"] = x.len;
        return tagged("tcp option", std::move(raw));
    }
    // Sack blocks share their field names; the block number joins the option name.
    std::string name(x.desc->name);
    const uint32_t block = (x.tmpl != nullptr ? x.tmpl->offset : x.offset) / 64;
    if (block != 0 && block < 4) name += std::to_string(block);
    json o = tagged("name", std::move(name));
    if (!x.present && x.tmpl != nullptr) o["field"] = x.tmpl->token;
    return tagged("tcp option", std::move(o));
}

json exthdr_json(const exthdr_expr& x) {
    switch (x.xop) {
    case exthdr_op::tcpopt: return tcp_option_json(x);
    case exthdr_op::dccp: return tagged("dccp option", tagged("type", x.raw_type));
    default: break;
    }
    json o = tagged("name", x.desc != nullptr ? x.desc->name : std::string_view("unknown"));
    if (!x.present && x.tmpl != nullptr) o["field"] = x.tmpl->token;
    switch (x.xop) {
    case exthdr_op::ipv4: return tagged("ip option", std::move(o));
    case exthdr_op::sctp: return tagged("sctp chunk", std::move(o));
    default: return tagged("exthdr", std::move(o));
    }
}

json meta_key_json(int key) {
    const meta_template* t = meta_lookup(key);
    return tagged("meta", tagged("key", t != nullptr ? t->token : std::string_view("unknown")));
}

json ct_key_json(int key, int direction) {
    const ct_template* t = ct_lookup(key);
    json o = tagged("key", t != nullptr ? t->token : std::string_view("unknown"));
    if (direction >= 0) o["dir"] = direction == 0 ? "original" : "reply";
    return tagged("ct", std::move(o));
}

json rt_json(const rt_expr& r) {
    // NFT_RT_* keys: classid, nexthop4, nexthop6, tcpmss, xfrm.
    static constexpr std::string_view tokens[] = {"classid", "nexthop", "nexthop", "mtu", "ipsec"};
    json o = tagged("key", r.key >= 0 && r.key < 5 ? tokens[r.key] : std::string_view("unknown"));
    if (r.key == 1) o["family"] = "ip";
    if (r.key == 2) o["family"] = "ip6";
    return tagged("rt", std::move(o));
}

json fib_json(const fib_expr& f, const json_ctx& ctx) {
    // NFTA_FIB_F_* flag bits in order, then NFTA_FIB_F_PRESENT; NFT_FIB_RESULT_* names.
    static constexpr std::string_view flag_names[] = {"saddr", "daddr", "mark", "iif", "oif"};
    static constexpr std::string_view results[] = {"unspec", "oif", "oifname", "type"};
    constexpr uint32_t present = 1u << 5;
    constexpr uint32_t result_oif = 1;
    std::string_view result = f.result < std::size(results) ? results[f.result] : std::string_view("unknown");
    if (f.result == result_oif && (f.fib_flags & present) && !ctx.in_match) result = "check";
    json o = tagged("result", result);
    uint32_t flags = f.fib_flags & ~present;
    json names = json::array();
    for (uint32_t bit = 0; bit < std::size(flag_names); ++bit) {
        if (!(flags & (1u << bit))) continue;
        names.push_back(flag_names[bit]);
        flags &= ~(1u << bit);
    }
    if (flags != 0) names.push_back(flags);
    add_nonempty(o, "flags", std::move(names));
    return tagged("fib", std::move(o));
}

json hash_json(const hash_expr& h, const json_ctx& ctx) {
    json o = tagged("mod", h.mod);
    if (h.seed_set) o["seed"] = h.seed;
    if (h.offset != 0) o["offset"] = h.offset;
    const bool symmetric = h.type == 1;
    if (!symmetric && h.arg) o["expr"] = to_json(*h.arg, ctx);
    return tagged(symmetric ? "symhash" : "jhash", std::move(o));
}

json socket_json(const socket_expr& s) {
    static constexpr std::string_view keys[] = {"transparent", "mark", "wildcard", "cgroupv2"};
    return tagged("socket", tagged("key", s.key >= 0 && s.key < 4 ? keys[s.key] : std::string_view("unknown")));
}

json osf_json(const osf_expr& o) {
    json out = tagged("key", (o.osf_flags & 1) ? "version" : "name");
    if (o.ttl == 1) out["ttl"] = "loose";
    if (o.ttl == 2) out["ttl"] = "skip";
    return tagged("osf", std::move(out));
}

json xfrm_json(const xfrm_expr& x) {
    // NFT_XFRM_KEY_*: 1 daddr ip, 2 daddr ip6, 3 saddr ip, 4 saddr ip6, 5 reqid, 6 spi.
    static constexpr std::string_view keys[] = {"unknown", "daddr", "daddr", "saddr", "saddr", "reqid", "spi"};
    json o = tagged("key", x.key >= 0 && x.key < 7 ? keys[x.key] : std::string_view("unknown"));
    if (x.key == 1 || x.key == 3) o["family"] = "ip";
    if (x.key == 2 || x.key == 4) o["family"] = "ip6";
    o["dir"] = x.direction == 0 ? "in" : "out";
    o["spnum"] = x.spnum;
    return tagged("ipsec", std::move(o));
}

json to_json(const expr& e, const json_ctx& ctx) {
    switch (e.kind) {
    case expr_kind::verdict: return verdict_json(e.as<verdict_expr>(), ctx);
    case expr_kind::symbol: return e.as<symbol_expr>().text;
    case expr_kind::variable: {
        const auto& v = e.as<variable_expr>();
        return v.bound ? to_json(*v.bound, ctx) : json("$" + v.name);
    }
    case expr_kind::value: return value_json(e.as<value_expr>(), ctx);
    case expr_kind::prefix: {
        const auto& p = e.as<prefix_expr>();
        json o = tagged("addr", to_json(*p.prefix, ctx));
        o["len"] = p.prefix_len;
        return tagged("prefix", std::move(o));
    }
    case expr_kind::range: {
        json_ctx ends = ctx;
        ends.in_range = true;
        const auto& r = e.as<range_expr>();
        return tagged("range", json::array({to_json(*r.left, ends), to_json(*r.right, ends)}));
    }
    case expr_kind::unary: return to_json(*e.as<unary_expr>().arg, ctx);
    case expr_kind::binop: return binop_json(e.as<binop_expr>(), ctx);
    case expr_kind::relational: return relational_json(e.as<relational_expr>(), ctx);
    case expr_kind::concat: return tagged("concat", items_json(e.as<concat_expr>().items, ctx));
    case expr_kind::list: return items_json(e.as<list_expr>().items, ctx);
    case expr_kind::set: return tagged("set", items_json(e.as<set_expr>().items, ctx));
    case expr_kind::set_ref: return set_ref_json(e.as<set_ref_expr>(), ctx);
    case expr_kind::set_elem: return set_elem_json(e.as<set_elem_expr>(), ctx);
    case expr_kind::set_elem_catchall: return "*";
    case expr_kind::mapping: {
        const auto& m = e.as<mapping_expr>();
        json left = m.left->is(expr_kind::set_elem) ? set_elem_json(m.left->as<set_elem_expr>(), ctx)
                                                    : to_json(*m.left, ctx);
        return json::array({std::move(left), to_json(*m.right, ctx)});
    }
    case expr_kind::map: {
        const auto& m = e.as<map_expr>();
        json o = tagged("key", to_json(*m.key, ctx));
        o["data"] = to_json(*m.mappings, ctx);
        return tagged(map_holds_verdicts(*m.mappings) ? "vmap" : "map", std::move(o));
    }
    case expr_kind::payload: return payload_json(e.as<payload_expr>());
    case expr_kind::exthdr: return exthdr_json(e.as<exthdr_expr>());
    case expr_kind::meta: return meta_key_json(e.as<meta_expr>().key);
    case expr_kind::ct: return ct_key_json(e.as<ct_expr>().key, e.as<ct_expr>().direction);
    case expr_kind::rt: return rt_json(e.as<rt_expr>());
    case expr_kind::fib: return fib_json(e.as<fib_expr>(), ctx);
    case expr_kind::numgen: {
        const auto& n = e.as<numgen_expr>();
        json o = tagged("mode", n.type == 1 ? "random" : "inc");
        o["mod"] = n.mod;
        o["offset"] = n.offset;
        return tagged("numgen", std::move(o));
    }
    case expr_kind::hash: return hash_json(e.as<hash_expr>(), ctx);
    case expr_kind::socket: return socket_json(e.as<socket_expr>());
    case expr_kind::osf: return osf_json(e.as<osf_expr>());
    case expr_kind::xfrm: return xfrm_json(e.as<xfrm_expr>());
    case expr_kind::tunnel: return tagged("tunnel", tagged("key", e.as<tunnel_expr>().key == 1 ? "id" : "path"));
    case expr_kind::invalid: break;
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Statements.

// nft's limit and quota amounts: packet counts as they are, byte counts scaled with a unit.
void put_amount(json& o, std::string_view key, uint64_t amount, std::string_view unit_key) {
    const scaled_bytes scaled = scale_bytes(amount);
    o[std::string(key)] = scaled.value;
    o[std::string(unit_key)] = scaled.unit;
}

// A limit's rate or burst: packets as they are, bytes scaled with their unit.
scaled_bytes limit_amount(uint64_t amount, limit_type type) {
    return type == limit_type::bytes ? scale_bytes(amount) : scaled_bytes{amount, {}};
}

json limit_json(const limit_stmt& l) {
    // nft's parser gives packet limits a burst of 5 when none is written.
    const uint32_t written_burst = l.type == limit_type::packets && l.burst == 0 ? 5 : l.burst;
    const scaled_bytes rate = limit_amount(l.rate, l.type);
    const scaled_bytes burst = limit_amount(written_burst, l.type);
    json o = tagged("rate", rate.value);
    o["burst"] = burst.value;
    o["per"] = rate_period_name(l.unit);
    if (l.over) o["inv"] = true;
    if (l.type == limit_type::bytes) {
        o["rate_unit"] = rate.unit;
        o["burst_unit"] = burst.unit;
    }
    return tagged("limit", std::move(o));
}

json quota_json(const quota_stmt& q, const json_ctx& ctx) {
    json o = json::object();
    put_amount(o, "val", q.bytes, "val_unit");
    if (q.over) o["inv"] = true;
    if (!ctx.opts.stateless && q.used != 0) put_amount(o, "used", q.used, "used_unit");
    return tagged("quota", std::move(o));
}

json log_json(const log_stmt& l) {
    json o = json::object();
    if (l.set_flags & LOG_F_PREFIX) o["prefix"] = l.prefix;
    if (l.set_flags & LOG_F_GROUP) o["group"] = l.group;
    if (l.set_flags & LOG_F_SNAPLEN) o["snaplen"] = l.snaplen;
    if (l.set_flags & LOG_F_QTHRESHOLD) o["queue-threshold"] = l.qthreshold;
    constexpr uint32_t log_warning = 4;
    if ((l.set_flags & LOG_F_LEVEL) && l.level != log_warning) o["level"] = log_level_name(l.level);
    static constexpr flag_name names[] = {{NF_LOG_TCPSEQ, "tcp sequence"},
                                          {NF_LOG_TCPOPT, "tcp options"},
                                          {NF_LOG_IPOPT, "ip options"},
                                          {NF_LOG_UID, "skuid"},
                                          {NF_LOG_MACDECODE, "ether"}};
    const bool all = (l.logflags & NF_LOG_MASK) == NF_LOG_MASK;
    add_nonempty(o, "flags", all ? json::array({"all"}) : flag_names_json(l.logflags, names));
    return tagged("log", object_or_null(std::move(o)));
}

json reject_json(const reject_stmt& r, const json_ctx& ctx) {
    std::string_view type;
    switch (r.type) {
    case reject_type::tcp_rst: type = "tcp reset"; break;
    case reject_type::icmpx_unreach: type = "icmpx"; break;
    case reject_type::icmp_unreach:
    case reject_type::unset:
        if (r.family == static_cast<int>(family::ipv4)) type = "icmp";
        if (r.family == static_cast<int>(family::ipv6)) type = "icmpv6";
        break;
    }
    if (type.empty()) return tagged("reject", nullptr);
    json o = tagged("type", type);
    if (r.type != reject_type::tcp_rst && r.code) o["expr"] = to_json(*r.code, ctx);
    return tagged("reject", std::move(o));
}

json nat_json(const nat_stmt& n, const json_ctx& ctx) {
    static constexpr std::string_view names[] = {"snat", "dnat", "masquerade", "redirect"};
    json o = json::object();
    if (n.family == static_cast<int>(family::ipv4) || n.family == static_cast<int>(family::ipv6))
        o["family"] = family_name(static_cast<family>(n.family));
    if (n.addr) o["addr"] = to_json(*n.addr, ctx);
    if (n.proto) o["port"] = to_json(*n.proto, ctx);
    static constexpr flag_name flag_names[] = {{NF_NAT_RANGE_PROTO_RANDOM, "random"},
                                               {NF_NAT_RANGE_PROTO_RANDOM_FULLY, "fully-random"},
                                               {NF_NAT_RANGE_PERSISTENT, "persistent"},
                                               {NF_NAT_RANGE_NETMAP, "netmap"}};
    add_nonempty(o, "flags", flag_names_json(n.flags, flag_names));
    if (n.type_flags & STMT_NAT_F_PREFIX) o["type_flags"] = json::array({"prefix"});
    return tagged(names[static_cast<int>(n.type)], object_or_null(std::move(o)));
}

json tproxy_json(const tproxy_stmt& t, const json_ctx& ctx) {
    json o = json::object();
    // The listing pass keeps the family only in inet tables, where nft prints it.
    if (t.family != 0) o["family"] = family_name(static_cast<family>(t.family));
    if (t.addr) o["addr"] = to_json(*t.addr, ctx);
    if (t.port) o["port"] = to_json(*t.port, ctx);
    return tagged("tproxy", std::move(o));
}

json queue_json(const queue_stmt& q, const json_ctx& ctx) {
    json o = json::object();
    if (q.queue) o["num"] = to_json(*q.queue, ctx);
    static constexpr flag_name flag_names[] = {{NFT_QUEUE_FLAG_BYPASS, "bypass"}, {NFT_QUEUE_FLAG_CPU_FANOUT, "fanout"}};
    add_nonempty(o, "flags", flag_names_json(q.flags, flag_names));
    return tagged("queue", object_or_null(std::move(o)));
}

std::string_view dynset_op_token(dynset_op o) {
    static constexpr std::string_view tokens[] = {"add", "update", "delete"};  // dynset_op order
    return tokens[static_cast<size_t>(o)];
}

std::string set_reference(const expr_ptr& set) {
    if (!set || !set->is(expr_kind::set_ref)) return "@";
    const auto& r = set->as<set_ref_expr>();
    return "@" + (r.target != nullptr ? r.target->name : r.name);
}

// nft's set_stmt_list_json: statements of sets and set updates print stateless.
json stateless_list_json(const std::vector<stmt_ptr>& stmts, const json_ctx& ctx) {
    json out = json::array();
    for (const auto& s : stmts) out.push_back(stateless_json(*s, ctx));
    return out;
}

json dynset_json(const set_stmt& s, const json_ctx& ctx) {
    json o = tagged("op", dynset_op_token(s.sop));
    o["elem"] = to_json(s.key, ctx);
    o["set"] = set_reference(s.set);
    if (!s.stmts.empty()) o["stmt"] = stateless_list_json(s.stmts, ctx);
    return tagged("set", std::move(o));
}

json dynmap_json(const map_stmt& m, const json_ctx& ctx) {
    json o = tagged("op", dynset_op_token(m.sop));
    o["elem"] = to_json(m.key, ctx);
    o["data"] = to_json(m.data, ctx);
    o["map"] = set_reference(m.set);
    if (!m.stmts.empty()) o["stmt"] = stateless_list_json(m.stmts, ctx);
    return tagged("map", std::move(o));
}

json meter_json(const meter_stmt& m, const json_ctx& ctx) {
    json o = tagged("key", to_json(m.key, ctx));
    o["stmt"] = m.body ? stateless_json(*m.body, ctx) : json(nullptr);
    o["size"] = m.size;
    o["name"] = m.name;
    return tagged("meter", std::move(o));
}

json synproxy_flags_json(uint32_t flags) {
    static constexpr flag_name names[] = {{NF_SYNPROXY_OPT_TIMESTAMP, "timestamp"}, {NF_SYNPROXY_OPT_SACK_PERM, "sack-perm"}};
    return flag_names_json(flags, names);
}

json synproxy_stmt_json(const synproxy_stmt& p) {
    json o = json::object();
    if (p.flags & NF_SYNPROXY_OPT_MSS) o["mss"] = p.mss;
    if (p.flags & NF_SYNPROXY_OPT_WSCALE) o["wscale"] = p.wscale;
    add_nonempty(o, "flags", synproxy_flags_json(p.flags));
    return tagged("synproxy", object_or_null(std::move(o)));
}

// nft has no JSON for an anonymous chain: it writes the statement's text listing instead.
json chain_stmt_json(const chain_stmt& c, const json_ctx& ctx) {
    std::string text = c.verdict == verdict_code::go_to ? "goto {\n" : "jump {\n";
    if (c.body) {
        list_options inner = ctx.opts;
        inner.handles = false;
        for (const rule& r : c.body->rules) text += "\t\t\t" + rule_text(r, ctx.fam, inner) + "\n";
    }
    return text + "\t\t}";
}

json mangle_json(json key, const expr_ptr& value, const json_ctx& ctx) {
    json o = tagged("key", std::move(key));
    o["value"] = to_json(value, ctx);
    return tagged("mangle", std::move(o));
}

json to_json(const stmt& s, const json_ctx& ctx) {
    switch (s.kind) {
    case stmt_kind::expr: return to_json(s.as<expr_stmt>().e, ctx);
    case stmt_kind::verdict: return to_json(s.as<verdict_stmt>().e, ctx);
    case stmt_kind::counter: {
        if (ctx.opts.stateless) return tagged("counter", nullptr);
        const auto& c = s.as<counter_stmt>();
        json o = tagged("packets", c.packets);
        o["bytes"] = c.bytes;
        return tagged("counter", std::move(o));
    }
    case stmt_kind::last: {
        const auto& l = s.as<last_stmt>();
        if (ctx.opts.stateless || !l.set) return tagged("last", nullptr);
        return tagged("last", tagged("used", l.used));
    }
    case stmt_kind::limit: return limit_json(s.as<limit_stmt>());
    case stmt_kind::quota: return quota_json(s.as<quota_stmt>(), ctx);
    case stmt_kind::connlimit: {
        const auto& c = s.as<connlimit_stmt>();
        json o = tagged("val", c.count);
        if (c.over) o["inv"] = true;
        return tagged("ct count", std::move(o));
    }
    case stmt_kind::log: return log_json(s.as<log_stmt>());
    case stmt_kind::reject: return reject_json(s.as<reject_stmt>(), ctx);
    case stmt_kind::nat: return nat_json(s.as<nat_stmt>(), ctx);
    case stmt_kind::tproxy: return tproxy_json(s.as<tproxy_stmt>(), ctx);
    case stmt_kind::queue: return queue_json(s.as<queue_stmt>(), ctx);
    case stmt_kind::dup: {
        const auto& d = s.as<dup_stmt>();
        if (!d.to) return tagged("dup", nullptr);
        json o = tagged("addr", to_json(*d.to, ctx));
        if (d.dev) o["dev"] = to_json(*d.dev, ctx);
        return tagged("dup", std::move(o));
    }
    case stmt_kind::fwd: {
        const auto& f = s.as<fwd_stmt>();
        json o = tagged("dev", to_json(f.dev, ctx));
        if (f.addr) {
            o["family"] = family_name(static_cast<family>(f.family));
            o["addr"] = to_json(*f.addr, ctx);
        }
        return tagged("fwd", std::move(o));
    }
    case stmt_kind::meta: return mangle_json(meta_key_json(s.as<meta_stmt>().key), s.as<meta_stmt>().value, ctx);
    case stmt_kind::ct: {
        const auto& c = s.as<ct_stmt>();
        return mangle_json(ct_key_json(c.key, c.direction), c.value, ctx);
    }
    case stmt_kind::payload: {
        const auto& p = s.as<payload_stmt>();
        return mangle_json(to_json(p.dest, ctx), p.value, ctx);
    }
    case stmt_kind::exthdr: {
        const auto& x = s.as<exthdr_stmt>();
        return mangle_json(to_json(x.dest, ctx), x.value, ctx);
    }
    case stmt_kind::notrack: return tagged("notrack", nullptr);
    case stmt_kind::flow_offload: {
        json o = tagged("op", "add");
        o["flowtable"] = "@" + s.as<flow_offload_stmt>().table;
        return tagged("flow", std::move(o));
    }
    case stmt_kind::set: return dynset_json(s.as<set_stmt>(), ctx);
    case stmt_kind::map: return dynmap_json(s.as<map_stmt>(), ctx);
    case stmt_kind::meter: return meter_json(s.as<meter_stmt>(), ctx);
    case stmt_kind::objref: {
        const auto& o = s.as<objref_stmt>();
        return tagged(obj_type_name(o.type), to_json(o.e, ctx));
    }
    case stmt_kind::synproxy: return synproxy_stmt_json(s.as<synproxy_stmt>());
    case stmt_kind::optstrip: {
        const auto& o = s.as<optstrip_stmt>();
        return tagged("reset", to_json(o.e, ctx));
    }
    case stmt_kind::chain: return chain_stmt_json(s.as<chain_stmt>(), ctx);
    case stmt_kind::invalid: break;
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Tables, chains, sets, objects, flowtables (json.c's *_print_json).

// What names a thing inside a table, in the key order nft writes for its kind (family first).
using member = std::pair<std::string_view, json>;
json table_member(const table& t, std::initializer_list<member> names) {
    json o = tagged("family", family_name(t.fam));
    for (const auto& [key, value] : names) o[std::string(key)] = value;
    return o;
}


json listed_statements_json(const rule& r, const json_ctx& ctx) {
    const rule listed = postprocess_rule(r, ctx.fam);
    json stmts = json::array();
    for (const auto& s : listed.stmts) stmts.push_back(to_json(*s, ctx));
    return stmts;
}

json rule_json(const rule& r, const chain& c, const table& t, const json_ctx& ctx) {
    json o = table_member(t, {{"table", t.name}, {"chain", c.name}, {"handle", r.handle}});
    add_comment(o, r.has_comment, r.comment);
    add_nonempty(o, "expr", listed_statements_json(r, ctx));
    return tagged("rule", std::move(o));
}

// A single device as a string, several as an array (not nft's json_add_array_new).
json devices_json(const std::vector<std::string>& devices) {
    const std::vector<std::string> listed = listed_devices(devices);
    if (listed.size() == 1) return listed.front();
    return listed;
}

json chain_json(const chain& c, const table& t) {
    json o = table_member(t, {{"table", t.name}, {"name", c.name}, {"handle", c.handle}});
    add_comment(o, c.has_comment, c.comment);
    if (!c.is_base()) return tagged("chain", std::move(o));
    if (!c.devices.empty()) o["dev"] = devices_json(c.devices);
    o["type"] = c.type.empty() ? std::string("filter") : c.type;
    o["hook"] = hook_name(t.fam, c.hooknum);
    o["prio"] = c.priority_value;
    o["policy"] = c.policy.value_or(1) == 0 ? "drop" : "accept";
    return tagged("chain", std::move(o));
}

// nft's set_dtype_json: a type name, or the names of a concatenation's parts.
json type_names_json(const expr& e) {
    const std::string name = e.dtype != nullptr ? e.dtype->name : std::string("invalid");
    json parts = json::array();
    size_t start = 0;
    while (start < name.size()) {
        const size_t end = name.find_first_of(" .", start);
        if (end != start) parts.push_back(name.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    if (parts.size() == 1) return parts.front();
    return parts;
}

json set_json(const set& s, const table& t, const json_ctx& ctx) {
    const bool data_map = (s.flags & NFT_SET_MAP) && !(s.flags & NFT_SET_OBJECT) && s.data;
    const bool object_map = s.flags & NFT_SET_OBJECT;
    json o = table_member(t, {{"name", s.name}, {"table", t.name}});
    if (s.key) o["type"] = s.key_typeof ? tagged("typeof", to_json(*s.key, ctx)) : type_names_json(*s.key);
    o["handle"] = s.handle;
    add_comment(o, s.has_comment, s.comment);
    if (data_map) o["map"] = type_names_json(*s.data);
    if (object_map) o["map"] = obj_type_name(s.objtype);
    if (!(s.flags & NFT_SET_CONSTANT)) {
        if (s.policy.has_value() && *s.policy != set_policy::performance) o["policy"] = "memory";
        if (s.size != 0) o["size"] = s.size;
    }
    static constexpr flag_name flag_names[] = {{NFT_SET_CONSTANT, "constant"},
                                               {NFT_SET_INTERVAL, "interval"},
                                               {NFT_SET_TIMEOUT, "timeout"},
                                               {NFT_SET_EVAL, "dynamic"}};
    add_nonempty(o, "flags", flag_names_json(s.flags, flag_names));
    if (s.timeout != 0) o["timeout"] = s.timeout / 1000;
    if (s.gc_int != 0) o["gc-interval"] = s.gc_int / 1000;
    if (s.automerge) o["auto-merge"] = true;
    if (const expr_ptr elements = listed_elements(s)) o["elem"] = items_json(elements->as<set_expr>().items, ctx);
    if (!s.stmts.empty()) o["stmt"] = stateless_list_json(s.stmts, ctx);
    return tagged(data_map || object_map ? "map" : "set", std::move(o));
}

json protocol_json(uint8_t l4proto) {
    if (auto name = ip_protocol_name(l4proto)) return *name;
    return l4proto;
}

// Only the states whose timeout differs from the kernel's default, or null.
json timeout_policy_json(const obj& o) {
    json policy = json::object();
    for (const ct_timeout_default& d : ct_timeout_defaults(o.l4proto)) {
        uint64_t seconds = d.seconds;
        for (const auto& p : o.timeouts) {
            if (p.state == d.state) seconds = p.seconds;
        }
        if (seconds != d.seconds) policy[std::string(d.state)] = seconds;
    }
    return object_or_null(std::move(policy));
}

json limit_object_json(const obj& o) {
    const bool bytes = o.limit_kind == limit_type::bytes;
    const scaled_bytes rate = limit_amount(o.limit_rate, o.limit_kind);
    const scaled_bytes burst = limit_amount(o.limit_burst, o.limit_kind);
    json out = tagged("rate", rate.value);
    out["per"] = rate_period_name(o.limit_unit);
    if (o.limit_over) out["inv"] = true;
    if (bytes) out["rate_unit"] = rate.unit;
    if (burst.value != 0) {
        out["burst"] = burst.value;
        if (bytes) out["burst_unit"] = burst.unit;
    }
    return out;
}

json tunnel_object_json(const obj& o) {
    json out = tagged("id", o.tunnel_id);
    const std::string family = o.tunnel_v6 ? "ipv6" : "ipv4";
    if (!o.tunnel_src.empty()) out["src-" + family] = o.tunnel_src;
    if (!o.tunnel_dst.empty()) out["dst-" + family] = o.tunnel_dst;
    out["sport"] = o.tunnel_sport;
    out["dport"] = o.tunnel_dport;
    out["tos"] = o.tunnel_tos;
    out["ttl"] = o.tunnel_ttl;
    switch (o.tunnel_type) {
    case obj::tunnel_kind::erspan: {
        json e = tagged("version", o.erspan_version);
        if (o.erspan_version == 1) {
            e["index"] = o.erspan_index;
        } else {
            e["dir"] = o.erspan_egress ? "egress" : "ingress";
            e["hwid"] = o.erspan_hwid;
        }
        out["type"] = "erspan";
        out["tunnel"] = std::move(e);
        break;
    }
    case obj::tunnel_kind::vxlan:
        out["type"] = "vxlan";
        out["tunnel"] = tagged("gbp", o.vxlan_gbp);
        break;
    case obj::tunnel_kind::geneve: {
        json opts = json::array();
        for (const auto& g : o.geneve_opts) {
            json opt = tagged("class", g.cls);
            opt["opt-type"] = g.type;
            opt["data"] = g.data;
            opts.push_back(std::move(opt));
        }
        out["type"] = "geneve";
        out["tunnel"] = std::move(opts);
        break;
    }
    case obj::tunnel_kind::none: break;
    }
    return out;
}

// The members that depend on the object's type (obj_print_json's switch).
json object_body_json(const obj& o, const table& t) {
    json out = json::object();
    switch (o.type) {
    case obj_type::counter:
        out["packets"] = o.packets;
        out["bytes"] = o.bytes;
        break;
    case obj_type::quota:
        out["bytes"] = o.quota_bytes;
        out["used"] = o.quota_used;
        out["inv"] = o.quota_over;
        break;
    case obj_type::secmark: out["context"] = o.secmark_ctx; break;
    case obj_type::ct_helper:
        out["type"] = o.helper_name;
        out["protocol"] = protocol_json(o.l4proto);
        out["l3proto"] = family_name(object_l3proto(o.l3proto, t.fam));
        break;
    case obj_type::ct_timeout:
        out["protocol"] = protocol_json(o.l4proto);
        out["l3proto"] = family_name(object_l3proto(o.l3proto, t.fam));
        out["policy"] = timeout_policy_json(o);
        break;
    case obj_type::ct_expect:
        out["protocol"] = protocol_json(o.l4proto);
        out["dport"] = o.expect_dport;
        out["timeout"] = o.expect_timeout;
        out["size"] = o.expect_size;
        out["l3proto"] = family_name(object_l3proto(o.l3proto, t.fam));
        break;
    case obj_type::limit: out = limit_object_json(o); break;
    case obj_type::synproxy:
        out["mss"] = o.syn_mss;
        out["wscale"] = o.syn_wscale;
        add_nonempty(out, "flags", synproxy_flags_json(o.syn_flags));
        break;
    case obj_type::tunnel: out = tunnel_object_json(o); break;
    case obj_type::none: break;
    }
    return out;
}

json object_json(const obj& o, const table& t) {
    json out = table_member(t, {{"name", o.name}, {"table", t.name}, {"handle", o.handle}});
    add_comment(out, o.has_comment, o.comment);
    const json body = object_body_json(o, t);
    for (const auto& [key, value] : body.items()) out[key] = value;
    return tagged(obj_type_name(o.type), std::move(out));
}

json flowtable_json(const flowtable& f, const table& t) {
    json o = table_member(t, {{"name", f.name}, {"table", t.name}, {"handle", f.handle}});
    o["hook"] = f.hooknum == hook::none ? std::string_view("ingress") : hook_name(family::netdev, f.hooknum);
    o["prio"] = f.priority_value;
    if (!f.devices.empty()) o["dev"] = devices_json(f.devices);
    return tagged("flowtable", std::move(o));
}

json table_json(const table& t) {
    json o = table_member(t, {{"name", t.name}, {"handle", t.handle}});
    static constexpr flag_name flag_names[] = {
        {TABLE_F_DORMANT, "dormant"}, {TABLE_F_OWNER, "owner"}, {TABLE_F_PERSIST, "persist"}};
    add_nonempty(o, "flags", flag_names_json(t.flags, flag_names));
    add_comment(o, t.has_comment, t.comment);
    return tagged("table", std::move(o));
}

// nft's table_print_json_full: chains come first because maps and rules refer to them.
void append_table(const table& t, const list_options& opts, json& out) {
    json_ctx ctx{opts, false, false, t.fam};
    out.push_back(table_json(t));
    for (const auto& c : t.chains) {
        if (!(c->flags & CHAIN_F_BINDING)) out.push_back(chain_json(*c, t));
    }
    for (const auto& o : t.objs) out.push_back(object_json(*o, t));
    for (const auto& s : t.sets) {
        if (!s->anonymous()) out.push_back(set_json(*s, t, ctx));
    }
    for (const auto& f : t.flowtables) out.push_back(flowtable_json(*f, t));
    for (const auto& c : t.chains) {
        if (c->flags & CHAIN_F_BINDING) continue;
        for (const rule& r : c->rules) out.push_back(rule_json(r, *c, t, ctx));
    }
}

// jansson's json_dumpf without indentation: ", " between items and ": " after keys.
void write_compact(const json& j, std::string& out) {
    const auto scalar = [](const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); };
    if (j.is_object()) {
        out += '{';
        bool first = true;
        for (const auto& [key, value] : j.items()) {
            if (!first) out += ", ";
            first = false;
            out += scalar(json(key));
            out += ": ";
            write_compact(value, out);
        }
        out += '}';
    } else if (j.is_array()) {
        out += '[';
        for (size_t i = 0; i < j.size(); ++i) {
            if (i != 0) out += ", ";
            write_compact(j[i], out);
        }
        out += ']';
    } else {
        out += scalar(j);
    }
}

}  // namespace

std::string list_ruleset_json(const ruleset& rs, const list_options& opts) {
    json info = tagged("version", json_nft_version);
    info["release_name"] = json_nft_release_name;
    info["json_schema_version"] = 1;
    json items = json::array({tagged("metainfo", std::move(info))});
    for (const auto& t : rs.tables) append_table(*t, opts, items);
    std::string out;
    write_compact(tagged("nftables", std::move(items)), out);
    return out + "\n";
}

std::string rule_expr_json(const rule& r, family fam, const list_options& opts) {
    std::string out;
    write_compact(listed_statements_json(r, json_ctx{opts, false, false, fam}), out);
    return out;
}

}  // namespace nfqwall::front

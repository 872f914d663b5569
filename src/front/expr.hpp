// Expressions of the nft language: what the parser builds, the evaluator types and rewrites
// in place, and the listing prints. Modelled on nftables' `struct expr`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "front/datatype.hpp"
#include "nfqwall/diagnostic.hpp"

namespace nfqwall::front {

struct proto_desc;
struct proto_hdr_template;
struct exthdr_desc;
struct set;
struct stmt;
struct chain;
using stmt_ptr = std::unique_ptr<stmt>;

enum class expr_kind : uint8_t {
    invalid,
    verdict,
    symbol,
    variable,
    value,
    prefix,
    range,
    unary,
    binop,
    relational,
    concat,
    list,
    set,
    set_ref,
    set_elem,
    set_elem_catchall,
    mapping,
    map,
    payload,
    exthdr,
    meta,
    ct,
    rt,
    fib,
    numgen,
    hash,
    socket,
    osf,
    xfrm,
    tunnel,
};

enum class op : uint8_t {
    invalid,
    implicit,  // no operator written: `tcp dport 22`
    eq,
    neq,
    lt,
    gt,
    lte,
    gte,
    neg,  // `!` in `tcp flags ! syn`
    band,
    bor,
    bxor,
    lshift,
    rshift,
    hton,
    ntoh,
};

std::string_view op_token(op o);

// Expression flags (nft's EXPR_F_*).
enum expr_flags : uint16_t {
    EXPR_F_CONSTANT = 1u << 0,
    EXPR_F_SINGLETON = 1u << 1,
    EXPR_F_PROTOCOL = 1u << 2,  // a protocol key (ip protocol, meta l4proto)
    EXPR_F_INTERVAL_END = 1u << 3,
    EXPR_F_BOOLEAN = 1u << 4,
    EXPR_F_INTERVAL = 1u << 5,  // typeof ... : interval ...
    EXPR_F_REMOVE = 1u << 6,
};

class expr;
using expr_ptr = std::unique_ptr<expr>;

class expr {
public:
    explicit expr(expr_kind k, location l = {}) : kind(k), loc(l) {}
    virtual ~expr() = default;
    expr(const expr&) = default;
    expr& operator=(const expr&) = delete;

    virtual expr_ptr clone() const = 0;

    template <class T>
    T& as() { return static_cast<T&>(*this); }
    template <class T>
    const T& as() const { return static_cast<const T&>(*this); }
    bool is(expr_kind k) const { return kind == k; }
    bool is_constant() const { return flags & EXPR_F_CONSTANT; }

    expr_kind kind;
    byte_order order = byte_order::invalid;
    uint16_t flags = 0;
    uint32_t len = 0;  // bits
    const datatype* dtype = nullptr;
    location loc;
};

expr_ptr clone(const expr_ptr& e);
std::vector<expr_ptr> clone(const std::vector<expr_ptr>& v);

template <class Derived>
class expr_base : public expr {
public:
    using expr::expr;
    expr_ptr clone() const override { return std::make_unique<Derived>(static_cast<const Derived&>(*this)); }
};

// Verdicts: accept, drop, continue, return, jump CHAIN, goto CHAIN (and queue in maps).
enum class verdict_code : int32_t {
    drop = 0,
    accept = 1,
    queue = 3,
    cont = -1,
    brk = -2,
    jump = -3,
    go_to = -4,
    ret = -5,
};

class verdict_expr : public expr_base<verdict_expr> {
public:
    verdict_expr(location l, verdict_code c) : expr_base(expr_kind::verdict, l), code(c) {}
    verdict_expr(const verdict_expr& o) : expr_base(o), code(o.code), chain(front::clone(o.chain)) {}
    verdict_code code;
    expr_ptr chain;  // value (string) or variable, for jump/goto
};

enum class symbol_kind : uint8_t { value, set };

// A word not yet given a type: resolved by the evaluator in the context of what it is
// compared with (`established` as a ct_state, `ssh` as an inet_service...).
class symbol_expr : public expr_base<symbol_expr> {
public:
    symbol_expr(location l, std::string t, symbol_kind k = symbol_kind::value, bool q = false)
        : expr_base(expr_kind::symbol, l), text(std::move(t)), sym(k), quoted(q) {}
    std::string text;
    symbol_kind sym;
    bool quoted;
    bool asterisk = false;  // written as `name*` (unquoted wildcard)
};

// `$name`: expanded from a `define` at parse time; keeps the variable's name for errors.
class variable_expr : public expr_base<variable_expr> {
public:
    variable_expr(location l, std::string n, expr_ptr v)
        : expr_base(expr_kind::variable, l), name(std::move(n)), bound(std::move(v)) {}
    variable_expr(const variable_expr& o) : expr_base(o), name(o.name), bound(front::clone(o.bound)) {}
    std::string name;
    expr_ptr bound;
};

class value_expr : public expr_base<value_expr> {
public:
    value_expr(location l, const datatype* t, byte_order bo, uint32_t bits, u128 v)
        : expr_base(expr_kind::value, l), value(v) {
        dtype = t;
        order = bo;
        len = bits;
        flags = EXPR_F_CONSTANT | EXPR_F_SINGLETON;
    }
    u128 value;
    // String constants: the text itself; `value` holds only its first 16 bytes, while names
    // (chains, objects) may be up to 255 bytes long.
    std::string str;
};

class prefix_expr : public expr_base<prefix_expr> {
public:
    prefix_expr(location l, expr_ptr p, uint32_t plen)
        : expr_base(expr_kind::prefix, l), prefix(std::move(p)), prefix_len(plen) {}
    prefix_expr(const prefix_expr& o) : expr_base(o), prefix(front::clone(o.prefix)), prefix_len(o.prefix_len) {}
    expr_ptr prefix;
    uint32_t prefix_len;
};

class range_expr : public expr_base<range_expr> {
public:
    range_expr(location l, expr_ptr lo, expr_ptr hi)
        : expr_base(expr_kind::range, l), left(std::move(lo)), right(std::move(hi)) {}
    range_expr(const range_expr& o) : expr_base(o), left(front::clone(o.left)), right(front::clone(o.right)) {}
    expr_ptr left, right;
};

class unary_expr : public expr_base<unary_expr> {
public:
    unary_expr(location l, op o, expr_ptr a) : expr_base(expr_kind::unary, l), oper(o), arg(std::move(a)) {}
    unary_expr(const unary_expr& o) : expr_base(o), oper(o.oper), arg(front::clone(o.arg)) {}
    op oper;
    expr_ptr arg;
};

class binop_expr : public expr_base<binop_expr> {
public:
    binop_expr(location l, op o, expr_ptr a, expr_ptr b)
        : expr_base(expr_kind::binop, l), oper(o), left(std::move(a)), right(std::move(b)) {}
    binop_expr(const binop_expr& o)
        : expr_base(o), oper(o.oper), left(front::clone(o.left)), right(front::clone(o.right)) {}
    op oper;
    expr_ptr left, right;
};

class relational_expr : public expr_base<relational_expr> {
public:
    relational_expr(location l, op o, expr_ptr a, expr_ptr b)
        : expr_base(expr_kind::relational, l), oper(o), left(std::move(a)), right(std::move(b)) {}
    relational_expr(const relational_expr& o)
        : expr_base(o), oper(o.oper), left(front::clone(o.left)), right(front::clone(o.right)),
          op_loc(o.op_loc) {}
    op oper;
    expr_ptr left, right;
    location op_loc;
};

// Common shape of concat, list and set: an ordered list of expressions.
template <class Derived, expr_kind K>
class compound_expr : public expr_base<Derived> {
public:
    explicit compound_expr(location l) : expr_base<Derived>(K, l) {}
    compound_expr(const compound_expr& o) : expr_base<Derived>(o), items(front::clone(o.items)) {}
    std::vector<expr_ptr> items;
};

class concat_expr : public compound_expr<concat_expr, expr_kind::concat> {
public:
    using compound_expr::compound_expr;
};

class list_expr : public compound_expr<list_expr, expr_kind::list> {
public:
    using compound_expr::compound_expr;
};

// `{ a, b, c }`: an anonymous set (or the elements of a named one).
class set_expr : public compound_expr<set_expr, expr_kind::set> {
public:
    using compound_expr::compound_expr;
    uint32_t set_flags = 0;
};

// `@name`, or an anonymous set the evaluator created from a set_expr.
class set_ref_expr : public expr_base<set_ref_expr> {
public:
    set_ref_expr(location l, std::string n) : expr_base(expr_kind::set_ref, l), name(std::move(n)) {}
    std::string name;
    front::set* target = nullptr;  // resolved by the evaluator; owned by the table or rule
};

// One element of a set: key plus per-element options.
class set_elem_expr : public expr_base<set_elem_expr> {
public:
    set_elem_expr(location l, expr_ptr k);
    set_elem_expr(const set_elem_expr& o);
    ~set_elem_expr() override;
    expr_ptr key;
    uint64_t timeout = 0;     // ms, 0 = none
    uint64_t expiration = 0;  // ms, 0 = none
    bool timeout_never = false;
    std::string comment;
    bool has_comment = false;
    std::vector<stmt_ptr> stmts;  // counter, quota, limit, last, ct count
};

class set_elem_catchall_expr : public expr_base<set_elem_catchall_expr> {
public:
    explicit set_elem_catchall_expr(location l) : expr_base(expr_kind::set_elem_catchall, l) {}
};

// `key : data` inside a map.
class mapping_expr : public expr_base<mapping_expr> {
public:
    mapping_expr(location l, expr_ptr k, expr_ptr d)
        : expr_base(expr_kind::mapping, l), left(std::move(k)), right(std::move(d)) {}
    mapping_expr(const mapping_expr& o) : expr_base(o), left(front::clone(o.left)), right(front::clone(o.right)) {}
    expr_ptr left, right;
};

// `key map { ... }` / `key vmap { ... }` / `key map @m`.
class map_expr : public expr_base<map_expr> {
public:
    map_expr(location l, expr_ptr k, expr_ptr m)
        : expr_base(expr_kind::map, l), key(std::move(k)), mappings(std::move(m)) {}
    map_expr(const map_expr& o) : expr_base(o), key(front::clone(o.key)), mappings(front::clone(o.mappings)) {}
    expr_ptr key;
    expr_ptr mappings;  // set_expr before evaluation, set_ref_expr after
};

enum class proto_base : uint8_t { invalid = 0, ll = 1, network = 2, transport = 3, inner = 4 };

// A header field: `tcp dport`, `ip saddr`, or raw `@th,16,16`.
class payload_expr : public expr_base<payload_expr> {
public:
    explicit payload_expr(location l) : expr_base(expr_kind::payload, l) {}
    const proto_desc* desc = nullptr;
    const proto_hdr_template* tmpl = nullptr;
    int field = -1;  // index of tmpl inside desc
    proto_base base = proto_base::invalid;
    uint32_t offset = 0;  // bits from the start of the base header
    bool is_raw = false;
    const proto_desc* inner_desc = nullptr;  // vxlan/geneve/gre/gretap inner matching
};

enum class exthdr_op : uint8_t { ipv6, tcpopt, ipv4, sctp, dccp };

// Extension headers, TCP/IP options, SCTP chunks, DCCP options.
class exthdr_expr : public expr_base<exthdr_expr> {
public:
    explicit exthdr_expr(location l) : expr_base(expr_kind::exthdr, l) {}
    exthdr_op xop = exthdr_op::ipv6;
    const exthdr_desc* desc = nullptr;
    const proto_hdr_template* tmpl = nullptr;
    int field = -1;
    uint32_t offset = 0;    // bits
    uint32_t raw_type = 0;  // option kind / extension header number / chunk type
    bool present = false;   // `exists` test (NFT_EXTHDR_F_PRESENT)
    bool is_raw = false;
};

class meta_expr : public expr_base<meta_expr> {
public:
    meta_expr(location l, int k) : expr_base(expr_kind::meta, l), key(k) {}
    int key;  // meta_key
    proto_base base = proto_base::invalid;
    bool qualified = false;  // written with `meta`
};

class ct_expr : public expr_base<ct_expr> {
public:
    ct_expr(location l, int k, int dir) : expr_base(expr_kind::ct, l), key(k), direction(dir) {}
    int key;            // ct_key
    int direction;      // -1 none, 0 original, 1 reply
    int nfproto = 0;    // for ct ... ip/ip6 saddr/daddr
};

class rt_expr : public expr_base<rt_expr> {
public:
    rt_expr(location l, int k, bool inv) : expr_base(expr_kind::rt, l), key(k), invalid_family(inv) {}
    int key;
    bool invalid_family;  // `rt nexthop` without ip/ip6
};

class fib_expr : public expr_base<fib_expr> {
public:
    fib_expr(location l, uint32_t f, uint32_t r) : expr_base(expr_kind::fib, l), fib_flags(f), result(r) {}
    uint32_t fib_flags;
    uint32_t result;
};

class numgen_expr : public expr_base<numgen_expr> {
public:
    numgen_expr(location l, int t, uint32_t m, uint32_t o)
        : expr_base(expr_kind::numgen, l), type(t), mod(m), offset(o) {}
    int type;  // 0 inc, 1 random
    uint32_t mod, offset;
};

class hash_expr : public expr_base<hash_expr> {
public:
    explicit hash_expr(location l) : expr_base(expr_kind::hash, l) {}
    hash_expr(const hash_expr& o)
        : expr_base(o), type(o.type), arg(front::clone(o.arg)), mod(o.mod), seed_set(o.seed_set),
          seed(o.seed), offset(o.offset) {}
    int type = 0;  // 0 jhash, 1 symhash
    expr_ptr arg;
    uint32_t mod = 0;
    bool seed_set = false;
    uint32_t seed = 0;
    uint32_t offset = 0;
};

class socket_expr : public expr_base<socket_expr> {
public:
    socket_expr(location l, int k, uint32_t lvl) : expr_base(expr_kind::socket, l), key(k), level(lvl) {}
    int key;
    uint32_t level;
};

class osf_expr : public expr_base<osf_expr> {
public:
    osf_expr(location l, uint8_t t, uint32_t f) : expr_base(expr_kind::osf, l), ttl(t), osf_flags(f) {}
    uint8_t ttl;
    uint32_t osf_flags;
};

class xfrm_expr : public expr_base<xfrm_expr> {
public:
    xfrm_expr(location l, uint8_t d, uint8_t sp, int k)
        : expr_base(expr_kind::xfrm, l), direction(d), spnum(sp), key(k) {}
    uint8_t direction;  // 0 in, 1 out
    uint8_t spnum;
    int key;
};

class tunnel_expr : public expr_base<tunnel_expr> {
public:
    tunnel_expr(location l, int k) : expr_base(expr_kind::tunnel, l), key(k) {}
    int key;
};

// Helpers used across the front end.
expr_ptr make_value(location l, const datatype* t, u128 v, uint32_t bits = 0);
expr_ptr make_string_value(location l, const datatype* t, std::string_view s);
std::string value_string(const value_expr& v);  // string types: the text
bool expr_is_singleton(const expr& e);
// The closed interval [lo, hi] a constant value, prefix or range covers; false for anything
// else. `width` is the prefix base's size in bits when the base does not say.
bool interval_of(const expr& key, uint32_t width, u128& lo, u128& hi);

}  // namespace nfqwall::front

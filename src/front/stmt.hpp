// Statements: the parts of a rule (a match, a verdict, counter, nat, log...).
// Modelled on nftables' `struct stmt`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "front/expr.hpp"

namespace nfqwall::front {

enum class stmt_kind : uint8_t {
    invalid,
    expr,     // a match: relational expression
    verdict,  // accept/drop/jump..., or a verdict map
    counter,
    last,
    limit,
    quota,
    connlimit,
    log,
    reject,
    nat,
    tproxy,
    queue,
    dup,
    fwd,
    meta,
    ct,
    payload,
    exthdr,
    notrack,
    flow_offload,
    set,
    map,
    meter,
    objref,
    synproxy,
    optstrip,
    chain,  // anonymous chain: jump { ... }
};

struct stmt {
    explicit stmt(stmt_kind k, location l = {}) : kind(k), loc(l) {}
    virtual ~stmt() = default;
    stmt(const stmt&) = default;
    stmt& operator=(const stmt&) = delete;
    virtual stmt_ptr clone() const = 0;

    template <class T>
    T& as() { return static_cast<T&>(*this); }
    template <class T>
    const T& as() const { return static_cast<const T&>(*this); }
    bool is(stmt_kind k) const { return kind == k; }

    stmt_kind kind;
    location loc;
    // Added by the evaluator (a protocol dependency); not printed.
    bool implicit = false;
};

stmt_ptr clone(const stmt_ptr& s);
std::vector<stmt_ptr> clone(const std::vector<stmt_ptr>& v);

template <class Derived>
struct stmt_base : stmt {
    using stmt::stmt;
    stmt_ptr clone() const override { return std::make_unique<Derived>(static_cast<const Derived&>(*this)); }
};

struct expr_stmt : stmt_base<expr_stmt> {
    expr_stmt(location l, expr_ptr e) : stmt_base(stmt_kind::expr, l), e(std::move(e)) {}
    expr_stmt(const expr_stmt& o) : stmt_base(o), e(front::clone(o.e)) {}
    expr_ptr e;
};

struct verdict_stmt : stmt_base<verdict_stmt> {
    verdict_stmt(location l, expr_ptr e) : stmt_base(stmt_kind::verdict, l), e(std::move(e)) {}
    verdict_stmt(const verdict_stmt& o) : stmt_base(o), e(front::clone(o.e)) {}
    expr_ptr e;  // verdict_expr or map_expr (vmap)
};

struct counter_stmt : stmt_base<counter_stmt> {
    explicit counter_stmt(location l) : stmt_base(stmt_kind::counter, l) {}
    uint64_t packets = 0, bytes = 0;
};

struct last_stmt : stmt_base<last_stmt> {
    explicit last_stmt(location l) : stmt_base(stmt_kind::last, l) {}
    uint64_t used = 0;  // ms
    bool set = false;
};

enum class limit_type : uint8_t { packets, bytes };

struct limit_stmt : stmt_base<limit_stmt> {
    explicit limit_stmt(location l) : stmt_base(stmt_kind::limit, l) {}
    uint64_t rate = 0;
    uint64_t unit = 1;  // seconds
    uint32_t burst = 0;
    limit_type type = limit_type::packets;
    bool over = false;
};

struct quota_stmt : stmt_base<quota_stmt> {
    explicit quota_stmt(location l) : stmt_base(stmt_kind::quota, l) {}
    uint64_t bytes = 0, used = 0;
    bool over = false;
};

struct connlimit_stmt : stmt_base<connlimit_stmt> {
    explicit connlimit_stmt(location l) : stmt_base(stmt_kind::connlimit, l) {}
    uint32_t count = 0;
    bool over = false;
};

enum log_flags : uint32_t {
    LOG_F_PREFIX = 1u << 0,
    LOG_F_GROUP = 1u << 1,
    LOG_F_SNAPLEN = 1u << 2,
    LOG_F_QTHRESHOLD = 1u << 3,
    LOG_F_LEVEL = 1u << 4,
};

// nf_log flags (NF_LOG_*).
enum nf_log_flags : uint32_t {
    NF_LOG_TCPSEQ = 0x01,
    NF_LOG_TCPOPT = 0x02,
    NF_LOG_IPOPT = 0x04,
    NF_LOG_UID = 0x08,
    NF_LOG_MACDECODE = 0x20,
    NF_LOG_MASK = 0x2f,
};

struct log_stmt : stmt_base<log_stmt> {
    explicit log_stmt(location l) : stmt_base(stmt_kind::log, l) {}
    std::string prefix;
    uint32_t group = 0, snaplen = 0, qthreshold = 0;
    uint32_t level = 4;  // LOG_WARNING
    uint32_t logflags = 0;
    uint32_t set_flags = 0;  // log_flags
};

enum class reject_type : int8_t { unset = -1, icmp_unreach = 0, tcp_rst = 1, icmpx_unreach = 2 };

struct reject_stmt : stmt_base<reject_stmt> {
    explicit reject_stmt(location l) : stmt_base(stmt_kind::reject, l) {}
    reject_stmt(const reject_stmt& o)
        : stmt_base(o), type(o.type), family(o.family), icmp_code(o.icmp_code), code(front::clone(o.code)),
          explicit_with(o.explicit_with) {}
    reject_type type = reject_type::unset;
    int family = 0;  // nfproto of `with icmp`/`with icmpv6`
    int icmp_code = -1;
    expr_ptr code;
    bool explicit_with = false;
};

enum class nat_type : uint8_t { snat, dnat, masquerade, redirect };

enum nat_flags : uint32_t {
    NF_NAT_RANGE_MAP_IPS = 1u << 0,
    NF_NAT_RANGE_PROTO_SPECIFIED = 1u << 1,
    NF_NAT_RANGE_PROTO_RANDOM = 1u << 2,
    NF_NAT_RANGE_PERSISTENT = 1u << 3,
    NF_NAT_RANGE_PROTO_RANDOM_FULLY = 1u << 4,
    NF_NAT_RANGE_PROTO_OFFSET = 1u << 5,
    NF_NAT_RANGE_NETMAP = 1u << 6,
};

enum nat_type_flags : uint32_t {
    STMT_NAT_F_INTERVAL = 1u << 0,
    STMT_NAT_F_PREFIX = 1u << 1,
    STMT_NAT_F_CONCAT = 1u << 2,
};

struct nat_stmt : stmt_base<nat_stmt> {
    nat_stmt(location l, nat_type t) : stmt_base(stmt_kind::nat, l), type(t) {}
    nat_stmt(const nat_stmt& o)
        : stmt_base(o), type(o.type), family(o.family), addr(front::clone(o.addr)), proto(front::clone(o.proto)),
          flags(o.flags), type_flags(o.type_flags), written_to(o.written_to) {}
    nat_type type;
    int family = 0;  // 0, NFPROTO_IPV4, NFPROTO_IPV6 (written `snat ip to`)
    expr_ptr addr;
    expr_ptr proto;
    uint32_t flags = 0;
    uint32_t type_flags = 0;
    bool written_to = false;
};

struct tproxy_stmt : stmt_base<tproxy_stmt> {
    explicit tproxy_stmt(location l) : stmt_base(stmt_kind::tproxy, l) {}
    tproxy_stmt(const tproxy_stmt& o)
        : stmt_base(o), family(o.family), addr(front::clone(o.addr)), port(front::clone(o.port)) {}
    int family = 0;
    expr_ptr addr, port;
};

enum queue_flags : uint32_t { NFT_QUEUE_FLAG_BYPASS = 1, NFT_QUEUE_FLAG_CPU_FANOUT = 2 };

struct queue_stmt : stmt_base<queue_stmt> {
    explicit queue_stmt(location l) : stmt_base(stmt_kind::queue, l) {}
    queue_stmt(const queue_stmt& o) : stmt_base(o), queue(front::clone(o.queue)), flags(o.flags) {}
    expr_ptr queue;
    uint32_t flags = 0;
};

struct dup_stmt : stmt_base<dup_stmt> {
    explicit dup_stmt(location l) : stmt_base(stmt_kind::dup, l) {}
    dup_stmt(const dup_stmt& o) : stmt_base(o), to(front::clone(o.to)), dev(front::clone(o.dev)) {}
    expr_ptr to, dev;
};

struct fwd_stmt : stmt_base<fwd_stmt> {
    explicit fwd_stmt(location l) : stmt_base(stmt_kind::fwd, l) {}
    fwd_stmt(const fwd_stmt& o) : stmt_base(o), family(o.family), addr(front::clone(o.addr)), dev(front::clone(o.dev)) {}
    int family = 0;
    expr_ptr addr, dev;
};

struct meta_stmt : stmt_base<meta_stmt> {
    meta_stmt(location l, int k, expr_ptr v) : stmt_base(stmt_kind::meta, l), key(k), value(std::move(v)) {}
    meta_stmt(const meta_stmt& o) : stmt_base(o), key(o.key), value(front::clone(o.value)), qualified(o.qualified) {}
    int key;
    expr_ptr value;
    bool qualified = false;
};

struct ct_stmt : stmt_base<ct_stmt> {
    ct_stmt(location l, int k, int dir, expr_ptr v)
        : stmt_base(stmt_kind::ct, l), key(k), direction(dir), value(std::move(v)) {}
    ct_stmt(const ct_stmt& o) : stmt_base(o), key(o.key), direction(o.direction), value(front::clone(o.value)) {}
    int key;
    int direction;
    expr_ptr value;
};

struct payload_stmt : stmt_base<payload_stmt> {
    payload_stmt(location l, expr_ptr d, expr_ptr v)
        : stmt_base(stmt_kind::payload, l), dest(std::move(d)), value(std::move(v)) {}
    payload_stmt(const payload_stmt& o) : stmt_base(o), dest(front::clone(o.dest)), value(front::clone(o.value)) {}
    expr_ptr dest;  // payload_expr
    expr_ptr value;
};

struct exthdr_stmt : stmt_base<exthdr_stmt> {
    exthdr_stmt(location l, expr_ptr d, expr_ptr v)
        : stmt_base(stmt_kind::exthdr, l), dest(std::move(d)), value(std::move(v)) {}
    exthdr_stmt(const exthdr_stmt& o) : stmt_base(o), dest(front::clone(o.dest)), value(front::clone(o.value)) {}
    expr_ptr dest;  // exthdr_expr
    expr_ptr value;
};

struct notrack_stmt : stmt_base<notrack_stmt> {
    explicit notrack_stmt(location l) : stmt_base(stmt_kind::notrack, l) {}
};

struct flow_offload_stmt : stmt_base<flow_offload_stmt> {
    flow_offload_stmt(location l, std::string t) : stmt_base(stmt_kind::flow_offload, l), table(std::move(t)) {}
    std::string table;  // flowtable name
};

enum class dynset_op : uint8_t { add, update, del };

// `add @s { key }`, `update @s { key timeout 1m limit ... }`, `delete @s { key }`.
struct set_stmt : stmt_base<set_stmt> {
    explicit set_stmt(location l) : stmt_base(stmt_kind::set, l) {}
    set_stmt(const set_stmt& o)
        : stmt_base(o), sop(o.sop), key(front::clone(o.key)), set(front::clone(o.set)), stmts(front::clone(o.stmts)) {}
    dynset_op sop = dynset_op::add;
    expr_ptr key;  // set_elem_expr
    expr_ptr set;  // set_ref_expr
    std::vector<stmt_ptr> stmts;
};

// `add @m { key : data }`.
struct map_stmt : stmt_base<map_stmt> {
    explicit map_stmt(location l) : stmt_base(stmt_kind::map, l) {}
    map_stmt(const map_stmt& o)
        : stmt_base(o), sop(o.sop), key(front::clone(o.key)), data(front::clone(o.data)), set(front::clone(o.set)),
          stmts(front::clone(o.stmts)) {}
    dynset_op sop = dynset_op::add;
    expr_ptr key;
    expr_ptr data;
    expr_ptr set;
    std::vector<stmt_ptr> stmts;
};

// `meter NAME [size N] { key stmt }` (listed back as a dynamic set update).
struct meter_stmt : stmt_base<meter_stmt> {
    explicit meter_stmt(location l) : stmt_base(stmt_kind::meter, l) {}
    meter_stmt(const meter_stmt& o)
        : stmt_base(o), name(o.name), size(o.size), key(front::clone(o.key)), body(front::clone(o.body)),
          set(front::clone(o.set)) {}
    std::string name;
    uint32_t size = 0;
    expr_ptr key;
    stmt_ptr body;
    expr_ptr set;
};

enum class obj_type : uint8_t {
    none = 0,
    counter = 1,
    quota = 2,
    ct_helper = 3,
    limit = 4,
    ct_timeout = 7,
    secmark = 8,
    ct_expect = 9,
    synproxy = 10,
    tunnel = 11,
};

std::string_view obj_type_name(obj_type t);

// `counter name "x"`, `ct helper set "ftp"`, `quota name tcp dport map {...}`...
struct objref_stmt : stmt_base<objref_stmt> {
    objref_stmt(location l, obj_type t, expr_ptr e) : stmt_base(stmt_kind::objref, l), type(t), e(std::move(e)) {}
    objref_stmt(const objref_stmt& o) : stmt_base(o), type(o.type), e(front::clone(o.e)) {}
    obj_type type;
    expr_ptr e;
};

enum synproxy_flags : uint32_t {
    NF_SYNPROXY_OPT_MSS = 0x01,
    NF_SYNPROXY_OPT_WSCALE = 0x02,
    NF_SYNPROXY_OPT_SACK_PERM = 0x04,
    NF_SYNPROXY_OPT_TIMESTAMP = 0x08,
};

struct synproxy_stmt : stmt_base<synproxy_stmt> {
    explicit synproxy_stmt(location l) : stmt_base(stmt_kind::synproxy, l) {}
    uint32_t mss = 0, wscale = 0, flags = 0;
};

struct optstrip_stmt : stmt_base<optstrip_stmt> {
    optstrip_stmt(location l, expr_ptr e) : stmt_base(stmt_kind::optstrip, l), e(std::move(e)) {}
    optstrip_stmt(const optstrip_stmt& o) : stmt_base(o), e(front::clone(o.e)) {}
    expr_ptr e;  // exthdr_expr (tcp option)
};

// `jump { ... }` / `goto { ... }`: an anonymous chain.
struct chain_stmt : stmt_base<chain_stmt> {
    chain_stmt(location l, std::shared_ptr<chain> c, verdict_code v)
        : stmt_base(stmt_kind::chain, l), body(std::move(c)), verdict(v) {}
    chain_stmt(const chain_stmt& o);  // copies the chain: copies of a ruleset share nothing
    std::shared_ptr<chain> body;
    verdict_code verdict;
};

}  // namespace nfqwall::front

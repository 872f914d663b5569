// The ruleset model: tables holding chains, sets, maps, flowtables and named objects, and the
// commands (`add`, `insert`, `delete`, `flush`...) that change it. Modelled on nftables'
// rule.h; this is also the state the engine runs once compiled.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "front/stmt.hpp"

namespace nfqwall::front {

// Netfilter families, with nft's NFPROTO numbers.
enum class family : uint8_t {
    unspec = 0,
    inet = 1,
    ipv4 = 2,
    arp = 3,
    netdev = 5,
    bridge = 7,
    ipv6 = 10,
};

std::string_view family_name(family f);  // "ip", "ip6", "inet", ...

// Hook numbers per family (NF_INET_*, NF_NETDEV_*, NF_ARP_*).
enum class hook : uint8_t {
    prerouting = 0,
    input = 1,
    forward = 2,
    output = 3,
    postrouting = 4,
    ingress = 5,
    egress = 6,
    none = 255,
};

std::string_view hook_name(family f, hook h);
std::optional<hook> hook_lookup(family f, std::string_view name);

// Standard chain priorities (nft's std_prios): the value `name` ("filter", "dstnat"...)
// stands for on hook h of family f, if the name applies there.
std::optional<int32_t> standard_priority(std::string_view name, family f, hook h);
// nft's prio2str: the priority as a listing prints it ("filter", "mangle - 5", or a number).
std::string priority_text(int32_t prio, family f, hook h);

struct rule {
    std::vector<stmt_ptr> stmts;
    std::string comment;
    bool has_comment = false;
    location loc;
    uint64_t handle = 0;

    rule() = default;
    rule(const rule& o);
    rule(rule&&) = default;
    rule& operator=(rule&&) = default;
};

enum chain_flags : uint32_t {
    CHAIN_F_BASECHAIN = 1u << 0,
    CHAIN_F_HW_OFFLOAD = 1u << 1,
    CHAIN_F_BINDING = 1u << 2,
};

struct chain {
    std::string name;
    location loc;
    uint64_t handle = 0;
    uint32_t flags = 0;
    // Base chains only.
    std::string type;  // filter | nat | route
    location type_loc;
    hook hooknum = hook::none;
    std::string hook_str;
    location hook_loc;
    expr_ptr priority;  // evaluated to an integer value (the raw spec is kept for errors)
    int32_t priority_value = 0;
    bool priority_set = false;
    std::optional<int> policy;  // 0 drop, 1 accept
    expr_ptr policy_expr;
    location policy_loc;
    std::vector<std::string> devices;
    expr_ptr dev_expr;
    std::string comment;
    bool has_comment = false;
    std::vector<rule> rules;

    bool is_base() const { return flags & CHAIN_F_BASECHAIN; }
    chain() = default;
    chain(const chain& o);
};

enum set_flags : uint32_t {
    NFT_SET_ANONYMOUS = 0x1,
    NFT_SET_CONSTANT = 0x2,
    NFT_SET_INTERVAL = 0x4,
    NFT_SET_MAP = 0x8,
    NFT_SET_TIMEOUT = 0x10,
    NFT_SET_EVAL = 0x20,  // dynamic
    NFT_SET_OBJECT = 0x40,
    NFT_SET_CONCAT = 0x80,
    NFT_SET_EXPR = 0x100,
};

enum class set_policy : uint8_t { performance = 0, memory = 1 };

struct set {
    std::string name;
    location loc;
    uint64_t handle = 0;
    uint32_t flags = 0;
    expr_ptr key;   // typeof expression(s) or a datatype placeholder value
    expr_ptr data;  // map data (typeof/type), nullptr for plain sets
    bool key_typeof = false;
    bool data_typeof = false;
    obj_type objtype = obj_type::none;
    uint64_t timeout = 0;  // ms
    uint64_t gc_int = 0;   // ms
    uint32_t size = 0;
    std::optional<set_policy> policy;
    bool automerge = false;
    std::string comment;
    bool has_comment = false;
    std::vector<stmt_ptr> stmts;  // per-element stateful templates (counter, quota...)
    expr_ptr init;                // elements, a set_expr (evaluated: set_elem_expr items)
    bool is_meter = false;        // created by a `meter` statement

    bool anonymous() const { return flags & NFT_SET_ANONYMOUS; }
    bool is_map() const { return flags & NFT_SET_MAP; }
    bool is_interval() const { return flags & NFT_SET_INTERVAL; }

    set() = default;
    set(const set& o);
};

struct ct_timeout_policy {
    std::string state;
    uint64_t seconds;
    location loc;
};

struct obj {
    obj_type type = obj_type::none;
    std::string name;
    location loc;
    uint64_t handle = 0;
    std::string comment;
    bool has_comment = false;
    // counter
    uint64_t packets = 0, bytes = 0;
    // quota
    uint64_t quota_bytes = 0, quota_used = 0;
    bool quota_over = false;
    // limit
    uint64_t limit_rate = 0, limit_unit = 1;
    uint32_t limit_burst = 0;
    limit_type limit_kind = limit_type::packets;
    bool limit_over = false;
    // ct helper / timeout / expectation
    std::string helper_name;
    uint8_t l4proto = 0;
    family l3proto = family::unspec;
    std::vector<ct_timeout_policy> timeouts;
    uint16_t expect_dport = 0;
    uint32_t expect_timeout = 0;  // ms
    uint8_t expect_size = 0;
    // secmark
    std::string secmark_ctx;
    // synproxy
    uint32_t syn_mss = 0, syn_wscale = 0, syn_flags = 0;
    // tunnel
    uint32_t tunnel_id = 0;
    bool tunnel_v6 = false;
    std::string tunnel_src, tunnel_dst;
    uint16_t tunnel_sport = 0, tunnel_dport = 0;
    uint8_t tunnel_tos = 0, tunnel_ttl = 0;
    bool tunnel_has_tos = false, tunnel_has_ttl = false, tunnel_has_sport = false, tunnel_has_dport = false;
    enum class tunnel_kind : uint8_t { none, erspan, vxlan, geneve } tunnel_type = tunnel_kind::none;
    uint32_t erspan_version = 0, erspan_index = 0, erspan_hwid = 0;
    bool erspan_egress = false;
    uint32_t vxlan_gbp = 0;
    struct geneve_opt {
        uint32_t cls, type;
        std::string data;
    };
    std::vector<geneve_opt> geneve_opts;
};

struct flowtable {
    std::string name;
    location loc;
    uint64_t handle = 0;
    std::string hook_str;
    hook hooknum = hook::none;
    location hook_loc;
    expr_ptr priority;
    int32_t priority_value = 0;
    bool priority_set = false;
    std::vector<std::string> devices;
    expr_ptr dev_expr;
    uint32_t flags = 0;  // 1 offload, 2 counter

    flowtable() = default;
    flowtable(const flowtable& o);
};

enum table_flags : uint32_t {
    TABLE_F_DORMANT = 1u << 0,
    TABLE_F_OWNER = 1u << 1,
    TABLE_F_PERSIST = 1u << 2,
};

struct table {
    family fam = family::ipv4;
    std::string name;
    location loc;
    uint64_t handle = 0;
    uint64_t handle_gen = 0;  // last handle given to an object of this table (the kernel's per-table counter)
    uint32_t anon_gen = 0;    // number for the next anonymous set's name (__set%d)
    uint32_t flags = 0;
    std::string comment;
    bool has_comment = false;
    std::vector<std::unique_ptr<chain>> chains;
    std::vector<std::unique_ptr<set>> sets;
    std::vector<std::unique_ptr<obj>> objs;
    std::vector<std::unique_ptr<flowtable>> flowtables;

    chain* find_chain(std::string_view n) const;
    set* find_set(std::string_view n) const;
    obj* find_obj(std::string_view n, obj_type t) const;
    flowtable* find_flowtable(std::string_view n) const;

    table() = default;
    table(const table& o);
};

// Everything the session holds: what `nft list ruleset` shows.
struct ruleset {
    std::vector<std::unique_ptr<table>> tables;
    uint64_t next_handle = 1;

    table* find_table(family f, std::string_view name) const;

    ruleset() = default;
    // A copy is independent of the original; set references inside rules point at the
    // copy's sets once rebind_set_refs() has run on it.
    ruleset(const ruleset& o);
    ruleset& operator=(const ruleset& o);
    ruleset(ruleset&&) noexcept = default;
    ruleset& operator=(ruleset&&) noexcept = default;
};

// ---- commands ----

enum class cmd_op : uint8_t { add, create, insert, replace, del, destroy, flush, reset, list, rename, get };

enum class cmd_obj : uint8_t {
    table,
    chain,
    rule,
    set,
    map,
    element,
    flowtable,
    counter,
    quota,
    limit,
    ct_helper,
    ct_timeout,
    ct_expect,
    secmark,
    synproxy,
    tunnel,
    ruleset,
    rules,
    counters,
    quotas,
    meter,
};

struct handle_spec {
    family fam = family::ipv4;
    bool family_given = false;
    std::string table;
    location table_loc;
    std::string chain;
    location chain_loc;
    std::string set;
    location set_loc;
    std::string obj;
    location obj_loc;
    std::string flowtable;
    location flowtable_loc;
    std::optional<uint64_t> handle;  // `handle N`
    location handle_loc;
    std::optional<uint64_t> position;  // `position N`
    location position_loc;
    std::optional<uint64_t> index;  // `index N`
    location index_loc;
};

struct cmd {
    cmd_op op = cmd_op::add;
    cmd_obj what = cmd_obj::table;
    handle_spec h;
    location loc;
    // Payload, by object kind.
    std::unique_ptr<table> tbl;
    std::unique_ptr<chain> chn;
    std::unique_ptr<rule> rul;
    std::unique_ptr<set> st;
    std::unique_ptr<obj> ob;
    std::unique_ptr<flowtable> ft;
    expr_ptr elems;       // set_expr for element commands
    std::string arg;      // rename target
};

}  // namespace nfqwall::front

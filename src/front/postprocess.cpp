// The listing pass (see postprocess.hpp). The structure follows nft's delinearizer so that
// each of its quirks has one place here: rule_listing_pass mirrors rule_parse_postprocess and
// expr_postprocess, dependency_tracker mirrors payload_dep_ctx, listing_pctx mirrors the
// proto_ctx the decoder rebuilds, and listed_elements mirrors the element listing of
// netlink.c/segtree.c. Where the evaluated AST is richer than kernel bytecode (named fields,
// explicit operators) the pass first lowers it to what the kernel would hold, then decodes.
#include "front/postprocess.hpp"
#include "front/postprocess_detail.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "front/proto.hpp"

namespace nfqwall::front {

namespace listing_detail {

bool is_bitmask_type(const datatype* t) {
    return t != nullptr && t->basetype != nullptr && t->basetype->id == type_id::bitmask;
}

bool has_prefix_notation(const datatype* t) {
    for (; t != nullptr; t = t->basetype) {
        if (t->flags & DTYPE_F_PREFIX) return true;
    }
    return false;
}

bool is_string_type(const datatype* t) {
    const datatype* root = t != nullptr ? t->root() : nullptr;
    return root != nullptr && root->id == type_id::string;
}

// `"eth*"` is a prefix of the string to the kernel; it lists with the asterisk again.
bool string_prefix_to_wildcard(expr_ptr& e) {
    if (!e->is(expr_kind::prefix)) return false;
    auto& p = e->as<prefix_expr>();
    if (!p.prefix->is(expr_kind::value) || !is_string_type(p.prefix->dtype)) return false;
    std::string text = value_string(p.prefix->as<value_expr>());
    text.resize(std::min<size_t>(text.size(), p.prefix_len / 8));
    e = make_string_value(p.loc, p.prefix->dtype, text + "*");
    return true;
}

uint32_t popcount(u128 v) {
    uint32_t n = 0;
    for (; v != 0; v &= v - 1) ++n;
    return n;
}

// nft's bitmask_expr_to_binops: a value with several flag bits becomes `a | b | c`, lowest bit
// first, so each flag prints by name.
expr_ptr split_flags(expr_ptr e) {
    auto* v = e->is(expr_kind::value) ? &e->as<value_expr>() : nullptr;
    if (v == nullptr || !is_bitmask_type(v->dtype) || popcount(v->value) < 2) return e;
    expr_ptr tree;
    for (uint32_t bit = 0; bit < 128; ++bit) {
        if (!((v->value >> bit) & 1)) continue;
        auto flag = std::make_unique<value_expr>(v->loc, v->dtype, v->order, v->len, u128{1} << bit);
        if (tree == nullptr) {
            tree = std::move(flag);
        } else {
            auto b = std::make_unique<binop_expr>(v->loc, op::bor, std::move(tree), std::move(flag));
            b->dtype = v->dtype;
            b->len = v->len;
            tree = std::move(b);
        }
    }
    return tree;
}

}  // namespace listing_detail

namespace {

using namespace listing_detail;

// ---------------------------------------------------------------------------------------------
// Small helpers over the AST.

constexpr uint16_t ethertype_ip = 0x0800;
constexpr uint16_t ethertype_ip6 = 0x86dd;
constexpr uint16_t ethertype_vlan = 0x8100;
constexpr uint8_t icmp_echo_reply = 0;
constexpr uint8_t icmp_echo = 8;
constexpr uint8_t icmp6_echo_request = 128;
constexpr uint8_t icmp6_echo_reply = 129;
constexpr uint8_t ipproto_icmp = 1;
constexpr uint8_t ipproto_icmpv6 = 58;

// A protocol the decoder saw a key for but does not know (nft's proto_unknown): payloads
// above it stay raw, unlike a layer nothing is known about.
const proto_desc& unknown_protocol() {
    static const proto_desc d = [] {
        proto_desc u;
        u.name = "unknown";
        u.id = proto_id::unknown;
        return u;
    }();
    return d;
}

bool known(const proto_desc* d) { return d != nullptr && d != &unknown_protocol(); }

value_expr* as_value(expr* e) { return e != nullptr && e->is(expr_kind::value) ? &e->as<value_expr>() : nullptr; }

uint8_t low_byte(const expr& e) { return static_cast<uint8_t>(e.as<value_expr>().value); }

// Position of the lowest set bit, or `none` when zero.
uint32_t lowest_set_bit(u128 v, uint32_t none = 128) {
    for (uint32_t i = 0; i < 128; ++i) {
        if ((v >> i) & 1) return i;
    }
    return none;
}

uint32_t lowest_clear_bit_from(u128 v, uint32_t from) {
    for (uint32_t i = from; i < 128; ++i) {
        if (!((v >> i) & 1)) return i;
    }
    return 128;
}

expr_ptr make_typed_value(const expr& like, const datatype* t, uint32_t len, u128 v) {
    auto out = std::make_unique<value_expr>(like.loc, t, t != nullptr ? t->order : byte_order::host, len, v);
    return out;
}

// nft's binop_tree_to_list: `a | b | c` becomes the comma list `a,b,c`.
void flatten_or(expr_ptr e, std::vector<expr_ptr>& out) {
    if (e->is(expr_kind::binop) && e->as<binop_expr>().oper == op::bor) {
        auto& b = e->as<binop_expr>();
        flatten_or(std::move(b.left), out);
        flatten_or(std::move(b.right), out);
        return;
    }
    out.push_back(std::move(e));
}

expr_ptr or_tree_to_list(expr_ptr e) {
    if (!(e->is(expr_kind::binop) && e->as<binop_expr>().oper == op::bor)) return e;
    auto list = std::make_unique<list_expr>(e->loc);
    list->dtype = e->dtype;
    flatten_or(std::move(e), list->items);
    return list;
}

// Gives constants the type of the expression they are compared with or assigned to, as the
// decoder does (expr_set_type): the kernel keeps no types, so what prints is the left side's.
void retype(expr& e, const datatype* t) {
    if (t == nullptr) return;
    switch (e.kind) {
    case expr_kind::value:
        if (!t->is_concat()) e.dtype = t;
        break;
    case expr_kind::range:
        retype(*e.as<range_expr>().left, t);
        retype(*e.as<range_expr>().right, t);
        break;
    case expr_kind::prefix:
        retype(*e.as<prefix_expr>().prefix, t);
        break;
    case expr_kind::set_elem:
        if (e.as<set_elem_expr>().key) retype(*e.as<set_elem_expr>().key, t);
        break;
    case expr_kind::mapping:
        retype(*e.as<mapping_expr>().left, t);
        break;
    case expr_kind::set:
        for (auto& i : e.as<set_expr>().items) retype(*i, t);
        break;
    case expr_kind::list:
        for (auto& i : e.as<list_expr>().items) retype(*i, t);
        break;
    case expr_kind::concat: {
        auto& items = e.as<concat_expr>().items;
        if (t->is_concat() && t->subtypes.size() == items.size()) {
            for (size_t i = 0; i < items.size(); ++i) retype(*items[i], t->subtypes[i]);
        }
        break;
    }
    case expr_kind::binop: {
        auto& b = e.as<binop_expr>();
        if (b.left->is_constant()) retype(*b.left, t);
        if (b.right->is_constant()) retype(*b.right, t);
        break;
    }
    default:
        break;
    }
}

// ---------------------------------------------------------------------------------------------
// Protocol context rebuilt while decoding (nft's proto_ctx in the delinearizer).

struct listing_pctx {
    family fam = family::unspec;
    std::array<const proto_desc*, 5> layer{};
    std::vector<const proto_desc*> stacked_ll;
    uint8_t icmp_type = 0;

    void init(family f) {
        fam = f;
        layer = {};
        stacked_ll.clear();
        icmp_type = 0;
        if (f == family::unspec) return;
        const hook_proto h = hook_proto_for(f);
        if (h.desc != nullptr) at(h.base) = h.desc;
    }
    const proto_desc*& at(proto_base b) { return layer[static_cast<size_t>(b)]; }
    const proto_desc* at(proto_base b) const { return layer[static_cast<size_t>(b)]; }
};

int nfproto_of(family f) { return static_cast<int>(f); }

// The header a payload at `base`/`offset` lies in, skipping stacked vlan headers (nft's
// get_stacked_desc); `skipped` is how many bits of stacked headers lie before it.
const proto_desc* stacked_desc(const listing_pctx& pctx, const proto_desc* top, proto_base base, uint32_t offset,
                               uint32_t& skipped) {
    skipped = 0;
    if (base != proto_base::ll || offset < top->length) return top;
    uint32_t total = 0;
    for (const proto_desc* s : pctx.stacked_ll) {
        if (offset < s->length) {
            skipped = total;
            return s;
        }
        offset -= s->length;
        total += s->length;
    }
    skipped = total;
    return top;
}

bool icmp_template_excluded(const proto_hdr_template& t, uint8_t icmp_type) {
    return t.icmp_dep != ICMP_DEP_ANY && icmp_type != 0 && !icmp_dep_type_match(t.icmp_dep, icmp_type);
}

// nft's proto_key_is_protocol: which fields name the next header.
bool field_is_protocol_key(const proto_desc* desc, int field) {
    if (desc == nullptr) return false;
    if (desc->protocol_key >= 0 && field == desc->protocol_key) return true;
    if (desc->id == proto_id::ip6 && field == IP6HDR_NEXTHDR) return true;
    if (desc->id == proto_id::ip && field == IPHDR_PROTOCOL) return true;
    return false;
}

void set_payload_field(payload_expr& p, const proto_desc* desc, int field) {
    const proto_hdr_template* t = desc->field_at(field);
    p.desc = desc;
    p.field = field;
    p.tmpl = t;
    p.is_raw = false;
    p.dtype = t->dtype;
    p.order = t->order;
    p.flags = static_cast<uint16_t>(p.flags & ~EXPR_F_PROTOCOL);
    if (field_is_protocol_key(desc, field)) p.flags |= EXPR_F_PROTOCOL;
}

// A load nothing names: `@th,16,16` is still `th dport` to nft (payload_init_raw).
void set_payload_raw(payload_expr& p, proto_base base, uint32_t offset, uint32_t len) {
    p.base = base;
    p.offset = offset;
    p.len = len;
    p.is_raw = true;
    p.desc = nullptr;
    p.tmpl = nullptr;
    p.field = -1;
    p.dtype = &dt(type_id::xinteger);
    p.order = byte_order::big;
    p.flags = static_cast<uint16_t>(p.flags & ~EXPR_F_PROTOCOL);
    if (base == proto_base::transport && len == 16 && (offset == 0 || offset == 16)) {
        const proto_desc* th = proto_lookup(proto_id::th);
        if (th != nullptr) set_payload_field(p, th, offset == 0 ? THDR_SPORT : THDR_DPORT);
    }
}

// nft's payload_expr_complete: names a load from the protocol context. A load the context
// says nothing about keeps what the evaluator resolved (the table family may be unknown).
void complete_payload(payload_expr& p, const listing_pctx& pctx) {
    if (p.inner_desc != nullptr) return;
    const proto_desc* top = pctx.at(p.base);
    if (top == nullptr || top->id == proto_id::inet) {
        // The kernel hands back a bare load; only transport ports get a name (`th dport`).
        if (p.is_raw && p.desc == nullptr) set_payload_raw(p, p.base, p.offset, p.len);
        return;
    }
    if (!known(top)) {
        if (!p.is_raw) set_payload_raw(p, p.base, p.offset, p.len);
        return;
    }
    uint32_t skipped = 0;
    const proto_desc* desc = stacked_desc(pctx, top, p.base, p.offset, skipped);
    const uint32_t offset = p.offset - skipped;
    for (int i = 0; i < static_cast<int>(desc->templates.size()); ++i) {
        const proto_hdr_template* t = desc->field_at(i);
        if (t == nullptr || t->len == 0 || t->offset != offset || t->len != p.len) continue;
        if (t->meta_key >= 0 && i == 0) continue;
        if (icmp_template_excluded(*t, pctx.icmp_type)) continue;
        set_payload_field(p, desc, i);
        return;
    }
    // A field the context does not explain keeps the name the evaluator gave it: nft would
    // only get here for bytecode it did not write itself.
    if (p.desc == nullptr) set_payload_raw(p, p.base, p.offset, p.len);
}

// One field of a load split by nft's payload_expr_expand.
struct payload_piece {
    std::unique_ptr<payload_expr> left;
    uint32_t template_len = 0;  // > left->len when only the top bits of the field are loaded
};

std::vector<payload_piece> expand_payload(const payload_expr& p, const listing_pctx& pctx) {
    std::vector<payload_piece> out;
    const proto_desc* top = pctx.at(p.base);
    if (p.inner_desc != nullptr || (top == nullptr && !p.is_raw) || (top != nullptr && top->id == proto_id::inet)) {
        // Nothing to decode against: keep the evaluated field.
        out.push_back({std::unique_ptr<payload_expr>(static_cast<payload_expr*>(p.clone().release())), 0});
        return out;
    }
    uint32_t remaining = p.len;
    uint32_t offset = p.offset;
    if (known(top)) {
        uint32_t skipped = 0;
        const proto_desc* desc = stacked_desc(pctx, top, p.base, p.offset, skipped);
        uint32_t field_offset = p.offset - skipped;
        for (int i = 1; i < static_cast<int>(desc->templates.size()); ++i) {
            const proto_hdr_template* t = desc->field_at(i);
            if (t == nullptr || t->len == 0 || t->offset != field_offset) continue;
            if (icmp_template_excluded(*t, pctx.icmp_type)) continue;
            auto piece = std::make_unique<payload_expr>(p.loc);
            piece->base = p.base;
            piece->offset = offset;
            set_payload_field(*piece, desc, i);
            if (t->len <= remaining) {
                piece->len = t->len;
                out.push_back({std::move(piece), 0});
                remaining -= t->len;
                offset += t->len;
                field_offset += t->len;
                if (remaining == 0) return out;
            } else {
                piece->len = remaining;
                out.push_back({std::move(piece), t->len});
                return out;
            }
        }
    }
    if (out.empty() && p.desc != nullptr && p.tmpl != nullptr && !p.is_raw) {
        // See complete_payload: an evaluated field the context does not explain stays named.
        out.push_back({std::unique_ptr<payload_expr>(static_cast<payload_expr*>(p.clone().release())), 0});
        return out;
    }
    auto raw = std::make_unique<payload_expr>(p.loc);
    set_payload_raw(*raw, p.base, offset, remaining);
    out.push_back({std::move(raw), 0});
    return out;
}

// ---------------------------------------------------------------------------------------------
// Learning from matches (nft's *_expr_pctx_update).

void payload_pctx_update(listing_pctx& pctx, const payload_expr& left, u128 v) {
    const proto_desc* base = pctx.at(left.base);
    if (!known(base)) return;
    const proto_desc* upper = base->find_upper(v);
    if (upper == nullptr) {
        if (base->id == proto_id::icmp) {
            pctx.icmp_type = v != 0 ? static_cast<uint8_t>(v) : icmp_echo;
        } else if (base->id == proto_id::icmp6) {
            pctx.icmp_type = v == icmp6_echo_reply ? icmp6_echo_request : static_cast<uint8_t>(v);
        }
        return;
    }
    if (upper->base == base->base && !left.is_raw && upper->base == proto_base::ll) pctx.stacked_ll.push_back(base);
    pctx.at(upper->base) = upper;
}

void meta_pctx_update(listing_pctx& pctx, const meta_expr& m, u128 v) {
    const hook_proto h = hook_proto_for(pctx.fam);
    switch (m.key) {
    case META_IIFTYPE: {
        if (h.base < proto_base::network && pctx.fam != family::inet && pctx.fam != family::netdev) return;
        const proto_desc* d = proto_dev_desc(static_cast<uint16_t>(v));
        pctx.at(proto_base::ll) = d != nullptr ? d : &unknown_protocol();
        break;
    }
    case META_NFPROTO: {
        const auto n = static_cast<int>(v);
        if (n == nfproto_of(family::ipv4) && h.desc == proto_lookup(proto_id::ip)) break;
        if (n == nfproto_of(family::ipv6) && h.desc == proto_lookup(proto_id::ip6)) break;
        const proto_desc* d = h.desc != nullptr ? h.desc->find_upper(v) : nullptr;
        if (d == nullptr) {
            d = &unknown_protocol();
            if (n == nfproto_of(pctx.fam) && h.base == proto_base::network) d = h.desc;
        }
        pctx.at(proto_base::network) = d;
        break;
    }
    case META_L4PROTO: {
        const proto_desc* d = proto_lookup(proto_id::inet_service)->find_upper(v);
        pctx.at(proto_base::transport) = d != nullptr ? d : &unknown_protocol();
        break;
    }
    case META_PROTOCOL: {
        if (h.base != proto_base::ll) return;
        if (pctx.fam != family::netdev && pctx.fam != family::bridge) return;
        const proto_desc* d = h.desc != nullptr ? h.desc->find_upper(v) : nullptr;
        pctx.at(proto_base::network) = d != nullptr ? d : &unknown_protocol();
        break;
    }
    default:
        break;
    }
}

void ct_pctx_update(listing_pctx& pctx, const ct_expr& c, u128 v) {
    if (c.key == CT_L3PROTOCOL) {
        if (const proto_desc* d = proto_lookup(proto_id::inet)->find_upper(v)) pctx.at(proto_base::network) = d;
    } else if (c.key == CT_PROTOCOL) {
        if (const proto_desc* d = proto_lookup(proto_id::inet_service)->find_upper(v))
            pctx.at(proto_base::transport) = d;
    }
}

// The base a meta or ct key describes (nft's meta.base / ct.base); invalid for the others.
proto_base selector_base(const expr& e) {
    if (e.is(expr_kind::meta)) {
        switch (e.as<meta_expr>().key) {
        case META_NFPROTO:
        case META_PROTOCOL: return proto_base::ll;
        case META_L4PROTO: return proto_base::network;
        default: return proto_base::invalid;
        }
    }
    if (e.is(expr_kind::ct)) {
        switch (e.as<ct_expr>().key) {
        case CT_L3PROTOCOL: return proto_base::ll;
        case CT_PROTOCOL:
        case CT_SRC:
        case CT_DST:
        case CT_SRC_IP:
        case CT_DST_IP:
        case CT_SRC_IP6:
        case CT_DST_IP6: return proto_base::network;
        case CT_PROTO_SRC:
        case CT_PROTO_DST: return proto_base::transport;
        default: return proto_base::invalid;
        }
    }
    return proto_base::invalid;
}

bool is_protocol_selector(const expr& e) {
    if (e.is(expr_kind::payload)) return e.flags & EXPR_F_PROTOCOL;
    if (e.is(expr_kind::meta)) {
        const int k = e.as<meta_expr>().key;
        return k == META_IIFTYPE || k == META_NFPROTO || k == META_L4PROTO || k == META_PROTOCOL;
    }
    if (e.is(expr_kind::ct)) {
        const int k = e.as<ct_expr>().key;
        return k == CT_L3PROTOCOL || k == CT_PROTOCOL;
    }
    return false;
}

void relational_pctx_update(listing_pctx& pctx, const relational_expr& rel) {
    if (!is_protocol_selector(*rel.left)) return;
    const auto* v = rel.right->is(expr_kind::value) ? &rel.right->as<value_expr>() : nullptr;
    if (v == nullptr) return;
    switch (rel.left->kind) {
    case expr_kind::payload: payload_pctx_update(pctx, rel.left->as<payload_expr>(), v->value); break;
    case expr_kind::meta: meta_pctx_update(pctx, rel.left->as<meta_expr>(), v->value); break;
    case expr_kind::ct: ct_pctx_update(pctx, rel.left->as<ct_expr>(), v->value); break;
    default: break;
    }
}

// ---------------------------------------------------------------------------------------------
// Redundant protocol matches (nft's payload_dep_ctx and payload_dependency_*).

class dependency_tracker {
public:
    void reset() {
        deps_ = {};
        prev_ = nullptr;
        icmp_type_ = 0;
    }

    // nft's payload_dependency_store: a protocol match the next layer may make redundant.
    void store(stmt* s, proto_base base) {
        if (ignores_icmp_echo(*s)) return;
        deps_[static_cast<size_t>(base) + 1] = s;
    }

    bool exists(proto_base base) const {
        if (deps_[index(base)] != nullptr) return true;
        return base == proto_base::transport && deps_[index(proto_base::inner)] != nullptr;
    }

    const relational_expr* get(proto_base base) const {
        const stmt* s = deps_[index(base)];
        if (s == nullptr && base == proto_base::transport) s = deps_[index(proto_base::inner)];
        return s != nullptr ? &s->as<expr_stmt>().e->as<relational_expr>() : nullptr;
    }

    void release(proto_base base) {
        size_t i = index(base);
        if (deps_[i] == nullptr && base == proto_base::transport) i = index(proto_base::inner);
        if (deps_[i] == nullptr) return;
        killed_.push_back(deps_[i]);
        if (deps_[i] == prev_) prev_ = nullptr;
        deps_[i] = nullptr;
    }

    uint8_t icmp_type() const { return icmp_type_; }
    void set_prev(stmt* s) { prev_ = s; }
    const std::vector<stmt*>& killed() const { return killed_; }

private:
    static size_t index(proto_base b) { return std::min<size_t>(static_cast<size_t>(b), 5); }

    // An icmp echo type match is never stored: `icmp id` needs both echo types, so a test
    // for one of them is not implied by it.
    bool ignores_icmp_echo(const stmt& s) {
        const auto& rel = s.as<expr_stmt>().e->as<relational_expr>();
        if (!rel.left->is(expr_kind::payload) || !rel.right->is(expr_kind::value) || rel.right->len != 8) return false;
        const proto_desc* d = rel.left->as<payload_expr>().desc;
        if (d == nullptr) return false;
        uint8_t type = low_byte(*rel.right);
        if (d->id == proto_id::icmp) {
            if (type == icmp_echo_reply) type = icmp_echo;
            icmp_type_ = type;
            return type == icmp_echo;
        }
        if (d->id == proto_id::icmp6) {
            icmp_type_ = type;
            return type == icmp6_echo_request || type == icmp6_echo_reply;
        }
        return false;
    }

    std::array<stmt*, 6> deps_{};
    stmt* prev_ = nullptr;
    uint8_t icmp_type_ = 0;
    std::vector<stmt*> killed_;
};

bool nfproto_of_dependency(const relational_expr& dep, int& nfproto) {
    if (!dep.right->is(expr_kind::value)) return false;
    const u128 v = dep.right->as<value_expr>().value;
    auto from_ethertype = [](u128 t) {
        if (t == ethertype_ip) return nfproto_of(family::ipv4);
        if (t == ethertype_ip6) return nfproto_of(family::ipv6);
        return 0;
    };
    if (dep.left->is(expr_kind::meta)) {
        switch (dep.left->as<meta_expr>().key) {
        case META_NFPROTO: nfproto = static_cast<int>(v); return true;
        case META_PROTOCOL: nfproto = from_ethertype(v); return true;
        default: return false;
        }
    }
    if (dep.left->is(expr_kind::payload)) {
        const auto& p = dep.left->as<payload_expr>();
        if (p.base != proto_base::ll || p.dtype == nullptr || p.dtype->id != type_id::ethertype) return false;
        nfproto = from_ethertype(v);
        return true;
    }
    return false;
}

// nft's ct_meta_may_dependency_kill: a network dependency stays in front of a meta or ct
// match in families that carry several network protocols, unless the match implies it.
bool selector_may_kill_dependency(const dependency_tracker& deps, family fam, const relational_expr& rel) {
    const relational_expr* dep = deps.get(proto_base::network);
    if (dep == nullptr) return true;
    int nfproto = 0;
    if (!nfproto_of_dependency(*dep, nfproto)) return true;
    switch (fam) {
    case family::inet:
    case family::netdev:
    case family::bridge: break;
    case family::ipv4:
    case family::ipv6: return nfproto_of(fam) == nfproto;
    default: return true;
    }
    if (rel.left->is(expr_kind::meta)) {
        if (rel.left->as<meta_expr>().key != META_L4PROTO) return true;
        if (!rel.right->is(expr_kind::value) || rel.right->len != 8) return false;
        const uint8_t l4 = low_byte(*rel.right);
        if (l4 == ipproto_icmp) return nfproto == nfproto_of(family::ipv4);
        if (l4 == ipproto_icmpv6) return nfproto == nfproto_of(family::ipv6);
        return false;
    }
    if (rel.left->is(expr_kind::ct)) {
        const auto& c = rel.left->as<ct_expr>();
        switch (c.key) {
        case CT_SRC:
        case CT_DST:
            if (c.len == 32) return nfproto == nfproto_of(family::ipv4);
            if (c.len == 128) return nfproto == nfproto_of(family::ipv6);
            return false;
        case CT_SRC_IP:
        case CT_DST_IP: return nfproto == nfproto_of(family::ipv4);
        case CT_SRC_IP6:
        case CT_DST_IP6: return nfproto == nfproto_of(family::ipv6);
        default: return false;
        }
    }
    return true;
}

// nft's payload_may_dependency_kill.
bool payload_may_kill_dependency(const dependency_tracker& deps, family fam, payload_expr& p) {
    const relational_expr* dep = deps.get(p.base);
    const payload_expr* dep_payload =
        dep->left->is(expr_kind::payload) ? &dep->left->as<payload_expr>() : nullptr;
    switch (fam) {
    case family::bridge:
    case family::netdev:
    case family::inet:
        // `ip6 nexthdr` restricts the packet to IPv6 in these families: it stays.
        if (dep_payload != nullptr && dep_payload->base == proto_base::network && dep_payload->desc != nullptr &&
            (dep_payload->desc->id == proto_id::ip || dep_payload->desc->id == proto_id::ip6) &&
            p.base == proto_base::transport) {
            return false;
        }
        if (dep_payload != nullptr && (dep->oper == op::eq || dep->oper == op::implicit) &&
            p.base == dep_payload->base) {
            if (p.flags & EXPR_F_PROTOCOL) return false;
            if (p.base == proto_base::ll) {
                // `vlan type` is never implicit; `ether type vlan` is implied by vlan fields only.
                if (dep_payload->desc != nullptr && dep_payload->desc->id == proto_id::vlan) return false;
                if (dep_payload->desc != nullptr && dep_payload->desc->id == proto_id::eth &&
                    dep->right->is(expr_kind::value) && dep->right->len == 16) {
                    return dep->right->as<value_expr>().value == ethertype_vlan;
                }
                return true;
            }
        }
        break;
    default:
        break;
    }
    if (p.base != proto_base::transport) return true;
    if (p.desc != nullptr && p.desc->id == proto_id::th) {
        // `th dport` says nothing about which transport protocol: print it raw instead.
        p.is_raw = true;
        p.desc = nullptr;
        p.tmpl = nullptr;
        p.field = -1;
        p.dtype = &dt(type_id::xinteger);
        return false;
    }
    if (dep_payload == nullptr || dep_payload->base != proto_base::transport) return true;
    if (dep_payload->desc != nullptr &&
        (dep_payload->desc->id == proto_id::icmp || dep_payload->desc->id == proto_id::icmp6)) {
        if (p.tmpl == nullptr || p.tmpl->icmp_dep == ICMP_DEP_ANY) return false;
        if (dep_payload->desc != p.desc) return false;
        // Neighbour discovery fields follow several message types: no single type is implied.
        if (p.tmpl->icmp_dep == ICMP_DEP_ICMP6_ADDRESS) return false;
        return deps.icmp_type() == icmp_dep_to_type(p.tmpl->icmp_dep);
    }
    return true;
}

void payload_dependency_kill(dependency_tracker& deps, family fam, payload_expr& p) {
    // Matching inside gre or gretap implies the outer transport protocol.
    if (p.inner_desc != nullptr && p.inner_desc->base == proto_base::transport && p.base != proto_base::transport &&
        deps.exists(proto_base::transport)) {
        deps.release(proto_base::transport);
    }
    if (p.desc == nullptr && p.is_raw) return;
    if (deps.exists(p.base) && payload_may_kill_dependency(deps, fam, p)) deps.release(p.base);
}

// ---------------------------------------------------------------------------------------------
// nft's stmt_reduce (rule.c), run before the rule goes to the kernel: redundant `meta protocol`
// tests go, and adjacent equality tests on payload merge into one load, in header order.

bool payloads_adjacent(const payload_expr& a, const payload_expr& b) {
    return a.base == b.base && a.offset + a.len == b.offset;
}

bool payloads_can_merge(const payload_expr& a, const payload_expr& b) {
    if (!payloads_adjacent(a, b)) return false;
    if (a.offset % 8 || a.len % 8 || b.offset % 8 || b.len % 8) return false;
    if (a.inner_desc != nullptr || b.inner_desc != nullptr) return false;
    const uint32_t total = a.len + b.len;
    if (total > 128) return false;
    if (total <= 32) return true;
    if (a.base == proto_base::ll) return true;
    return a.len > 32 || b.len > 32;
}

op effective_op(op o) { return o == op::implicit ? op::eq : o; }

void merge_payload_run(std::vector<expr_stmt*> run, std::vector<stmt*>& dropped) {
    std::stable_sort(run.begin(), run.end(), [](expr_stmt* x, expr_stmt* y) {
        const auto& a = x->e->as<relational_expr>().left->as<payload_expr>();
        const auto& b = y->e->as<relational_expr>().left->as<payload_expr>();
        if (a.base != b.base) return a.base < b.base;
        return a.offset < b.offset;
    });
    expr_stmt* last = run[0];
    for (size_t i = 1; i < run.size(); ++i) {
        expr_stmt* cur = run[i];
        auto& lrel = last->e->as<relational_expr>();
        auto& crel = cur->e->as<relational_expr>();
        auto& lp = lrel.left->as<payload_expr>();
        auto& cp = crel.left->as<payload_expr>();
        if (!payloads_can_merge(lp, cp) || effective_op(lrel.oper) != effective_op(crel.oper)) {
            last = cur;
            continue;
        }
        auto joined = std::make_unique<payload_expr>(lp.loc);
        joined->base = lp.base;
        joined->offset = lp.offset;
        joined->len = lp.len + cp.len;
        joined->is_raw = true;
        joined->dtype = &dt(type_id::xinteger);
        joined->order = byte_order::big;
        const u128 value = (lrel.right->as<value_expr>().value << cp.len) | crel.right->as<value_expr>().value;
        auto joined_value = std::make_unique<value_expr>(lrel.right->loc, &dt(type_id::xinteger), byte_order::big,
                                                         joined->len, value);
        // Keep the protocol test's position: the merged load must stay before the matches
        // that depend on it.
        expr_stmt* keep = last;
        expr_stmt* drop = cur;
        if (cp.flags & EXPR_F_PROTOCOL) {
            keep = cur;
            drop = last;
            joined->flags |= EXPR_F_PROTOCOL;
        }
        if (lp.flags & EXPR_F_PROTOCOL) joined->flags |= EXPR_F_PROTOCOL;
        auto& krel = keep->e->as<relational_expr>();
        krel.oper = effective_op(lrel.oper);
        krel.left = std::move(joined);
        krel.right = std::move(joined_value);
        dropped.push_back(drop);
        last = keep;
    }
}

void reduce_statements(rule& r, family fam) {
    std::vector<stmt*> dropped;
    std::vector<expr_stmt*> run;
    stmt* redundant = nullptr;  // dropped once another statement follows (nft's stmt_reduce)
    auto flush = [&] {
        if (run.size() >= 2) merge_payload_run(run, dropped);
        run.clear();
    };
    for (auto& sp : r.stmts) {
        stmt& s = *sp;
        if (redundant != nullptr) {
            dropped.push_back(redundant);
            redundant = nullptr;
        }
        if (!s.is(stmt_kind::expr)) {
            flush();
            continue;
        }
        expr& e = *s.as<expr_stmt>().e;
        if (!e.is(expr_kind::relational)) continue;
        auto& rel = e.as<relational_expr>();
        if (!rel.right->is(expr_kind::value)) continue;
        if (rel.left->is(expr_kind::payload) && effective_op(rel.oper) == op::eq) {
            // A flag test (`tcp flags syn`) is a masked comparison in the kernel, not a merge
            // candidate.
            if (rel.oper == op::implicit && is_bitmask_type(rel.right->dtype)) continue;
            const auto& p = rel.left->as<payload_expr>();
            if (p.offset % 8 || p.len % 8) continue;
            run.push_back(&s.as<expr_stmt>());
        } else if (rel.left->is(expr_kind::meta) && effective_op(rel.oper) == op::eq &&
                   rel.left->as<meta_expr>().key == META_PROTOCOL) {
            const u128 proto = rel.right->as<value_expr>().value;
            if ((fam == family::ipv4 && proto == ethertype_ip) || (fam == family::ipv6 && proto == ethertype_ip6))
                redundant = &s;
        }
    }
    flush();
    std::erase_if(r.stmts, [&](const stmt_ptr& s) {
        return std::find(dropped.begin(), dropped.end(), s.get()) != dropped.end();
    });
}

// ---------------------------------------------------------------------------------------------
// The decoding pass over one rule (nft's rule_parse_postprocess).

class rule_listing_pass {
public:
    explicit rule_listing_pass(family fam) : fam_(fam) { pctx_.init(fam); }

    void run(rule& r) {
        std::vector<stmt_ptr> in = std::move(r.stmts);
        r.stmts.clear();
        out_ = &r.stmts;
        for (auto& s : in) {
            const stmt_kind kind = s->kind;
            out_->push_back(std::move(s));
            current_ = out_->back().get();
            process(out_->size() - 1);
            if (current_ != nullptr) deps_.set_prev(current_);
            if (kind != stmt_kind::expr) deps_.reset();
        }
        const auto& killed = deps_.killed();
        std::erase_if(r.stmts, [&](const stmt_ptr& s) {
            return std::find(killed.begin(), killed.end(), s.get()) != killed.end();
        });
    }

private:
    void process(size_t index) {
        stmt& s = *(*out_)[index];
        switch (s.kind) {
        case stmt_kind::expr: expression_statement(index); break;
        case stmt_kind::payload: payload_statement(s.as<payload_stmt>()); break;
        case stmt_kind::meta: {
            auto& m = s.as<meta_stmt>();
            if (m.value) {
                if (const meta_template* t = meta_lookup(m.key)) retype(*m.value, t->dtype);
                expr_pp(m.value);
            }
            break;
        }
        case stmt_kind::ct: {
            auto& c = s.as<ct_stmt>();
            if (c.key != CT_ZONE) c.direction = -1;
            if (c.value) {
                if (const ct_template* t = ct_lookup(c.key); t != nullptr && t->dtype != nullptr)
                    retype(*c.value, t->dtype);
                expr_pp(c.value);
                if (c.key == CT_EVENTMASK) c.value = or_tree_to_list(std::move(c.value));
            }
            break;
        }
        case stmt_kind::nat: nat_statement(s.as<nat_stmt>()); break;
        case stmt_kind::tproxy: {
            auto& t = s.as<tproxy_stmt>();
            if (fam_ != family::inet) t.family = 0;
            if (t.addr) expr_pp(t.addr);
            if (t.port) {
                deps_.reset();
                expr_pp(t.port);
            }
            break;
        }
        case stmt_kind::reject: reject_statement(s.as<reject_stmt>()); break;
        case stmt_kind::set: {
            auto& st = s.as<set_stmt>();
            if (st.key) expr_pp(st.key);
            break;
        }
        case stmt_kind::map: {
            auto& m = s.as<map_stmt>();
            if (m.key) expr_pp(m.key);
            if (m.data) expr_pp(m.data);
            break;
        }
        case stmt_kind::meter: meter_statement(index); break;
        case stmt_kind::dup: {
            auto& d = s.as<dup_stmt>();
            if (d.to) expr_pp(d.to);
            if (d.dev) expr_pp(d.dev);
            break;
        }
        case stmt_kind::fwd: {
            auto& f = s.as<fwd_stmt>();
            if (f.dev) expr_pp(f.dev);
            if (f.addr) expr_pp(f.addr);
            break;
        }
        case stmt_kind::objref: {
            auto& o = s.as<objref_stmt>();
            if (o.e) expr_pp(o.e);
            break;
        }
        case stmt_kind::queue: {
            auto& q = s.as<queue_stmt>();
            if (q.queue && !q.queue->is(expr_kind::value) && !q.queue->is(expr_kind::range)) expr_pp(q.queue);
            break;
        }
        case stmt_kind::verdict: {
            auto& v = s.as<verdict_stmt>();
            if (v.e && v.e->is(expr_kind::map)) expr_pp(v.e);
            break;
        }
        default:
            break;
        }
    }

    // ---- statements ----

    void expression_statement(size_t index) {
        auto& s = (*out_)[index]->as<expr_stmt>();
        if (!s.e->is(expr_kind::relational)) {
            expr_pp(s.e);
            return;
        }
        relational_pp(s.e);
    }

    void payload_statement(payload_stmt& s) {
        if (!s.dest || !s.dest->is(expr_kind::payload)) return;
        auto& dest = s.dest->as<payload_expr>();
        lower_payload_write(s);
        complete_payload(dest, pctx_);
        payload_dependency_kill(deps_, fam_, dest);
        if (s.value) {
            retype(*s.value, dest.dtype);
            expr_pp(s.value);
        }
    }

    // A write to part of a byte reaches the kernel as `@x = (@x & keep) | value` (nft's
    // evaluator); the decoder recovers `field set value` when a field matches the bits written.
    void lower_payload_write(payload_stmt& s) {
        auto& dest = s.dest->as<payload_expr>();
        if (!s.value || !s.value->is(expr_kind::binop)) return;
        auto& outer = s.value->as<binop_expr>();
        payload_expr* loaded = nullptr;
        u128 keep = 0;
        expr_ptr new_value;
        if (outer.oper == op::bor && outer.left->is(expr_kind::binop) && outer.right->is(expr_kind::value)) {
            auto& inner = outer.left->as<binop_expr>();
            if (inner.oper != op::band || !inner.left->is(expr_kind::payload) || !inner.right->is(expr_kind::value))
                return;
            loaded = &inner.left->as<payload_expr>();
            keep = inner.right->as<value_expr>().value;
            new_value = outer.right->clone();
        } else if (outer.oper == op::band && outer.left->is(expr_kind::payload) && outer.right->is(expr_kind::value)) {
            loaded = &outer.left->as<payload_expr>();
            keep = outer.right->as<value_expr>().value;
            new_value = make_typed_value(*outer.right, &dt(type_id::integer), outer.right->len, 0);
        } else {
            return;
        }
        if (loaded->base != dest.base || loaded->offset != dest.offset || loaded->len != dest.len) return;
        const u128 written = mask_bits(dest.len) & ~keep;
        uint32_t shift = 0;
        payload_expr trimmed(dest);
        if (!trim_payload(trimmed, written, dest.len, shift)) return;
        if (auto* v = as_value(new_value.get())) {
            v->value >>= shift;
            v->len = trimmed.len;
        }
        dest.offset = trimmed.offset;
        dest.len = trimmed.len;
        dest.is_raw = true;
        dest.desc = nullptr;
        dest.tmpl = nullptr;
        s.value = std::move(new_value);
    }

    void nat_statement(nat_stmt& s) {
        // Decided before the map's anonymous set turns into its elements.
        const bool map_keeps_family = nat_map_keeps_family(s, s.family != 0 ? s.family : nfproto_of(fam_));
        if (s.addr) expr_pp(s.addr);
        if (s.proto) expr_pp(s.proto);
        // The kernel keeps address ranges as min/max registers; exact prefixes come back as
        // prefixes (nft's range_expr_to_prefix).
        if (s.addr && s.addr->is(expr_kind::range)) s.addr = range_to_prefix(std::move(s.addr));
        if (s.addr && s.addr->is(expr_kind::prefix)) {
            // A prefix is listed with the prefix keyword only for netmap (flag set by it).
        }
        const int table_nfproto = nfproto_of(fam_);
        int nat_family = s.family;
        if (nat_family == 0 && s.addr) {
            const datatype* t = s.addr->is(expr_kind::range) ? s.addr->as<range_expr>().left->dtype
                                : s.addr->is(expr_kind::prefix) ? s.addr->as<prefix_expr>().prefix->dtype
                                                                : s.addr->dtype;
            if (t != nullptr && t->id == type_id::ipaddr) nat_family = nfproto_of(family::ipv4);
            if (t != nullptr && t->id == type_id::ip6addr) nat_family = nfproto_of(family::ipv6);
        }
        if (nat_family == 0) nat_family = table_nfproto;
        if (fam_ == family::inet) {
            s.family = nat_family;
        } else if (map_keeps_family) {
            s.family = nat_family;
        } else {
            s.family = 0;
        }
    }

    // nft's is_nat_addr_map / is_nat_proto_map: maps to address ranges or to address and port
    // list the family even outside inet tables.
    static bool nat_map_keeps_family(const nat_stmt& s, int nfproto) {
        if (!s.addr || !s.addr->is(expr_kind::map)) return false;
        const expr& mappings = *s.addr->as<map_expr>().mappings;
        const set* target = nullptr;
        if (mappings.is(expr_kind::set_ref)) target = mappings.as<set_ref_expr>().target;
        if (target == nullptr || !target->data || target->data->dtype == nullptr) return false;
        const expr& data = *target->data;
        const type_id addr = nfproto == nfproto_of(family::ipv4)   ? type_id::ipaddr
                             : nfproto == nfproto_of(family::ipv6) ? type_id::ip6addr
                                                                   : type_id::invalid;
        const auto& parts = data.dtype->subtypes;
        // Address ranges, or address and port: the kernel gets the layout from the family.
        if (data.dtype->id == addr) return data.flags & EXPR_F_INTERVAL;
        return data.dtype->is_concat() && parts.size() == 2 && parts[0]->id == addr &&
               nft_type(*parts[1]) == type_id::inet_service;
    }

    void reject_statement(reject_stmt& s) {
        const datatype* code_type = nullptr;
        bool verbose = false;
        switch (s.type == reject_type::icmpx_unreach ? family::inet : fam_) {
        case family::ipv4:
        case family::ipv6:
            s.family = nfproto_of(fam_);
            code_type = &dt(fam_ == family::ipv4 ? type_id::reject_icmp_code : type_id::reject_icmpv6_code);
            if (s.type == reject_type::tcp_rst && deps_.exists(proto_base::transport))
                deps_.release(proto_base::transport);
            break;
        case family::inet:
        case family::bridge:
        case family::netdev: {
            if (s.type == reject_type::icmpx_unreach) {
                code_type = &dt(type_id::reject_icmpx_code);
                break;
            }
            // nft prints the full form: a bare `reject` would lose whether it was IPv4 or IPv6.
            verbose = true;
            const proto_desc* ll = pctx_.at(proto_base::ll);
            const proto_desc* nh = pctx_.at(proto_base::network);
            u128 num = 0;
            if (ll != nullptr && known(nh) && ll->find_num(nh, num)) {
                if (num == static_cast<u128>(nfproto_of(family::ipv4)) || num == ethertype_ip) {
                    s.family = nfproto_of(family::ipv4);
                    code_type = &dt(type_id::reject_icmp_code);
                } else if (num == static_cast<u128>(nfproto_of(family::ipv6)) || num == ethertype_ip6) {
                    s.family = nfproto_of(family::ipv6);
                    code_type = &dt(type_id::reject_icmpv6_code);
                }
            }
            if (code_type == nullptr && s.family == nfproto_of(family::ipv4)) {
                code_type = &dt(type_id::reject_icmp_code);
            }
            if (code_type == nullptr && s.family == nfproto_of(family::ipv6)) {
                code_type = &dt(type_id::reject_icmpv6_code);
            }
            if (deps_.exists(proto_base::network)) deps_.release(proto_base::network);
            break;
        }
        default:
            break;
        }
        if (s.type == reject_type::unset) s.type = reject_type::icmp_unreach;
        int code = s.icmp_code;
        if (code < 0 && s.code && s.code->is(expr_kind::value)) code = static_cast<int>(s.code->as<value_expr>().value);
        if (code < 0 && !s.code) {
            // No code written: the kernel gets port-unreachable in the family's flavour.
            constexpr int icmp_port_unreach = 3, icmp6_port_unreach = 4, icmpx_port_unreach = 1;
            if (s.type == reject_type::icmpx_unreach) code = icmpx_port_unreach;
            else if (s.family == nfproto_of(family::ipv6)) code = icmp6_port_unreach;
            else code = icmp_port_unreach;
        }
        if (code >= 0 && code_type != nullptr) {
            s.icmp_code = code;
            s.code = std::make_unique<value_expr>(s.loc, code_type, byte_order::host, 8, static_cast<u128>(code));
        } else if (s.code && code_type != nullptr) {
            retype(*s.code, code_type);
        }
        // Reused as nft's verbose_print: print the `with` clause even for the default code.
        s.explicit_with = verbose;
    }

    void meter_statement(size_t index) {
        auto& m = (*out_)[index]->as<meter_stmt>();
        if (m.key) expr_pp(m.key);
        // nft 1.1 lists a meter as the dynamic set it created, updated by `add`.
        auto replacement = std::make_unique<set_stmt>(m.loc);
        replacement->sop = dynset_op::add;
        replacement->key = std::move(m.key);
        if (m.set) {
            replacement->set = std::move(m.set);
        } else {
            replacement->set = std::make_unique<set_ref_expr>(m.loc, m.name);
        }
        if (m.body) replacement->stmts.push_back(std::move(m.body));
        (*out_)[index] = std::move(replacement);
        current_ = (*out_)[index].get();
    }

    // ---- expressions (nft's expr_postprocess) ----

    void expr_pp(expr_ptr& e) {
        if (!e) return;
        switch (e->kind) {
        case expr_kind::map: {
            auto& m = e->as<map_expr>();
            expr_pp(m.key);
            anonymous_set_to_elements(m.mappings, nullptr);
            break;
        }
        case expr_kind::mapping: {
            auto& m = e->as<mapping_expr>();
            expr_pp(m.left);
            expr_pp(m.right);
            break;
        }
        case expr_kind::set:
            for (auto& i : e->as<set_expr>().items) expr_pp(i);
            break;
        case expr_kind::concat:
            for (auto& i : e->as<concat_expr>().items) expr_pp(i);
            break;
        case expr_kind::unary:
            expr_pp(e->as<unary_expr>().arg);
            break;
        case expr_kind::binop: {
            auto& b = e->as<binop_expr>();
            expr_pp(b.left);
            if (b.oper == op::lshift || b.oper == op::rshift) {
                retype(*b.right, &dt(type_id::integer));
            } else {
                retype(*b.right, b.left->dtype);
            }
            expr_pp(b.right);
            if (b.oper == op::lshift || b.oper == op::rshift) {
                b.dtype = &dt(type_id::xinteger);
            } else {
                b.dtype = b.left->dtype;
            }
            break;
        }
        case expr_kind::relational:
            relational_pp(e);
            break;
        case expr_kind::payload: {
            auto& p = e->as<payload_expr>();
            complete_payload(p, pctx_);
            payload_dependency_kill(deps_, fam_, p);
            break;
        }
        case expr_kind::value:
            value_pp(e);
            break;
        case expr_kind::range:
            expr_pp(e->as<range_expr>().left);
            expr_pp(e->as<range_expr>().right);
            break;
        case expr_kind::prefix:
            string_wildcard(e);
            if (e->is(expr_kind::prefix)) expr_pp(e->as<prefix_expr>().prefix);
            break;
        case expr_kind::set_elem:
            expr_pp(e->as<set_elem_expr>().key);
            break;
        case expr_kind::exthdr:
            exthdr_dependency_kill(e->as<exthdr_expr>());
            break;
        case expr_kind::hash:
            expr_pp(e->as<hash_expr>().arg);
            break;
        case expr_kind::ct:
            ct_update_type(e->as<ct_expr>());
            break;
        case expr_kind::set_ref:
            anonymous_set_to_elements(e, nullptr);
            break;
        default:
            break;
        }
    }

    void value_pp(expr_ptr& e) {
        auto& v = e->as<value_expr>();
        if (is_string_type(v.dtype)) {
            // A string ending in '*' is a literal asterisk: it lists escaped.
            std::string text = value_string(v);
            if (!text.empty() && text.back() == '*') {
                const std::string escaped = text.substr(0, text.size() - 1) + "\\*";
                e = make_string_value(v.loc, v.dtype, escaped);
            }
            return;
        }
        e = split_flags(std::move(e));
    }

    static void string_wildcard(expr_ptr& e) { string_prefix_to_wildcard(e); }

    void exthdr_dependency_kill(const exthdr_expr& x) {
        switch (x.xop) {
        case exthdr_op::tcpopt:
            if (deps_.exists(proto_base::transport)) deps_.release(proto_base::transport);
            break;
        case exthdr_op::ipv6:
        case exthdr_op::ipv4:
            if (deps_.exists(proto_base::network)) deps_.release(proto_base::network);
            break;
        default:
            break;
        }
    }

    void ct_update_type(ct_expr& c) {
        // The kernel only keeps a direction for the keys that need one (nft_ct_get_dump).
        switch (c.key) {
        case CT_SRC:
        case CT_DST:
        case CT_SRC_IP:
        case CT_DST_IP:
        case CT_SRC_IP6:
        case CT_DST_IP6:
        case CT_PROTO_SRC:
        case CT_PROTO_DST:
        case CT_BYTES:
        case CT_PKTS:
        case CT_AVGPKT:
        case CT_ZONE: break;
        default: c.direction = -1; break;
        }
        if (c.key != CT_SRC && c.key != CT_DST) return;
        if (c.nfproto != 0) return;
        const proto_desc* nh = pctx_.at(proto_base::network);
        if (nh == nullptr) return;
        if (nh->id == proto_id::ip) c.nfproto = nfproto_of(family::ipv4);
        if (nh->id == proto_id::ip6) c.nfproto = nfproto_of(family::ipv6);
    }

    // An anonymous set lists inline from its elements as the kernel holds them; named sets
    // stay `@name`.
    static void anonymous_set_to_elements(expr_ptr& e, const datatype* t) {
        if (!e || !e->is(expr_kind::set_ref)) return;
        const set* target = e->as<set_ref_expr>().target;
        if (target == nullptr || !target->anonymous() || target->is_meter) return;
        expr_ptr elems = listed_elements(*target);
        if (!elems) {
            elems = std::make_unique<set_expr>(e->loc);
            elems->as<set_expr>().set_flags = target->flags;
        }
        if (t != nullptr) retype(*elems, t);
        e = std::move(elems);
    }

    static expr_ptr range_to_prefix(expr_ptr e) {
        auto& r = e->as<range_expr>();
        auto* lo = as_value(r.left.get());
        auto* hi = as_value(r.right.get());
        if (lo == nullptr || hi == nullptr || lo->value > hi->value) return e;
        const u128 span = hi->value - lo->value;
        if ((span & (span + 1)) != 0 || (lo->value & span) != 0) return e;
        uint32_t bits = 0;
        for (u128 s = span; s != 0; s >>= 1) ++bits;
        const uint32_t len = lo->len;
        if (bits > len) return e;
        auto p = std::make_unique<prefix_expr>(r.loc, std::move(r.left), len - bits);
        p->dtype = p->prefix->dtype;
        p->len = len;
        p->flags |= EXPR_F_CONSTANT;
        return p;
    }

    // ---- relational matches ----

    void relational_pp(expr_ptr& e) {
        auto& rel = e->as<relational_expr>();
        lower_relational(rel);
        switch (rel.left->kind) {
        case expr_kind::payload:
            payload_match_pp(e);
            return;
        default:
            expr_pp(rel.left);
            break;
        }
        if (rel.right->is(expr_kind::set_ref)) {
            // Elements come from the set listing, which does its own decoding.
            anonymous_set_to_elements(rel.right, rel.left->dtype);
        } else {
            retype(*rel.right, rel.left->dtype);
            expr_pp(rel.right);
        }
        auto& r = e->as<relational_expr>();
        switch (r.left->kind) {
        case expr_kind::ct:
        case expr_kind::meta: selector_match_pp(r); break;
        case expr_kind::binop: relational_binop_pp(e); break;
        default: break;
        }
    }

    // What the kernel executes for a match, in the evaluated AST's vocabulary: implicit
    // operators become `==`, flag tests `(x & f) != 0`, negated flags `(x & f) == 0`, and
    // prefixes of types without prefix notation `x & mask == v`.
    static void lower_relational(relational_expr& rel) {
        unswap_time_range(rel);
        if (rel.oper == op::implicit && rel.left->is(expr_kind::binop)) rel.oper = op::eq;
        drop_full_mask(rel);
        if ((rel.oper == op::implicit || rel.oper == op::neg) && rel.right->is(expr_kind::value) &&
            is_bitmask_type(rel.right->dtype)) {
            const bool negated = rel.oper == op::neg;
            const expr& flags = *rel.right;
            auto zero = make_typed_value(flags, flags.dtype, flags.len, 0);
            auto mask = std::make_unique<binop_expr>(rel.loc, op::band, std::move(rel.left), std::move(rel.right));
            mask->dtype = mask->left->dtype;
            mask->len = mask->left->len;
            rel.left = std::move(mask);
            rel.right = std::move(zero);
            rel.oper = negated ? op::eq : op::neq;
            return;
        }
        if (rel.oper == op::implicit) rel.oper = op::eq;
        if (rel.right->is(expr_kind::prefix) && !is_string_type(rel.right->dtype) &&
            !(rel.left->dtype != nullptr && has_prefix_notation(rel.left->dtype))) {
            auto& p = rel.right->as<prefix_expr>();
            const uint32_t len = p.prefix->len != 0 ? p.prefix->len : rel.left->len;
            const u128 mask = p.prefix_len == 0 ? 0 : mask_bits(len) & ~mask_bits(len - std::min(len, p.prefix_len));
            auto mask_value = make_typed_value(*p.prefix, rel.left->dtype, len, mask);
            expr_ptr value = std::move(p.prefix);
            auto b = std::make_unique<binop_expr>(rel.loc, op::band, std::move(rel.left), std::move(mask_value));
            b->dtype = b->left->dtype;
            b->len = b->left->len;
            rel.left = std::move(b);
            rel.right = std::move(value);
        }
        lower_sub_byte_load(rel);
    }

    // A range of hours crossing midnight in UTC reaches the kernel negated and reversed; the
    // decoder turns every negated range back (nft's lhs_is_meta_hour case).
    static void unswap_time_range(relational_expr& rel) {
        if (!rel.left->is(expr_kind::meta) || rel.oper != op::neq || !rel.right->is(expr_kind::range)) return;
        const int key = rel.left->as<meta_expr>().key;
        if (key != META_TIME_HOUR && key != META_TIME_DAY) return;
        auto& r = rel.right->as<range_expr>();
        auto* lo = as_value(r.left.get());
        auto* hi = as_value(r.right.get());
        if (lo == nullptr || hi == nullptr || lo->value > hi->value) return;
        std::swap(r.left, r.right);
        rel.oper = op::eq;
    }

    // A mask that keeps every bit never reaches the kernel (netlink_parse_bitwise_bool).
    static void drop_full_mask(relational_expr& rel) {
        if (!rel.left->is(expr_kind::binop)) return;
        auto& b = rel.left->as<binop_expr>();
        const auto* mask = as_value(b.right.get());
        if (b.oper != op::band || mask == nullptr || b.left->len == 0) return;
        if ((mask->value & mask_bits(b.left->len)) != mask_bits(b.left->len)) return;
        expr_ptr inner = std::move(b.left);
        rel.left = std::move(inner);
    }

    // The kernel loads whole bytes: a raw load of a few bits becomes a masked byte load.
    static void lower_sub_byte_load(relational_expr& rel) {
        if (!rel.left->is(expr_kind::payload) || !rel.right->is(expr_kind::value)) return;
        auto& p = rel.left->as<payload_expr>();
        if (p.desc != nullptr || (p.offset % 8 == 0 && p.len % 8 == 0)) return;
        const uint32_t start = p.offset / 8 * 8;
        const uint32_t end = (p.offset + p.len + 7) / 8 * 8;
        const uint32_t shift = end - p.offset - p.len;
        auto load = std::make_unique<payload_expr>(p);
        load->offset = start;
        load->len = end - start;
        auto& v = rel.right->as<value_expr>();
        auto mask = std::make_unique<value_expr>(v.loc, load->dtype, load->order, load->len, mask_bits(p.len) << shift);
        auto value = std::make_unique<value_expr>(v.loc, load->dtype, load->order, load->len, v.value << shift);
        auto b = std::make_unique<binop_expr>(rel.loc, op::band, std::move(load), std::move(mask));
        b->dtype = b->left->dtype;
        b->len = b->left->len;
        if (rel.oper == op::implicit) rel.oper = op::eq;
        rel.left = std::move(b);
        rel.right = std::move(value);
    }

    // nft's payload_match_postprocess.
    void payload_match_pp(expr_ptr& e) {
        auto& rel = e->as<relational_expr>();
        auto& p = rel.left->as<payload_expr>();
        if ((rel.oper == op::eq || rel.oper == op::neq) && rel.right->is(expr_kind::value)) {
            payload_match_expand(e);
            return;
        }
        if ((rel.oper == op::eq || rel.oper == op::neq) && rel.right->is(expr_kind::set_ref)) icmp_check(rel);
        complete_payload(p, pctx_);
        anonymous_set_to_elements(rel.right, p.dtype);
        retype(*rel.right, p.dtype);
        if (rel.right->is(expr_kind::prefix)) string_wildcard(rel.right);
        payload_dependency_kill(deps_, fam_, p);
    }

    // nft's payload_icmp_check: `icmp type { ... }` restricts later icmp fields.
    void icmp_check(relational_expr& rel) {
        auto& p = rel.left->as<payload_expr>();
        if (p.base != proto_base::transport || p.len != 8 || pctx_.icmp_type != 0) return;
        const set* target = rel.right->as<set_ref_expr>().target;
        if (target == nullptr || !target->anonymous() || !target->init) return;
        // The kernel lists the elements sorted: the smallest type decides.
        expr_ptr sorted = listed_elements(*target);
        if (!sorted || sorted->as<set_expr>().items.empty()) return;
        const expr* first = sorted->as<set_expr>().items.front().get();
        if (first->is(expr_kind::set_elem)) first = first->as<set_elem_expr>().key.get();
        if (first == nullptr || !first->is(expr_kind::value) || first->len != 8) return;
        const proto_desc* desc = pctx_.at(p.base);
        if (desc == nullptr || (desc->id != proto_id::icmp && desc->id != proto_id::icmp6)) return;
        for (int i = 1; i < static_cast<int>(desc->templates.size()); ++i) {
            const proto_hdr_template* t = desc->field_at(i);
            if (t == nullptr || t->len == 0) return;
            if (t->offset != p.offset || t->len != p.len) continue;
            if (desc->protocol_key != i) return;
            set_payload_field(p, desc, i);
            pctx_.icmp_type = low_byte(*first);
            return;
        }
    }

    // nft's payload_match_expand: one load may hold several fields (merged matches).
    void payload_match_expand(expr_ptr& e) {
        auto& rel = e->as<relational_expr>();
        const auto& p = rel.left->as<payload_expr>();
        const op oper = rel.oper;
        const u128 value = rel.right->as<value_expr>().value;
        const location loc = rel.loc;
        auto pieces = expand_payload(p, pctx_);
        uint32_t remaining = p.len;
        stmt* original = current_;
        std::vector<stmt_ptr> replacements;
        for (auto& piece : pieces) {
            payload_expr& left = *piece.left;
            const uint32_t len = left.len;
            remaining -= std::min(remaining, len);
            const u128 slice = (remaining >= 128 ? 0 : value >> remaining) & mask_bits(len);
            expr_ptr right;
            if (piece.template_len > len) {
                auto v = std::make_unique<value_expr>(loc, left.dtype, left.order, piece.template_len,
                                                      slice << (piece.template_len - len));
                auto pre = std::make_unique<prefix_expr>(loc, std::move(v), len);
                pre->dtype = left.dtype;
                pre->len = piece.template_len;
                right = std::move(pre);
            } else {
                right = std::make_unique<value_expr>(loc, left.dtype, left.order, len, slice);
            }
            auto nrel = std::make_unique<relational_expr>(loc, oper, std::move(piece.left), std::move(right));
            auto& nleft = nrel->left->as<payload_expr>();
            if (oper == op::eq) relational_pctx_update(pctx_, *nrel);
            proto_base base = nleft.base;
            if (is_stacked(nrel->as<relational_expr>())) base = static_cast<proto_base>(static_cast<int>(base) - 1);
            payload_dependency_kill(deps_, fam_, nleft);
            retype(*nrel->right, nleft.dtype);
            const bool store = oper == op::eq && (nleft.flags & EXPR_F_PROTOCOL);
            auto ns = std::make_unique<expr_stmt>(original != nullptr ? original->loc : loc, std::move(nrel));
            if (store) deps_.store(ns.get(), base);
            replacements.push_back(std::move(ns));
        }
        replace_current(std::move(replacements));
    }

    // nft's payload_is_stacked: a vlan header on a vlan header keeps the protocol at the same
    // layer.
    bool is_stacked(const relational_expr& rel) const {
        const auto& p = rel.left->as<payload_expr>();
        if (!(p.flags & EXPR_F_PROTOCOL) || rel.oper != op::eq || !rel.right->is(expr_kind::value)) return false;
        const proto_desc* desc = pctx_.at(p.base);
        if (!known(desc)) return false;
        const proto_desc* next = desc->find_upper(rel.right->as<value_expr>().value);
        return next != nullptr && next->base == desc->base;
    }

    // Replaces the statement being decoded with `replacements` (or keeps it when equal).
    void replace_current(std::vector<stmt_ptr> replacements) {
        auto it = std::find_if(out_->begin(), out_->end(), [&](const stmt_ptr& s) { return s.get() == current_; });
        if (it == out_->end()) return;
        const auto pos = it - out_->begin();
        out_->erase(it);
        stmt* last = nullptr;
        for (size_t i = 0; i < replacements.size(); ++i) {
            last = replacements[i].get();
            out_->insert(out_->begin() + pos + static_cast<long>(i), std::move(replacements[i]));
        }
        current_ = last;
    }

    // nft's ct_meta_common_postprocess.
    void selector_match_pp(relational_expr& rel) {
        if (rel.oper != op::eq) return;
        if (rel.right->is(expr_kind::range) || rel.right->is(expr_kind::set) || rel.right->is(expr_kind::set_ref))
            return;
        relational_pctx_update(pctx_, rel);
        proto_base base = selector_base(*rel.left);
        if (base >= proto_base::transport) return;
        if (deps_.exists(base) && selector_may_kill_dependency(deps_, fam_, rel)) deps_.release(base);
        const bool top_level = current_ != nullptr && current_->is(stmt_kind::expr) &&
                               current_->as<expr_stmt>().e.get() == &rel;
        if (is_protocol_selector(*rel.left) && top_level) deps_.store(current_, base);
    }

    // nft's relational_binop_postprocess.
    void relational_binop_pp(expr_ptr& e) {
        auto& rel = e->as<relational_expr>();
        auto& b = rel.left->as<binop_expr>();
        auto* right = as_value(rel.right.get());
        if (b.oper == op::band && (rel.oper == op::neq || rel.oper == op::eq) && right != nullptr &&
            is_bitmask_type(right->dtype) && right->value == 0) {
            // Flag test: `x & (a | b) != 0` lists as `x a,b`, `== 0` as `x ! a,b`.
            rel.oper = rel.oper == op::neq ? op::implicit : op::neg;
            expr_ptr flags = std::move(b.right);
            expr_ptr left = std::move(b.left);
            rel.right = or_tree_to_list(std::move(flags));
            rel.left = std::move(left);
            return;
        }
        const auto* mask = as_value(b.right.get());
        if (b.oper == op::band && right != nullptr && mask != nullptr && b.left->dtype != nullptr &&
            (b.left->dtype->flags & DTYPE_F_PREFIX) && mask_is_prefix(*mask)) {
            const uint32_t plen = mask_prefix_len(*mask);
            expr_ptr value = std::move(rel.right);
            rel.left = std::move(b.left);
            auto pre = std::make_unique<prefix_expr>(rel.loc, std::move(value), plen);
            pre->dtype = pre->prefix->dtype;
            pre->len = pre->prefix->len;
            rel.right = std::move(pre);
            return;
        }
        if (b.oper == op::band && mask != nullptr && b.left->is(expr_kind::payload)) binop_trim(e);
    }

    static bool mask_is_prefix(const value_expr& mask) {
        const uint32_t first = lowest_set_bit(mask.value);
        if (first == 128) return true;
        return lowest_clear_bit_from(mask.value, first + 1) >= mask.len;
    }

    static uint32_t mask_prefix_len(const value_expr& mask) {
        const uint32_t first = lowest_set_bit(mask.value);
        if (first == 128) return 0;
        return lowest_clear_bit_from(mask.value, first + 1) - first;
    }

    // nft's payload_expr_trim: a masked load of a byte that holds a narrower field.
    bool trim_payload(payload_expr& p, u128 mask, uint32_t mask_bits_len, uint32_t& shift) const {
        const proto_desc* top = pctx_.at(p.base);
        if (!known(top)) return false;
        uint32_t skipped = 0;
        const proto_desc* desc = stacked_desc(pctx_, top, p.base, p.offset, skipped);
        const uint32_t mask_offset = lowest_set_bit(mask, 0);
        const uint32_t mask_len = lowest_clear_bit_from(mask, mask_offset + 1);
        const uint32_t off = (mask_bits_len + 7) / 8 * 8 - mask_len;
        uint32_t payload_offset = p.offset - skipped + off;
        uint32_t payload_len = p.len;
        uint32_t len = 0;
        for (int i = 1; i < static_cast<int>(desc->templates.size()); ++i) {
            const proto_hdr_template* t = desc->field_at(i);
            if (t == nullptr || t->len == 0 || t->offset != payload_offset) continue;
            if (t->len > payload_len) return false;
            payload_len -= t->len;
            payload_offset += t->len;
            len += t->len;
            if (payload_len == 0) return false;
            if (mask_offset + len == mask_len) {
                p.offset += off;
                p.len = len;
                shift = mask_offset;
                return true;
            }
        }
        return false;
    }

    // nft's payload_expr_trim_force: an unnamed masked load shrinks to the bits it tests.
    static bool trim_unknown_payload(payload_expr& p, const value_expr& mask, uint32_t& shift) {
        if (p.desc != nullptr && p.tmpl != nullptr) return false;
        const uint32_t first = lowest_set_bit(mask.value, 0);
        const uint32_t mask_len = lowest_clear_bit_from(mask.value, first + 1);
        if (p.len <= mask_len) return false;
        const uint32_t offset = p.offset + (mask.len + 7) / 8 * 8 - mask_len;
        if ((offset + 7) / 8 * 8 > 255) return false;
        const uint32_t real_len = popcount(mask.value);
        if (real_len > p.len) return false;
        p.offset = offset;
        p.len = real_len;
        shift = first;
        return true;
    }

    void binop_trim(expr_ptr& e) {
        auto& rel = e->as<relational_expr>();
        auto& b = rel.left->as<binop_expr>();
        auto& p = b.left->as<payload_expr>();
        const auto& mask = b.right->as<value_expr>();
        uint32_t shift = 0;
        payload_expr trimmed(p);
        if (!trim_payload(trimmed, mask.value, mask.len, shift)) {
            if (rel.right->is(expr_kind::value) && trim_unknown_payload(trimmed, mask, shift)) {
                auto& v = rel.right->as<value_expr>();
                v.value >>= shift;
                v.len = trimmed.len;
                rel.left = std::make_unique<payload_expr>(trimmed);
            }
            return;
        }
        auto shift_value = [&](expr& x) {
            if (auto* v = as_value(&x)) {
                v->value >>= shift;
                v->len = trimmed.len;
            }
        };
        if (rel.right->is(expr_kind::value)) shift_value(*rel.right);
        if (rel.right->is(expr_kind::range)) {
            shift_value(*rel.right->as<range_expr>().left);
            shift_value(*rel.right->as<range_expr>().right);
        }
        if (rel.right->is(expr_kind::set)) {
            for (auto& item : rel.right->as<set_expr>().items) {
                expr* key = item.get();
                if (key->is(expr_kind::set_elem)) key = key->as<set_elem_expr>().key.get();
                if (key->is(expr_kind::range)) {
                    shift_value(*key->as<range_expr>().left);
                    shift_value(*key->as<range_expr>().right);
                } else {
                    shift_value(*key);
                }
            }
        }
        auto field = std::make_unique<payload_expr>(trimmed);
        field->is_raw = true;
        field->desc = nullptr;
        field->tmpl = nullptr;
        rel.left = std::move(field);
        payload_match_pp(e);
    }

    family fam_;
    listing_pctx pctx_;
    dependency_tracker deps_;
    std::vector<stmt_ptr>* out_ = nullptr;
    stmt* current_ = nullptr;
};

}  // namespace

rule postprocess_rule(const rule& r, family fam) {
    rule out(r);
    reduce_statements(out, fam);
    rule_listing_pass pass(fam);
    pass.run(out);
    return out;
}

}  // namespace nfqwall::front

// Expression evaluation: types, ranges, protocol context and dependencies.
#include "front/evaluate_impl.hpp"

#include <algorithm>

namespace nfqwall::front {

// ---- helpers ----

const datatype* expr_basetype(const expr& e) { return e.dtype ? e.dtype->root() : nullptr; }

bool datatype_equal(const datatype* a, const datatype* b) {
    if (a == b) return true;
    if (a == nullptr || b == nullptr) return false;
    return datatype_equal(*a, *b);
}

bool datatype_compatible(const datatype* a, const datatype* b) {
    if (a && b && a->id == type_id::mark && datatype_equal(a->root(), b->root())) return true;
    return datatype_equal(a, b);
}

std::string expr_name(const expr& e) {
    switch (e.kind) {
    case expr_kind::verdict: return "verdict";
    case expr_kind::symbol: return "symbol";
    case expr_kind::variable: return "variable";
    case expr_kind::value: return "value";
    case expr_kind::prefix: return "prefix";
    case expr_kind::range: return "range";
    case expr_kind::unary: return "unary";
    case expr_kind::binop: return "binop";
    case expr_kind::relational: return "relational";
    case expr_kind::concat: return "concat";
    case expr_kind::list: return "list";
    case expr_kind::set: return "set";
    case expr_kind::set_ref: return "set reference";
    case expr_kind::set_elem: return "set element";
    case expr_kind::set_elem_catchall: return "catch-all set element";
    case expr_kind::mapping: return "mapping";
    case expr_kind::map: return "map";
    case expr_kind::payload: return "payload";
    case expr_kind::exthdr: return "exthdr";
    case expr_kind::meta: return "meta";
    case expr_kind::ct: return "ct";
    case expr_kind::rt: return "rt";
    case expr_kind::fib: return "fib";
    case expr_kind::numgen: return "numgen";
    case expr_kind::hash: return "hash";
    case expr_kind::socket: return "socket";
    case expr_kind::osf: return "osf";
    case expr_kind::xfrm: return "xfrm";
    case expr_kind::tunnel: return "tunnel";
    default: return "invalid";
    }
}

uint64_t value_u64(const expr& e) {
    if (!e.is(expr_kind::value)) return 0;
    return static_cast<uint64_t>(e.as<value_expr>().value);
}

// ---- protocol context ----

void proto_ctx::init(family f, bool inner) {
    fam = f;
    protocol = {};
    stacked_ll.clear();
    icmp_type = 0;
    const hook_proto h = hook_proto_for(inner ? family::bridge : f);
    if (h.desc != nullptr) update(h.base, {}, h.desc);
}

void proto_ctx::update(proto_base b, location l, const proto_desc* d) {
    layer& ly = at(b);
    if (ly.desc != nullptr && ly.desc != d && std::find(ly.alternatives.begin(), ly.alternatives.end(), d) ==
                                                    ly.alternatives.end()) {
        // keep the old one only while collecting alternatives of a set match
    }
    ly.desc = d;
    ly.loc = l;
    ly.alternatives = {d};
}

namespace {

// Which layer a meta/ct protocol key describes (nft's meta.base / ct.base).
proto_base meta_base(int key) {
    switch (key) {
    case META_L4PROTO: return proto_base::network;
    case META_NFPROTO:
    case META_PROTOCOL:
    case META_IIFTYPE: return proto_base::ll;
    default: return proto_base::invalid;
    }
}

void meta_pctx_update(proto_ctx& pctx, location l, const meta_expr& m, u128 v) {
    const hook_proto h = hook_proto_for(pctx.fam);
    switch (m.key) {
    case META_IIFTYPE: {
        if (h.base < proto_base::network && pctx.fam != family::inet && pctx.fam != family::netdev) return;
        const proto_desc* d = proto_dev_desc(static_cast<uint16_t>(v));
        pctx.update(proto_base::ll, l, d ? d : proto_lookup(proto_id::unknown));
        break;
    }
    case META_NFPROTO: {
        const auto n = static_cast<unsigned>(v);
        if (n == static_cast<unsigned>(family::ipv4) && h.desc == proto_lookup(proto_id::ip)) break;
        if (n == static_cast<unsigned>(family::ipv6) && h.desc == proto_lookup(proto_id::ip6)) break;
        const proto_desc* d = h.desc ? h.desc->find_upper(v) : nullptr;
        if (d == nullptr) {
            d = proto_lookup(proto_id::unknown);
            if (n == static_cast<unsigned>(pctx.fam) && h.base == proto_base::network) d = h.desc;
        }
        pctx.update(proto_base::network, l, d);
        break;
    }
    case META_L4PROTO: {
        const proto_desc* d = proto_lookup(proto_id::inet_service)->find_upper(v);
        pctx.update(proto_base::transport, l, d ? d : proto_lookup(proto_id::unknown));
        break;
    }
    case META_PROTOCOL: {
        if (h.base != proto_base::ll) return;
        if (pctx.fam != family::netdev && pctx.fam != family::bridge) return;
        const proto_desc* d = h.desc ? h.desc->find_upper(v) : nullptr;
        pctx.update(proto_base::network, l, d ? d : proto_lookup(proto_id::unknown));
        break;
    }
    default:
        break;
    }
}

void ct_pctx_update(proto_ctx& pctx, location l, const ct_expr& c, u128 v) {
    if (c.key == CT_L3PROTOCOL) {
        const proto_desc* d = proto_lookup(proto_id::inet)->find_upper(v);
        if (d) pctx.update(proto_base::network, l, d);
    } else if (c.key == CT_PROTOCOL) {
        const proto_desc* d = proto_lookup(proto_id::inet_service)->find_upper(v);
        if (d) pctx.update(proto_base::transport, l, d);
    }
}

void payload_pctx_update(proto_ctx& pctx, location l, const payload_expr& p, u128 v) {
    const proto_desc* base = pctx.at(p.base).desc;
    if (base == nullptr) return;
    const proto_desc* d = base->find_upper(v);
    if (d == nullptr) {
        if (base->id == proto_id::icmp) {
            pctx.icmp_type = v ? static_cast<uint8_t>(v) : 8;  // echo-reply counts as echo
        } else if (base->id == proto_id::icmp6) {
            pctx.icmp_type = v == 129 ? 128 : static_cast<uint8_t>(v);
        }
        return;
    }
    if (d->base == base->base && !p.is_raw && d->base == proto_base::ll) pctx.stacked_ll.push_back(base);
    pctx.update(d->base, l, d);
}

void pctx_update_one(proto_ctx& pctx, location l, const expr& left, u128 v) {
    switch (left.kind) {
    case expr_kind::payload: payload_pctx_update(pctx, l, left.as<payload_expr>(), v); break;
    case expr_kind::meta: meta_pctx_update(pctx, l, left.as<meta_expr>(), v); break;
    case expr_kind::ct: ct_pctx_update(pctx, l, left.as<ct_expr>(), v); break;
    default: break;
    }
}

}  // namespace

void relational_pctx_update(proto_ctx& pctx, const expr& e) {
    const auto& rel = e.as<relational_expr>();
    const expr& left = *rel.left;
    const expr& right = *rel.right;
    if (!(left.flags & EXPR_F_PROTOCOL)) return;
    if (right.is(expr_kind::value)) {
        pctx_update_one(pctx, rel.loc, left, right.as<value_expr>().value);
        return;
    }
    if (right.is(expr_kind::set_ref)) {
        // A set of protocols: the layer may carry any of them.
        const set* s = right.as<set_ref_expr>().target;
        if (s == nullptr) return;
        if (!s->anonymous() || !s->init) {
            // A named set may change: the layer carries some protocol, which one is unknown.
            if (s->key && !s->key->is(expr_kind::concat)) pctx_update_one(pctx, rel.loc, left, 0);
            return;
        }
        std::vector<const proto_desc*> seen;
        proto_ctx probe = pctx;
        for (const auto& i : s->init->as<set_expr>().items) {
            const expr* k = i.get();
            if (k->is(expr_kind::set_elem)) k = k->as<set_elem_expr>().key.get();
            if (!k || !k->is(expr_kind::value)) continue;
            proto_ctx tmp = pctx;
            pctx_update_one(tmp, rel.loc, left, k->as<value_expr>().value);
            // icmp message types: the last one counts, as in nft.
            if (tmp.icmp_type != 0) probe.icmp_type = tmp.icmp_type;
            for (size_t b = 0; b < tmp.protocol.size(); ++b) {
                if (tmp.protocol[b].desc != pctx.protocol[b].desc && tmp.protocol[b].desc) {
                    auto& alts = probe.protocol[b].alternatives;
                    if (std::find(alts.begin(), alts.end(), tmp.protocol[b].desc) == alts.end()) {
                        if (probe.protocol[b].desc == pctx.protocol[b].desc) alts.clear();
                        alts.push_back(tmp.protocol[b].desc);
                        probe.protocol[b].desc = tmp.protocol[b].desc;
                        probe.protocol[b].loc = rel.loc;
                    }
                }
            }
        }
        pctx = probe;
    }
}

// ---- expressions ----

bool evaluator::impl::eval(expr_ptr& e) {
    switch (e->kind) {
    case expr_kind::symbol: return symbol(e);
    case expr_kind::variable: return variable(e);
    case expr_kind::set_ref: return set_ref(e);
    case expr_kind::value: return value(e);
    case expr_kind::exthdr: return exthdr(e);
    case expr_kind::verdict: return verdict(e);
    case expr_kind::meta: return meta(e);
    case expr_kind::payload: return payload(e);
    case expr_kind::rt: return rt(e);
    case expr_kind::ct: return ct(e);
    case expr_kind::prefix: return prefix(e);
    case expr_kind::range: return range(e);
    case expr_kind::binop: return binop(e);
    case expr_kind::concat: return concat(e);
    case expr_kind::list: return list(e);
    case expr_kind::set: return set_expr_(e);
    case expr_kind::set_elem: return set_elem(e);
    case expr_kind::map: return map(e);
    case expr_kind::mapping: return mapping(e);
    case expr_kind::relational: return relational(e);
    case expr_kind::set_elem_catchall:
        if (cur_set && cur_set->key) e->len = cur_set->key->len;
        return true;
    case expr_kind::fib: {
        auto& f = e->as<fib_expr>();
        // fib results: oif (iface_index), oifname (ifname), type (fib_addrtype), check (boolean)
        if (f.fib_flags & (1u << 5)) {
            f.dtype = &dt(type_id::boolean);
            f.len = 1;
        } else if (f.result == 2) {
            f.dtype = &dt(type_id::ifname);
            f.len = 16 * 8;
        } else if (f.result == 3) {
            f.dtype = &dt(type_id::fib_addr);
            f.len = 32;
        } else {
            f.dtype = &dt(type_id::ifindex);
            f.len = 32;
        }
        f.order = byte_order::host;
        return primary(e);
    }
    case expr_kind::numgen: {
        auto& n = e->as<numgen_expr>();
        if (!n.dtype) {
            n.dtype = &dt(type_id::integer);
            n.len = 32;
            n.order = byte_order::host;
        }
        if (ectx.dtype && ectx.dtype->basetype && ectx.dtype->basetype->id == type_id::integer && ectx.len == 32) {
            n.dtype = ectx.dtype;
        }
        ectx.set(n.dtype, n.order, n.len, static_cast<uint64_t>(n.mod) + n.offset - 1);
        return true;
    }
    case expr_kind::hash: {
        auto& h = e->as<hash_expr>();
        if (!h.dtype) {
            h.dtype = &dt(type_id::integer);
            h.len = 32;
            h.order = byte_order::host;
        }
        if (ectx.dtype && ectx.dtype->basetype && ectx.dtype->basetype->id == type_id::integer && ectx.len == 32) {
            h.dtype = ectx.dtype;
        }
        if (h.arg) {
            ectx.set(nullptr, byte_order::invalid, 0);
            if (!eval(h.arg)) return false;
        }
        ectx.set(h.dtype, h.order, h.len, static_cast<uint64_t>(h.mod) + h.offset - 1);
        return true;
    }
    case expr_kind::socket: {
        auto& s = e->as<socket_expr>();
        switch (s.key) {
        case 1:  // mark
            s.dtype = &dt(type_id::mark);
            s.len = 32;
            break;
        case 3:  // cgroupv2
            s.dtype = &dt(type_id::cgroupv2);
            s.len = 64;
            break;
        default:  // transparent, wildcard
            s.dtype = &dt(type_id::integer);
            s.len = 1;
            break;
        }
        s.order = byte_order::host;
        ectx.set(s.dtype, s.order, s.len, (s.key == 0 || s.key == 2) ? 1 : 0);
        return true;
    }
    case expr_kind::osf: {
        auto& o = e->as<osf_expr>();
        o.dtype = &dt(type_id::string);
        o.len = 16 * 8;
        o.order = byte_order::host;
        return primary(e);
    }
    case expr_kind::xfrm: {
        auto& x = e->as<xfrm_expr>();
        const family f = pctx().fam;
        if (f != family::ipv4 && f != family::ipv6 && f != family::inet) {
            return error(x.loc, "ipsec expression is only valid in ip/ip6/inet tables");
        }
        switch (x.key) {
        case 1:
        case 3:
            x.dtype = &dt(type_id::ipaddr);
            x.len = 32;
            x.order = byte_order::big;
            break;
        case 2:
        case 4:
            x.dtype = &dt(type_id::ip6addr);
            x.len = 128;
            x.order = byte_order::big;
            break;
        default:
            x.dtype = &dt(type_id::integer);
            x.len = 32;
            x.order = x.key == 6 ? byte_order::big : byte_order::host;
            break;
        }
        return primary(e);
    }
    case expr_kind::tunnel: {
        auto& t = e->as<tunnel_expr>();
        t.dtype = t.key == 1 ? &dt(type_id::integer) : &dt(type_id::boolean);
        t.len = t.key == 1 ? 32 : 1;
        t.order = byte_order::host;
        return primary(e);
    }
    case expr_kind::unary:
        return true;
    default:
        return error(e->loc, "unexpected expression " + expr_name(*e));
    }
}

bool evaluator::impl::primary(expr_ptr& e) {
    ectx.set(e->dtype, e->order, e->len);
    return true;
}

bool evaluator::impl::variable(expr_ptr& e) {
    auto& v = e->as<variable_expr>();
    expr_ptr bound = v.bound ? v.bound->clone() : nullptr;
    if (!bound) return error(v.loc, "variable has no value");
    if (!eval(bound)) return false;
    e = std::move(bound);
    return true;
}

bool evaluator::impl::symbol(expr_ptr& e) {
    auto& s = e->as<symbol_expr>();
    if (s.sym == symbol_kind::set) {
        if (tbl == nullptr) return error(s.loc, "No such file or directory");
        set* target = tbl->find_set(s.text);
        if (target == nullptr || !target->key) {
            return error(s.loc, "No such file or directory");
        }
        auto ref = std::make_unique<set_ref_expr>(s.loc, s.text);
        ref->target = target;
        e = std::move(ref);
        return set_ref(e);
    }
    const datatype* t = s.dtype ? s.dtype : ectx.dtype;
    if (t == nullptr) return error(s.loc, "No symbol type information");
    std::string text = s.text;
    // Wildcard and literal-asterisk handling happens on the string value.
    parsed_value pv = datatype_parse(*t, text);
    if (!pv.ok()) return error(s.loc, pv.error);
    uint32_t len = pv.len;
    const datatype* root = t->root();
    const bool is_string = root && root->id == type_id::string;
    if (!is_string && len == 0) len = t->size;
    auto v = std::make_unique<value_expr>(s.loc, t, is_string ? byte_order::host : t->order, len, pv.value);
    v->str = std::move(pv.text);
    e = std::move(v);
    return value(e);
}

bool evaluator::impl::integer_value(value_expr& v) {
    if (ectx.maxval > 0 && v.value > ectx.maxval) {
        return error(v.loc, fmt::format("Value {} exceeds valid range 0-{}", u128_to_dec(v.value), ectx.maxval));
    }
    const uint32_t masklen = std::max(stmt_len, ectx.len);
    if (masklen > 0 && masklen < 128 && v.value > mask_bits(masklen)) {
        return error(v.loc, fmt::format("Value {} exceeds valid range 0-{}", u128_to_dec(v.value),
                                        u128_to_dec(mask_bits(masklen))));
    }
    if (ectx.order != byte_order::invalid) v.order = ectx.order;
    if (masklen > 0) v.len = masklen;
    return true;
}

bool evaluator::impl::string_value(expr_ptr& e) {
    auto& v = e->as<value_expr>();
    std::string data = value_string(v);
    if (ectx.len > 0) {
        if (v.len > ectx.len) {
            return error(v.loc, fmt::format("String exceeds maximum length of {}", ectx.len / 8));
        }
    }
    if (data.empty()) return error(v.loc, "Empty string is not allowed");
    const uint32_t full_len = ectx.len > 0 ? ectx.len : v.len;
    if (data.back() != '*') {
        // Strings are compared over the whole width of their field, padded with NULs.
        v.order = byte_order::host;
        v.len = std::max<uint32_t>(full_len, static_cast<uint32_t>(data.size() * 8));
        v.value = pack_string(data, v.len / 8);
        v.str = data;
        return true;
    }
    if (data.size() == 1) return error(v.loc, "All-wildcard strings are not supported");
    if (data.size() >= 2 && data[data.size() - 2] == '\\') {
        // "eth\*": a literal asterisk
        data.erase(data.size() - 2, 1);
        v.len = std::max<uint32_t>(full_len, static_cast<uint32_t>(data.size() * 8));
        v.value = pack_string(data, v.len / 8);
        v.str = data;
        v.flags |= EXPR_F_CONSTANT;
        return true;
    }
    data.pop_back();
    const uint32_t base_len = std::max<uint32_t>(full_len, static_cast<uint32_t>(data.size() * 8));
    auto base = std::make_unique<value_expr>(v.loc, v.dtype, byte_order::host, base_len,
                                             pack_string(data, base_len / 8));
    base->str = data;
    auto p = std::make_unique<prefix_expr>(v.loc, std::move(base), static_cast<uint32_t>(data.size() * 8));
    p->dtype = v.dtype;
    p->flags |= EXPR_F_CONSTANT;
    p->order = byte_order::host;
    p->len = full_len;
    e = std::move(p);
    return true;
}

bool evaluator::impl::value(expr_ptr& e) {
    auto& v = e->as<value_expr>();
    const datatype* root = v.dtype ? v.dtype->root() : nullptr;
    if (root == nullptr) return error(v.loc, "Unexpected datatype");
    if (root->id == type_id::string) return string_value(e);
    if (root->id == type_id::integer || root->id == type_id::bitmask || root->id == type_id::lladdr) {
        return integer_value(v);
    }
    if (root->id == type_id::verdict) return true;
    return error(v.loc, fmt::format("Unexpected datatype {}", v.dtype->name));
}

bool evaluator::impl::set_ref(expr_ptr& e) {
    auto& r = e->as<set_ref_expr>();
    if (r.target && r.target->key) {
        ectx.set(r.target->key->dtype, r.target->key->order, r.target->key->len);
        ectx.key = r.target->key.get();
        r.dtype = r.target->key->dtype;
        r.len = r.target->key->len;
        r.flags |= EXPR_F_CONSTANT;
    }
    return true;
}

bool evaluator::impl::verdict(expr_ptr& e) {
    auto& v = e->as<verdict_expr>();
    v.dtype = &dt(type_id::verdict);
    v.flags |= EXPR_F_CONSTANT | EXPR_F_SINGLETON;
    if (v.chain && v.chain->is(expr_kind::variable)) {
        const expr_ctx saved = ectx;
        ectx.set(&dt(type_id::string), byte_order::host, 0);
        auto& var = v.chain->as<variable_expr>();
        if (var.bound && var.bound->is(expr_kind::symbol)) {
            const auto& sym = var.bound->as<symbol_expr>();
            v.chain = make_string_value(var.loc, &dt(type_id::string), sym.text);
        } else {
            ectx = saved;
            return error(var.loc, "not a value expression");
        }
        ectx = saved;
    }
    if (v.chain && v.chain->is(expr_kind::value)) {
        const size_t n = (v.chain->len + 7) / 8;
        constexpr size_t max_chain_name = 256;
        if (n >= max_chain_name) {
            return error(v.chain->loc, fmt::format("chain name too long ({}, max {})", n, max_chain_name));
        }
        if (n == 0) return error(v.chain->loc, "chain name length 0 not allowed");
    }
    return primary(e);
}

// ---- payload ----

bool evaluator::impl::gen_payload_dependency(payload_expr& p) {
    proto_ctx& pc = pctx();
    const hook_proto h = hook_proto_for(pc.fam);
    if (p.base < h.base) {
        if (static_cast<int>(p.base) < static_cast<int>(h.base) - 1) {
            return error(p.loc, "payload base is invalid for this family");
        }
        uint16_t type = 0;
        if (!proto_dev_type(p.desc, type)) return error(p.loc, "protocol specification is invalid for this family");
        auto m = make_meta(p.loc, META_IIFTYPE);
        auto v = make_value(p.loc, m->dtype, type, m->len);
        v->order = m->order;
        auto rel = std::make_unique<relational_expr>(p.loc, op::eq, std::move(m), std::move(v));
        relational_pctx_update(pc, *rel);
        auto s = std::make_unique<expr_stmt>(p.loc, std::move(rel));
        s->implicit = true;
        return add_dependency(std::move(s));
    }
    const proto_base below = static_cast<proto_base>(static_cast<int>(p.base) - 1);
    const proto_desc* desc = pc.at(below).desc;
    if (desc == nullptr) {
        // Mixed IPv4/IPv6 tables and bridges: special dependencies.
        switch (p.base) {
        case proto_base::ll:
            break;
        case proto_base::transport:
            if (p.desc && (p.desc->id == proto_id::icmp || p.desc->id == proto_id::icmp6 ||
                           p.desc->id == proto_id::igmp)) {
                const proto_desc* ll = pc.at(proto_base::ll).desc;
                if (ll == nullptr) {
                    if (pc.fam == family::inet) ll = proto_lookup(proto_id::inet);
                    if (pc.fam == family::bridge) ll = proto_lookup(proto_id::eth);
                    if (pc.fam == family::netdev) ll = proto_lookup(proto_id::netdev);
                }
                if (ll == nullptr) break;
                const proto_desc* upper =
                    p.desc->id == proto_id::icmp6 ? proto_lookup(proto_id::ip6) : proto_lookup(proto_id::ip);
                if (pc.fam == family::bridge && ll->id == proto_id::eth) ll = proto_lookup(proto_id::netdev);
                auto dep = protocol_dependency(ll, upper, p.loc);
                if (!dep) return false;
                if (!add_dependency(std::move(dep))) return false;
                desc = upper;
            } else {
                desc = proto_lookup(proto_id::inet_service);
            }
            break;
        default:
            break;
        }
    }
    if (desc == nullptr) {
        return error(p.loc, fmt::format("ambiguous payload specification: no {} protocol specified",
                                        proto_base_name(below)));
    }
    if (pc.fam == family::bridge && desc->id == proto_id::eth && p.desc &&
        (p.desc->id == proto_id::ip || p.desc->id == proto_id::ip6)) {
        desc = proto_lookup(proto_id::netdev);
    }
    auto dep = protocol_dependency(desc, p.desc, p.loc);
    if (!dep) return false;
    return add_dependency(std::move(dep));
}

stmt_ptr evaluator::impl::protocol_dependency(const proto_desc* lower, const proto_desc* upper, location l) {
    u128 num = 0;
    if (!lower->find_num(upper, num)) {
        error(l, fmt::format("conflicting protocols specified: {} vs. {}", lower->name, upper->name));
        return nullptr;
    }
    const proto_hdr_template* tmpl = lower->field_at(lower->protocol_key);
    if (lower->protocol_key == 0 && !lower->templates.empty()) tmpl = &lower->templates[0];
    if (tmpl == nullptr) {
        error(l, fmt::format("conflicting protocols specified: {} vs. {}", lower->name, upper->name));
        return nullptr;
    }
    expr_ptr left;
    if (tmpl->meta_key >= 0) {
        left = make_meta(l, tmpl->meta_key);
    } else {
        left = make_payload(l, lower, lower->protocol_key);
    }
    auto right = make_value(l, tmpl->dtype, num, tmpl->len);
    right->order = left->order;
    auto rel = std::make_unique<relational_expr>(l, op::eq, std::move(left), std::move(right));
    relational_pctx_update(pctx(), *rel);
    auto s = std::make_unique<expr_stmt>(l, std::move(rel));
    s->implicit = true;
    return s;
}

bool evaluator::impl::dep_conflict(const stmt& dep) {
    if (!cur_rule) return true;
    const auto& nrel = dep.as<expr_stmt>().e->as<relational_expr>();
    if (!nrel.left->is(expr_kind::payload)) return true;
    const auto& np = nrel.left->as<payload_expr>();
    for (size_t i = 0; i < cur_rule->stmts.size(); ++i) {
        const stmt& s = *cur_rule->stmts[i];
        if (&s == &dep) break;
        if (!s.is(stmt_kind::expr)) continue;
        const expr& e = *s.as<expr_stmt>().e;
        if (!e.is(expr_kind::relational)) continue;
        const auto& rel = e.as<relational_expr>();
        if (!rel.right->is(expr_kind::value) || !rel.left->is(expr_kind::payload)) continue;
        const auto& p = rel.left->as<payload_expr>();
        if (p.len != np.len || p.desc != np.desc || p.inner_desc != np.inner_desc || p.base != np.base ||
            p.offset != np.offset) {
            continue;
        }
        if (rel.right->as<value_expr>().value == nrel.right->as<value_expr>().value) continue;
        return error2(s.loc, dep.loc, "conflicting statements");
    }
    return true;
}

bool evaluator::impl::add_dependency(stmt_ptr dep, bool at_rule_start) {
    if (cur_rule == nullptr) return true;  // no rule (e.g. set element context): nothing to add to
    if (at_rule_start) {
        cur_rule->stmts.insert(cur_rule->stmts.begin(), std::move(dep));
        ++stmt_index;
        return true;
    }
    const size_t at = std::min(stmt_index, cur_rule->stmts.size());
    cur_rule->stmts.insert(cur_rule->stmts.begin() + static_cast<long>(at), std::move(dep));
    ++stmt_index;
    return dep_conflict(*cur_rule->stmts[at]);
}

bool evaluator::impl::payload_deps(payload_expr& p) {
    if (p.is_raw) return true;
    proto_ctx& pc = pctx();
    const proto_base base = p.base;
    const proto_desc* desc = pc.at(base).desc;
    if (desc == nullptr) {
        if (!gen_payload_dependency(p)) return false;
        desc = pc.at(base).desc;
        if (desc == p.desc) goto check_icmp;
        if (base == proto_base::ll && desc != nullptr) {
            u128 link = 0;
            if (!desc->find_num(p.desc, link)) {
                return error(p.loc, fmt::format("conflicting protocols specified: {} vs. {}", desc->name, p.desc->name));
            }
            auto dep = std::make_unique<expr_stmt>(
                p.loc, std::make_unique<relational_expr>(
                           p.loc, op::eq, make_payload(p.loc, desc, desc->protocol_key),
                           make_value(p.loc, desc->field_at(desc->protocol_key)->dtype, link,
                                      desc->field_at(desc->protocol_key)->len)));
            dep->implicit = true;
            relational_pctx_update(pc, *dep->e);
            if (!pc.stacked_ll.empty()) p.offset += pc.stacked_ll.front()->length;
            return add_dependency(std::move(dep));
        }
        goto check_icmp;
    }
    if (pc.ambiguous(base) && p.desc && p.desc->base == desc->base) {
        const auto& alts = pc.at(base).alternatives;
        for (const proto_desc* a : alts) {
            if (a != p.desc) {
                return error(p.loc, fmt::format("conflicting protocols specified: {} vs. {}", a->name, p.desc->name));
            }
        }
    }
    if (desc == p.desc) {
        if (desc->base == proto_base::ll) {
            for (const proto_desc* s : pc.stacked_ll) p.offset += s->length;
        }
    check_icmp:
        if (!desc || (desc->id != proto_id::icmp && desc->id != proto_id::icmp6)) return true;
        if (!p.tmpl || p.tmpl->icmp_dep == ICMP_DEP_ANY) return true;
        // `icmp id 1` only exists in echo messages: match the type first, once per rule.
        const icmp_hdr_dep need = p.tmpl->icmp_dep;
        if (pc.icmp_type != 0 && icmp_dep_type_match(need, pc.icmp_type)) return true;
        if (pc.icmp_type != 0) {
            return error(p.loc, fmt::format("incompatible icmp match: rule has {}, need {}", pc.icmp_type,
                                            icmp_dep_to_type(need)));
        }
        {
            const proto_desc* icmp = desc;
            const int type_field = icmp->field_index("type");
            auto left = make_payload(p.loc, icmp, type_field);
            std::unique_ptr<relational_expr> rel;
            // Several message types carry the field: a set of them.
            std::vector<uint8_t> types;
            if (need == ICMP_DEP_ECHO) types = {8, 0};
            if (need == ICMP_DEP_ICMP6_ECHO) types = {128, 129};
            if (need == ICMP_DEP_ICMP6_ADDRESS) types = {130, 131, 132, 135, 136, 137};
            if (!types.empty()) {
                auto s = std::make_unique<set_expr>(p.loc);
                for (uint8_t t : types) {
                    s->items.push_back(std::make_unique<set_elem_expr>(p.loc, make_value(p.loc, left->dtype, t, 8)));
                }
                expr_ptr key = left->clone();
                expr_ptr ref = implicit_set("__set%d", std::move(key), nullptr, std::move(s), NFT_SET_ANONYMOUS, p.loc);
                if (!ref) return false;
                rel = std::make_unique<relational_expr>(p.loc, op::eq, std::move(left), std::move(ref));
            } else {
                auto v = make_value(p.loc, left->dtype, icmp_dep_to_type(need), 8);
                rel = std::make_unique<relational_expr>(p.loc, op::eq, std::move(left), std::move(v));
            }
            pc.icmp_type = icmp_dep_to_type(need);
            auto dep = std::make_unique<expr_stmt>(p.loc, std::move(rel));
            dep->implicit = true;
            return add_dependency(std::move(dep));
        }
    }
    if (base == proto_base::ll) {
        // Another link layer header (vlan on ether): add its dependency.
        if (desc->id == proto_id::inet || desc->id == proto_id::netdev) {
            uint16_t type = 0;
            if (!proto_dev_type(p.desc, type)) return error(p.loc, "protocol specification is invalid for this family");
            auto m = make_meta(p.loc, META_IIFTYPE);
            auto v = make_value(p.loc, m->dtype, type, m->len);
            auto rel = std::make_unique<relational_expr>(p.loc, op::eq, std::move(m), std::move(v));
            relational_pctx_update(pc, *rel);
            auto s = std::make_unique<expr_stmt>(p.loc, std::move(rel));
            s->implicit = true;
            if (!add_dependency(std::move(s))) return false;
            desc = pc.at(base).desc;
            if (desc == p.desc) return true;
        } else {
            for (const proto_desc* s : pc.stacked_ll) {
                if (s == p.desc) return true;
            }
        }
        u128 link = 0;
        if (desc && desc->find_num(p.desc, link) && desc->protocol_key >= 0) {
            const proto_hdr_template* t = desc->field_at(desc->protocol_key);
            auto dep = std::make_unique<expr_stmt>(
                p.loc, std::make_unique<relational_expr>(p.loc, op::eq, make_payload(p.loc, desc, desc->protocol_key),
                                                         make_value(p.loc, t->dtype, link, t->len)));
            dep->implicit = true;
            relational_pctx_update(pc, *dep->e);
            for (const proto_desc* s : pc.stacked_ll) {
                if (s != p.desc) p.offset += s->length;
            }
            if (!add_dependency(std::move(dep))) return false;
            if (pc.at(base).desc == p.desc) return true;
        }
    }
    return error(p.loc, fmt::format("conflicting {} protocols specified: {} vs. {}", proto_base_name(base),
                                    pc.at(base).desc ? pc.at(base).desc->name : "none",
                                    p.desc ? p.desc->name : "unknown"));
}

bool evaluator::impl::payload(expr_ptr& e) {
    auto& p = e->as<payload_expr>();
    if (p.inner_desc) {
        // Tunnel headers: gre rides on the network protocol, vxlan/geneve on udp.
        proto_ctx& outer = pctx();
        if (p.inner_desc->base < proto_base::inner && outer.at(proto_base::transport).desc == nullptr) {
            const proto_desc* lower = outer.at(proto_base::network).desc;
            if (lower == nullptr) lower = proto_lookup(proto_id::inet_service);
            auto dep = protocol_dependency(lower, p.inner_desc, p.loc);
            if (!dep || !add_dependency(std::move(dep))) return false;
            outer.update(proto_base::transport, p.loc, p.inner_desc);
        }
        if (p.inner_desc->base == proto_base::inner) {
            const proto_desc* th = outer.at(proto_base::transport).desc;
            if (th == nullptr) return error(p.loc, "no transport protocol specified");
            u128 num = 0;
            if (!th->find_num(p.inner_desc, num)) {
                return error(p.loc, fmt::format("unexpected transport protocol {}", th->name));
            }
            outer.update(proto_base::inner, p.loc, p.inner_desc);
        }
        if (p.base != proto_base::inner) inner_desc = p.inner_desc;
    }
    if (!payload_deps(p)) return false;
    return primary(e);
}

bool evaluator::impl::exthdr(expr_ptr& e) {
    auto& x = e->as<exthdr_expr>();
    const proto_desc* dependency = nullptr;
    if (x.xop == exthdr_op::tcpopt && x.raw_type > 255) return error(x.loc, "value too large");
    switch (x.xop) {
    case exthdr_op::tcpopt:
    case exthdr_op::sctp:
    case exthdr_op::dccp:
        // No dependency: the kernel's option and chunk lookups only match packets of their
        // own transport protocol (nft adds none either).
        break;
    case exthdr_op::ipv4:
        dependency = proto_lookup(proto_id::ip);
        break;
    case exthdr_op::ipv6:
        dependency = proto_lookup(proto_id::ip6);
        break;
    }
    if (dependency) {
        proto_ctx& pc = pctx();
        const proto_desc* base = pc.at(proto_base::network).desc;
        if (base != dependency) {
            if (base) return error(x.loc, fmt::format("cannot use exthdr with {}", base->name));
            const proto_desc* lower = pc.at(proto_base::ll).desc;
            if (lower == nullptr) {
                return error(x.loc, fmt::format("Cannot generate dependency: no {} protocol specified",
                                                proto_base_name(proto_base::ll)));
            }
            if (pc.fam == family::bridge && lower->id == proto_id::eth) lower = proto_lookup(proto_id::netdev);
            auto dep = protocol_dependency(lower, dependency, x.loc);
            if (!dep) return false;
            if (!add_dependency(std::move(dep), true)) return false;
        }
    }
    if (x.present) {
        x.dtype = &dt(type_id::boolean);
        x.len = 1;
    }
    if (!primary(e)) return false;
    if (x.xop == exthdr_op::tcpopt && x.tmpl) {
        constexpr uint32_t max_tcpoptlen = (15 * 4 - 20) * 8;
        const uint32_t totlen = x.tmpl->len + x.offset;
        if (totlen > max_tcpoptlen) {
            return error(x.loc,
                         fmt::format("offset and size {} exceeds max tcp headerlen ({})", totlen, max_tcpoptlen));
        }
    }
    if (x.xop == exthdr_op::tcpopt && x.is_raw) {
        constexpr uint32_t max_tcpoptlen = (15 * 4 - 20) * 8;
        if (x.offset + x.len > max_tcpoptlen) {
            return error(x.loc, fmt::format("offset and size {} exceeds max tcp headerlen ({})", x.offset + x.len,
                                            max_tcpoptlen));
        }
    }
    return true;
}

bool evaluator::impl::meta(expr_ptr& e) {
    auto& m = e->as<meta_expr>();
    m.base = meta_base(m.key);
    switch (m.key) {
    case META_BRI_IIFNAME:
    case META_BRI_OIFNAME:
    case META_BRI_IIFPVID:
    case META_BRI_IIFVPROTO:
    case META_BRI_IIFHWADDR:
    case META_BRI_BROUTE:
        // The kernel has these keys in its bridge module only (set types may name them).
        if (pctx().fam != family::bridge && cur_rule != nullptr) {
            return error(m.loc, "Could not process rule: Operation not supported (bridge meta keys need a bridge "
                                "table)");
        }
        break;
    case META_NFPROTO:
        if (pctx().fam != family::inet && (m.flags & EXPR_F_PROTOCOL)) {
            return error(m.loc, "meta nfproto is only useful in the inet family");
        }
        break;
    case META_TIME_DAY:
        ectx.set(m.dtype, m.order, m.len, 6);
        return true;
    default:
        break;
    }
    return primary(e);
}

bool evaluator::impl::ct(expr_ptr& e) {
    auto& c = e->as<ct_expr>();
    proto_ctx& pc = pctx();
    const proto_desc* base = pc.at(proto_base::network).desc;
    const proto_desc* ip = proto_lookup(proto_id::ip);
    const proto_desc* ip6 = proto_lookup(proto_id::ip6);
    switch (c.key) {
    case CT_SRC:
    case CT_DST: {
        int nfproto = c.nfproto;
        if (nfproto == 0) {
            if (base == ip) nfproto = static_cast<int>(family::ipv4);
            else if (base == ip6) nfproto = static_cast<int>(family::ipv6);
            else if (pc.fam == family::ipv4) nfproto = static_cast<int>(family::ipv4);
            else if (pc.fam == family::ipv6) nfproto = static_cast<int>(family::ipv6);
        }
        if (nfproto == 0) {
            return error(c.loc, fmt::format("cannot determine ip protocol version, use \"ip {0}addr\" or \"ip6 {0}addr\" "
                                            "instead",
                                            c.key == CT_SRC ? 's' : 'd'));
        }
        const proto_desc* want = nfproto == static_cast<int>(family::ipv4) ? ip : ip6;
        if (base && base != want) {
            return error(c.loc, fmt::format("conflicting dependencies: {} vs. {}", want->name, base->name));
        }
        ct_expr_update_type(c, nfproto);
        if (!base && pc.fam != family::ipv4 && pc.fam != family::ipv6) {
            auto left = make_ct(c.loc, CT_L3PROTOCOL, c.direction);
            auto right = make_value(c.loc, left->dtype, static_cast<u128>(nfproto), left->len);
            auto rel = std::make_unique<relational_expr>(c.loc, op::eq, std::move(left), std::move(right));
            relational_pctx_update(pc, *rel);
            auto dep = std::make_unique<expr_stmt>(c.loc, std::move(rel));
            dep->implicit = true;
            if (!add_dependency(std::move(dep))) return false;
        }
        break;
    }
    case CT_SRC_IP:
    case CT_DST_IP:
        if (base == ip6) {
            return error2(c.loc, pc.at(proto_base::network).loc,
                          fmt::format("conflicting protocols specified: {} vs. {}", base->name, ip->name));
        }
        break;
    case CT_SRC_IP6:
    case CT_DST_IP6:
        if (base == ip) {
            return error2(c.loc, pc.at(proto_base::network).loc,
                          fmt::format("conflicting protocols specified: {} vs. {}", base->name, ip6->name));
        }
        break;
    default:
        break;
    }
    // ct protocol-dependent types (proto-src/dst are inet_service of the transport protocol).
    return primary(e);
}

bool evaluator::impl::rt(expr_ptr& e) {
    auto& r = e->as<rt_expr>();
    proto_ctx& pc = pctx();
    constexpr int nexthop4 = 1, nexthop6 = 2;
    switch (r.key) {
    case 0:
        r.dtype = &dt(type_id::realm);
        r.len = 32;
        r.order = byte_order::host;
        break;
    case 3:
        r.dtype = &dt(type_id::integer);
        r.len = 16;
        r.order = byte_order::host;
        break;
    case 4:
        r.dtype = &dt(type_id::boolean);
        r.len = 1;
        r.order = byte_order::host;
        break;
    default:
        break;
    }
    if (r.key == nexthop4 || r.key == nexthop6) {
        if (r.invalid_family) {
            // `rt nexthop` takes its family from the context.
            const proto_desc* base = pc.at(proto_base::network).desc;
            if (base == proto_lookup(proto_id::ip) || pc.fam == family::ipv4) {
                r.key = nexthop4;
                r.invalid_family = false;
            } else if (base == proto_lookup(proto_id::ip6) || pc.fam == family::ipv6) {
                r.key = nexthop6;
                r.invalid_family = false;
            }
        }
        if (r.invalid_family) {
            return error(r.loc, "cannot determine ip protocol version, use \"ip nexthop\" or \"ip6 nexthop\" instead");
        }
        if (r.key == nexthop4) {
            if (pc.fam == family::ipv6) return error(r.loc, "ip nexthop will not match");
            r.dtype = &dt(type_id::ipaddr);
            r.len = 32;
        } else {
            if (pc.fam == family::ipv4) return error(r.loc, "ip6 nexthop will not match");
            r.dtype = &dt(type_id::ip6addr);
            r.len = 128;
        }
        r.order = byte_order::big;
    }
    return primary(e);
}

// ---- prefix, range, binop ----

bool evaluator::impl::prefix(expr_ptr& e) {
    auto& p = e->as<prefix_expr>();
    if (!eval(p.prefix)) return false;
    const expr& base = *p.prefix;
    if (!base.is_constant()) return error(p.loc, "Prefix expression is undefined for non-constant expressions");
    const datatype* root = expr_basetype(base);
    if (!root || (root->id != type_id::integer && root->id != type_id::string && root->id != type_id::bitmask &&
                  root->id != type_id::lladdr)) {
        return error(p.loc, fmt::format("Prefix expression is undefined for {} types", base.dtype ? base.dtype->desc : "?"));
    }
    if (p.prefix_len > base.len) {
        return error(p.loc, fmt::format("Prefix length {} is invalid for type of {} bits width", p.prefix_len, base.len));
    }
    if (base.is(expr_kind::value)) {
        auto& v = p.prefix->as<value_expr>();
        if (root->id == type_id::string) {
            // keep the first prefix_len bits of the string
        } else {
            const u128 mask = p.prefix_len == 0 ? 0 : (mask_bits(base.len) & ~mask_bits(base.len - p.prefix_len));
            v.value &= mask;
        }
    }
    p.dtype = base.dtype;
    p.order = base.order;
    p.len = base.len;
    p.flags |= EXPR_F_CONSTANT;
    return true;
}

bool evaluator::impl::range(expr_ptr& e) {
    auto& r = e->as<range_expr>();
    for (expr_ptr* side : {&r.left, &r.right}) {
        if (!eval(*side)) return false;
        const datatype* root = expr_basetype(**side);
        if (!root || (root->id != type_id::integer && root->id != type_id::bitmask && root->id != type_id::lladdr)) {
            return error2((*side)->loc, r.loc,
                          fmt::format("Range expression is undefined for {} types",
                                      (*side)->dtype ? (*side)->dtype->desc : "?"));
        }
        if (!(*side)->is_constant()) return error2((*side)->loc, r.loc, "Range is not constant");
    }
    if (!r.left->is(expr_kind::value) || !r.right->is(expr_kind::value)) return true;
    const u128 lo = r.left->as<value_expr>().value;
    const u128 hi = r.right->as<value_expr>().value;
    if (lo > hi) return error(r.loc, "Range negative size");
    if (lo == hi) {
        expr_ptr left = std::move(r.left);
        e = std::move(left);
        return true;
    }
    r.dtype = r.left->dtype;
    r.order = r.left->order;
    r.len = r.left->len;
    r.flags |= EXPR_F_CONSTANT;
    return true;
}

namespace {

// Folds a binary operation of two constants.
u128 fold(op o, u128 a, u128 b, uint32_t len) {
    const u128 mask = len ? mask_bits(len) : ~u128{0};
    switch (o) {
    case op::band: return (a & b) & mask;
    case op::bor: return (a | b) & mask;
    case op::bxor: return (a ^ b) & mask;
    case op::lshift: return b >= 128 ? 0 : (a << static_cast<unsigned>(b)) & mask;
    case op::rshift: return b >= 128 ? 0 : (a & mask) >> static_cast<unsigned>(b);
    default: return a;
    }
}

}  // namespace

bool evaluator::impl::binop(expr_ptr& e) {
    auto& b = e->as<binop_expr>();
    const std::string sym(op_token(b.oper));
    uint32_t max_shift_len = ectx.len;
    if (!eval(b.left)) return false;
    if (b.oper == op::lshift || b.oper == op::rshift) {
        if (b.left->len > max_shift_len) max_shift_len = b.left->len;
        ectx.set(&dt(type_id::integer), b.left->order, max_shift_len);
    }
    if (!eval(b.right)) return false;
    // The constant goes to the right.
    if (b.left->is_constant() && !b.right->is_constant()) std::swap(b.left, b.right);
    const expr& left = *b.left;
    const expr& right = *b.right;
    const datatype* lroot = expr_basetype(left);
    if (!lroot || (lroot->id != type_id::integer && lroot->id != type_id::string && lroot->id != type_id::bitmask &&
                   lroot->id != type_id::lladdr)) {
        return error2(left.loc, b.loc,
                      fmt::format("Binary operation ({}) is undefined for {} types", sym,
                                  left.dtype ? left.dtype->desc : "?"));
    }
    if (left.is_constant() && !expr_is_singleton(left)) {
        return error2(left.loc, b.loc,
                      fmt::format("Binary operation ({}) is undefined for {} expressions", sym, expr_name(left)));
    }
    const datatype* rroot = expr_basetype(right);
    auto base_of = [](const datatype* t) { return t && t->id == type_id::bitmask ? t->root() : t; };
    if (!rroot || !datatype_equal(base_of(lroot), base_of(rroot))) {
        return error2(left.loc, b.loc,
                      fmt::format("Binary operation ({}) with different base types ({} vs {}) is not supported", sym,
                                  lroot->name, rroot ? rroot->name : "invalid"));
    }
    switch (b.oper) {
    case op::lshift:
    case op::rshift: {
        if (!right.is_constant()) {
            return error2(right.loc, b.loc, fmt::format("Right hand side of binary operation ({}) must be constant", sym));
        }
        if (!expr_is_singleton(right)) {
            return error2(left.loc, b.loc,
                          fmt::format("Binary operation ({}) is undefined for {} expressions", sym, expr_name(right)));
        }
        const u128 shift = right.as<value_expr>().value;
        const uint32_t max_len = std::max(stmt_len, left.len);
        if (shift >= max_len) {
            return error2(right.loc, left.loc,
                          fmt::format("{} shift of {} bits is undefined for type of {} bits width",
                                      b.oper == op::lshift ? "Left" : "Right", u128_to_dec(shift), max_len));
        }
        b.dtype = &dt(type_id::integer);
        b.order = byte_order::host;
        b.len = max_len;
        if (left.is_constant() && left.is(expr_kind::value)) {
            const u128 v = fold(b.oper, left.as<value_expr>().value, shift, b.len);
            auto out = std::make_unique<value_expr>(b.loc, b.dtype, b.order, b.len, v);
            e = std::move(out);
            return value(e);
        }
        b.flags &= static_cast<uint16_t>(~EXPR_F_CONSTANT);
        return true;
    }
    case op::band:
    case op::bor:
    case op::bxor: {
        if (left.is_constant() && !right.is_constant()) {
            return error2(right.loc, b.loc, fmt::format("Right hand side of binary operation ({}) must be constant", sym));
        }
        if (right.is_constant() && !expr_is_singleton(right)) {
            return error2(left.loc, b.loc,
                          fmt::format("Binary operation ({}) is undefined for {} expressions", sym, expr_name(right)));
        }
        if (stmt_len > left.len) {
            b.dtype = &dt(type_id::integer);
            b.len = stmt_len;
            b.order = byte_order::host;
        } else {
            b.dtype = left.dtype;
            b.len = left.len;
            b.order = left.order;
        }
        if (left.is_constant() && right.is_constant() && left.is(expr_kind::value) && right.is(expr_kind::value)) {
            const u128 v = fold(b.oper, left.as<value_expr>().value, right.as<value_expr>().value, b.len);
            auto out = std::make_unique<value_expr>(b.loc, b.dtype, b.order, b.len, v);
            e = std::move(out);
            return true;
        }
        return true;
    }
    default:
        return error(b.loc, "invalid binary operation");
    }
}

// ---- concatenations, lists, sets, maps ----

bool evaluator::impl::member(expr_ptr& e) {
    ++list_depth;
    const bool ok = eval(e);
    --list_depth;
    return ok;
}

bool evaluator::impl::concat(expr_ptr& e) {
    auto& c = e->as<concat_expr>();
    const datatype* dtype = ectx.dtype;
    const bool typed = dtype && dtype->is_concat();
    const expr* key_ctx = (ectx.key && ectx.key->is(expr_kind::concat)) ? ectx.key : nullptr;
    size_t key_index = 0;
    uint16_t flags = EXPR_F_CONSTANT | EXPR_F_SINGLETON;
    std::vector<const datatype*> parts;
    uint32_t size = 0;
    for (size_t i = 0; i < c.items.size(); ++i) {
        expr_ptr& it = c.items[i];
        if (it->is(expr_kind::ct)) {
            const int k = it->as<ct_expr>().key;
            if ((k == CT_SRC || k == CT_DST) && it->as<ct_expr>().nfproto == 0) {
                return error(it->loc, "specify either ip or ip6 for address matching");
            }
        }
        const datatype* sub = nullptr;
        uint32_t dsize = 0;
        byte_order bo = byte_order::invalid;
        if (key_ctx) {
            const auto& kitems = key_ctx->as<concat_expr>().items;
            if (key_index >= kitems.size()) {
                return error2(e->loc, key_ctx->loc, "too many concatenation components");
            }
            const expr& k = *kitems[key_index++];
            sub = k.dtype;
            dsize = k.len;
            bo = k.order;
        } else if (typed) {
            if (i >= dtype->subtypes.size()) {
                return error2(it->loc, e->loc, fmt::format("unexpected concat component, expecting {}", dtype->desc));
            }
            sub = dtype->subtypes[i];
            dsize = sub->size;
            bo = sub->order;
        } else if (dtype && !typed && e->is_constant()) {
            return error2(it->loc, e->loc, fmt::format("unexpected concat component, expecting {}", dtype->desc));
        }
        ectx.set(sub, bo, dsize);
        ectx.key = it.get();
        if (!member(it)) return false;
        switch (it->kind) {
        case expr_kind::range:
        case expr_kind::prefix:
            if (list_depth > 0) break;
            return error(it->loc, fmt::format("cannot use {} in concatenation", expr_name(*it)));
        case expr_kind::verdict:
        case expr_kind::symbol:
        case expr_kind::variable:
        case expr_kind::list:
        case expr_kind::set:
        case expr_kind::set_ref:
        case expr_kind::mapping:
        case expr_kind::set_elem_catchall:
            return error(it->loc, fmt::format("cannot use {} in concatenation", expr_name(*it)));
        default:
            break;
        }
        if (!it->dtype) return error(it->loc, fmt::format("cannot use {} in concatenation, lacks datatype", expr_name(*it)));
        flags &= it->flags;
        if (!dtype && it->dtype->size == 0 && it->len == 0) {
            return error2(it->loc, e->loc,
                          fmt::format("can not use variable sized data types ({}) in concat expressions", it->dtype->name));
        }
        if (dsize == 0) dsize = it->len ? it->len : it->dtype->size;
        parts.push_back(it->dtype);
        size += (dsize + 31) / 32 * 32;
        constexpr uint32_t max_bits = 64 * 8;
        if (size > max_bits) {
            return error(it->loc, fmt::format("Concatenation of size {} exceeds maximum size of {}", size, max_bits));
        }
        inner_desc = nullptr;
    }
    c.flags |= flags;
    c.dtype = concat_type(parts);
    c.len = size;
    if (typed && parts.size() < dtype->subtypes.size()) {
        return error(e->loc, fmt::format("datatype mismatch, expected {}, expression has type {}", dtype->desc,
                                         c.dtype->desc));
    }
    ectx.set(c.dtype, byte_order::invalid, c.len);
    ectx.key = key_ctx ? key_ctx : e.get();
    return true;
}

bool evaluator::impl::list(expr_ptr& e) {
    auto& l = e->as<list_expr>();
    u128 acc = 0;
    const datatype* t = ectx.dtype;
    const uint32_t len = ectx.len;
    for (auto& it : l.items) {
        const expr_ctx saved = ectx;
        if (!member(it)) return false;
        ectx = saved;
        if (!it->is(expr_kind::value)) return error(it->loc, "List member must be a constant value");
        const datatype* base = it->dtype ? it->dtype->basetype : nullptr;
        if (!base || base->id != type_id::bitmask) {
            return error(it->loc, fmt::format("Basetype of type {} is not bitmask", it->dtype ? it->dtype->desc : "?"));
        }
        acc |= it->as<value_expr>().value;
    }
    auto v = std::make_unique<value_expr>(l.loc, t, byte_order::host, len, acc);
    e = std::move(v);
    return true;
}

bool evaluator::impl::set_elem(expr_ptr& e) {
    auto& el = e->as<set_elem_expr>();
    if (cur_set) {
        size_t n_elem = el.stmts.size(), n_set = cur_set->stmts.size();
        if (n_elem > 0) {
            if (n_set > 0 && n_elem != n_set) {
                return error(el.loc, fmt::format("number of statements mismatch, set expects {} but element has {}",
                                                 n_set, n_elem));
            }
            if (n_set == 0 && !(cur_set->flags & (NFT_SET_ANONYMOUS | NFT_SET_EVAL))) {
                return error(el.stmts.front()->loc, fmt::format("missing statement in {} declaration",
                                                                cur_set->is_map() ? "map" : "set"));
            }
        }
        if (cur_set->key) {
            ectx.set(cur_set->key->dtype, cur_set->key->order, cur_set->key->len);
            ectx.key = cur_set->key.get();
        }
    }
    if (!el.key) return error(el.loc, "missing element key");
    if (!eval(el.key)) return false;
    if (cur_set && !(cur_set->flags & (NFT_SET_ANONYMOUS | NFT_SET_INTERVAL))) {
        auto is_interval = [](const expr& k) {
            return k.is(expr_kind::prefix) || k.is(expr_kind::range);
        };
        const expr* bad = nullptr;
        if (is_interval(*el.key)) bad = el.key.get();
        if (el.key->is(expr_kind::concat)) {
            for (const auto& k : el.key->as<concat_expr>().items) {
                if (is_interval(*k)) bad = k.get();
            }
        }
        if (bad) {
            return error(bad->loc, fmt::format("You must add 'flags interval' to your {} declaration if you want to add "
                                               "{} elements",
                                               cur_set->is_map() ? "map" : "set", expr_name(*bad)));
        }
    }
    if (cur_set && cur_set->key && !el.key->is(expr_kind::set_elem_catchall) && !el.key->is(expr_kind::set) &&
        !datatype_compatible(cur_set->key->dtype, el.key->dtype)) {
        return error(el.loc, fmt::format("Element mismatches {} definition, expected {}, not '{}'",
                                         cur_set->is_map() ? "map" : "set", cur_set->key->dtype->desc,
                                         el.key->dtype ? el.key->dtype->desc : "invalid"));
    }
    el.dtype = el.key->dtype;
    el.len = el.key->len;
    el.flags = el.key->flags;
    for (auto& s : el.stmts) {
        if (!stateful(*s, cur_set && cur_set->is_map() ? "map" : "set")) return false;
    }
    return true;
}

bool evaluator::impl::set_expr_(expr_ptr& e) {
    auto& s = e->as<set_expr>();
    std::vector<expr_ptr> out;
    out.reserve(s.items.size());
    const expr_ctx saved = ectx;
    for (auto& it : s.items) {
        ectx = saved;
        if (!member(it)) return false;
        // A variable holding a set, or a nested set: splice its elements in.
        expr_ptr* elem = &it;
        if (it->is(expr_kind::mapping)) elem = &it->as<mapping_expr>().left;
        if ((*elem)->is(expr_kind::set_elem) && (*elem)->as<set_elem_expr>().key &&
            (*elem)->as<set_elem_expr>().key->is(expr_kind::set_ref)) {
            return error(it->loc, "Set reference cannot be part of another set");
        }
        if (it->is(expr_kind::mapping) && it->as<mapping_expr>().left->is(expr_kind::set_elem) &&
            it->as<mapping_expr>().left->as<set_elem_expr>().key->is(expr_kind::set)) {
            auto& m = it->as<mapping_expr>();
            for (auto& j : m.left->as<set_elem_expr>().key->as<set_expr>().items) {
                out.push_back(std::make_unique<mapping_expr>(m.loc, std::move(j), m.right->clone()));
            }
            continue;
        }
        if (it->is(expr_kind::set_elem) && it->as<set_elem_expr>().key &&
            it->as<set_elem_expr>().key->is(expr_kind::set)) {
            auto& inner = it->as<set_elem_expr>().key->as<set_expr>();
            s.set_flags |= inner.set_flags;
            for (auto& j : inner.items) out.push_back(std::move(j));
            continue;
        }
        if (it->is(expr_kind::set)) {
            auto& inner = it->as<set_expr>();
            s.set_flags |= inner.set_flags;
            for (auto& j : inner.items) out.push_back(std::move(j));
            continue;
        }
        if (!it->is_constant() && !it->is(expr_kind::set_elem_catchall) &&
            !(it->is(expr_kind::set_elem) && it->as<set_elem_expr>().key &&
              it->as<set_elem_expr>().key->is(expr_kind::set_elem_catchall))) {
            return error(it->loc, "Set member is not constant");
        }
        const expr* el = it->is(expr_kind::mapping) ? it->as<mapping_expr>().left.get() : it.get();
        if (!(el->flags & EXPR_F_SINGLETON) && !el->is(expr_kind::set_elem_catchall) &&
            !(el->is(expr_kind::set_elem) && el->as<set_elem_expr>().key->is(expr_kind::set_elem_catchall))) {
            s.set_flags |= NFT_SET_INTERVAL;
            if (el->is(expr_kind::set_elem) && el->as<set_elem_expr>().key->is(expr_kind::concat)) {
                s.set_flags |= NFT_SET_CONCAT;
            }
        }
        out.push_back(std::move(it));
    }
    s.items = std::move(out);
    if (cur_set && (cur_set->flags & NFT_SET_CONCAT)) s.set_flags |= NFT_SET_CONCAT;
    s.set_flags |= NFT_SET_CONSTANT;
    ectx = saved;
    s.dtype = ectx.dtype;
    s.len = ectx.len;
    s.flags |= EXPR_F_CONSTANT;
    return true;
}

bool evaluator::impl::mapping(expr_ptr& e) {
    auto& m = e->as<mapping_expr>();
    set* s = cur_set;
    if (s == nullptr) return error(m.loc, "mapping outside of map context");
    if (!s->is_map() && !(s->flags & NFT_SET_OBJECT)) return error(s->loc, "set is not a map");
    if (s->key) ectx.set(s->key->dtype, s->key->order, s->key->len);
    if (!eval(m.left)) return false;
    if (!m.left->is_constant() && !m.left->is(expr_kind::set_elem)) return error(m.left->loc, "Key must be a constant");
    m.flags |= m.left->flags & EXPR_F_SINGLETON;
    if (!s->data) return error(s->loc, "map has no mapping data");
    uint32_t datalen = s->data->len;
    if (!s->anonymous() && (s->data->flags & EXPR_F_INTERVAL)) datalen /= 2;
    ectx.set(s->data->dtype, s->data->order, datalen);
    if (!eval(m.right)) return false;
    if (!m.right->is_constant()) return error(m.right->loc, "Value must be a constant");
    const bool interval_data = m.right->is(expr_kind::range) || m.right->is(expr_kind::prefix) ||
                               (m.right->is(expr_kind::concat) &&
                                std::any_of(m.right->as<concat_expr>().items.begin(),
                                            m.right->as<concat_expr>().items.end(), [](const expr_ptr& x) {
                                                return x->is(expr_kind::range) || x->is(expr_kind::prefix);
                                            }));
    if (s->anonymous() && interval_data) s->data->flags |= EXPR_F_INTERVAL;
    if (!(s->data->flags & EXPR_F_INTERVAL) && !expr_is_singleton(*m.right) && !m.right->is(expr_kind::verdict)) {
        return error(m.right->loc, "Value must be a singleton");
    }
    if ((s->flags & NFT_SET_OBJECT) && !m.right->is(expr_kind::value)) {
        return error(m.right->loc, fmt::format("Object mapping data should be a value, not {}", expr_name(*m.right)));
    }
    if (s->is_map() && !(s->flags & NFT_SET_OBJECT) && !m.right->is(expr_kind::verdict)) {
        const expr* d = m.right.get();
        if (d->is(expr_kind::range)) d = d->as<range_expr>().left.get();
        if (!datatype_compatible(s->data->dtype, d->dtype)) {
            return error(m.right->loc, fmt::format("Element mapping mismatches map definition, expected {}, not '{}'",
                                                   s->data->dtype->desc, d->dtype ? d->dtype->desc : "invalid"));
        }
    }
    m.flags |= EXPR_F_CONSTANT;
    return true;
}

std::string evaluator::impl::next_anon_name(const char* fmt_) {
    // Unique in the table, like the kernel's names for anonymous sets.
    std::string f(fmt_);
    const auto pos = f.find("%d");
    const uint32_t n = tbl ? tbl->anon_gen++ : anon_counter++;
    return f.substr(0, pos) + std::to_string(n) + (pos == std::string::npos ? "" : f.substr(pos + 2));
}

expr_ptr evaluator::impl::implicit_set(const char* name_fmt, expr_ptr key, expr_ptr data, expr_ptr init, uint32_t flags,
                                       location l) {
    auto s = std::make_unique<set>();
    s->flags = flags;
    s->name = next_anon_name(name_fmt);
    s->loc = l;
    s->key = std::move(key);
    s->data = std::move(data);
    s->init = std::move(init);
    s->automerge = flags & NFT_SET_INTERVAL;
    if (!set_def(*s, true)) return nullptr;
    auto ref = std::make_unique<set_ref_expr>(l, s->name);
    ref->target = s.get();
    ref->dtype = s->key ? s->key->dtype : nullptr;
    ref->len = s->key ? s->key->len : 0;
    ref->flags |= EXPR_F_CONSTANT;
    adopt_set(std::move(s));
    return ref;
}

bool evaluator::impl::map(expr_ptr& e) {
    auto& m = e->as<map_expr>();
    const expr_ctx saved = ectx;
    auto check_ct = [&](const expr& x) {
        if (x.is(expr_kind::ct)) {
            const int k = x.as<ct_expr>().key;
            if ((k == CT_SRC || k == CT_DST) && x.as<ct_expr>().nfproto == 0) {
                return error(x.loc, "specify either ip or ip6 for address matching");
            }
        }
        return true;
    };
    if (!check_ct(*m.key)) return false;
    if (m.key->is(expr_kind::concat)) {
        for (const auto& i : m.key->as<concat_expr>().items) {
            if (!check_ct(*i)) return false;
        }
    }
    ectx.set(nullptr, byte_order::invalid, 0);
    if (!eval(m.key)) return false;
    if (m.key->is_constant()) return error(m.key->loc, "Map expression can not be constant");
    stmt_len = 0;
    switch (m.mappings->kind) {
    case expr_kind::set:
    case expr_kind::variable: {
        uint32_t set_flags = NFT_SET_MAP;
        if (m.mappings->is(expr_kind::set)) set_flags |= m.mappings->as<set_expr>().set_flags;
        if (m.mappings->is(expr_kind::variable)) {
            expr_ptr bound = m.mappings->as<variable_expr>().bound ? m.mappings->as<variable_expr>().bound->clone() : nullptr;
            if (!bound || !bound->is(expr_kind::set)) return error(m.mappings->loc, "Expression is not a map");
            m.mappings = std::move(bound);
            set_flags |= m.mappings->as<set_expr>().set_flags;
        }
        expr_ptr key;
        if (ectx.key && ectx.key->is(expr_kind::concat)) {
            key = ectx.key->clone();
        } else {
            key = std::make_unique<value_expr>(m.loc, ectx.dtype, ectx.order, ectx.len, 0);
        }
        if (!saved.dtype) return error(m.loc, "Implicit map expression without known datatype");
        expr_ptr data;
        if (saved.dtype->id == type_id::verdict) {
            data = std::make_unique<value_expr>(m.loc, &dt(type_id::verdict), byte_order::host, 0, 0);
        } else {
            data = std::make_unique<value_expr>(m.loc, saved.dtype, saved.order, saved.len, 0);
        }
        expr_ptr init = std::move(m.mappings);
        auto s = std::make_unique<set>();
        s->flags = NFT_SET_ANONYMOUS | set_flags;
        s->name = next_anon_name("__map%d");
        s->loc = m.loc;
        s->key = std::move(key);
        s->data = std::move(data);
        s->automerge = set_flags & NFT_SET_INTERVAL;
        set* sp = s.get();
        set* saved_set = cur_set;
        cur_set = sp;
        ectx.set(sp->key->dtype, sp->key->order, sp->key->len);
        ectx.key = sp->key.get();
        if (!eval(init)) {
            cur_set = saved_set;
            return false;
        }
        if (!init->is(expr_kind::set)) {
            cur_set = saved_set;
            return error(init->loc, "Expression is not a map");
        }
        sp->flags |= init->as<set_expr>().set_flags;
        sp->init = std::move(init);
        if (sp->data->flags & EXPR_F_INTERVAL) sp->data->len *= 2;
        cur_set = saved_set;
        if (!set_def(*sp, true)) return false;
        auto ref = std::make_unique<set_ref_expr>(m.loc, sp->name);
        ref->target = sp;
        ref->flags |= EXPR_F_CONSTANT;
        adopt_set(std::move(s));
        m.mappings = std::move(ref);
        break;
    }
    case expr_kind::symbol: {
        if (!eval(m.mappings)) return false;
        if (!m.mappings->is(expr_kind::set_ref) || !m.mappings->as<set_ref_expr>().target->is_map()) {
            return error(m.mappings->loc, "Expression is not a map");
        }
        break;
    }
    case expr_kind::set_ref:
        if (!m.mappings->as<set_ref_expr>().target->is_map()) return error(m.mappings->loc, "Expression is not a map");
        break;
    default:
        return error2(m.mappings->loc, m.key->loc,
                      fmt::format("invalid mapping expression {}", expr_name(*m.mappings)));
    }
    set* target = m.mappings->as<set_ref_expr>().target;
    if (!datatype_compatible(target->key->dtype, m.key->dtype)) {
        return error2(m.mappings->loc, m.key->loc,
                      fmt::format("datatype mismatch, map expects {}, mapping expression has type {}",
                                  target->key->dtype->desc, m.key->dtype ? m.key->dtype->desc : "invalid"));
    }
    m.dtype = target->data ? target->data->dtype : nullptr;
    m.len = target->data ? target->data->len : 0;
    m.flags |= EXPR_F_CONSTANT;
    ectx = saved;
    return true;
}

// ---- relational ----

namespace {

bool lhs_is_meta_hour(const expr& e) {
    return e.is(expr_kind::meta) &&
           (e.as<meta_expr>().key == META_TIME_HOUR || e.as<meta_expr>().key == META_TIME_DAY);
}

}  // namespace

bool evaluator::impl::relational(expr_ptr& e) {
    auto& rel = e->as<relational_expr>();
    if (rel.right->is(expr_kind::symbol) && rel.right->as<symbol_expr>().sym == symbol_kind::set) {
        if (!eval(rel.right)) return false;
    }
    // `fib ... oif missing`: a presence test, the result is a boolean.
    if (rel.left->is(expr_kind::fib) && rel.right->is(expr_kind::value) && rel.right->dtype &&
        rel.right->dtype->id == type_id::boolean) {
        constexpr uint32_t fib_present = 1u << 5;
        rel.left->as<fib_expr>().fib_flags |= fib_present;
    }
    if (!eval(rel.left)) return false;
    const expr_ctx left_ctx = ectx;
    if (lhs_is_meta_hour(*rel.left) && rel.right->is(expr_kind::range)) {
        auto& r = rel.right->as<range_expr>();
        if (!eval(r.left) || !eval(r.right)) return false;
        ectx = left_ctx;
        if (r.left->is(expr_kind::value) && r.right->is(expr_kind::value) &&
            r.left->as<value_expr>().value > r.right->as<value_expr>().value) {
            // A range across midnight matches outside the reversed range.
            std::swap(r.left, r.right);
            if (rel.oper == op::eq || rel.oper == op::implicit) {
                rel.oper = op::neq;
            } else if (rel.oper == op::neq) {
                rel.oper = op::eq;
            }
        }
    }
    if (!eval(rel.right)) return false;
    expr& left = *rel.left;
    expr& right = *rel.right;
    const std::string sym(rel.oper == op::implicit ? "implicit" : std::string(op_token(rel.oper)));
    if (!right.is_constant()) {
        return error2(right.loc, rel.loc,
                      fmt::format("Right hand side of relational expression ({}) must be constant", sym));
    }
    if (left.is_constant()) {
        return error2(left.loc, right.loc, fmt::format("Relational expression ({}) has constant value", sym));
    }
    if (!datatype_equal(left.dtype, right.dtype)) {
        return error2(right.loc, left.loc,
                      fmt::format("datatype mismatch, expected {}, expression has type {}",
                                  left.dtype ? left.dtype->desc : "invalid", right.dtype ? right.dtype->desc : "invalid"));
    }
    if (((left.is(expr_kind::meta) && left.as<meta_expr>().key == META_SECMARK) ||
         (left.is(expr_kind::ct) && left.as<ct_expr>().key == CT_SECMARK)) &&
        right.is_constant()) {
        return error2(right.loc, left.loc, "Cannot be used with right hand side constant value");
    }
    // A one-element set is just that element.
    if (!left.is(expr_kind::concat) && (rel.oper == op::eq || rel.oper == op::implicit || rel.oper == op::neq) &&
        right.is(expr_kind::set) && right.as<set_expr>().items.size() == 1) {
        auto& only = right.as<set_expr>().items.front();
        if (only->is(expr_kind::set_elem) && only->as<set_elem_expr>().stmts.empty()) {
            auto& k = only->as<set_elem_expr>().key;
            if (k->is(expr_kind::prefix) || k->is(expr_kind::range) || k->is(expr_kind::value)) {
                expr_ptr key = std::move(k);
                rel.right = std::move(key);
                const datatype* base = rel.right->dtype ? rel.right->dtype->basetype : nullptr;
                if (rel.oper == op::implicit && base && base->id == type_id::bitmask &&
                    rel.right->dtype->id != type_id::ct_state) {
                    rel.oper = op::eq;
                }
            }
        }
    }
    expr& r = *rel.right;
    switch (rel.oper) {
    case op::eq:
    case op::implicit:
        relational_pctx_update(pctx(), rel);
        [[fallthrough]];
    case op::neq:
    case op::neg:
        if (rel.oper == op::neg) {
            if (left.is(expr_kind::binop)) {
                return error2(left.loc, r.loc, "cannot combine negation with binary expression");
            }
            const datatype* base = r.dtype ? r.dtype->basetype : nullptr;
            if (!r.is(expr_kind::value) || !base || base->id != type_id::bitmask) {
                return error2(left.loc, r.loc,
                              "negation can only be used with singleton bitmask values.  Did you mean \"!=\"?");
            }
        }
        switch (r.kind) {
        case expr_kind::range:
        case expr_kind::prefix:
        case expr_kind::value:
            break;
        case expr_kind::set: {
            if (r.as<set_expr>().items.empty()) return error(r.loc, "Set is empty");
            const uint32_t flags = r.as<set_expr>().set_flags | NFT_SET_ANONYMOUS;
            expr_ptr init = std::move(rel.right);
            expr_ptr ref = implicit_set("__set%d", rel.left->clone(), nullptr, std::move(init), flags, rel.loc);
            if (!ref) return false;
            rel.right = std::move(ref);
            [[fallthrough]];
        }
        case expr_kind::set_ref:
            if (rel.left->is(expr_kind::ct)) {
                const int k = rel.left->as<ct_expr>().key;
                if ((k == CT_SRC || k == CT_DST) && rel.left->as<ct_expr>().nfproto == 0) {
                    return error(rel.left->loc, "specify either ip or ip6 for address matching");
                }
            }
            if (rel.oper == op::eq || rel.oper == op::implicit) relational_pctx_update(pctx(), rel);
            break;
        case expr_kind::concat:
            return error2(left.loc, r.loc, "Use concatenations with sets and maps, not singleton values");
        default:
            break;
        }
        break;
    case op::lt:
    case op::gt:
    case op::lte:
    case op::gte:
        if (left.is(expr_kind::concat)) {
            return error2(left.loc, rel.loc,
                          fmt::format("Relational expression ({}) is undefined for {} expressions", sym, expr_name(left)));
        }
        if (!expr_is_singleton(r)) {
            return error2(r.loc, rel.loc,
                          fmt::format("Relational expression ({}) is undefined for {} expressions", sym, expr_name(r)));
        }
        break;
    default:
        return error(rel.loc, "invalid relational operation");
    }
    // Invertible operations move to the constant side: `ct mark xor 0x23 == 0x11` is
    // `ct mark == 0x32`.
    if (rel.left->is(expr_kind::binop)) {
        auto& b = rel.left->as<binop_expr>();
        if (b.right->is(expr_kind::value) && rel.right->is(expr_kind::value) &&
            (rel.oper == op::eq || rel.oper == op::implicit || rel.oper == op::neq)) {
            auto& v = rel.right->as<value_expr>();
            const u128 k = b.right->as<value_expr>().value;
            const uint32_t len = b.left->len;
            bool transfer = false;
            switch (b.oper) {
            case op::bxor:
                v.value = (v.value ^ k) & mask_bits(len);
                transfer = true;
                break;
            case op::lshift: {
                const unsigned shift = static_cast<unsigned>(k);
                if (v.value != 0 && (v.value & mask_bits(shift)) != 0) {
                    return error2(rel.right->loc, rel.left->loc, "Comparison is always false");
                }
                v.value >>= shift;
                transfer = true;
                break;
            }
            default:
                break;
            }
            if (transfer) {
                expr_ptr inner = std::move(b.left);
                v.dtype = inner->dtype;
                v.len = inner->len;
                rel.left = std::move(inner);
            }
        }
    }
    return true;
}

}  // namespace nfqwall::front

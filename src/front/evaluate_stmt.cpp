// Statement evaluation: each statement's arguments typed against what it sets or uses, the
// family and protocol checks nft makes, and the dependencies some statements need
// (`reject with tcp reset` implies `meta l4proto tcp`). Modelled on nftables' evaluate.c.
#include <algorithm>

#include "front/evaluate_impl.hpp"

namespace nfqwall::front {

namespace {

constexpr uint32_t obj_name_bits = 256 * 8;   // NFT_OBJ_MAXNAMELEN
constexpr uint32_t log_prefix_max = 127;       // NF_LOG_PREFIXLEN - 1
// The size a set updated from the packet path gets when it has none (as the kernel lists it).
constexpr uint32_t default_dynamic_set_size = 65535;

bool is_terminal(const stmt& s) {
    switch (s.kind) {
    case stmt_kind::verdict: {
        const expr& e = *s.as<verdict_stmt>().e;
        return e.is(expr_kind::verdict) && e.as<verdict_expr>().code != verdict_code::cont;
    }
    case stmt_kind::reject:
    case stmt_kind::nat:
    case stmt_kind::fwd:
    case stmt_kind::queue:
        return true;
    default:
        return false;
    }
}

bool is_stateful(const stmt& s) {
    switch (s.kind) {
    case stmt_kind::counter:
    case stmt_kind::limit:
    case stmt_kind::quota:
    case stmt_kind::connlimit:
    case stmt_kind::last:
        return true;
    default:
        return false;
    }
}

std::string_view stmt_name(const stmt& s) {
    switch (s.kind) {
    case stmt_kind::nat:
        switch (s.as<nat_stmt>().type) {
        case nat_type::snat: return "snat";
        case nat_type::dnat: return "dnat";
        case nat_type::masquerade: return "masq";
        case nat_type::redirect: return "redir";
        }
        return "nat";
    case stmt_kind::tproxy: return "tproxy";
    case stmt_kind::meta: return "meta";
    case stmt_kind::ct: return "ct";
    case stmt_kind::payload: return "payload";
    case stmt_kind::exthdr: return "exthdr";
    case stmt_kind::dup: return "dup";
    case stmt_kind::fwd: return "fwd";
    case stmt_kind::queue: return "queue";
    default: return "statement";
    }
}

const datatype* addr_type_for(int nfproto) {
    if (nfproto == static_cast<int>(family::ipv4)) return &dt(type_id::ipaddr);
    if (nfproto == static_cast<int>(family::ipv6)) return &dt(type_id::ip6addr);
    return nullptr;
}

// The ip version a map key implies (`ip saddr map {...}` ⇒ IPv4).
void family_infer(const expr& e, int& nfproto) {
    if (!e.is(expr_kind::map)) return;
    const expr& key = *e.as<map_expr>().key;
    auto from_payload = [&](const expr& p) {
        if (!p.is(expr_kind::payload)) return;
        const proto_desc* d = p.as<payload_expr>().desc;
        if (d == proto_lookup(proto_id::ip)) nfproto = static_cast<int>(family::ipv4);
        if (d == proto_lookup(proto_id::ip6)) nfproto = static_cast<int>(family::ipv6);
    };
    if (key.is(expr_kind::concat)) {
        for (const auto& i : key.as<concat_expr>().items) from_payload(*i);
    } else {
        from_payload(key);
    }
}

// Does a NAT map key carry a transport header field (so a port mapping needs no match)?
bool map_key_has_transport(const expr* e) {
    if (e == nullptr || !e->is(expr_kind::map)) return false;
    const expr& key = *e->as<map_expr>().key;
    if (!key.is(expr_kind::concat)) return false;
    for (const auto& i : key.as<concat_expr>().items) {
        if (i->is(expr_kind::payload)) {
            const auto& p = i->as<payload_expr>();
            if (p.base == proto_base::transport && p.desc != proto_lookup(proto_id::th)) return true;
        }
        if (!(i->flags & EXPR_F_PROTOCOL)) continue;
        proto_base base = proto_base::invalid;
        if (i->is(expr_kind::meta)) base = i->as<meta_expr>().base;
        if (i->is(expr_kind::payload)) base = i->as<payload_expr>().base;
        if (base == proto_base::network) return true;
    }
    return false;
}

// Settable meta keys (the kernel's nft_meta_set_init).
bool meta_key_settable(int key) {
    switch (key) {
    case META_MARK:
    case META_PRIORITY:
    case META_PKTTYPE:
    case META_NFTRACE:
    case META_SECMARK:
    case META_BRI_BROUTE:
        return true;
    default:
        return false;
    }
}

bool ct_key_settable(int key) {
    switch (key) {
    case CT_MARK:
    case CT_SECMARK:
    case CT_LABELS:
    case CT_ZONE:
    case CT_EVENTMASK:
        return true;
    default:
        return false;
    }
}

}  // namespace

// ---- rules ----

bool evaluator::impl::rule_(rule& r, table& t, chain* c) {
    rule* saved_rule = cur_rule;
    chain* saved_chain = cur_chain;
    const size_t saved_index = stmt_index;
    const auto saved_pctx = pctx_store;
    const proto_desc* saved_inner = inner_desc;
    const expr_ctx saved_ectx = ectx;

    cur_rule = &r;
    cur_chain = c;
    tbl = &t;
    pctx_store[0].init(t.fam);
    pctx_store[1].init(family::bridge, true);
    inner_desc = nullptr;
    ectx = {};

    bool ok = true;
    const stmt* terminal = nullptr;
    for (stmt_index = 0; stmt_index < r.stmts.size(); ++stmt_index) {
        stmt& s = *r.stmts[stmt_index];
        if (terminal != nullptr) {
            ok = error2(s.loc, terminal->loc, "Statement after terminal statement has no effect");
            break;
        }
        if (!stmt_(s)) {
            ok = false;
            break;
        }
        // stmt_ may have inserted dependencies before s: find s again.
        stmt& done = *r.stmts[stmt_index];
        if (is_terminal(done)) terminal = &done;
        inner_desc = nullptr;
    }

    cur_rule = saved_rule;
    cur_chain = saved_chain;
    stmt_index = saved_index;
    pctx_store = saved_pctx;
    inner_desc = saved_inner;
    ectx = saved_ectx;
    return ok;
}

bool evaluator::impl::stmt_(stmt& s) {
    stmt_len = 0;
    switch (s.kind) {
    case stmt_kind::counter:
    case stmt_kind::last:
    case stmt_kind::quota:
    case stmt_kind::connlimit:
    case stmt_kind::notrack:
    case stmt_kind::flow_offload:
        return true;
    case stmt_kind::limit:
        return limit_(s.as<limit_stmt>());
    case stmt_kind::expr: {
        ectx = {};
        auto& es = s.as<expr_stmt>();
        if (!eval(es.e)) return false;
        if (!es.e->is(expr_kind::relational)) return error(es.e->loc, "expression is not a match");
        return true;
    }
    case stmt_kind::verdict: return verdict_stmt_(s.as<verdict_stmt>());
    case stmt_kind::payload: return payload_stmt_(s.as<payload_stmt>());
    case stmt_kind::exthdr: return exthdr_stmt_(s.as<exthdr_stmt>());
    case stmt_kind::meta: return meta_stmt_(s.as<meta_stmt>());
    case stmt_kind::ct: return ct_stmt_(s.as<ct_stmt>());
    case stmt_kind::log: return log_(s.as<log_stmt>());
    case stmt_kind::reject: return reject_(s.as<reject_stmt>());
    case stmt_kind::nat: return nat_(s.as<nat_stmt>());
    case stmt_kind::tproxy: return tproxy_(s.as<tproxy_stmt>());
    case stmt_kind::queue: return queue_(s.as<queue_stmt>());
    case stmt_kind::dup: return dup_(s.as<dup_stmt>());
    case stmt_kind::fwd: return fwd_(s.as<fwd_stmt>());
    case stmt_kind::set: return set_stmt_(s.as<set_stmt>());
    case stmt_kind::map: return map_stmt_(s.as<map_stmt>());
    case stmt_kind::meter: return meter_(cur_rule->stmts[stmt_index]);
    case stmt_kind::objref: return objref_(s.as<objref_stmt>());
    case stmt_kind::chain: return chain_stmt_(s.as<chain_stmt>());
    case stmt_kind::synproxy: {
        const auto& sp = s.as<synproxy_stmt>();
        if (sp.wscale > 14) return error(s.loc, "synproxy wscale must be at most 14");
        return true;
    }
    case stmt_kind::optstrip: {
        auto& o = s.as<optstrip_stmt>();
        ectx = {};
        return eval(o.e);
    }
    default:
        return error(s.loc, "unknown statement");
    }
}

bool evaluator::impl::stateful(stmt& s, const char* where) {
    if (!stmt_(s)) return false;
    if (!is_stateful(s)) return error(s.loc, fmt::format("{} statement must be stateful", where));
    return true;
}

bool evaluator::impl::limit_(limit_stmt& l) {
    if (l.rate == 0) return error(l.loc, "limit rate must be > 0");
    return true;
}

// ---- arguments ----

bool evaluator::impl::stmt_arg(stmt& s, const datatype* t, uint32_t len, byte_order o, expr_ptr& e) {
    ectx.set(t, o, len);
    if (!eval(e)) return false;
    return stmt_arg_checks(s, t, len, o, e);
}

bool evaluator::impl::stmt_arg_checks(stmt& s, const datatype* t, uint32_t len, byte_order, expr_ptr& e) {
    const datatype* base = t ? t->root() : nullptr;
    if (e->is(expr_kind::payload) && e->dtype && e->dtype->id == type_id::integer &&
        ((base && base->id != type_id::integer) || e->len != len)) {
        return error2(e->loc, s.loc,
                      fmt::format("datatype mismatch: expected {}, expression has type {} with length {}",
                                  t ? t->desc : "invalid", e->dtype->desc, e->len));
    }
    if (!datatype_compatible(t, e->dtype)) {
        return error2(e->loc, s.loc,
                      fmt::format("datatype mismatch: expected {}, expression has type {}", t ? t->desc : "invalid",
                                  e->dtype ? e->dtype->desc : "invalid"));
    }
    switch (e->kind) {
    case expr_kind::set:
        return error2(e->loc, s.loc, "you cannot use a set here, unknown value to use");
    case expr_kind::set_ref:
        return error2(e->loc, s.loc, "you cannot reference a set here, unknown value to use");
    case expr_kind::prefix: {
        // A prefix as a value to set: the range of addresses it covers.
        auto& p = e->as<prefix_expr>();
        if (!p.prefix->is(expr_kind::value)) {
            return error(p.loc, fmt::format("you cannot specify a prefix here, unknown type {}",
                                            p.prefix->dtype ? p.prefix->dtype->name : "invalid"));
        }
        const datatype* root = expr_basetype(*p.prefix);
        if (!root || root->id != type_id::integer) return error(p.loc, "Prefix expression expected integer value");
        const auto& v = p.prefix->as<value_expr>();
        const uint32_t host_bits = v.len - p.prefix_len;
        const u128 low = v.value & ~mask_bits(host_bits);
        const u128 high = low | mask_bits(host_bits);
        auto lo = std::make_unique<value_expr>(v.loc, v.dtype, v.order, v.len, low);
        auto hi = std::make_unique<value_expr>(v.loc, v.dtype, v.order, v.len, high);
        auto r = std::make_unique<range_expr>(p.loc, std::move(lo), std::move(hi));
        r->dtype = v.dtype;
        r->order = v.order;
        r->len = v.len;
        r->flags |= EXPR_F_CONSTANT;
        e = std::move(r);
        return true;
    }
    default:
        return true;
    }
}

// ---- verdicts ----

bool evaluator::impl::verdict_stmt_(verdict_stmt& s) {
    ectx.set(&dt(type_id::verdict), byte_order::invalid, 0);
    if (!eval(s.e)) return false;
    if (!s.e->is(expr_kind::verdict) && !s.e->is(expr_kind::map)) {
        return error(s.e->loc, fmt::format("invalid verdict expression {}", expr_name(*s.e)));
    }
    if (s.e->is(expr_kind::map)) {
        const auto& m = s.e->as<map_expr>();
        const set* target = m.mappings->is(expr_kind::set_ref) ? m.mappings->as<set_ref_expr>().target : nullptr;
        if (target && target->data && target->data->dtype && target->data->dtype->id != type_id::verdict) {
            return error2(m.mappings->loc, s.loc,
                          fmt::format("datatype mismatch: expected verdict, expression has type {}",
                                      target->data->dtype->desc));
        }
        return true;
    }
    auto& v = s.e->as<verdict_expr>();
    if (v.chain && !v.chain->is(expr_kind::value)) return error(v.chain->loc, "not a value expression");
    return true;
}

// ---- header writes ----

bool evaluator::impl::payload_stmt_(payload_stmt& s) {
    auto& dest = s.dest->as<payload_expr>();
    if (dest.inner_desc) return error(dest.loc, "payload statement for this expression is not supported");
    in_stmt_payload = true;
    const bool ok = eval(s.dest);
    in_stmt_payload = false;
    if (!ok) return false;
    const expr& p = *s.dest;
    stmt_len = p.len;
    if (!stmt_arg(s, p.dtype, p.len, p.order, s.value)) return false;
    if (s.value->is(expr_kind::range)) return error2((*s.value).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
    constexpr uint32_t max_uneven_bytes = 16;
    const uint32_t shift = p.as<payload_expr>().offset % 8;
    const uint32_t bytes = (p.len + shift + 7) / 8;
    if (bytes > max_uneven_bytes && (p.len % 8 != 0 || shift != 0)) {
        return error(p.loc, fmt::format("uneven load cannot span more than {} bytes, got {}", max_uneven_bytes, bytes));
    }
    return true;
}

bool evaluator::impl::exthdr_stmt_(exthdr_stmt& s) {
    if (!eval(s.dest)) return false;
    const expr& x = *s.dest;
    if (x.as<exthdr_expr>().present) return error(x.loc, "cannot set the presence of an extension header");
    if (!stmt_arg(s, x.dtype, x.len, byte_order::big, s.value)) return false;
    if (s.value->is(expr_kind::range)) return error2((*s.value).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
    return true;
}

bool evaluator::impl::meta_stmt_(meta_stmt& s) {
    const meta_template* t = meta_lookup(s.key);
    if (t == nullptr) return error(s.loc, "unknown meta key");
    if (!meta_key_settable(s.key)) {
        return error(s.loc, fmt::format("meta {} cannot be set: Operation not supported", t->token));
    }
    if (s.key == META_BRI_BROUTE && pctx().fam != family::bridge) {
        return error(s.loc, "meta broute is only valid in the bridge family");
    }
    stmt_len = t->len;
    if (!stmt_arg(s, t->dtype, t->len, t->order, s.value)) return false;
    if (s.value->is(expr_kind::range)) return error2((*s.value).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
    return true;
}

bool evaluator::impl::ct_stmt_(ct_stmt& s) {
    const ct_template* t = ct_lookup(s.key);
    if (t == nullptr) return error(s.loc, "unknown ct key");
    if (!ct_key_settable(s.key)) {
        return error(s.loc, fmt::format("ct {} cannot be set: Operation not supported", t->token));
    }
    if (s.direction >= 0 && s.key != CT_ZONE) {
        return error(s.loc, fmt::format("ct {} cannot be set in one direction: Invalid argument", t->token));
    }
    stmt_len = t->len;
    if (!stmt_arg(s, t->dtype, t->len, t->order, s.value)) return false;
    if (s.key == CT_SECMARK && s.value->is_constant()) {
        return error(s.loc, "ct secmark must not be set to constant value");
    }
    if (s.value->is(expr_kind::range)) return error2((*s.value).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
    return true;
}

// ---- reject ----

namespace {

constexpr uint8_t icmp_port_unreach = 3;
constexpr uint8_t icmp6_port_unreach = 4;
constexpr uint8_t icmpx_port_unreach = 1;

// The network protocol number `desc` has on top of the link layer (NFPROTO or ethertype).
int network_number(const proto_ctx& pc, const proto_desc* desc) {
    const proto_desc* base = pc.at(proto_base::ll).desc;
    u128 num = 0;
    if (base == nullptr || desc == nullptr || !base->find_num(desc, num)) return -1;
    return static_cast<int>(num);
}

constexpr int eth_p_ip = 0x0800;
constexpr int eth_p_ipv6 = 0x86dd;

}  // namespace

bool evaluator::impl::reject_(reject_stmt& s) {
    proto_ctx& pc = pctx();
    const int v4 = static_cast<int>(family::ipv4);
    const int v6 = static_cast<int>(family::ipv6);
    if (!s.explicit_with) {
        // The default: port unreachable for the family the rule matches.
        switch (pc.fam) {
        case family::ipv4:
        case family::ipv6:
            s.type = reject_type::icmp_unreach;
            s.family = static_cast<int>(pc.fam);
            s.icmp_code = pc.fam == family::ipv4 ? icmp_port_unreach : icmp6_port_unreach;
            break;
        case family::inet:
        case family::bridge:
        case family::netdev: {
            const proto_desc* nh = pc.at(proto_base::network).desc;
            if (nh == nullptr) {
                s.type = reject_type::icmpx_unreach;
                s.icmp_code = icmpx_port_unreach;
                break;
            }
            s.type = reject_type::icmp_unreach;
            const int num = network_number(pc, nh);
            if (num == v4 || num == eth_p_ip) {
                s.family = v4;
                s.icmp_code = icmp_port_unreach;
            } else if (num == v6 || num == eth_p_ipv6) {
                s.family = v6;
                s.icmp_code = icmp6_port_unreach;
            }
            break;
        }
        default:
            break;
        }
    } else if (s.code) {
        const datatype* t = s.code->dtype;
        ectx.set(t, byte_order::host, 8);
        if (!eval(s.code)) return false;
        if (!s.code->is(expr_kind::value)) return error(s.code->loc, "reject code must be a constant");
        const u128 v = s.code->as<value_expr>().value;
        if (v > 255) return error(s.code->loc, "reject code must be integer in range 0-255");
        s.icmp_code = static_cast<int>(v);
    } else if (s.type == reject_type::tcp_rst) {
        const proto_desc* th = pc.at(proto_base::transport).desc;
        if (th != nullptr) {
            const proto_desc* base = pc.at(proto_base::network).desc;
            if (base == nullptr) base = proto_lookup(proto_id::inet_service);
            u128 num = 0;
            if (!base->find_num(th, num) || num != 6) {
                return error2(s.loc, pc.at(proto_base::transport).loc, "you cannot use tcp reset with this protocol");
            }
        }
    }

    const location code_loc = s.code ? s.code->loc : s.loc;
    auto gen_dependency = [&]() -> bool {
        std::unique_ptr<payload_expr> p;
        if (s.type == reject_type::tcp_rst) {
            if (pc.at(proto_base::transport).desc != nullptr) return true;
            p = make_payload(s.loc, proto_lookup(proto_id::tcp), -1);
        } else if (s.type == reject_type::icmp_unreach) {
            if (pc.at(proto_base::network).desc != nullptr) return true;
            if (s.icmp_code < 0) return error(s.loc, "missing icmp error type");
            p = s.family == v4 ? make_payload(s.loc, proto_lookup(proto_id::ip), -1)
                               : make_payload(s.loc, proto_lookup(proto_id::ip6), -1);
        } else {
            return true;
        }
        // Unlike payload dependencies this goes first, so that `log ... reject with tcp
        // reset` only logs what it rejects.
        const size_t before = cur_rule ? cur_rule->stmts.size() : 0;
        const size_t saved_index = stmt_index;
        stmt_index = 0;
        const bool ok = gen_payload_dependency(*p);
        const size_t added = (cur_rule ? cur_rule->stmts.size() : 0) - before;
        stmt_index = saved_index + added;
        return ok;
    };

    switch (pc.fam) {
    case family::arp:
        return error(s.loc, "cannot use reject with arp");
    case family::ipv4:
    case family::ipv6:
        switch (s.type) {
        case reject_type::tcp_rst:
            if (!gen_dependency()) return false;
            break;
        case reject_type::icmpx_unreach:
            return error2(code_loc, s.loc, "abstracted ICMP unreachable not supported");
        case reject_type::icmp_unreach:
            if (s.family != static_cast<int>(pc.fam)) {
                return error2(code_loc, s.loc, "conflicting protocols specified: ip vs ip6");
            }
            break;
        default:
            break;
        }
        break;
    case family::bridge:
    case family::netdev: {
        const proto_desc* ll = pc.at(proto_base::ll).desc;
        if (ll != proto_lookup(proto_id::eth) && ll != proto_lookup(proto_id::vlan) &&
            ll != proto_lookup(proto_id::netdev)) {
            return error(s.loc, "cannot reject from this link layer protocol");
        }
        const proto_desc* nh = pc.at(proto_base::network).desc;
        if (nh != nullptr) {
            const int num = network_number(pc, nh);
            if (s.type == reject_type::icmp_unreach) {
                if (num == eth_p_ip && s.family != v4) {
                    return error2(code_loc, pc.at(proto_base::network).loc, "conflicting protocols specified: ip vs ip6");
                }
                if (num == eth_p_ipv6 && s.family != v6) {
                    return error2(code_loc, pc.at(proto_base::network).loc, "conflicting protocols specified: ip vs ip6");
                }
            }
            if (num != eth_p_ip && num != eth_p_ipv6) {
                return error2(s.loc, pc.at(proto_base::network).loc, "cannot reject this network family");
            }
        }
        if (s.type != reject_type::icmpx_unreach && !gen_dependency()) return false;
        break;
    }
    case family::inet: {
        const proto_desc* nh = pc.at(proto_base::network).desc;
        if (nh != nullptr && s.type == reject_type::icmp_unreach) {
            const int num = network_number(pc, nh);
            if (num == v4 || num == eth_p_ip) {
                if (s.family != v4) {
                    return error2(code_loc, pc.at(proto_base::network).loc, "conflicting protocols specified: ip vs ip6");
                }
            } else if (num == v6 || num == eth_p_ipv6) {
                if (s.family != v6) {
                    return error2(code_loc, pc.at(proto_base::network).loc, "conflicting protocols specified: ip vs ip6");
                }
            } else {
                return error(s.loc, "cannot infer ICMP reject variant to use: explicit value required.");
            }
        }
        if (s.type != reject_type::icmpx_unreach && !gen_dependency()) return false;
        break;
    }
    default:
        break;
    }
    return true;
}

// ---- NAT ----

bool evaluator::impl::nat_(nat_stmt& s) {
    proto_ctx& pc = pctx();
    const int v4 = static_cast<int>(family::ipv4);
    const int v6 = static_cast<int>(family::ipv6);
    const int inet = static_cast<int>(family::inet);
    const std::string name(stmt_name(s));

    switch (pc.fam) {
    case family::ipv4:
    case family::ipv6:
        if (s.family == 0) s.family = static_cast<int>(pc.fam);
        break;
    case family::inet:
        if (!s.addr) {
            s.family = inet;
        } else if (s.family == 0) {
            const proto_desc* nh = pc.at(proto_base::network).desc;
            if (nh == proto_lookup(proto_id::ip)) s.family = v4;
            else if (nh == proto_lookup(proto_id::ip6)) s.family = v6;
        }
        break;
    default:
        return error(s.loc, "NAT is only supported for IPv4/IPv6");
    }

    auto check_l3 = [&](int fam) -> bool {
        const proto_desc* nh = pc.at(proto_base::network).desc;
        if ((nh == proto_lookup(proto_id::ip) && fam != v4) || (nh == proto_lookup(proto_id::ip6) && fam != v6)) {
            return error2(s.loc, pc.at(proto_base::network).loc,
                          fmt::format("conflicting protocols specified: {} vs. {}. You must specify ip or ip6 family "
                                      "in {} statement",
                                      nh->name, family_name(static_cast<family>(fam)), name));
        }
        return true;
    };

    auto transport = [&](expr_ptr& e) -> bool {
        if (!stmt_arg(s, &dt(type_id::inet_service), 16, byte_order::big, e)) return false;
        if (pc.at(proto_base::transport).desc == nullptr && !map_key_has_transport(s.addr.get())) {
            return error2(e->loc, s.loc, "transport protocol mapping is only valid after transport protocol match");
        }
        return true;
    };

    if (s.addr) {
        if (!check_l3(s.family)) return false;
        // `dnat ip to ip saddr . tcp dport map { ... : 10.0.0.1 . 80 }`: address and port from one map.
        bool concat_map = s.type_flags & STMT_NAT_F_CONCAT;
        if (!concat_map && s.addr->is(expr_kind::map)) {
            auto& m = s.addr->as<map_expr>();
            if (m.mappings->is(expr_kind::set)) {
                for (const auto& i : m.mappings->as<set_expr>().items) {
                    if (i->is(expr_kind::mapping) && i->as<mapping_expr>().right->is(expr_kind::concat)) {
                        concat_map = true;
                        break;
                    }
                }
            } else if (m.mappings->is(expr_kind::symbol)) {
                if (!eval(m.mappings)) return false;
                const set* target = m.mappings->as<set_ref_expr>().target;
                if (!target || !target->is_map()) return error(m.mappings->loc, "Expression is not a map");
                if (target->data && (target->data->is(expr_kind::concat) ||
                                     (target->data->dtype && target->data->dtype->is_concat()))) {
                    concat_map = true;
                }
            }
        }
        if (concat_map) {
            s.type_flags |= STMT_NAT_F_CONCAT;
            if (s.proto) return error2(s.loc, s.proto->loc, "nat map and protocol are mutually exclusive");
            if (s.family == inet) family_infer(*s.addr, s.family);
            const datatype* at = addr_type_for(s.family);
            if (at == nullptr) {
                return error(s.loc, fmt::format("specify `{0} ip' or '{0} ip6' in {1} table to disambiguate", name,
                                                family_name(pc.fam)));
            }
            const datatype* pair = concat_type({at, &dt(type_id::inet_service)});
            ectx.set(pair, byte_order::invalid, pair->size);
            if (!eval(s.addr)) return false;
            if (pc.at(proto_base::transport).desc == nullptr && !map_key_has_transport(s.addr.get())) {
                return error2(s.addr->loc, s.loc, "transport protocol mapping is only valid after transport protocol match");
            }
            if (s.addr->is(expr_kind::map)) {
                const auto& m = s.addr->as<map_expr>();
                const set* target = m.mappings->as<set_ref_expr>().target;
                if (target && target->data && (target->data->flags & EXPR_F_INTERVAL)) {
                    s.type_flags |= STMT_NAT_F_INTERVAL;
                }
            }
            return true;
        }
        if (pc.fam == family::inet) {
            if (s.family == inet || s.family == 0) family_infer(*s.addr, s.family);
            const datatype* at = addr_type_for(s.family);
            if (at == nullptr) {
                return error(s.loc, fmt::format("specify `{0} ip' or '{0} ip6' in {1} table to disambiguate", name,
                                                family_name(pc.fam)));
            }
            if (!stmt_arg(s, at, at->size, byte_order::big, s.addr)) return false;
        } else {
            const datatype* at = addr_type_for(static_cast<int>(pc.fam));
            if (!stmt_arg(s, at, at->size, byte_order::big, s.addr)) return false;
        }
        if (s.addr->is(expr_kind::map)) {
            const auto& m = s.addr->as<map_expr>();
            const set* target = m.mappings->as<set_ref_expr>().target;
            if (target && target->data && (target->data->flags & EXPR_F_INTERVAL)) {
                s.type_flags |= STMT_NAT_F_INTERVAL;
            }
        }
        if (s.type_flags & STMT_NAT_F_PREFIX) {
            // `snat prefix to 10.0.0.0/24`: one-to-one mapping of the prefix.
            s.flags |= NF_NAT_RANGE_NETMAP;
        }
    }
    if (s.proto) {
        if (!transport(s.proto)) return false;
        s.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    }
    return true;
}

bool evaluator::impl::tproxy_(tproxy_stmt& s) {
    proto_ctx& pc = pctx();
    const int v4 = static_cast<int>(family::ipv4);
    const int v6 = static_cast<int>(family::ipv6);
    switch (pc.fam) {
    case family::ipv4:
    case family::ipv6:
        if (s.family == 0) s.family = static_cast<int>(pc.fam);
        break;
    case family::inet:
        break;
    default:
        return error(s.loc, "tproxy is only supported for IPv4/IPv6/INET");
    }
    if (pc.at(proto_base::transport).desc == nullptr) {
        return error(s.loc, "Transparent proxy support requires transport protocol match");
    }
    if (!s.addr && !s.port) return error(s.loc, "Either address or port must be specified!");
    const proto_desc* nh = pc.at(proto_base::network).desc;
    if ((nh == proto_lookup(proto_id::ip) && s.family != v4 && s.family != 0) ||
        (nh == proto_lookup(proto_id::ip6) && s.family != v6 && s.family != 0)) {
        return error2(s.loc, pc.at(proto_base::network).loc,
                      fmt::format("conflicting protocols specified: {} vs. {}. You must specify ip or ip6 family in "
                                  "tproxy statement",
                                  nh->name, family_name(static_cast<family>(s.family))));
    }
    if (s.addr) {
        const datatype* at = addr_type_for(pc.fam == family::inet ? s.family : static_cast<int>(pc.fam));
        if (at == nullptr) return error(s.loc, "specify `tproxy ip' or 'tproxy ip6' in inet table to disambiguate");
        if (!stmt_arg(s, at, at->size, byte_order::big, s.addr)) return false;
        if (s.addr->is(expr_kind::range)) return error(s.loc, "Address ranges are not supported for tproxy.");
    }
    if (s.port) {
        if (!stmt_arg(s, &dt(type_id::inet_service), 16, byte_order::big, s.port)) return false;
        if (s.port->is(expr_kind::range)) return error(s.loc, "Port ranges are not supported for tproxy.");
    }
    return true;
}

// ---- queue, dup, fwd, log ----

bool evaluator::impl::queue_(queue_stmt& s) {
    if (!s.queue) return true;
    if (!stmt_arg(s, &dt(type_id::integer), 16, byte_order::host, s.queue)) return false;
    if ((s.flags & NFT_QUEUE_FLAG_CPU_FANOUT) && !s.queue->is(expr_kind::range)) {
        return error(s.queue->loc, "fanout requires a range to be specified");
    }
    if (ectx.maxval > 0xffff) return error(s.queue->loc, "queue expression max value exceeds 65535");
    return true;
}

bool evaluator::impl::dup_(dup_stmt& s) {
    const family f = pctx().fam;
    switch (f) {
    case family::ipv4:
    case family::ipv6: {
        if (!s.to) return error(s.loc, "missing destination address");
        const datatype* at = addr_type_for(static_cast<int>(f));
        if (!stmt_arg(s, at, at->size, byte_order::big, s.to)) return false;
        if (s.dev) {
            if (!stmt_arg(s, &dt(type_id::ifindex), 32, byte_order::host, s.dev)) return false;
            if (s.dev->is(expr_kind::range)) return error2((*s.dev).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
        }
        break;
    }
    case family::netdev:
        if (!s.to) return error(s.loc, "missing destination interface");
        if (s.dev) return error(s.loc, "cannot specify device");
        if (!stmt_arg(s, &dt(type_id::ifindex), 32, byte_order::host, s.to)) return false;
        break;
    default:
        return error(s.loc, "unsupported family");
    }
    if (s.to->is(expr_kind::range)) return error2((*s.to).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
    return true;
}

bool evaluator::impl::fwd_(fwd_stmt& s) {
    if (pctx().fam != family::netdev) return error(s.loc, "unsupported family");
    if (!s.dev) return error(s.loc, "missing destination interface");
    if (!stmt_arg(s, &dt(type_id::ifindex), 32, byte_order::host, s.dev)) return false;
    if (s.dev->is(expr_kind::range)) return error2((*s.dev).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
    if (s.addr) {
        const datatype* at = addr_type_for(s.family);
        if (at == nullptr) return error(s.loc, "missing family");
        if (!stmt_arg(s, at, at->size, byte_order::big, s.addr)) return false;
        if (s.addr->is(expr_kind::range)) return error2((*s.addr).loc, s.loc, fmt::format("{} statement does not support range", stmt_name(s)));
    }
    return true;
}

bool evaluator::impl::log_(log_stmt& s) {
    constexpr uint32_t level_audit = 8;
    if (s.set_flags & (LOG_F_GROUP | LOG_F_SNAPLEN | LOG_F_QTHRESHOLD)) {
        if (s.set_flags & LOG_F_LEVEL) return error(s.loc, "level and group are mutually exclusive");
        if (s.logflags) return error(s.loc, "flags and group are mutually exclusive");
    }
    if (s.level == level_audit && ((s.set_flags & ~LOG_F_LEVEL) || s.logflags)) {
        return error(s.loc, "log level audit doesn't support any further options");
    }
    if (s.set_flags & LOG_F_PREFIX) {
        if (s.prefix.size() > log_prefix_max) return error(s.loc, "log prefix is too long");
        if (s.prefix.empty()) return error(s.loc, "log prefix must have a minimum length of 1 character");
    }
    return true;
}

// ---- sets from the packet path ----

set* evaluator::impl::dynset_target(stmt& s, expr_ptr& setref, expr_ptr& key, std::vector<stmt_ptr>& stmts,
                                    const char* kind) {
    ectx = {};
    if (!setref) {
        error(s.loc, fmt::format("missing {}", kind));
        return nullptr;
    }
    if (!eval(setref)) return nullptr;
    if (!setref->is(expr_kind::set_ref)) {
        error(setref->loc, "Expression does not refer to a set");
        return nullptr;
    }
    set* target = setref->as<set_ref_expr>().target;
    auto& elem = key->as<set_elem_expr>();
    ectx.set(target->key->dtype, target->key->order, target->key->len);
    ectx.key = target->key.get();
    if (!eval(elem.key)) return nullptr;
    if (!stmt_arg_checks(s, target->key->dtype, target->key->len, target->key->order, elem.key)) return nullptr;
    elem.dtype = elem.key->dtype;
    elem.len = elem.key->len;
    if (elem.has_comment) {
        error(elem.loc, "Key expression comments are not supported");
        return nullptr;
    }
    for (auto& st : stmts) {
        if (!stateful(*st, kind)) return nullptr;
    }
    if ((elem.timeout || elem.expiration) && !(target->flags & NFT_SET_TIMEOUT)) {
        error2(elem.loc, setref->loc,
               fmt::format("{} '{}' has no timeout flag: Operation not supported", kind, target->name));
        return nullptr;
    }
    // The kernel's interval backends cannot be updated from the packet path.
    if (target->is_interval()) {
        error2(s.loc, setref->loc,
               fmt::format("{} '{}' cannot be updated from the packet path (interval {}): Operation not supported",
                           kind, target->name, kind));
        return nullptr;
    }
    if (target->flags & NFT_SET_CONSTANT) {
        error2(s.loc, setref->loc, fmt::format("{} '{}' is constant: Device or resource busy", kind, target->name));
        return nullptr;
    }
    // What the kernel lists after such a rule: the set became dynamic, and bounded.
    target->flags |= NFT_SET_EVAL;
    if (target->size == 0) target->size = default_dynamic_set_size;
    return target;
}

bool evaluator::impl::set_stmt_(set_stmt& s) {
    return dynset_target(s, s.set, s.key, s.stmts, "set") != nullptr;
}

bool evaluator::impl::map_stmt_(map_stmt& s) {
    set* target = dynset_target(s, s.set, s.key, s.stmts, "map");
    if (target == nullptr) return false;
    if (!target->is_map()) return error(s.set->loc, fmt::format("{} is not a map", target->name));
    expr_ptr* data = &s.data;
    if ((*data)->is(expr_kind::set_elem)) {
        auto& d = (*data)->as<set_elem_expr>();
        if (d.has_comment) return error(d.loc, "Data expression comments are not supported");
        if (d.timeout) return error(d.loc, "Data expression timeouts are not supported");
        data = &d.key;
    }
    return stmt_arg(s, target->data->dtype, target->data->len, target->data->order, *data);
}

bool evaluator::impl::meter_(stmt_ptr& sp) {
    auto& m = sp->as<meter_stmt>();
    if (tbl == nullptr) return error(m.loc, "No such file or directory");
    set* existing = tbl->find_set(m.name);
    if (existing && (!(existing->flags & NFT_SET_EVAL) || existing->is_map() || existing->anonymous())) {
        return error(m.loc, fmt::format("File exists; meter '{}' overlaps an existing {} '{}' in family {}", m.name,
                                        existing->is_map() ? "map" : "set", existing->name, family_name(tbl->fam)));
    }
    ectx = {};
    auto& elem = m.key->as<set_elem_expr>();
    if (!eval(elem.key)) return false;
    elem.dtype = elem.key->dtype;
    elem.len = elem.key->len;
    if (elem.key->is_constant()) return error(elem.loc, "Meter key expression can not be constant");
    if (elem.has_comment) return error(elem.loc, "Meter key expression can not contain comments");
    if (existing) {
        if ((existing->flags & NFT_SET_TIMEOUT) && !elem.timeout) {
            return error(elem.loc, fmt::format("existing set '{}' has timeout flag", m.name));
        }
        if (!(existing->flags & NFT_SET_TIMEOUT) && elem.timeout) {
            return error(elem.loc, fmt::format("existing set '{}' lacks timeout flag", m.name));
        }
        if (m.size > 0 && existing->size != m.size) {
            return error(elem.loc, fmt::format("existing set '{}' has size {}, meter has {}", m.name, existing->size,
                                               m.size));
        }
        auto ref = std::make_unique<set_ref_expr>(m.loc, m.name);
        ref->target = existing;
        m.set = std::move(ref);
    } else {
        auto s = std::make_unique<set>();
        s->name = m.name;
        s->loc = m.loc;
        s->flags = NFT_SET_EVAL | (elem.timeout ? uint32_t{NFT_SET_TIMEOUT} : 0u);
        s->key = elem.key->clone();
        s->size = m.size != 0 ? m.size : default_dynamic_set_size;
        s->is_meter = true;
        if (!set_def(*s, false)) return false;
        auto ref = std::make_unique<set_ref_expr>(m.loc, m.name);
        ref->target = s.get();
        adopt_set(std::move(s));
        m.set = std::move(ref);
    }
    if (!m.body) return error(m.loc, "meter requires a statement");
    return stateful(*m.body, "meter");
}

// ---- named objects ----

bool evaluator::impl::objref_(objref_stmt& s) {
    if (!s.e->is(expr_kind::map)) {
        if (!stmt_arg(s, &dt(type_id::string), obj_name_bits, byte_order::host, s.e)) return false;
        if (!s.e->is_constant()) return error(s.e->loc, "Counter expression must be constant");
        return true;
    }
    // `counter name tcp dport map { 22 : "c1", 80 : "c2" }`: an object map.
    auto& m = s.e->as<map_expr>();
    ectx = {};
    if (!eval(m.key)) return false;
    if (m.key->is_constant()) return error(m.key->loc, "Map expression can not be constant");
    if (m.mappings->is(expr_kind::variable)) {
        auto& var = m.mappings->as<variable_expr>();
        expr_ptr bound = var.bound ? var.bound->clone() : nullptr;
        if (!bound || !bound->is(expr_kind::set)) return error(m.mappings->loc, "Expression is not a map");
        m.mappings = std::move(bound);
    }
    if (m.mappings->is(expr_kind::set)) {
        const uint32_t parsed_flags = m.mappings->as<set_expr>().set_flags;
        expr_ptr key;
        if (ectx.key && ectx.key->is(expr_kind::concat)) {
            key = ectx.key->clone();
        } else {
            key = std::make_unique<value_expr>(m.loc, ectx.dtype, ectx.order, ectx.len, 0);
        }
        auto st = std::make_unique<set>();
        st->flags = NFT_SET_ANONYMOUS | NFT_SET_OBJECT | parsed_flags;
        st->name = next_anon_name("__objmap%d");
        st->loc = m.loc;
        st->key = std::move(key);
        st->data = std::make_unique<value_expr>(m.loc, &dt(type_id::string), byte_order::host, obj_name_bits, 0);
        st->objtype = s.type;
        set* sp = st.get();
        set* saved = cur_set;
        cur_set = sp;
        ectx.set(sp->key->dtype, sp->key->order, sp->key->len);
        ectx.key = sp->key.get();
        expr_ptr init = std::move(m.mappings);
        const bool ok = eval(init);
        cur_set = saved;
        if (!ok) return false;
        if (!init->is(expr_kind::set)) return error(init->loc, "Expression is not a map");
        sp->flags |= init->as<set_expr>().set_flags;
        sp->init = std::move(init);
        if (!set_def(*sp, true)) return false;
        auto ref = std::make_unique<set_ref_expr>(m.loc, sp->name);
        ref->target = sp;
        ref->flags |= EXPR_F_CONSTANT;
        adopt_set(std::move(st));
        m.mappings = std::move(ref);
    } else if (m.mappings->is(expr_kind::symbol)) {
        if (!eval(m.mappings)) return false;
    } else {
        return error2(m.mappings->loc, m.key->loc, fmt::format("invalid mapping expression {}", expr_name(*m.mappings)));
    }
    if (!m.mappings->is(expr_kind::set_ref)) return error(m.mappings->loc, "Expression is not a map");
    const set* target = m.mappings->as<set_ref_expr>().target;
    if (!(target->flags & NFT_SET_OBJECT)) return error(m.mappings->loc, "Expression is not a map with objects");
    if (!datatype_compatible(target->key->dtype, m.key->dtype)) {
        return error2(m.mappings->loc, m.key->loc,
                      fmt::format("datatype mismatch, map expects {}, mapping expression has type {}",
                                  target->key->dtype->desc, m.key->dtype ? m.key->dtype->desc : "invalid"));
    }
    if (target->objtype != s.type) {
        return error2(m.mappings->loc, s.loc,
                      fmt::format("map '{}' holds {} objects, not {}", target->name, obj_type_name(target->objtype),
                                  obj_type_name(s.type)));
    }
    m.dtype = target->data ? target->data->dtype : nullptr;
    m.flags |= EXPR_F_CONSTANT;
    return true;
}

// ---- anonymous chains ----

bool evaluator::impl::chain_stmt_(chain_stmt& s) {
    if (!s.body) return error(s.loc, "missing chain");
    s.body->flags |= CHAIN_F_BINDING;
    table* t = tbl;
    if (t == nullptr) return error(s.loc, "No such file or directory");
    created_objects.push_back({nullptr, s.body.get(), nullptr});
    for (auto& r : s.body->rules) {
        if (!rule_(r, *t, s.body.get())) return false;
        created_objects.push_back({nullptr, nullptr, &r});
    }
    return true;
}

void evaluator::impl::adopt_set(std::unique_ptr<set> s) {
    if (tbl == nullptr) return;
    created_objects.push_back({s.get(), nullptr, nullptr});
    tbl->sets.push_back(std::move(s));
}

}  // namespace nfqwall::front

// The grammar's actions: what each production builds (kept apart from the grammar, as in
// PEGTL's examples). Included by parser.cpp only.
//
// Actions push what they build on the parse_state stacks and pop what their sub-rules left
// there; a failed alternative's pushes are undone by the control's marks.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <tao/pegtl.hpp>

#include "front/parse_state.hpp"
#include "front/selectors.hpp"
#include "grammar/ruleset.hpp"

namespace nfqwall::front {

namespace g = nfqwall::grammar;
namespace pegtl = tao::pegtl;

template <typename Rule>
struct action : pegtl::nothing<Rule> {};

namespace act {

template <typename Input>
location loc_of(const Input& in, const parse_state& st) {
    const char* b = in.begin();
    const char* e = st.last_token_end;
    if (e == nullptr || e <= b || e > in.end()) e = in.end();
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) --e;
    return st.loc(b, e);
}

template <typename Input>
std::vector<word> words_of(const Input& in, const parse_state& st) {
    return split_words(st, in.begin(), in.end());
}

inline uint64_t to_u64(std::string_view text) {
    const std::string s(text);
    return std::strtoull(s.c_str(), nullptr, 0);
}

inline std::string unquote(std::string_view w) {
    if (w.size() >= 2 && w.front() == '"' && w.back() == '"') return std::string(w.substr(1, w.size() - 2));
    return std::string(w);
}

inline bool is_word(const word& w, std::string_view text) { return w.text == text; }

inline expr_ptr string_value(location l, std::string_view s) {
    return make_string_value(l, &dt(type_id::string), s);
}

// Builds `a | b | c` from a list (for `syn / syn,ack` masks and values).
inline expr_ptr list_to_binop(expr_ptr e) {
    if (!e || !e->is(expr_kind::list)) return e;
    auto& items = e->as<list_expr>().items;
    expr_ptr acc;
    for (auto& i : items) {
        if (!acc) {
            acc = std::move(i);
        } else {
            location l = acc->loc.merge(i->loc);
            acc = std::make_unique<binop_expr>(l, op::bor, std::move(acc), std::move(i));
        }
    }
    return acc;
}

inline void push_binop(parse_state& st, op o, location l) {
    expr_ptr right = st.pop_expr();
    expr_ptr left = st.pop_expr();
    if (!left || !right) return;
    l = left->loc.merge(right->loc).merge(l);
    st.exprs.push_back(std::make_unique<binop_expr>(l, o, std::move(left), std::move(right)));
}

inline op binop_of(std::string_view w) {
    if (w == "<<" || w == "lshift") return op::lshift;
    if (w == ">>" || w == "rshift") return op::rshift;
    if (w == "&" || w == "and") return op::band;
    if (w == "^" || w == "xor") return op::bxor;
    return op::bor;
}

inline void push_concat(parse_state& st) {
    expr_ptr right = st.pop_expr();
    expr_ptr left = st.pop_expr();
    if (!left || !right) return;
    location l = left->loc.merge(right->loc);
    if (left->is(expr_kind::concat)) {
        left->loc = l;
        left->as<concat_expr>().items.push_back(std::move(right));
        st.exprs.push_back(std::move(left));
        return;
    }
    auto c = std::make_unique<concat_expr>(l);
    c->items.push_back(std::move(left));
    c->items.push_back(std::move(right));
    st.exprs.push_back(std::move(c));
}

inline family family_of(std::string_view w) {
    if (w == "ip6") return family::ipv6;
    if (w == "inet") return family::inet;
    if (w == "arp") return family::arp;
    if (w == "bridge") return family::bridge;
    if (w == "netdev") return family::netdev;
    return family::ipv4;
}

inline bool is_family_word(std::string_view w) {
    return w == "ip" || w == "ip6" || w == "inet" || w == "arp" || w == "bridge" || w == "netdev";
}

// Fills a handle from `[family] table [name]` words.
inline handle_spec handle_from(const std::vector<word>& w, size_t first, size_t names) {
    handle_spec h;
    size_t i = first;
    if (i < w.size() && is_family_word(w[i].text) && w.size() - i > names) {
        h.fam = family_of(w[i].text);
        h.family_given = true;
        ++i;
    }
    if (i < w.size()) {
        h.table = std::string(w[i].text);
        h.table_loc = w[i].loc;
        ++i;
    }
    if (names >= 2 && i < w.size()) {
        h.chain = std::string(w[i].text);
        h.chain_loc = w[i].loc;
        h.set = h.chain;
        h.set_loc = w[i].loc;
        h.obj = h.chain;
        h.obj_loc = w[i].loc;
        h.flowtable = h.chain;
        h.flowtable_loc = w[i].loc;
    }
    return h;
}

// The block of the innermost object being built, or nullptr.
inline block* current(parse_state& st, block::kind k) {
    if (st.blocks.empty() || st.blocks.back().k != k) return nullptr;
    return &st.blocks.back();
}

inline std::optional<uint64_t> time_ms(parse_state& st, const word& w) {
    auto t = parse_time_string(unquote(w.text));
    if (!t) st.error(w.loc, "Wrong time format, expecting [Nd][Nh][Nm][Ns][Nms]");
    return t;
}

inline void check_comment(parse_state& st, const word& w) {
    constexpr size_t max_comment = 128;
    if (unquote(w.text).size() > max_comment) {
        st.error(w.loc, fmt::format("comment too long, {} characters maximum allowed", max_comment));
    }
}

}  // namespace act

// ---- values and symbols ----

template <>
struct action<g::variable_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const word& name = w.back();
        const location l = act::loc_of(in, st);
        const expr* bound = st.lookup_variable(name.text);
        if (bound == nullptr) {
            st.error(name.loc, fmt::format("unknown identifier '{}'", name.text));
            st.exprs.push_back(std::make_unique<symbol_expr>(l, std::string(name.text)));
            return;
        }
        st.exprs.push_back(std::make_unique<variable_expr>(l, std::string(name.text), bound->clone()));
    }
};

template <>
struct action<g::symbol_word> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        // One word (the rule is value_word then blanks): scan it directly, no word list.
        const g::word_scan scan = g::scan_word(in.begin(), in.end());
        if (scan.len == 0) return;
        const word x{std::string_view(in.begin(), scan.len), st.loc(in.begin(), in.begin() + scan.len), scan.cls};
        std::string text(x.text);
        bool quoted = false;
        if (x.cls == g::word_class::quoted) {
            text = act::unquote(text);
            quoted = true;
        } else if (x.cls == g::word_class::ipv6_bracketed) {
            text = text.substr(1, text.size() - 2);
        }
        auto s = std::make_unique<symbol_expr>(x.loc, std::move(text), symbol_kind::value, quoted);
        s->asterisk = x.cls == g::word_class::asterisk;
        st.exprs.push_back(std::move(s));
    }
};

template <>
struct action<g::integer_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        // nft turns numbers into their decimal text; the evaluator parses them by type.
        st.exprs.push_back(
            std::make_unique<symbol_expr>(w.front().loc, std::to_string(act::to_u64(w.front().text))));
    }
};

template <>
struct action<g::set_ref_symbol_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.exprs.push_back(std::make_unique<symbol_expr>(act::loc_of(in, st), std::string(w.back().text),
                                                         symbol_kind::set));
    }
};

template <>
struct action<g::boolean_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.exprs.push_back(make_value(w.front().loc, &dt(type_id::boolean), w.front().text == "exists" ? 1 : 0, 8));
    }
};

template <>
struct action<g::keyword_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.exprs.push_back(std::make_unique<symbol_expr>(w.front().loc, std::string(w.front().text)));
    }
};

template <>
struct action<g::proto_keyword_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        static const std::pair<std::string_view, unsigned> protos[] = {
            {"tcp", 6}, {"udp", 17}, {"udplite", 136}, {"esp", 50},  {"ah", 51},    {"icmp", 1},
            {"igmp", 2}, {"icmpv6", 58}, {"gre", 47},   {"comp", 108}, {"dccp", 33}, {"sctp", 132},
        };
        const auto w = act::words_of(in, st);
        for (const auto& [name, num] : protos) {
            if (w.front().text == name) {
                st.exprs.push_back(make_value(w.front().loc, &dt(type_id::inet_protocol), num, 8));
                return;
            }
        }
    }
};

template <>
struct action<g::redirect_keyword_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.exprs.push_back(make_value(act::loc_of(in, st), &dt(type_id::icmp_type), 5, 8));
    }
};

// ---- payload and other selectors ----

namespace act {

// `proto field` (and `arp saddr ether` style two-word fields).
template <typename Input>
void push_payload(const Input& in, parse_state& st, size_t first = 0) {
    const auto w = words_of(in, st);
    const location l = loc_of(in, st);
    const proto_desc* desc = proto_lookup(w[first].text);
    std::string field;
    for (size_t i = first + 1; i < w.size(); ++i) {
        if (!field.empty()) field += ' ';
        field += w[i].text;
    }
    int idx = desc ? desc->field_index(field) : -1;
    if (idx < 0 && desc && field == "cfi") idx = desc->field_index("dei");
    if (!desc || idx < 0) {
        st.error(l, fmt::format("unknown {} header field '{}'", w[first].text, field));
        st.exprs.push_back(std::make_unique<symbol_expr>(l, std::string(w[first].text)));
        return;
    }
    st.exprs.push_back(make_payload(l, desc, idx));
}

}  // namespace act

template <>
struct action<g::payload_raw_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);  // @ base , off , len
        const location l = act::loc_of(in, st);
        proto_base base = proto_base::ll;
        if (w[1].text == "nh") base = proto_base::network;
        if (w[1].text == "th") base = proto_base::transport;
        if (w[1].text == "ih") base = proto_base::inner;
        const uint64_t off = act::to_u64(w[3].text);
        const uint64_t len = act::to_u64(w[5].text);
        constexpr uint64_t max_len = 64 * 8;
        if (len > max_len) {
            st.error(w[5].loc, fmt::format("raw payload length {} exceeds upper limit of {}", len, max_len));
        } else if (len == 0) {
            st.error(w[5].loc, "raw payload length cannot be 0");
        }
        st.exprs.push_back(make_payload_raw(l, base, static_cast<uint32_t>(off), static_cast<uint32_t>(len)));
    }
};

#define NFQWALL_PAYLOAD_ACTION(rule)                                                                                \
    template <>                                                                                                     \
    struct action<g::rule> {                                                                                        \
        template <typename Input>                                                                                   \
        static void apply(const Input& in, parse_state& st) {                                                       \
            act::push_payload(in, st);                                                                              \
        }                                                                                                           \
    };

NFQWALL_PAYLOAD_ACTION(eth_hdr_expr)
NFQWALL_PAYLOAD_ACTION(vlan_hdr_expr)
NFQWALL_PAYLOAD_ACTION(arp_hdr_expr)
NFQWALL_PAYLOAD_ACTION(icmp_hdr_expr)
NFQWALL_PAYLOAD_ACTION(igmp_hdr_expr)
NFQWALL_PAYLOAD_ACTION(ip6_hdr_expr)
NFQWALL_PAYLOAD_ACTION(icmp6_hdr_expr)
NFQWALL_PAYLOAD_ACTION(auth_hdr_expr)
NFQWALL_PAYLOAD_ACTION(esp_hdr_expr)
NFQWALL_PAYLOAD_ACTION(comp_hdr_expr)
NFQWALL_PAYLOAD_ACTION(udp_hdr_expr)
NFQWALL_PAYLOAD_ACTION(udplite_hdr_expr)
#undef NFQWALL_PAYLOAD_ACTION

template <>
struct action<g::th_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        act::push_payload(in, st);
        if (!st.exprs.empty() && st.exprs.back()->is(expr_kind::payload)) st.exprs.back()->as<payload_expr>().is_raw = true;
    }
};

template <>
struct action<g::ip_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (w.size() >= 3 && w[1].text == "option") {
            const location l = act::loc_of(in, st);
            const exthdr_desc* d = exthdr_lookup(exthdr_op::ipv4, w[2].text);
            const std::string_view field = w.size() > 3 ? w[3].text : std::string_view("type");
            const int idx = d ? d->field_index(field) : -1;
            if (!d || idx < 0) {
                st.error(w.front().loc, "unknown ip option type/field");
                st.exprs.push_back(std::make_unique<symbol_expr>(l, "ip"));
                return;
            }
            st.exprs.push_back(make_exthdr(l, exthdr_op::ipv4, d, idx, field == "type"));
            return;
        }
        act::push_payload(in, st);
    }
};

template <>
struct action<g::tcp_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (w.size() < 3 || w[1].text != "option") {
            act::push_payload(in, st);
            return;
        }
        const location l = act::loc_of(in, st);
        // tcp option @kind,offset,len
        if (w[2].text == "@") {
            const std::string_view kind = w[3].text;
            const exthdr_desc* d = exthdr_lookup(exthdr_op::tcpopt, kind);
            uint32_t type = d ? d->type : static_cast<uint32_t>(act::to_u64(kind));
            auto e = make_exthdr(l, exthdr_op::tcpopt, d, -1, false);
            e->raw_type = type;
            e->offset = static_cast<uint32_t>(act::to_u64(w[5].text));
            e->len = static_cast<uint32_t>(act::to_u64(w[7].text));
            e->is_raw = true;
            st.exprs.push_back(std::move(e));
            return;
        }
        std::string kind(w[2].text);
        if (kind == "mss") kind = "maxseg";
        if (kind == "noop") kind = "nop";
        if (kind == "sack-permitted") kind = "sack-perm";
        if (kind == "sack0") kind = "sack";
        const exthdr_desc* d = exthdr_lookup(exthdr_op::tcpopt, kind);
        if (!d && !kind.empty() && std::isdigit(static_cast<unsigned char>(kind[0]))) {
            const uint64_t n = act::to_u64(kind);
            if (n > 255) {
                st.error(w[2].loc, "value too large");
                st.exprs.push_back(std::make_unique<symbol_expr>(l, "tcp"));
                return;
            }
            d = exthdr_lookup(exthdr_op::tcpopt, static_cast<uint32_t>(n));
            if (!d) {
                auto e = make_exthdr(l, exthdr_op::tcpopt, nullptr, -1, w.size() == 3);
                e->raw_type = static_cast<uint32_t>(n);
                if (w.size() > 3 && w[3].text != "length") st.error(l, "Could not find a tcp option template");
                st.exprs.push_back(std::move(e));
                return;
            }
        }
        if (!d) {
            st.error(l, "Could not find a tcp option template");
            st.exprs.push_back(std::make_unique<symbol_expr>(l, "tcp"));
            return;
        }
        if (w.size() == 3) {
            st.exprs.push_back(make_exthdr(l, exthdr_op::tcpopt, d, 0, true));
            return;
        }
        int idx = d->field_index(w[3].text);
        if (idx < 0) {
            st.error(l, "Could not find a tcp option template");
            st.exprs.push_back(std::make_unique<symbol_expr>(l, "tcp"));
            return;
        }
        // `sack1 left` is the left edge of the sack option's second block.
        if (kind == "sack1" || kind == "sack2" || kind == "sack3") {
            const exthdr_field_ref ref = tcpopt_resolve(static_cast<uint32_t>(tcpopt_kind_by_name(kind)), idx);
            if (ref.desc != nullptr && ref.field >= 0) {
                d = ref.desc;
                idx = ref.field;
            }
        }
        st.exprs.push_back(make_exthdr(l, exthdr_op::tcpopt, d, idx, false));
    }
};

template <>
struct action<g::dccp_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (w.size() >= 3 && w[1].text == "option") {
            const location l = act::loc_of(in, st);
            const uint64_t n = act::to_u64(w[2].text);
            if (n > 255) st.error(w.front().loc, "value too large");
            auto e = make_exthdr(l, exthdr_op::dccp, exthdr_lookup(exthdr_op::dccp, "option"), -1, true);
            e->raw_type = static_cast<uint32_t>(n);
            st.exprs.push_back(std::move(e));
            return;
        }
        act::push_payload(in, st);
    }
};

template <>
struct action<g::sctp_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (w.size() >= 3 && w[1].text == "chunk") {
            const location l = act::loc_of(in, st);
            const exthdr_desc* d = exthdr_lookup(exthdr_op::sctp, w[2].text);
            const std::string_view field = w.size() > 3 ? w[3].text : std::string_view("type");
            const int idx = d ? d->field_index(field) : -1;
            if (!d || idx < 0) {
                st.error(l, fmt::format("unknown sctp chunk field '{}'", field));
                st.exprs.push_back(std::make_unique<symbol_expr>(l, "sctp"));
                return;
            }
            st.exprs.push_back(make_exthdr(l, exthdr_op::sctp, d, idx, w.size() == 3));
            return;
        }
        act::push_payload(in, st);
    }
};

namespace act {

// vxlan/geneve/gre/gretap: either a field of the tunnel header, or a header inside it.
template <typename Input>
void push_tunnel_payload(const Input& in, parse_state& st, std::string_view tunnel) {
    const auto w = words_of(in, st);
    const proto_desc* desc = proto_lookup(tunnel);
    const bool own_field = w.size() == 2 && desc && desc->field_index(w[1].text) >= 0;
    if (own_field) {
        push_payload(in, st);
        if (!st.exprs.empty() && st.exprs.back()->is(expr_kind::payload)) {
            st.exprs.back()->as<payload_expr>().inner_desc = desc;
        }
        return;
    }
    if (!st.exprs.empty() && st.exprs.back()->is(expr_kind::payload)) {
        auto& p = st.exprs.back()->as<payload_expr>();
        p.inner_desc = desc;
        p.loc = loc_of(in, st);
    }
}

}  // namespace act

template <>
struct action<g::vxlan_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_tunnel_payload(in, st, "vxlan"); }
};
template <>
struct action<g::geneve_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_tunnel_payload(in, st, "geneve"); }
};
template <>
struct action<g::gre_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_tunnel_payload(in, st, "gre"); }
};
template <>
struct action<g::gretap_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_tunnel_payload(in, st, "gretap"); }
};

namespace act {

template <typename Input>
void push_exthdr(const Input& in, parse_state& st) {
    const auto w = words_of(in, st);
    const location l = loc_of(in, st);
    std::string name(w[0].text);
    const exthdr_desc* d = exthdr_lookup(exthdr_op::ipv6, name);
    std::string field(w[1].text);
    if (w.size() >= 5 && w[2].text == "[") field += fmt::format("[{}]", to_u64(w[3].text));
    const int idx = d ? d->field_index(field) : -1;
    if (!d || idx < 0) {
        st.error(l, fmt::format("unknown {} header field '{}'", name, field));
        st.exprs.push_back(std::make_unique<symbol_expr>(l, name));
        return;
    }
    st.exprs.push_back(make_exthdr(l, exthdr_op::ipv6, d, idx, false));
}

}  // namespace act

template <>
struct action<g::hbh_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};
template <>
struct action<g::rt_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};
template <>
struct action<g::rt0_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};
template <>
struct action<g::rt2_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};
template <>
struct action<g::rt4_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};
template <>
struct action<g::frag_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};
template <>
struct action<g::dst_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};
template <>
struct action<g::mh_hdr_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_exthdr(in, st); }
};

template <>
struct action<g::exthdr_exists_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        const exthdr_desc* d = exthdr_lookup(exthdr_op::ipv6, w[1].text);
        // The first template of an extension header is its nexthdr field.
        st.exprs.push_back(make_exthdr(l, exthdr_op::ipv6, d, d ? d->field_index("nexthdr") : -1, true));
    }
};

template <>
struct action<g::meta_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        const std::string_view key = w.back().text;
        int k = meta_key_by_name(key);
        if (key == "ipsec" || key == "secpath") k = META_SECPATH;
        if (k < 0) {
            st.error(l, fmt::format("unknown meta key '{}'", key));
            st.exprs.push_back(std::make_unique<symbol_expr>(l, "meta"));
            return;
        }
        auto m = make_meta(l, k);
        m->qualified = w.size() > 1;
        st.exprs.push_back(std::move(m));
    }
};

template <>
struct action<g::socket_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        int key = 0;  // transparent
        uint32_t level = 0;
        if (w[1].text == "mark") key = 1;
        if (w[1].text == "wildcard") key = 2;
        if (w[1].text == "cgroupv2") {
            key = 3;
            level = static_cast<uint32_t>(act::to_u64(w[3].text));
        }
        auto e = std::make_unique<socket_expr>(l, key, level);
        st.exprs.push_back(std::move(e));
    }
};

template <>
struct action<g::osf_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        uint8_t ttl = 0;  // NF_OSF_TTL_TRUE
        if (w.size() == 4) ttl = w[2].text == "loose" ? 1 : 2;
        const uint32_t flags = w.back().text == "version" ? 1 : 0;  // NFT_OSF_F_VERSION
        st.exprs.push_back(std::make_unique<osf_expr>(act::loc_of(in, st), ttl, flags));
    }
};

// fib flags and results (NFTA_FIB_F_*, NFT_FIB_RESULT_*).
enum fib_flag_bits : uint32_t {
    FIB_F_SADDR = 1u << 0,
    FIB_F_DADDR = 1u << 1,
    FIB_F_MARK = 1u << 2,
    FIB_F_IIF = 1u << 3,
    FIB_F_OIF = 1u << 4,
    FIB_F_PRESENT = 1u << 5,
};
enum fib_result : uint32_t { FIB_RESULT_OIF = 1, FIB_RESULT_OIFNAME = 2, FIB_RESULT_ADDRTYPE = 3 };

template <>
struct action<g::fib_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        uint32_t flags = 0;
        for (size_t i = 1; i + 1 < w.size(); ++i) {
            const auto t = w[i].text;
            if (t == "saddr") flags |= FIB_F_SADDR;
            if (t == "daddr") flags |= FIB_F_DADDR;
            if (t == "mark") flags |= FIB_F_MARK;
            if (t == "iif") flags |= FIB_F_IIF;
            if (t == "oif") flags |= FIB_F_OIF;
        }
        uint32_t result = FIB_RESULT_OIF;
        const auto r = w.back().text;
        if (r == "oifname") result = FIB_RESULT_OIFNAME;
        if (r == "type") result = FIB_RESULT_ADDRTYPE;
        if (r == "check") flags |= FIB_F_PRESENT;
        const location tuple = w[1].loc.merge(w[w.size() - 2].loc);
        if ((flags & (FIB_F_SADDR | FIB_F_DADDR)) == 0) st.error(tuple, "fib: need either saddr or daddr");
        if ((flags & (FIB_F_SADDR | FIB_F_DADDR)) == (FIB_F_SADDR | FIB_F_DADDR)) {
            st.error(tuple, "fib: saddr and daddr are mutually exclusive");
        }
        if ((flags & (FIB_F_IIF | FIB_F_OIF)) == (FIB_F_IIF | FIB_F_OIF)) {
            st.error(tuple, "fib: iif and oif are mutually exclusive");
        }
        st.exprs.push_back(std::make_unique<fib_expr>(l, flags, result));
    }
};

// rt keys (NFT_RT_*).
enum rt_key_ids : int { RT_CLASSID = 0, RT_NEXTHOP4 = 1, RT_NEXTHOP6 = 2, RT_TCPMSS = 3, RT_XFRM = 4 };

template <>
struct action<g::rt_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const auto k = w.back().text;
        int key = RT_CLASSID;
        if (k == "nexthop") key = RT_NEXTHOP4;
        if (k == "mtu") key = RT_TCPMSS;
        if (k == "ipsec") key = RT_XFRM;
        const bool with_family = w.size() == 3;
        if (with_family && w[1].text == "ip6" && key == RT_NEXTHOP4) key = RT_NEXTHOP6;
        st.exprs.push_back(std::make_unique<rt_expr>(act::loc_of(in, st), key, !with_family));
    }
};

// xfrm keys (NFT_XFRM_KEY_*).
enum xfrm_key_ids : int { XFRM_DADDR_IP4 = 1, XFRM_DADDR_IP6, XFRM_SADDR_IP4, XFRM_SADDR_IP6, XFRM_REQID, XFRM_SPI };

template <>
struct action<g::xfrm_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const uint8_t dir = w[1].text == "out" ? 1 : 0;
        uint64_t spnum = 0;
        size_t i = 2;
        if (w[i].text == "spnum") {
            spnum = act::to_u64(w[i + 1].text);
            if (spnum > 255) st.error(w[i + 1].loc, "value too large");
            i += 2;
        }
        int key = XFRM_SPI;
        if (w[i].text == "reqid") key = XFRM_REQID;
        if (w[i].text == "ip" || w[i].text == "ip6") {
            const bool v6 = w[i].text == "ip6";
            const bool src = w[i + 1].text == "saddr";
            key = src ? (v6 ? XFRM_SADDR_IP6 : XFRM_SADDR_IP4) : (v6 ? XFRM_DADDR_IP6 : XFRM_DADDR_IP4);
        }
        st.exprs.push_back(std::make_unique<xfrm_expr>(act::loc_of(in, st), dir, static_cast<uint8_t>(spnum), key));
    }
};

template <>
struct action<g::numgen_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const int type = w[1].text == "random" ? 1 : 0;
        const auto mod = static_cast<uint32_t>(act::to_u64(w[3].text));
        const auto offset = w.size() >= 6 ? static_cast<uint32_t>(act::to_u64(w[5].text)) : 0u;
        st.exprs.push_back(std::make_unique<numgen_expr>(act::loc_of(in, st), type, mod, offset));
    }
};

namespace act {

// `... mod N [seed S] [offset O]` at the end of a hash expression.
inline void hash_tail(hash_expr& h, const std::vector<word>& w) {
    for (size_t i = 0; i + 1 < w.size(); ++i) {
        if (w[i].text == "mod") h.mod = static_cast<uint32_t>(to_u64(w[i + 1].text));
        if (w[i].text == "seed") {
            h.seed = static_cast<uint32_t>(to_u64(w[i + 1].text));
            h.seed_set = true;
        }
        if (w[i].text == "offset") h.offset = static_cast<uint32_t>(to_u64(w[i + 1].text));
    }
}

}  // namespace act

template <>
struct action<g::jhash_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto h = std::make_unique<hash_expr>(act::loc_of(in, st));
        h->type = 0;
        h->arg = st.pop_expr();
        // Only the words after the argument: find the last `mod`.
        auto w = act::words_of(in, st);
        size_t from = 0;
        for (size_t i = 0; i < w.size(); ++i) {
            if (w[i].text == "mod") from = i;
        }
        act::hash_tail(*h, std::vector<word>(w.begin() + static_cast<long>(from), w.end()));
        st.exprs.push_back(std::move(h));
    }
};

template <>
struct action<g::symhash_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto h = std::make_unique<hash_expr>(act::loc_of(in, st));
        h->type = 1;
        act::hash_tail(*h, act::words_of(in, st));
        st.exprs.push_back(std::move(h));
    }
};

template <>
struct action<g::tunnel_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.exprs.push_back(std::make_unique<tunnel_expr>(act::loc_of(in, st), w[1].text == "id" ? 1 : 0));
    }
};

template <>
struct action<g::ct_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        int dir = -1;
        size_t i = 1;
        if (w[i].text == "original" || w[i].text == "reply") {
            dir = w[i].text == "reply" ? 1 : 0;
            ++i;
        }
        int nfproto = 0;
        std::string key(w[i].text);
        if (key == "ip" || key == "ip6") {
            nfproto = key == "ip" ? static_cast<int>(family::ipv4) : static_cast<int>(family::ipv6);
            const bool src = w[i + 1].text == "saddr";
            key = key == "ip" ? (src ? "ip saddr" : "ip daddr") : (src ? "ip6 saddr" : "ip6 daddr");
        }
        int k = ct_key_by_name(key);
        if (k < 0) {
            st.error(l, fmt::format("unknown ct key '{}'", key));
            st.exprs.push_back(std::make_unique<symbol_expr>(l, "ct"));
            return;
        }
        st.exprs.push_back(make_ct(l, k, dir, nfproto));
    }
};

// ---- operators ----

#define NFQWALL_BINOP_ACTION(rule)                                                                                  \
    template <>                                                                                                     \
    struct action<g::rule> {                                                                                        \
        template <typename Input>                                                                                   \
        static void apply(const Input& in, parse_state& st) {                                                       \
            const auto w = act::words_of(in, st);                                                                   \
            act::push_binop(st, act::binop_of(w.front().text), w.front().loc);                                      \
        }                                                                                                           \
    };

NFQWALL_BINOP_ACTION(shift_rhs_tail_l)
NFQWALL_BINOP_ACTION(shift_rhs_tail_r)
NFQWALL_BINOP_ACTION(and_rhs_tail)
NFQWALL_BINOP_ACTION(xor_rhs_tail)
NFQWALL_BINOP_ACTION(or_rhs_tail)
NFQWALL_BINOP_ACTION(shift_tail_l)
NFQWALL_BINOP_ACTION(shift_tail_r)
NFQWALL_BINOP_ACTION(and_tail)
NFQWALL_BINOP_ACTION(xor_tail)
NFQWALL_BINOP_ACTION(or_tail)
NFQWALL_BINOP_ACTION(shift_stmt_tail_l)
NFQWALL_BINOP_ACTION(shift_stmt_tail_r)
NFQWALL_BINOP_ACTION(and_stmt_tail)
NFQWALL_BINOP_ACTION(xor_stmt_tail)
NFQWALL_BINOP_ACTION(or_stmt_tail)
#undef NFQWALL_BINOP_ACTION

template <>
struct action<g::concat_rhs_tail> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) { act::push_concat(st); }
};
template <>
struct action<g::concat_tail> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) { act::push_concat(st); }
};
template <>
struct action<g::concat_stmt_tail> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) { act::push_concat(st); }
};

namespace act {

template <typename Input>
void push_prefix(const Input& in, parse_state& st) {
    const auto w = words_of(in, st);
    expr_ptr base = st.pop_expr();
    const auto len = static_cast<uint32_t>(to_u64(w.back().text));
    st.exprs.push_back(std::make_unique<prefix_expr>(loc_of(in, st), std::move(base), len));
}

template <typename Input>
void push_range(const Input& in, parse_state& st) {
    expr_ptr hi = st.pop_expr();
    expr_ptr lo = st.pop_expr();
    st.exprs.push_back(std::make_unique<range_expr>(loc_of(in, st), std::move(lo), std::move(hi)));
}

template <typename Input>
void push_list(const Input& in, parse_state& st) {
    auto l = std::make_unique<list_expr>(loc_of(in, st));
    l->items = st.take_exprs();
    st.exprs.push_back(std::move(l));
}

}  // namespace act

template <>
struct action<g::prefix_rhs_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_prefix(in, st); }
};
template <>
struct action<g::prefix_stmt_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_prefix(in, st); }
};
template <>
struct action<g::range_rhs_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_range(in, st); }
};
template <>
struct action<g::range_stmt_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_range(in, st); }
};
template <>
struct action<g::list_rhs_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_list(in, st); }
};
template <>
struct action<g::list_stmt_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_list(in, st); }
};

// ---- sets and maps ----

template <>
struct action<g::set_elem_catchall> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.exprs.push_back(std::make_unique<set_elem_catchall_expr>(act::loc_of(in, st)));
    }
};

template <>
struct action<g::set_elem_option> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.toks.push_back({std::string(w[0].text), std::string(w[1].text), w[1].loc});
    }
};

namespace act {

inline void apply_elem_options(parse_state& st, set_elem_expr& e, const std::vector<token>& toks) {
    for (const auto& t : toks) {
        if (t.kind == "comment") {
            if (e.has_comment) {
                st.error(t.loc, "You can only specify this once. This statement is duplicated.");
            }
            word w{t.text, t.loc};
            check_comment(st, w);
            e.comment = unquote(t.text);
            e.has_comment = true;
        } else if (t.kind == "timeout" || t.kind == "expires") {
            if (t.kind == "timeout" && t.text == "never") {
                e.timeout_never = true;
                continue;
            }
            auto ms = parse_time_string(unquote(t.text));
            if (!ms) {
                st.error(t.loc, "Wrong time format, expecting [Nd][Nh][Nm][Ns][Nms]");
                continue;
            }
            (t.kind == "timeout" ? e.timeout : e.expiration) = *ms;
        }
    }
}

}  // namespace act

template <>
struct action<g::plain_set_elem> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        expr_ptr key = st.pop_expr();
        if (!key) return;
        auto e = std::make_unique<set_elem_expr>(key->loc, std::move(key));
        (void)in;
        st.exprs.push_back(std::move(e));
    }
};

template <>
struct action<g::set_elem_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto exprs = st.take_exprs();
        auto e = std::make_unique<set_elem_expr>(act::loc_of(in, st), exprs.empty() ? nullptr : std::move(exprs[0]));
        if (e->key) e->loc = e->key->loc;
        e->stmts = st.take_stmts();
        act::apply_elem_options(st, *e, st.take_toks());
        st.exprs.push_back(std::move(e));
    }
};

template <>
struct action<g::set_mapping_tail> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        expr_ptr data = st.pop_expr();
        expr_ptr elem = st.pop_expr();
        if (!elem || !data) return;
        if (elem->is(expr_kind::set_elem)) {
            // nft's shape: the element (key and its options) maps to the data.
            const location l = elem->loc.merge(data->loc);
            st.exprs.push_back(std::make_unique<mapping_expr>(l, std::move(elem), std::move(data)));
            return;
        }
        st.exprs.push_back(std::move(elem));
    }
};

template <>
struct action<g::set_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto s = std::make_unique<set_expr>(act::loc_of(in, st));
        s->items = st.take_exprs();
        st.exprs.push_back(std::move(s));
    }
};

namespace act {

inline void push_map(parse_state& st, location l) {
    expr_ptr mappings = st.pop_expr();
    expr_ptr key = st.pop_expr();
    if (!key || !mappings) return;
    st.exprs.push_back(std::make_unique<map_expr>(key->loc.merge(l), std::move(key), std::move(mappings)));
}

}  // namespace act

template <>
struct action<g::map_lookup_tail> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_map(st, act::loc_of(in, st)); }
};
template <>
struct action<g::map_stmt_tail> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_map(st, act::loc_of(in, st)); }
};
template <>
struct action<g::queue_map> {
    template <typename Input>
    static void apply(const Input&, parse_state&) {}  // map_lookup_tail built it
};

// ---- verdicts ----

namespace act {

template <typename Input>
expr_ptr build_verdict(const Input& in, parse_state& st) {
    const auto w = words_of(in, st);
    const location l = loc_of(in, st);
    const auto v = w.front().text;
    verdict_code code = verdict_code::accept;
    if (v == "drop") code = verdict_code::drop;
    if (v == "continue") code = verdict_code::cont;
    if (v == "return") code = verdict_code::ret;
    if (v == "jump") code = verdict_code::jump;
    if (v == "goto") code = verdict_code::go_to;
    auto e = std::make_unique<verdict_expr>(l, code);
    if (code == verdict_code::jump || code == verdict_code::go_to) {
        if (w.size() >= 3 && w[1].text == "$") {
            e->chain = st.pop_expr();
        } else {
            e->chain = string_value(w[1].loc, w[1].text);
        }
    }
    return e;
}

}  // namespace act

template <>
struct action<g::verdict_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.exprs.push_back(act::build_verdict(in, st)); }
};

template <>
struct action<g::verdict_stmt_plain> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto v = act::build_verdict(in, st);
        const location l = v->loc;
        st.stmts.push_back(std::make_unique<verdict_stmt>(l, std::move(v)));
    }
};

template <>
struct action<g::vmap_tail> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.toks.push_back({"vmap", {}, act::loc_of(in, st)}); }
};

template <>
struct action<g::chain_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto c = std::make_shared<chain>();
        c->loc = act::loc_of(in, st);
        c->flags = CHAIN_F_BINDING;
        const uint32_t from = st.top().rules;
        for (size_t i = from; i < st.rules.size(); ++i) c->rules.push_back(std::move(*st.rules[i]));
        st.rules.resize(from);
        const verdict_code v = w.front().text == "goto" ? verdict_code::go_to : verdict_code::jump;
        st.stmts.push_back(std::make_unique<chain_stmt>(c->loc, std::move(c), v));
    }
};

// ---- matches ----

template <>
struct action<g::relational_op> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.toks.push_back({"op", std::string(w.front().text), w.front().loc});
    }
};

template <>
struct action<g::masked_rhs> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.toks.push_back({"mask", {}, act::loc_of(in, st)});
    }
};

template <>
struct action<g::match_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const location l = act::loc_of(in, st);
        auto exprs = st.take_exprs();
        auto toks = st.take_toks();
        if (!toks.empty() && toks.back().kind == "vmap") {
            if (exprs.size() < 2) return;
            auto m = std::make_unique<map_expr>(l, std::move(exprs[0]), std::move(exprs[1]));
            st.stmts.push_back(std::make_unique<verdict_stmt>(l, std::move(m)));
            return;
        }
        op o = op::implicit;
        location op_loc;
        bool masked = false;
        for (const auto& t : toks) {
            if (t.kind == "mask") masked = true;
            if (t.kind != "op") continue;
            op_loc = t.loc;
            const auto& x = t.text;
            if (x == "==" || x == "eq") o = op::eq;
            if (x == "!=" || x == "ne") o = op::neq;
            if (x == "<" || x == "lt") o = op::lt;
            if (x == ">" || x == "gt") o = op::gt;
            if (x == "<=" || x == "le") o = op::lte;
            if (x == ">=" || x == "ge") o = op::gte;
            if (x == "!" || x == "not") o = op::neg;
        }
        if (exprs.size() < 2) return;
        expr_ptr left = std::move(exprs[0]);
        expr_ptr right;
        if (masked && exprs.size() >= 3) {
            expr_ptr mask = act::list_to_binop(std::move(exprs[2]));
            const location bl = left->loc.merge(mask->loc);
            left = std::make_unique<binop_expr>(bl, op::band, std::move(left), std::move(mask));
            right = act::list_to_binop(std::move(exprs[1]));
        } else {
            right = std::move(exprs[1]);
        }
        auto r = std::make_unique<relational_expr>(l, o, std::move(left), std::move(right));
        r->op_loc = op_loc;
        st.stmts.push_back(std::make_unique<expr_stmt>(l, std::move(r)));
    }
};

// ---- statements that change the packet ----

template <>
struct action<g::payload_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const location l = act::loc_of(in, st);
        expr_ptr value = st.pop_expr();
        expr_ptr dest = st.pop_expr();
        if (dest && dest->is(expr_kind::exthdr)) {
            st.stmts.push_back(std::make_unique<exthdr_stmt>(l, std::move(dest), std::move(value)));
        } else {
            st.stmts.push_back(std::make_unique<payload_stmt>(l, std::move(dest), std::move(value)));
        }
    }
};

namespace act {

template <typename Input>
void push_meta_stmt(const Input& in, parse_state& st, bool qualified) {
    const location l = loc_of(in, st);
    const auto w = words_of(in, st);
    expr_ptr value = st.pop_expr();
    const std::string_view key = w[qualified ? 1 : 0].text;
    int k = meta_key_by_name(key);
    if (key == "ipsec") k = META_SECPATH;
    if (k == META_SECMARK && value && !value->is(expr_kind::ct)) {
        st.stmts.push_back(std::make_unique<objref_stmt>(l, obj_type::secmark, std::move(value)));
        return;
    }
    auto s = std::make_unique<meta_stmt>(l, k, std::move(value));
    s->qualified = qualified;
    st.stmts.push_back(std::move(s));
}

}  // namespace act

template <>
struct action<g::meta_stmt_qualified> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_meta_stmt(in, st, true); }
};
template <>
struct action<g::meta_stmt_unqualified> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_meta_stmt(in, st, false); }
};
template <>
struct action<g::notrack_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.stmts.push_back(std::make_unique<notrack_stmt>(act::loc_of(in, st)));
    }
};
template <>
struct action<g::flow_offload_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.stmts.push_back(std::make_unique<flow_offload_stmt>(act::loc_of(in, st), act::unquote(w.back().text)));
    }
};

namespace act {

template <typename Input>
void push_ct_stmt(const Input& in, parse_state& st, bool with_dir) {
    const location l = loc_of(in, st);
    const auto w = words_of(in, st);
    expr_ptr value = st.pop_expr();
    int dir = -1;
    size_t i = 1;
    if (with_dir) {
        dir = w[1].text == "reply" ? 1 : 0;
        i = 2;
    }
    const int k = ct_key_by_name(w[i].text);
    if (k == CT_HELPER) {
        st.stmts.push_back(std::make_unique<objref_stmt>(l, obj_type::ct_helper, std::move(value)));
        return;
    }
    st.stmts.push_back(std::make_unique<ct_stmt>(l, k, dir, std::move(value)));
}

}  // namespace act

template <>
struct action<g::ct_stmt_plain> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_ct_stmt(in, st, false); }
};
template <>
struct action<g::ct_stmt_dir> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_ct_stmt(in, st, true); }
};

// ---- stateful statements ----

template <>
struct action<g::counter_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto c = std::make_unique<counter_stmt>(act::loc_of(in, st));
        for (size_t i = 1; i + 1 < w.size(); i += 2) {
            if (w[i].text == "packets") c->packets = act::to_u64(w[i + 1].text);
            if (w[i].text == "bytes") c->bytes = act::to_u64(w[i + 1].text);
        }
        st.stmts.push_back(std::move(c));
    }
};

template <>
struct action<g::last_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<last_stmt>(act::loc_of(in, st));
        if (w.size() == 3 && w[2].text != "never") {
            if (auto ms = act::time_ms(st, w[2])) {
                s->used = *ms;
                s->set = true;
            }
        }
        st.stmts.push_back(std::move(s));
    }
};

namespace act {

// Limit and quota words, with units glued to numbers or slashes split apart:
// "1025bytes/second" -> 1025 bytes / second.
inline std::vector<std::string> unit_words(const std::vector<word>& w) {
    std::vector<std::string> out;
    for (const auto& x : w) {
        std::string s(x.text);
        size_t i = 0;
        while (i < s.size()) {
            if (s[i] == '/') {
                out.emplace_back("/");
                ++i;
                continue;
            }
            size_t j = i;
            const bool digit = std::isdigit(static_cast<unsigned char>(s[i])) != 0;
            while (j < s.size() && s[j] != '/' &&
                   (std::isdigit(static_cast<unsigned char>(s[j])) != 0) == digit) {
                ++j;
            }
            out.push_back(s.substr(i, j - i));
            i = j;
        }
    }
    return out;
}

inline uint64_t bytes_unit(std::string_view u) {
    if (u == "kbytes") return 1024;
    if (u == "mbytes") return 1024 * 1024;
    return 1;
}

inline uint64_t time_unit(std::string_view u) {
    if (u == "minute") return 60;
    if (u == "hour") return 3600;
    if (u == "day") return 86400;
    if (u == "week") return 604800;
    return 1;
}

struct limit_spec {
    uint64_t rate = 0, unit = 1;
    uint32_t burst = 0;
    limit_type type = limit_type::packets;
    bool over = false;
    bool burst_given = false;
};

// words: [over|until] N [unit] / time [burst N [unit|packets]]
inline limit_spec parse_limit(const std::vector<std::string>& w, size_t i) {
    limit_spec l;
    if (i < w.size() && (w[i] == "over" || w[i] == "until")) {
        l.over = w[i] == "over";
        ++i;
    }
    l.rate = to_u64(w[i++]);
    if (i < w.size() && w[i] != "/") {
        l.type = limit_type::bytes;
        l.rate *= bytes_unit(w[i++]);
    }
    ++i;  // '/'
    if (i < w.size()) l.unit = time_unit(w[i++]);
    if (i < w.size() && w[i] == "burst") {
        l.burst_given = true;
        uint64_t b = to_u64(w[i + 1]);
        if (i + 2 < w.size() && w[i + 2] != "packets") b *= bytes_unit(w[i + 2]);
        l.burst = static_cast<uint32_t>(b);
    } else if (l.type == limit_type::packets) {
        l.burst = 5;
    }
    return l;
}

}  // namespace act

template <>
struct action<g::limit_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::unit_words(act::words_of(in, st));
        const auto spec = act::parse_limit(w, 2);
        auto s = std::make_unique<limit_stmt>(act::loc_of(in, st));
        s->rate = spec.rate;
        s->unit = spec.unit;
        s->burst = spec.burst;
        s->type = spec.type;
        s->over = spec.over;
        if (spec.type == limit_type::packets && spec.burst_given && spec.burst == 0) {
            st.error(s->loc, "packet limit burst must be > 0");
        }
        st.stmts.push_back(std::move(s));
    }
};

namespace act {

struct quota_spec {
    uint64_t bytes = 0, used = 0;
    bool over = false;
};

inline quota_spec parse_quota(const std::vector<std::string>& w, size_t i) {
    quota_spec q;
    if (i < w.size() && (w[i] == "over" || w[i] == "until")) {
        q.over = w[i] == "over";
        ++i;
    }
    q.bytes = to_u64(w[i]) * (i + 1 < w.size() ? bytes_unit(w[i + 1]) : 1);
    i += 2;
    if (i + 2 < w.size() + 1 && i < w.size() && w[i] == "used") q.used = to_u64(w[i + 1]) * bytes_unit(w[i + 2]);
    return q;
}

}  // namespace act

template <>
struct action<g::quota_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::unit_words(act::words_of(in, st));
        const auto q = act::parse_quota(w, 1);
        auto s = std::make_unique<quota_stmt>(act::loc_of(in, st));
        s->bytes = q.bytes;
        s->used = q.used;
        s->over = q.over;
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::connlimit_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<connlimit_stmt>(act::loc_of(in, st));
        s->over = w.size() == 4;
        s->count = static_cast<uint32_t>(act::to_u64(w.back().text));
        st.stmts.push_back(std::move(s));
    }
};

// ---- log ----

template <>
struct action<g::log_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<log_stmt>(act::loc_of(in, st));
        static const std::pair<std::string_view, uint32_t> levels[] = {
            {"emerg", 0}, {"alert", 1}, {"crit", 2}, {"err", 3},    {"warn", 4},
            {"notice", 5}, {"info", 6}, {"debug", 7}, {"audit", 8},
        };
        for (size_t i = 1; i < w.size(); ++i) {
            const auto k = w[i].text;
            if (k == "prefix" && i + 1 < w.size()) {
                // `$name` inside a prefix is replaced by the variable's value.
                std::string text = act::unquote(w[i + 1].text);
                std::string out;
                for (size_t p = 0; p < text.size(); ++p) {
                    if (text[p] == '$') {
                        size_t q = p + 1;
                        while (q < text.size() && (std::isalnum(static_cast<unsigned char>(text[q])) || text[q] == '_'))
                            ++q;
                        const std::string name = text.substr(p + 1, q - p - 1);
                        const expr* v = name.empty() ? nullptr : st.lookup_variable(name);
                        if (v != nullptr && v->is(expr_kind::symbol)) {
                            out += v->as<symbol_expr>().text;
                            p = q - 1;
                            continue;
                        }
                        if (!name.empty()) {
                            st.error(w[i + 1].loc, fmt::format("unknown identifier '{}'", name));
                            p = q - 1;
                            continue;
                        }
                    }
                    out += text[p];
                }
                s->prefix = out;
                s->set_flags |= LOG_F_PREFIX;
                ++i;
            } else if (k == "group") {
                s->group = static_cast<uint32_t>(act::to_u64(w[++i].text));
                s->set_flags |= LOG_F_GROUP;
            } else if (k == "snaplen") {
                s->snaplen = static_cast<uint32_t>(act::to_u64(w[++i].text));
                s->set_flags |= LOG_F_SNAPLEN;
            } else if (k == "queue-threshold") {
                s->qthreshold = static_cast<uint32_t>(act::to_u64(w[++i].text));
                s->set_flags |= LOG_F_QTHRESHOLD;
            } else if (k == "level") {
                const auto lv = w[++i].text;
                for (const auto& [name, num] : levels) {
                    if (lv == name) s->level = num;
                }
                s->set_flags |= LOG_F_LEVEL;
            } else if (k == "flags") {
                const auto f = w[++i].text;
                if (f == "tcp") {
                    while (i + 1 < w.size() && (w[i + 1].text == "sequence" || w[i + 1].text == "options" ||
                                                w[i + 1].text == ",")) {
                        ++i;
                        if (w[i].text == "sequence") s->logflags |= NF_LOG_TCPSEQ;
                        if (w[i].text == "options") s->logflags |= NF_LOG_TCPOPT;
                    }
                } else if (f == "ip") {
                    ++i;  // options
                    s->logflags |= NF_LOG_IPOPT;
                } else if (f == "skuid") {
                    s->logflags |= NF_LOG_UID;
                } else if (f == "ether") {
                    s->logflags |= NF_LOG_MACDECODE;
                } else if (f == "all") {
                    s->logflags |= NF_LOG_MASK;
                }
            }
        }
        st.stmts.push_back(std::move(s));
    }
};

// ---- reject ----

template <>
struct action<g::reject_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<reject_stmt>(act::loc_of(in, st));
        if (w.size() > 1) {
            s->explicit_with = true;
            const auto kind = w[2].text;
            if (kind == "tcp") {
                s->type = reject_type::tcp_rst;
            } else {
                const word& code = w.back();
                std::string text(code.text);
                if (code.cls == g::word_class::decimal || code.cls == g::word_class::hex) {
                    text = std::to_string(act::to_u64(code.text));
                }
                if (kind == "icmp") {
                    s->type = reject_type::icmp_unreach;
                    s->family = static_cast<int>(family::ipv4);
                    s->code = std::make_unique<symbol_expr>(code.loc, text);
                    s->code->dtype = &dt(type_id::reject_icmp_code);
                } else if (kind == "icmpv6") {
                    s->type = reject_type::icmp_unreach;
                    s->family = static_cast<int>(family::ipv6);
                    s->code = std::make_unique<symbol_expr>(code.loc, text);
                    s->code->dtype = &dt(type_id::reject_icmpv6_code);
                } else {
                    s->type = reject_type::icmpx_unreach;
                    s->code = std::make_unique<symbol_expr>(code.loc, text);
                    s->code->dtype = &dt(type_id::reject_icmpx_code);
                }
            }
        }
        st.stmts.push_back(std::move(s));
    }
};

// ---- NAT, tproxy ----

template <>
struct action<g::nat_addr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.toks.push_back({"addr", {}, act::loc_of(in, st)}); }
};
template <>
struct action<g::nat_port> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.toks.push_back({"port", {}, act::loc_of(in, st)}); }
};
template <>
struct action<g::tproxy_addr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.toks.push_back({"addr", {}, act::loc_of(in, st)}); }
};
template <>
struct action<g::tproxy_port> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.toks.push_back({"port", {}, act::loc_of(in, st)}); }
};

namespace act {

inline uint32_t nat_flags_of(const std::vector<word>& w) {
    uint32_t f = 0;
    for (const auto& x : w) {
        if (x.text == "random") f |= NF_NAT_RANGE_PROTO_RANDOM;
        if (x.text == "fully-random") f |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
        if (x.text == "persistent") f |= NF_NAT_RANGE_PERSISTENT;
    }
    return f;
}

// Assigns the addr/port expressions of a NAT-like statement from the tags their rules left.
inline void take_addr_port(parse_state& st, expr_ptr& addr, expr_ptr& port) {
    auto exprs = st.take_exprs();
    auto toks = st.take_toks();
    size_t e = 0;
    for (const auto& t : toks) {
        if (e >= exprs.size()) break;
        if (t.kind == "addr") addr = std::move(exprs[e++]);
        if (t.kind == "port") port = std::move(exprs[e++]);
    }
}

}  // namespace act

template <>
struct action<g::nat_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const bool snat = w.front().text == "snat";
        auto s = std::make_unique<nat_stmt>(act::loc_of(in, st), snat ? nat_type::snat : nat_type::dnat);
        act::take_addr_port(st, s->addr, s->proto);
        if (w.size() > 1 && (w[1].text == "ip" || w[1].text == "ip6")) {
            s->family = static_cast<int>(w[1].text == "ip" ? family::ipv4 : family::ipv6);
            if (w.size() > 2 && w[2].text == "addr") s->type_flags |= STMT_NAT_F_CONCAT;
        }
        for (size_t i = 1; i < w.size() && i < 3; ++i) {
            if (w[i].text == "prefix") {
                s->type_flags |= STMT_NAT_F_PREFIX;
                s->flags |= NF_NAT_RANGE_NETMAP;
            }
            if (w[i].text == "interval") s->type_flags |= STMT_NAT_F_INTERVAL;
            if (w[i].text == "to") s->written_to = true;
        }
        s->flags |= act::nat_flags_of(w);
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::masq_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<nat_stmt>(act::loc_of(in, st), nat_type::masquerade);
        expr_ptr addr;
        act::take_addr_port(st, addr, s->proto);
        s->flags = act::nat_flags_of(w);
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::redir_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<nat_stmt>(act::loc_of(in, st), nat_type::redirect);
        expr_ptr addr;
        act::take_addr_port(st, addr, s->proto);
        s->flags = act::nat_flags_of(w);
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::tproxy_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<tproxy_stmt>(act::loc_of(in, st));
        act::take_addr_port(st, s->addr, s->port);
        if (w[1].text == "ip") s->family = static_cast<int>(family::ipv4);
        if (w[1].text == "ip6") s->family = static_cast<int>(family::ipv6);
        st.stmts.push_back(std::move(s));
    }
};

// ---- queue, dup, fwd ----

template <>
struct action<g::queue_expr_simple> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto exprs = st.take_exprs();
        if (exprs.size() == 2) {
            st.exprs.push_back(std::make_unique<range_expr>(act::loc_of(in, st), std::move(exprs[0]), std::move(exprs[1])));
        } else if (!exprs.empty()) {
            st.exprs.push_back(std::move(exprs[0]));
        }
    }
};

template <>
struct action<g::queue_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<queue_stmt>(act::loc_of(in, st));
        auto exprs = st.take_exprs();
        if (!exprs.empty()) s->queue = std::move(exprs.back());
        for (const auto& x : w) {
            if (x.text == "bypass") s->flags |= NFT_QUEUE_FLAG_BYPASS;
            if (x.text == "fanout") s->flags |= NFT_QUEUE_FLAG_CPU_FANOUT;
        }
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::dup_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto s = std::make_unique<dup_stmt>(act::loc_of(in, st));
        auto exprs = st.take_exprs();
        if (!exprs.empty()) s->to = std::move(exprs[0]);
        if (exprs.size() > 1) s->dev = std::move(exprs[1]);
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::fwd_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<fwd_stmt>(act::loc_of(in, st));
        auto exprs = st.take_exprs();
        if (w[1].text == "ip" || w[1].text == "ip6") {
            s->family = static_cast<int>(w[1].text == "ip" ? family::ipv4 : family::ipv6);
            if (!exprs.empty()) s->addr = std::move(exprs[0]);
            if (exprs.size() > 1) s->dev = std::move(exprs[1]);
        } else if (!exprs.empty()) {
            s->dev = std::move(exprs[0]);
        }
        st.stmts.push_back(std::move(s));
    }
};

// ---- set updates ----

namespace act {

// concat_expr plus options as a set element.
template <typename Input>
void push_elem_stmt_key(const Input& in, parse_state& st) {
    auto exprs = st.take_exprs();
    auto e = std::make_unique<set_elem_expr>(loc_of(in, st), exprs.empty() ? nullptr : std::move(exprs[0]));
    if (e->key) e->loc = e->key->loc;
    apply_elem_options(st, *e, st.take_toks());
    st.exprs.push_back(std::move(e));
}

}  // namespace act

template <>
struct action<g::set_elem_expr_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_elem_stmt_key(in, st); }
};
template <>
struct action<g::set_stmt_key> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_elem_stmt_key(in, st); }
};
template <>
struct action<g::set_stmt_data> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        act::push_elem_stmt_key(in, st);
        st.toks.push_back({"data", {}, act::loc_of(in, st)});
    }
};
template <>
struct action<g::meter_key> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_elem_stmt_key(in, st); }
};

template <>
struct action<g::set_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        auto exprs = st.take_exprs();
        auto toks = st.take_toks();
        auto stmts = st.take_stmts();
        const bool old_form = w.front().text == "set";
        const auto opname = old_form ? w[1].text : w[0].text;
        const dynset_op o = opname == "update" ? dynset_op::update : opname == "delete" ? dynset_op::del : dynset_op::add;
        bool has_data = false;
        for (const auto& t : toks) has_data |= t.kind == "data";
        expr_ptr setref, key, data;
        if (old_form) {
            if (exprs.size() >= 2) {
                key = std::move(exprs[0]);
                setref = std::move(exprs[1]);
            }
        } else if (!exprs.empty()) {
            setref = std::move(exprs[0]);
            if (exprs.size() > 1) key = std::move(exprs[1]);
            if (has_data && exprs.size() > 2) data = std::move(exprs[2]);
        }
        if (data) {
            auto m = std::make_unique<map_stmt>(l);
            m->sop = o;
            m->set = std::move(setref);
            m->key = std::move(key);
            m->data = std::move(data);
            m->stmts = std::move(stmts);
            st.stmts.push_back(std::move(m));
            return;
        }
        auto s = std::make_unique<set_stmt>(l);
        s->sop = o;
        s->set = std::move(setref);
        s->key = std::move(key);
        s->stmts = std::move(stmts);
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::meter_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<meter_stmt>(act::loc_of(in, st));
        s->name = std::string(w[1].text);
        if (w[2].text == "size") s->size = static_cast<uint32_t>(act::to_u64(w[3].text));
        auto exprs = st.take_exprs();
        auto stmts = st.take_stmts();
        if (!exprs.empty()) s->key = std::move(exprs[0]);
        if (!stmts.empty()) s->body = std::move(stmts[0]);
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::objref_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        obj_type t = obj_type::counter;
        const auto k = w.front().text;
        if (k == "limit") t = obj_type::limit;
        if (k == "quota") t = obj_type::quota;
        if (k == "synproxy") t = obj_type::synproxy;
        if (k == "tunnel") t = obj_type::tunnel;
        if (k == "ct") t = w[1].text == "timeout" ? obj_type::ct_timeout : obj_type::ct_expect;
        st.stmts.push_back(std::make_unique<objref_stmt>(act::loc_of(in, st), t, st.pop_expr()));
    }
};

template <>
struct action<g::synproxy_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto s = std::make_unique<synproxy_stmt>(act::loc_of(in, st));
        for (size_t i = 1; i < w.size(); ++i) {
            const auto k = w[i].text;
            if ((k == "mss" || k == "maxseg") && i + 1 < w.size()) {
                s->mss = static_cast<uint32_t>(act::to_u64(w[++i].text));
                s->flags |= NF_SYNPROXY_OPT_MSS;
            } else if (k == "wscale" && i + 1 < w.size()) {
                s->wscale = static_cast<uint32_t>(act::to_u64(w[++i].text));
                s->flags |= NF_SYNPROXY_OPT_WSCALE;
            } else if (k == "timestamp") {
                s->flags |= NF_SYNPROXY_OPT_TIMESTAMP;
            } else if (k == "sack-perm" || k == "sack-permitted") {
                s->flags |= NF_SYNPROXY_OPT_SACK_PERM;
            }
        }
        st.stmts.push_back(std::move(s));
    }
};

template <>
struct action<g::optstrip_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        std::string kind(w[3].text);
        if (kind == "mss") kind = "maxseg";
        if (kind == "noop") kind = "nop";
        if (kind == "sack-permitted") kind = "sack-perm";
        if (kind == "sack0") kind = "sack";
        const exthdr_desc* d = exthdr_lookup(exthdr_op::tcpopt, kind);
        if (!d && !kind.empty() && std::isdigit(static_cast<unsigned char>(kind[0]))) {
            d = exthdr_lookup(exthdr_op::tcpopt, static_cast<uint32_t>(act::to_u64(kind)));
        }
        auto e = make_exthdr(l, exthdr_op::tcpopt, d, 0, true);
        if (!d) e->raw_type = static_cast<uint32_t>(act::to_u64(kind));
        st.stmts.push_back(std::make_unique<optstrip_stmt>(l, std::move(e)));
    }
};

template <>
struct action<g::xt_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.error(act::loc_of(in, st), "unsupported xtables compat expression, use iptables-nft with this ruleset");
    }
};

template <>
struct action<g::rule_comment> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        act::check_comment(st, w.back());
        st.toks.push_back({"comment", act::unquote(w.back().text), w.back().loc});
    }
};

template <>
struct action<g::rule_body> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto r = std::make_unique<rule>();
        r->loc = act::loc_of(in, st);
        r->stmts = st.take_stmts();
        for (auto& t : st.take_toks()) {
            if (t.kind == "comment") {
                r->comment = t.text;
                r->has_comment = true;
            }
        }
        st.rules.push_back(std::move(r));
    }
};

// ---- define, include ----

template <typename Context>
struct action<g::include_line<Context>> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const word& name = w[1];
        using entry = std::conditional_t<
            std::is_same_v<Context, g::table_context>, g::table_items,
            std::conditional_t<std::is_same_v<Context, g::chain_context>, g::chain_items,
                               std::conditional_t<std::is_same_v<Context, g::set_context>, g::set_items,
                                                  g::ruleset_file>>>;
        include_files<entry>(st, act::unquote(name.text), act::loc_of(in, st));
    }
};

namespace act {

template <typename Input>
void bind_define(const Input& in, parse_state& st, bool redefine) {
    const auto w = words_of(in, st);
    const word& name = w[1];
    auto exprs = st.take_exprs();
    expr_ptr value;
    if (!exprs.empty()) {
        value = std::move(exprs.back());
    } else {
        // `define x = -1`
        const int64_t n = -static_cast<int64_t>(to_u64(w[4].text));
        value = make_value(w[3].loc.merge(w[4].loc), &dt(type_id::integer), static_cast<u128>(static_cast<uint32_t>(n)), 32);
    }
    if (!redefine && st.lookup_variable(name.text) != nullptr) {
        st.error(name.loc, fmt::format("redefinition of symbol '{}'", name.text));
        return;
    }
    st.scopes.back()[std::string(name.text)] = std::move(value);
}

}  // namespace act

template <>
struct action<g::empty_set> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.exprs.push_back(std::make_unique<set_expr>(act::loc_of(in, st)));
    }
};

template <>
struct action<g::define_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::bind_define(in, st, false); }
};
template <>
struct action<g::redefine_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::bind_define(in, st, true); }
};
template <>
struct action<g::undefine_stmt> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const word& name = w[1];
        for (auto it = st.scopes.rbegin(); it != st.scopes.rend(); ++it) {
            if (it->erase(std::string(name.text)) != 0) return;
        }
        st.error(name.loc, fmt::format("undefined symbol '{}'", name.text));
    }
};

// ---- recovery after syntax errors ----

template <typename Context>
struct action<g::recover_line<Context>> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const char* at = st.furthest != nullptr && st.furthest >= in.begin() ? st.furthest : in.begin();
        if (at > in.end()) at = in.end();
        st.syntax_error(at);
    }
};

}  // namespace nfqwall::front

#include "front/parse_actions_ruleset.hpp"

// Grammar actions for tables, chains, sets, objects and commands (see parse_actions.hpp).
#pragma once

namespace nfqwall::front {

// ---- names ----

template <>
struct action<g::table_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.handles.push_back(act::handle_from(act::words_of(in, st), 0, 1));
    }
};

namespace act {

// `table_spec name`: the table's handle with one more name.
template <typename Input>
void extend_handle(const Input& in, parse_state& st) {
    if (st.handles.empty()) return;
    const auto w = words_of(in, st);
    handle_spec& h = st.handles.back();
    const word& n = w.back();
    h.chain = h.set = h.obj = h.flowtable = std::string(n.text);
    h.chain_loc = h.set_loc = h.obj_loc = h.flowtable_loc = n.loc;
}

}  // namespace act

template <>
struct action<g::chain_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::extend_handle(in, st); }
};
template <>
struct action<g::set_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::extend_handle(in, st); }
};
template <>
struct action<g::obj_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::extend_handle(in, st); }
};
template <>
struct action<g::flowtable_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::extend_handle(in, st); }
};

template <>
struct action<g::handle_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        // `[family] handle N` names a table by handle alone: no spec before it.
        const auto& parent = st.parent();
        if (st.handles.size() <= parent.handles) st.handles.emplace_back();
        st.handles.back().handle = act::to_u64(w.back().text);
        st.handles.back().handle_loc = w.back().loc;
    }
};

template <>
struct action<g::table_handle_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        // handle_spec pushed a bare handle; give it the family.
        if (!st.handles.empty() && act::is_family_word(w.front().text)) {
            st.handles.back().fam = act::family_of(w.front().text);
            st.handles.back().family_given = true;
        }
    }
};

template <>
struct action<g::position_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.handles.back().position = act::to_u64(w.back().text);
        st.handles.back().position_loc = act::loc_of(in, st);
    }
};

template <>
struct action<g::index_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.handles.back().index = act::to_u64(w.back().text);
        st.handles.back().index_loc = act::loc_of(in, st);
    }
};

template <>
struct action<g::rule_position> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        // `add rule t c handle N` means "after the rule with handle N".
        handle_spec& h = st.handles.back();
        if (h.handle) {
            h.position = h.handle;
            h.position_loc = h.handle_loc;
            h.handle.reset();
        }
    }
};

// ---- chains ----

template <>
struct action<g::chain_block_begin> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        block b{block::kind::chain, nullptr, std::make_unique<chain>(), nullptr, nullptr, nullptr};
        b.chn->loc = act::loc_of(in, st);
        st.blocks.push_back(std::move(b));
        st.scopes.emplace_back();
    }
};

template <>
struct action<g::chain_block_end> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        if (st.scopes.size() > 1) st.scopes.pop_back();
    }
};

template <>
struct action<g::device_name> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (w.front().text == "$") return;  // the variable's value is already there
        const std::string name = act::unquote(w.front().text);
        if (name.empty()) st.error(w.front().loc, "empty interface name");
        if (name.size() >= 16) st.error(w.front().loc, "interface name too long");
        st.exprs.push_back(make_string_value(w.front().loc, &dt(type_id::ifname), name));
    }
};

template <>
struct action<g::device_list> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_list(in, st); }
};

template <>
struct action<g::dev_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (w.front().text == "device") {
            auto l = std::make_unique<list_expr>(act::loc_of(in, st));
            l->items.push_back(st.pop_expr());
            st.exprs.push_back(std::move(l));
        }
        st.toks.push_back({"dev", {}, act::loc_of(in, st)});
    }
};

template <>
struct action<g::prio_value> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const location l = act::loc_of(in, st);
        if (w.front().text == "$") {
            // variable: keep its value for the evaluator
        } else if (w.front().text == "-" && w.size() == 2) {
            const auto v = static_cast<int32_t>(-static_cast<int64_t>(act::to_u64(w[1].text)));
            st.exprs.push_back(make_value(l, &dt(type_id::integer), static_cast<uint32_t>(v), 32));
        } else if (w.front().cls == g::word_class::decimal || w.front().cls == g::word_class::hex) {
            st.exprs.push_back(make_value(l, &dt(type_id::integer), act::to_u64(w.front().text) & 0xffffffffu, 32));
        } else {
            std::string s(w.front().text);
            if (w.size() == 3) s += fmt::format(" {} {}", w[1].text, act::to_u64(w[2].text));
            st.exprs.push_back(act::string_value(l, s));
        }
        st.toks.push_back({"prio", {}, l});
    }
};

template <>
struct action<g::hook_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        block* b = act::current(st, block::kind::chain);
        auto exprs = st.take_exprs();
        auto toks = st.take_toks();
        if (b == nullptr) return;
        chain& c = *b->chn;
        c.flags |= CHAIN_F_BASECHAIN;
        c.type = std::string(w[1].text);
        c.type_loc = w[1].loc;
        c.hook_str = std::string(w[3].text);
        c.hook_loc = w[3].loc;
        static const std::string_view hooks[] = {"prerouting", "input", "forward", "output",
                                                  "postrouting", "ingress", "egress"};
        if (std::find(std::begin(hooks), std::end(hooks), w[3].text) == std::end(hooks)) {
            st.error(w[3].loc, "unknown chain hook");
        }
        size_t e = 0;
        for (const auto& t : toks) {
            if (e >= exprs.size()) break;
            if (t.kind == "dev") c.dev_expr = std::move(exprs[e++]);
            if (t.kind == "prio") {
                c.priority = std::move(exprs[e++]);
                c.priority_set = true;
            }
        }
    }
};

template <>
struct action<g::policy_spec> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        block* b = act::current(st, block::kind::chain);
        auto exprs = st.take_exprs();
        if (b == nullptr) return;
        chain& c = *b->chn;
        const location l = act::loc_of(in, st);
        if (c.policy || c.policy_expr) {
            st.error(l, "you cannot set chain policy twice");
            return;
        }
        c.flags |= CHAIN_F_BASECHAIN;
        c.policy_loc = l;
        if (!exprs.empty()) {
            c.policy_expr = std::move(exprs.front());
        } else {
            c.policy = w[1].text == "accept" ? 1 : 0;
        }
    }
};

template <>
struct action<g::chain_flags_spec> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        if (block* b = act::current(st, block::kind::chain)) b->chn->flags |= CHAIN_F_HW_OFFLOAD;
    }
};

template <>
struct action<g::chain_devices> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        auto exprs = st.take_exprs();
        st.take_toks();
        block* b = act::current(st, block::kind::chain);
        if (b == nullptr || exprs.empty()) return;
        chain& c = *b->chn;
        if (c.dev_expr && c.dev_expr->is(expr_kind::list) && exprs.front()->is(expr_kind::list)) {
            for (auto& i : exprs.front()->as<list_expr>().items) c.dev_expr->as<list_expr>().items.push_back(std::move(i));
        } else {
            c.dev_expr = std::move(exprs.front());
        }
    }
};

namespace act {

template <typename Input>
void set_comment(const Input& in, parse_state& st, std::string& out, bool& has) {
    const auto w = words_of(in, st);
    if (has) {
        st.error(loc_of(in, st), "You can only specify this once. This statement is duplicated.");
        return;
    }
    check_comment(st, w.back());
    out = unquote(w.back().text);
    has = true;
}

}  // namespace act

template <>
struct action<g::chain_comment> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        if (block* b = act::current(st, block::kind::chain)) act::set_comment(in, st, b->chn->comment, b->chn->has_comment);
    }
};

template <>
struct action<g::chain_rule> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        auto r = st.pop_rule();
        block* b = act::current(st, block::kind::chain);
        if (r && b) b->chn->rules.push_back(std::move(*r));
    }
};

// ---- sets and maps ----

template <>
struct action<g::set_block_begin> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        block b{block::kind::set, nullptr, nullptr, std::make_unique<set>(), nullptr, nullptr};
        b.st->loc = act::loc_of(in, st);
        st.blocks.push_back(std::move(b));
    }
};
template <>
struct action<g::map_block_begin> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        block b{block::kind::set, nullptr, nullptr, std::make_unique<set>(), nullptr, nullptr};
        b.st->loc = act::loc_of(in, st);
        st.blocks.push_back(std::move(b));
    }
};

template <>
struct action<g::data_type_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        std::vector<expr_ptr> parts;
        for (const auto& x : w) {
            if (x.text == ".") continue;
            const datatype* t = datatype_lookup_byname(x.text);
            if (t == nullptr) {
                st.error(x.loc, fmt::format("unknown datatype {}", x.text));
                t = &dt(type_id::invalid);
            }
            parts.push_back(std::make_unique<value_expr>(x.loc, t, t->order, t->size, 0));
        }
        if (parts.size() == 1) {
            st.exprs.push_back(std::move(parts.front()));
            return;
        }
        auto c = std::make_unique<concat_expr>(act::loc_of(in, st));
        c->items = std::move(parts);
        st.exprs.push_back(std::move(c));
    }
};

template <>
struct action<g::typeof_expr> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        auto parts = st.take_exprs();
        if (parts.size() == 1) {
            st.exprs.push_back(std::move(parts.front()));
            return;
        }
        auto c = std::make_unique<concat_expr>(act::loc_of(in, st));
        c->items = std::move(parts);
        st.exprs.push_back(std::move(c));
    }
};

namespace act {

inline set* current_set(parse_state& st) {
    block* b = current(st, block::kind::set);
    return b ? b->st.get() : nullptr;
}

inline obj_type obj_type_of(const std::vector<word>& w, size_t i) {
    const auto k = w[i].text;
    if (k == "quota") return obj_type::quota;
    if (k == "limit") return obj_type::limit;
    if (k == "secmark") return obj_type::secmark;
    if (k == "synproxy") return obj_type::synproxy;
    if (k == "ct") return w[i + 1].text == "timeout" ? obj_type::ct_timeout : obj_type::ct_expect;
    return obj_type::counter;
}

inline bool set_key_once(parse_state& st, set& s, location l) {
    if (s.key) {
        st.error(l, "You can only specify this once. This statement is duplicated.");
        return false;
    }
    return true;
}

}  // namespace act

template <>
struct action<g::set_key_type> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        expr_ptr k = st.pop_expr();
        set* s = act::current_set(st);
        if (s && act::set_key_once(st, *s, act::loc_of(in, st))) s->key = std::move(k);
    }
};

template <>
struct action<g::set_key_typeof> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        expr_ptr k = st.pop_expr();
        set* s = act::current_set(st);
        if (s && act::set_key_once(st, *s, act::loc_of(in, st))) {
            s->key = std::move(k);
            s->key_typeof = true;
        }
    }
};

template <>
struct action<g::map_data_interval> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.toks.push_back({"interval", {}, act::loc_of(in, st)}); }
};
template <>
struct action<g::typeof_data_interval> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.toks.push_back({"interval", {}, act::loc_of(in, st)}); }
};
template <>
struct action<g::typeof_data_queue> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.exprs.push_back(std::make_unique<value_expr>(act::loc_of(in, st), &dt(type_id::queue), byte_order::host, 16, 0));
    }
};
template <>
struct action<g::map_obj_type> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.toks.push_back({"obj", std::to_string(static_cast<int>(act::obj_type_of(w, 0))), act::loc_of(in, st)});
    }
};

namespace act {

// Key and data of `type K : D` / `typeof K : D` map declarations.
inline void map_decl(parse_state& st, location l, bool is_typeof, const std::vector<word>& w) {
    auto exprs = st.take_exprs();
    auto toks = st.take_toks();
    set* s = current_set(st);
    if (s == nullptr || exprs.empty() || !set_key_once(st, *s, l)) return;
    s->key = std::move(exprs[0]);
    s->key_typeof = is_typeof;
    bool interval = false;
    for (const auto& t : toks) {
        if (t.kind == "obj") {
            s->objtype = static_cast<obj_type>(std::stoi(t.text));
            s->flags |= NFT_SET_OBJECT;
            return;
        }
        interval |= t.kind == "interval";
    }
    if (exprs.size() > 1) {
        s->data = std::move(exprs[1]);
        s->data_typeof = is_typeof && !s->data->is(expr_kind::value);
    } else if (is_typeof) {
        // `typeof ... : verdict` (a plain word) or an error.
        const word& d = w.back();
        if (d.text == "verdict") {
            s->data = std::make_unique<value_expr>(d.loc, &dt(type_id::verdict), byte_order::host, 0, 0);
        } else {
            st.error(d.loc, fmt::format("map data type '{}' lacks typeof serialization", d.text));
            return;
        }
    }
    if (s->data) {
        if (interval) s->data->flags |= EXPR_F_INTERVAL;
        // `typeof ... : ct helper` declares an object map.
        if (s->data->is(expr_kind::ct) && s->data->as<ct_expr>().key == CT_HELPER) {
            s->objtype = obj_type::ct_helper;
            s->flags |= NFT_SET_OBJECT;
            s->data.reset();
            return;
        }
        s->flags |= NFT_SET_MAP;
    }
}

}  // namespace act

template <>
struct action<g::map_key_type> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        act::map_decl(st, act::loc_of(in, st), false, act::words_of(in, st));
    }
};
template <>
struct action<g::map_key_typeof> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        act::map_decl(st, act::loc_of(in, st), true, act::words_of(in, st));
    }
};

template <>
struct action<g::set_flags_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        set* s = act::current_set(st);
        if (s == nullptr) return;
        for (const auto& w : act::words_of(in, st)) {
            if (w.text == "constant") s->flags |= NFT_SET_CONSTANT;
            if (w.text == "interval") s->flags |= NFT_SET_INTERVAL;
            if (w.text == "timeout") s->flags |= NFT_SET_TIMEOUT;
            if (w.text == "dynamic") s->flags |= NFT_SET_EVAL;
        }
    }
};

template <>
struct action<g::set_timeout_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        set* s = act::current_set(st);
        if (auto ms = act::time_ms(st, w[1]); s && ms) s->timeout = *ms;
    }
};

template <>
struct action<g::set_gc_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        set* s = act::current_set(st);
        if (auto ms = act::time_ms(st, w[1]); s && ms) s->gc_int = *ms;
    }
};

template <>
struct action<g::set_stateful_item> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        auto stmts = st.take_stmts();
        set* s = act::current_set(st);
        if (s == nullptr) return;
        for (auto& x : stmts) s->stmts.push_back(std::move(x));
    }
};

template <>
struct action<g::set_elements_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        expr_ptr e = st.pop_expr();
        set* s = act::current_set(st);
        if (s == nullptr) return;
        if (s->init) {
            st.error(act::loc_of(in, st), "You can only specify this once. This statement is duplicated.");
            return;
        }
        s->init = std::move(e);
    }
};

template <>
struct action<g::set_automerge_item> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        if (set* s = act::current_set(st)) s->automerge = true;
    }
};

template <>
struct action<g::set_mechanism> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        set* s = act::current_set(st);
        if (s == nullptr) return;
        if (w[0].text == "size") {
            s->size = static_cast<uint32_t>(act::to_u64(w[1].text));
        } else {
            s->policy = w[1].text == "memory" ? set_policy::memory : set_policy::performance;
        }
    }
};

template <>
struct action<g::set_comment_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        if (set* s = act::current_set(st)) act::set_comment(in, st, s->comment, s->has_comment);
    }
};

// ---- flowtables ----

template <>
struct action<g::flowtable_block_begin> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        block b{block::kind::flowtable, nullptr, nullptr, nullptr, nullptr, std::make_unique<flowtable>()};
        b.ft->loc = act::loc_of(in, st);
        st.blocks.push_back(std::move(b));
    }
};

template <>
struct action<g::flowtable_hook> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto exprs = st.take_exprs();
        st.take_toks();
        block* b = act::current(st, block::kind::flowtable);
        if (b == nullptr) return;
        b->ft->hook_str = std::string(w[1].text);
        b->ft->hook_loc = w[1].loc;
        if (w[1].text != "ingress") st.error(w[1].loc, "unknown chain hook");
        if (!exprs.empty()) {
            b->ft->priority = std::move(exprs.back());
            b->ft->priority_set = true;
        }
    }
};

template <>
struct action<g::flowtable_devices> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        auto exprs = st.take_exprs();
        block* b = act::current(st, block::kind::flowtable);
        if (b && !exprs.empty()) b->ft->dev_expr = std::move(exprs.front());
    }
};

template <>
struct action<g::flowtable_counter> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        if (block* b = act::current(st, block::kind::flowtable)) b->ft->flags |= 2;
    }
};

template <>
struct action<g::flowtable_offload> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        if (block* b = act::current(st, block::kind::flowtable)) b->ft->flags |= 1;
    }
};

// ---- stateful objects ----

template <>
struct action<g::obj_begin> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        block b{block::kind::obj, nullptr, nullptr, nullptr, std::make_unique<obj>(), nullptr};
        b.ob->loc = act::loc_of(in, st);
        st.blocks.push_back(std::move(b));
    }
};

namespace act {

inline obj* current_obj(parse_state& st) {
    block* b = current(st, block::kind::obj);
    return b ? b->ob.get() : nullptr;
}

}  // namespace act

template <>
struct action<g::counter_config> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (obj* o = act::current_obj(st)) {
            o->packets = act::to_u64(w[1].text);
            o->bytes = act::to_u64(w[3].text);
        }
    }
};

template <>
struct action<g::quota_config> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto q = act::parse_quota(act::unit_words(act::words_of(in, st)), 0);
        if (obj* o = act::current_obj(st)) {
            o->quota_bytes = q.bytes;
            o->quota_used = q.used;
            o->quota_over = q.over;
        }
    }
};

template <>
struct action<g::limit_config> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto l = act::parse_limit(act::unit_words(act::words_of(in, st)), 1);
        if (obj* o = act::current_obj(st)) {
            o->limit_rate = l.rate;
            o->limit_unit = l.unit;
            o->limit_burst = l.burst;
            o->limit_kind = l.type;
            o->limit_over = l.over;
        }
    }
};

template <>
struct action<g::secmark_config> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        std::string ctx = act::unquote(w.front().text);
        constexpr size_t max_ctx = 256;
        if (ctx.empty() || ctx.size() >= max_ctx) {
            st.error(w.front().loc, fmt::format("invalid context '{}', max length is {}", ctx, max_ctx));
        }
        if (obj* o = act::current_obj(st)) o->secmark_ctx = std::move(ctx);
    }
};

template <>
struct action<g::ct_helper_type> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        obj* o = act::current_obj(st);
        if (o == nullptr) return;
        if (o->l4proto != 0) {
            st.error(w[1].loc, fmt::format("You can only specify this once. This statement is already set for {}.",
                                           o->helper_name));
            return;
        }
        o->helper_name = act::unquote(w[1].text);
        if (o->helper_name.empty() || o->helper_name.size() >= 16) {
            st.error(w[1].loc, fmt::format("invalid name '{}', max length is 16", o->helper_name));
        }
        o->l4proto = w[3].text == "tcp" ? 6 : 17;
    }
};

template <>
struct action<g::ct_l3proto> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (obj* o = act::current_obj(st)) o->l3proto = act::family_of(w[1].text);
    }
};

template <>
struct action<g::ct_protocol> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (obj* o = act::current_obj(st)) o->l4proto = w[1].text == "tcp" ? 6 : 17;
    }
};

template <>
struct action<g::timeout_state> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        obj* o = act::current_obj(st);
        if (o == nullptr) return;
        uint64_t seconds = 0;
        const word& v = w[2];
        if (v.cls == g::word_class::decimal || v.cls == g::word_class::hex) {
            seconds = act::to_u64(v.text);
        } else if (auto ms = act::time_ms(st, v)) {
            seconds = *ms / 1000;
        }
        o->timeouts.push_back({std::string(w[0].text), seconds, w[0].loc});
    }
};

template <>
struct action<g::ct_expect_dport> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (obj* o = act::current_obj(st)) o->expect_dport = static_cast<uint16_t>(act::to_u64(w[1].text));
    }
};

template <>
struct action<g::ct_expect_timeout> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        obj* o = act::current_obj(st);
        if (auto ms = act::time_ms(st, w[1]); o && ms) o->expect_timeout = static_cast<uint32_t>(*ms);
    }
};

template <>
struct action<g::ct_expect_size> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (obj* o = act::current_obj(st)) o->expect_size = static_cast<uint8_t>(act::to_u64(w[1].text));
    }
};

template <>
struct action<g::synproxy_config> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        obj* o = act::current_obj(st);
        if (o == nullptr) return;
        o->syn_flags = NF_SYNPROXY_OPT_MSS | NF_SYNPROXY_OPT_WSCALE;
        for (size_t i = 0; i < w.size(); ++i) {
            if ((w[i].text == "mss" || w[i].text == "maxseg") && i + 1 < w.size()) {
                o->syn_mss = static_cast<uint32_t>(act::to_u64(w[i + 1].text));
            }
            if (w[i].text == "wscale" && i + 1 < w.size()) o->syn_wscale = static_cast<uint32_t>(act::to_u64(w[i + 1].text));
            if (w[i].text == "timestamp") o->syn_flags |= NF_SYNPROXY_OPT_TIMESTAMP;
            if (w[i].text == "sack-perm" || w[i].text == "sack-permitted") o->syn_flags |= NF_SYNPROXY_OPT_SACK_PERM;
        }
    }
};

template <>
struct action<g::tunnel_config_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        auto exprs = st.take_exprs();
        obj* o = act::current_obj(st);
        if (o == nullptr) return;
        const auto k = w[0].text;
        if (k == "id") o->tunnel_id = static_cast<uint32_t>(act::to_u64(w[1].text));
        if (k == "sport") {
            o->tunnel_sport = static_cast<uint16_t>(act::to_u64(w[1].text));
            o->tunnel_has_sport = true;
        }
        if (k == "dport") {
            o->tunnel_dport = static_cast<uint16_t>(act::to_u64(w[1].text));
            o->tunnel_has_dport = true;
        }
        if (k == "ttl") {
            o->tunnel_ttl = static_cast<uint8_t>(act::to_u64(w[1].text));
            o->tunnel_has_ttl = true;
        }
        if (k == "tos") {
            o->tunnel_tos = static_cast<uint8_t>(act::to_u64(w[1].text));
            o->tunnel_has_tos = true;
        }
        if (k == "ip" || k == "ip6") {
            o->tunnel_v6 = k == "ip6";
            const std::string addr(w[2].text);
            (w[1].text == "saddr" ? o->tunnel_src : o->tunnel_dst) = addr;
        }
        if (k == "erspan") o->tunnel_type = obj::tunnel_kind::erspan;
        if (k == "vxlan") o->tunnel_type = obj::tunnel_kind::vxlan;
        if (k == "geneve") o->tunnel_type = obj::tunnel_kind::geneve;
    }
};

template <>
struct action<g::tunnel_erspan_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        obj* o = act::current_obj(st);
        if (o == nullptr) return;
        const auto k = w[0].text;
        if (k == "version") o->erspan_version = static_cast<uint32_t>(act::to_u64(w[1].text));
        if (k == "index") o->erspan_index = static_cast<uint32_t>(act::to_u64(w[1].text));
        if (k == "id") o->erspan_hwid = static_cast<uint32_t>(act::to_u64(w[1].text));
        if (k == "direction") o->erspan_egress = w[1].text == "egress";
    }
};

template <>
struct action<g::tunnel_vxlan_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (obj* o = act::current_obj(st)) o->vxlan_gbp = static_cast<uint32_t>(act::to_u64(w[1].text));
    }
};

template <>
struct action<g::tunnel_geneve_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        if (obj* o = act::current_obj(st)) {
            o->geneve_opts.push_back({static_cast<uint32_t>(act::to_u64(w[1].text)),
                                      static_cast<uint32_t>(act::to_u64(w[3].text)), act::unquote(w[5].text)});
        }
    }
};

template <>
struct action<g::obj_comment> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        if (obj* o = act::current_obj(st)) act::set_comment(in, st, o->comment, o->has_comment);
    }
};

// ---- tables ----

template <>
struct action<g::table_block_begin> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        block b{block::kind::table, std::make_unique<table>(), nullptr, nullptr, nullptr, nullptr};
        b.tbl->loc = act::loc_of(in, st);
        st.blocks.push_back(std::move(b));
        st.scopes.emplace_back();
    }
};

template <>
struct action<g::table_block_end> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        if (st.scopes.size() > 1) st.scopes.pop_back();
    }
};

template <>
struct action<g::table_flags_item> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        block* b = act::current(st, block::kind::table);
        if (b == nullptr) return;
        const auto w = act::words_of(in, st);
        for (size_t i = 1; i < w.size(); ++i) {
            const auto f = w[i].text;
            if (f == ",") continue;
            if (f == "dormant") {
                b->tbl->flags |= TABLE_F_DORMANT;
            } else if (f == "owner") {
                b->tbl->flags |= TABLE_F_OWNER;
            } else if (f == "persist") {
                b->tbl->flags |= TABLE_F_PERSIST;
            } else {
                st.error(w[i].loc, fmt::format("unknown table option {}", f));
            }
        }
    }
};

template <>
struct action<g::table_comment> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        if (block* b = act::current(st, block::kind::table)) act::set_comment(in, st, b->tbl->comment, b->tbl->has_comment);
    }
};

namespace act {

// Moves the block on top of the stack into the table block under it, named by word `n`.
template <typename Input>
void nest_into_table(const Input& in, parse_state& st, size_t n, obj_type t = obj_type::none) {
    if (st.blocks.size() < 2) return;
    const auto w = words_of(in, st);
    block inner = std::move(st.blocks.back());
    st.blocks.pop_back();
    block* outer = current(st, block::kind::table);
    if (outer == nullptr) return;
    const word& name = w[n];
    switch (inner.k) {
    case block::kind::chain:
        inner.chn->name = std::string(name.text);
        inner.chn->loc = name.loc;
        outer->tbl->chains.push_back(std::move(inner.chn));
        break;
    case block::kind::set:
        inner.st->name = std::string(name.text);
        inner.st->loc = name.loc;
        outer->tbl->sets.push_back(std::move(inner.st));
        break;
    case block::kind::flowtable:
        inner.ft->name = std::string(name.text);
        inner.ft->loc = name.loc;
        outer->tbl->flowtables.push_back(std::move(inner.ft));
        break;
    case block::kind::obj:
        inner.ob->name = std::string(name.text);
        inner.ob->loc = name.loc;
        inner.ob->type = t;
        outer->tbl->objs.push_back(std::move(inner.ob));
        break;
    case block::kind::table:
        break;
    }
}

}  // namespace act

template <>
struct action<g::table_chain> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::nest_into_table(in, st, 1); }
};
template <>
struct action<g::table_set> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::nest_into_table(in, st, 1); }
};
template <>
struct action<g::table_map> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        st.take_toks();
        act::nest_into_table(in, st, 1);
    }
};
template <>
struct action<g::table_flowtable> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::nest_into_table(in, st, 1); }
};

#define NFQWALL_TABLE_OBJ_ACTION(rule, word_index, type)                                                            \
    template <>                                                                                                     \
    struct action<g::rule> {                                                                                        \
        template <typename Input>                                                                                   \
        static void apply(const Input& in, parse_state& st) {                                                       \
            act::nest_into_table(in, st, word_index, type);                                                         \
        }                                                                                                           \
    };

NFQWALL_TABLE_OBJ_ACTION(table_counter, 1, obj_type::counter)
NFQWALL_TABLE_OBJ_ACTION(table_quota, 1, obj_type::quota)
NFQWALL_TABLE_OBJ_ACTION(table_limit, 1, obj_type::limit)
NFQWALL_TABLE_OBJ_ACTION(table_secmark, 1, obj_type::secmark)
NFQWALL_TABLE_OBJ_ACTION(table_synproxy, 1, obj_type::synproxy)
NFQWALL_TABLE_OBJ_ACTION(table_ct_helper, 2, obj_type::ct_helper)
NFQWALL_TABLE_OBJ_ACTION(table_ct_timeout, 2, obj_type::ct_timeout)
NFQWALL_TABLE_OBJ_ACTION(table_ct_expect, 2, obj_type::ct_expect)
NFQWALL_TABLE_OBJ_ACTION(table_tunnel, 1, obj_type::tunnel)
#undef NFQWALL_TABLE_OBJ_ACTION

// ---- commands ----

namespace act {

template <typename Input>
cmd new_cmd(const Input& in, parse_state& st, cmd_obj what) {
    cmd c;
    c.op = cmd_op::add;
    c.what = what;
    c.loc = loc_of(in, st);
    if (!st.handles.empty()) {
        c.h = std::move(st.handles.back());
        st.handles.pop_back();
    }
    return c;
}

// The block this command's braces produced, if any (it sits above the command's mark).
inline std::optional<block> take_block(parse_state& st) {
    if (st.blocks.size() <= st.top().blocks) return std::nullopt;
    block b = std::move(st.blocks.back());
    st.blocks.pop_back();
    return b;
}

}  // namespace act

template <>
struct action<g::cmd_table> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        cmd c = act::new_cmd(in, st, cmd_obj::table);
        auto b = act::take_block(st);
        c.tbl = b && b->tbl ? std::move(b->tbl) : std::make_unique<table>();
        c.tbl->fam = c.h.fam;
        c.tbl->name = c.h.table;
        c.tbl->loc = c.h.table_loc;
        st.cmds.push_back(std::move(c));
    }
};

template <>
struct action<g::cmd_chain> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        cmd c = act::new_cmd(in, st, cmd_obj::chain);
        auto b = act::take_block(st);
        c.chn = b && b->chn ? std::move(b->chn) : std::make_unique<chain>();
        c.chn->name = c.h.chain;
        c.chn->loc = c.h.chain_loc;
        st.cmds.push_back(std::move(c));
    }
};

namespace act {

template <typename Input>
void push_rule_cmd(const Input& in, parse_state& st, cmd_op o) {
    auto r = st.pop_rule();
    cmd c = new_cmd(in, st, cmd_obj::rule);
    c.op = o;
    c.rul = std::move(r);
    st.cmds.push_back(std::move(c));
}

}  // namespace act

template <>
struct action<g::cmd_rule> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_rule_cmd(in, st, cmd_op::add); }
};
template <>
struct action<g::cmd_rule_implicit> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_rule_cmd(in, st, cmd_op::add); }
};
template <>
struct action<g::cmd_insert> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_rule_cmd(in, st, cmd_op::insert); }
};
template <>
struct action<g::cmd_replace> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_rule_cmd(in, st, cmd_op::replace); }
};

namespace act {

template <typename Input>
void push_set_cmd(const Input& in, parse_state& st, bool is_map) {
    st.take_toks();
    cmd c = new_cmd(in, st, is_map ? cmd_obj::map : cmd_obj::set);
    auto b = take_block(st);
    c.st = b && b->st ? std::move(b->st) : std::make_unique<set>();
    c.st->name = c.h.set;
    c.st->loc = c.h.set_loc;
    st.cmds.push_back(std::move(c));
}

}  // namespace act

template <>
struct action<g::cmd_set> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_set_cmd(in, st, false); }
};
template <>
struct action<g::cmd_map> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { act::push_set_cmd(in, st, true); }
};

template <>
struct action<g::cmd_element> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        expr_ptr e = st.pop_expr();
        cmd c = act::new_cmd(in, st, cmd_obj::element);
        c.elems = std::move(e);
        st.cmds.push_back(std::move(c));
    }
};

template <>
struct action<g::cmd_flowtable> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        cmd c = act::new_cmd(in, st, cmd_obj::flowtable);
        auto b = act::take_block(st);
        c.ft = b && b->ft ? std::move(b->ft) : std::make_unique<flowtable>();
        c.ft->name = c.h.flowtable;
        c.ft->loc = c.h.flowtable_loc;
        st.cmds.push_back(std::move(c));
    }
};

namespace act {

template <typename Input>
void push_obj_cmd(const Input& in, parse_state& st, cmd_obj what, obj_type t) {
    cmd c = new_cmd(in, st, what);
    auto b = take_block(st);
    c.ob = b && b->ob ? std::move(b->ob) : std::make_unique<obj>();
    c.ob->type = t;
    c.ob->name = c.h.obj;
    c.ob->loc = c.h.obj_loc;
    st.cmds.push_back(std::move(c));
}

}  // namespace act

#define NFQWALL_OBJ_CMD_ACTION(rule, what, type)                                                                    \
    template <>                                                                                                     \
    struct action<g::rule> {                                                                                        \
        template <typename Input>                                                                                   \
        static void apply(const Input& in, parse_state& st) {                                                       \
            act::push_obj_cmd(in, st, what, type);                                                                  \
        }                                                                                                           \
    };

NFQWALL_OBJ_CMD_ACTION(cmd_counter, cmd_obj::counter, obj_type::counter)
NFQWALL_OBJ_CMD_ACTION(cmd_quota, cmd_obj::quota, obj_type::quota)
NFQWALL_OBJ_CMD_ACTION(cmd_limit, cmd_obj::limit, obj_type::limit)
NFQWALL_OBJ_CMD_ACTION(cmd_secmark, cmd_obj::secmark, obj_type::secmark)
NFQWALL_OBJ_CMD_ACTION(cmd_synproxy, cmd_obj::synproxy, obj_type::synproxy)
NFQWALL_OBJ_CMD_ACTION(cmd_ct_helper, cmd_obj::ct_helper, obj_type::ct_helper)
NFQWALL_OBJ_CMD_ACTION(cmd_ct_timeout, cmd_obj::ct_timeout, obj_type::ct_timeout)
NFQWALL_OBJ_CMD_ACTION(cmd_ct_expect, cmd_obj::ct_expect, obj_type::ct_expect)
NFQWALL_OBJ_CMD_ACTION(cmd_tunnel, cmd_obj::tunnel, obj_type::tunnel)
#undef NFQWALL_OBJ_CMD_ACTION

template <>
struct action<g::cmd_create> {
    template <typename Input>
    static void apply(const Input&, parse_state& st) {
        if (!st.cmds.empty()) st.cmds.back().op = cmd_op::create;
    }
};

// Object references for delete/destroy/flush/list/reset/get: they push a command the
// enclosing verb then labels.
template <>
struct action<g::ref_table> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.cmds.push_back(act::new_cmd(in, st, cmd_obj::table)); }
};
template <>
struct action<g::ref_chain> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        act::take_block(st);
        st.cmds.push_back(act::new_cmd(in, st, cmd_obj::chain));
    }
};
template <>
struct action<g::ref_rule> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) { st.cmds.push_back(act::new_cmd(in, st, cmd_obj::rule)); }
};
template <>
struct action<g::ref_set> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        const cmd_obj what = w.front().text == "map" ? cmd_obj::map : w.front().text == "meter" ? cmd_obj::meter
                                                                                               : cmd_obj::set;
        st.cmds.push_back(act::new_cmd(in, st, what));
    }
};
template <>
struct action<g::ref_element> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        expr_ptr e = st.pop_expr();
        cmd c = act::new_cmd(in, st, cmd_obj::element);
        c.elems = std::move(e);
        st.cmds.push_back(std::move(c));
    }
};
template <>
struct action<g::ref_flowtable> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        act::take_block(st);
        st.cmds.push_back(act::new_cmd(in, st, cmd_obj::flowtable));
    }
};
template <>
struct action<g::ref_obj> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        cmd_obj what = cmd_obj::counter;
        const auto k = w.front().text;
        if (k == "quota") what = cmd_obj::quota;
        if (k == "limit") what = cmd_obj::limit;
        if (k == "secmark") what = cmd_obj::secmark;
        if (k == "synproxy") what = cmd_obj::synproxy;
        if (k == "tunnel") what = cmd_obj::tunnel;
        if (k == "ct") {
            what = w[1].text == "helper" ? cmd_obj::ct_helper
                   : w[1].text == "timeout" ? cmd_obj::ct_timeout
                                            : cmd_obj::ct_expect;
        }
        st.cmds.push_back(act::new_cmd(in, st, what));
    }
};
template <>
struct action<g::ref_ruleset> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        cmd c;
        c.what = cmd_obj::ruleset;
        c.loc = act::loc_of(in, st);
        c.h.fam = family::unspec;
        if (w.size() > 1) {
            c.h.fam = act::family_of(w[1].text);
            c.h.family_given = true;
        }
        st.cmds.push_back(std::move(c));
    }
};
template <>
struct action<g::ref_plural> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        cmd c;
        c.what = w.front().text == "counters" ? cmd_obj::counters
                 : w.front().text == "quotas" ? cmd_obj::quotas
                 : w.front().text == "rules"  ? cmd_obj::rules
                                              : cmd_obj::ruleset;
        c.loc = act::loc_of(in, st);
        if (!st.handles.empty() && st.handles.size() > st.top().handles) {
            c.h = std::move(st.handles.back());
            st.handles.pop_back();
        }
        st.cmds.push_back(std::move(c));
    }
};

#define NFQWALL_VERB_ACTION(rule, verb)                                                                             \
    template <>                                                                                                     \
    struct action<g::rule> {                                                                                        \
        template <typename Input>                                                                                   \
        static void apply(const Input&, parse_state& st) {                                                          \
            if (!st.cmds.empty()) st.cmds.back().op = verb;                                                         \
        }                                                                                                           \
    };

NFQWALL_VERB_ACTION(cmd_delete, cmd_op::del)
NFQWALL_VERB_ACTION(cmd_destroy, cmd_op::destroy)
NFQWALL_VERB_ACTION(cmd_flush, cmd_op::flush)
NFQWALL_VERB_ACTION(cmd_list, cmd_op::list)
NFQWALL_VERB_ACTION(cmd_reset, cmd_op::reset)
NFQWALL_VERB_ACTION(cmd_get, cmd_op::get)
#undef NFQWALL_VERB_ACTION

template <>
struct action<g::cmd_rename> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        cmd c = act::new_cmd(in, st, cmd_obj::chain);
        c.op = cmd_op::rename;
        c.arg = std::string(w.back().text);
        st.cmds.push_back(std::move(c));
    }
};

template <>
struct action<g::cmd_unsupported> {
    template <typename Input>
    static void apply(const Input& in, parse_state& st) {
        const auto w = act::words_of(in, st);
        st.error(act::loc_of(in, st), fmt::format("'{}' is an interactive command; it has no meaning in a ruleset",
                                                  w.front().text));
    }
};

}  // namespace nfqwall::front

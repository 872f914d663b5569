// The linearizer: rules to register bytecode, after nft's netlink_linearize.c. Values keep the
// kernel's register layout (compile/encode.hpp); sub-byte header fields are loaded and shifted
// down so that every value a rule compares or stores is right-aligned.
#include "compile/compile.hpp"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <map>
#include <unordered_map>

#include <fmt/format.h>

#include "compile/encode.hpp"
#include "front/proto.hpp"
#include "front/walk.hpp"

namespace nfqwall::compile {

using namespace front;  // the AST is what this file reads

uint32_t program::family_slot(family f) {
    switch (f) {
    case family::ipv4: return 0;
    case family::ipv6: return 1;
    case family::arp: return 2;
    case family::bridge: return 3;
    case family::netdev: return 4;
    default: return 5;
    }
}

std::vector<hooked_chain>& program::hooked(family f, hook h) {
    const uint32_t slot = family_slot(f) * hook_slots + (static_cast<uint32_t>(h) % hook_slots);
    if (hooks.size() <= slot) hooks.resize(6 * hook_slots);
    return hooks[slot];
}

const std::vector<hooked_chain>& program::hooked(family f, hook h) const {
    static const std::vector<hooked_chain> none;
    const uint32_t slot = family_slot(f) * hook_slots + (static_cast<uint32_t>(h) % hook_slots);
    return slot < hooks.size() ? hooks[slot] : none;
}

namespace {

constexpr uint64_t ns_per_ms = 1'000'000;
constexpr int32_t nf_drop = 0, nf_accept = 1, nf_queue = 3;
constexpr int32_t nft_continue = -1, nft_jump = -3, nft_goto = -4, nft_return = -5;

// A failure to compile: a construct nfqwall cannot run yet. The rule stays, never matching.
struct unsupported {
    std::string what;
    location loc;
};

bool host_integer(const expr& e) {
    if (e.order != byte_order::host) return false;
    const datatype* root = e.dtype ? e.dtype->root() : nullptr;
    if (root && root->id == type_id::string) return false;
    const uint32_t bytes = value_bytes(e.len);
    return bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8;
}

bool bitmask_type(const expr& e) {
    return e.dtype != nullptr && e.dtype->basetype != nullptr && e.dtype->basetype->id == type_id::bitmask;
}

uint8_t cmp_op_of(op o) {
    switch (o) {
    case op::neq: return cmp_neq;
    case op::lt: return cmp_lt;
    case op::lte: return cmp_lte;
    case op::gt: return cmp_gt;
    case op::gte: return cmp_gte;
    default: return cmp_eq;
    }
}

class linearizer {
public:
    linearizer(program& p, const compile_options& o, compile_report* r) : p_(p), opts_(o), report_(r) {}

    bool run(const ruleset& rs) {
        for (const auto& t : rs.tables) {
            if (!declare_table(*t)) return false;
        }
        for (const auto& t : rs.tables) {
            if (!build_sets(*t)) return false;
        }
        for (const auto& t : rs.tables) {
            table_ = t.get();
            for (const auto& c : t->chains) compile_chain(*c, chain_index_.at(c.get()));
        }
        // Anonymous chains (`jump { ... }`) were added while compiling the others.
        for (size_t i = 0; i < pending_.size(); ++i) {
            table_ = pending_[i].second;
            compile_chain(*pending_[i].first, chain_index_.at(pending_[i].first));
        }
        hook_base_chains(rs);
        return true;
    }

private:
    program& p_;
    const compile_options& opts_;
    compile_report* report_;
    const table* table_ = nullptr;
    std::unordered_map<const chain*, uint32_t> chain_index_;
    std::unordered_map<const set*, uint32_t> set_index_;
    std::vector<std::pair<const chain*, const table*>> pending_;
    uint32_t next_reg_ = 0;
    uint16_t current_stmt_ = 0;

    // ---- tables, chains, objects ----

    bool declare_table(const table& t) {
        for (const auto& c : t.chains) add_chain(*c, t);
        for (const auto& o : t.objs) {
            named_object n;
            n.type = o->type;
            n.table = t.name;
            n.name = o->name;
            n.counter.packets = o->packets;
            n.counter.bytes = o->bytes;
            n.limit = {o->limit_rate, o->limit_unit, o->limit_burst, o->limit_kind == limit_type::bytes, o->limit_over};
            n.quota = {o->quota_bytes, o->quota_over};
            n.quota_used = o->quota_used;
            p_.objects.push_back(std::move(n));
        }
        return true;
    }

    uint32_t add_chain(const chain& c, const table& t) {
        chain_code cc;
        cc.name = c.name;
        cc.table = t.name;
        cc.family = t.fam;
        cc.base = c.is_base();
        cc.nat = cc.base && c.type == "nat";
        cc.hook = c.hooknum;
        cc.priority = c.priority_value;
        cc.policy = c.policy.value_or(1);
        cc.devices = c.devices;
        const auto index = static_cast<uint32_t>(p_.chains.size());
        p_.chains.push_back(std::move(cc));
        chain_index_[&c] = index;
        return index;
    }

    int object_index(const std::string& table, obj_type type, const std::string& name) const {
        for (size_t i = 0; i < p_.objects.size(); ++i) {
            const auto& o = p_.objects[i];
            if (o.type == type && o.table == table && o.name == name) return static_cast<int>(i);
        }
        return -1;
    }

    std::optional<uint32_t> chain_named(const table& t, std::string_view name) const {
        const chain* c = t.find_chain(name);
        if (c == nullptr) return std::nullopt;
        return chain_index_.at(c);
    }

    void hook_base_chains(const ruleset& rs) {
        for (const auto& t : rs.tables) {
            if (t->flags & TABLE_F_DORMANT) continue;  // a dormant table's chains are not hooked
            for (const auto& c : t->chains) {
                if (!c->is_base()) continue;
                const hooked_chain h{chain_index_.at(c.get()), c->priority_value};
                std::vector<family> families{t->fam};
                if (t->fam == family::inet) {
                    families = c->hooknum == hook::ingress ? std::vector<family>{family::netdev}
                                                           : std::vector<family>{family::ipv4, family::ipv6};
                }
                for (family f : families) {
                    auto& list = p_.hooked(f, c->hooknum);
                    // Stable: equal priorities run in the order they were registered.
                    auto at = std::upper_bound(list.begin(), list.end(), h, [](const hooked_chain& a, const hooked_chain& b) {
                        return a.priority < b.priority;
                    });
                    list.insert(at, h);
                }
            }
        }
    }

    // ---- sets ----

    bool build_sets(const table& t) {
        table_ = &t;
        for (const auto& s : t.sets) {
            auto store = build_set(t, *s);
            if (!store) return false;
            set_index_[s.get()] = static_cast<uint32_t>(p_.sets.size());
            p_.set_names.push_back(fmt::format("{} {} {}", family_name(t.fam), t.name, s->name));
            p_.sets.push_back(std::move(store));
        }
        return true;
    }

    static std::vector<uint32_t> field_sizes(const expr& key) {
        std::vector<uint32_t> out;
        if (key.is(expr_kind::concat)) {
            for (const auto& part : key.as<concat_expr>().items) out.push_back(padded_bytes(part->len));
        } else {
            out.push_back(padded_bytes(key.len));
        }
        return out;
    }

    std::unique_ptr<vm::set_store> build_set(const table& t, const set& s) {
        vm::set_description d;
        d.name = s.name;
        d.field_bytes = field_sizes(*s.key);
        for (uint32_t f : d.field_bytes) d.key_bytes += f;
        if (s.is_interval()) {
            d.kind = d.field_bytes.size() > 1 ? vm::set_kind::interval_concat : vm::set_kind::interval;
        }
        if (s.flags & NFT_SET_OBJECT) {
            d.object_map = true;
        } else if (s.is_map() && s.data) {
            if (s.data->dtype && s.data->dtype->id == type_id::verdict) {
                d.verdict_map = true;
            } else {
                for (uint32_t f : field_sizes(*s.data)) d.data_bytes += f;
            }
        }
        d.default_timeout_ns = s.timeout * ns_per_ms;
        d.has_timeouts = s.flags & NFT_SET_TIMEOUT;
        for (const auto& st : s.stmts) {
            vm::element_template tpl;
            if (!element_template_of(*st, tpl)) {
                note({fmt::format("set {}: per-element {} statement", s.name, stmt_kind_name(*st)), st->loc});
                continue;
            }
            d.stmts.push_back(tpl);
        }
        d.dynamic_stmt_slots = dynamic_stmt_slots(t, s);
        std::vector<vm::element_init> elements;
        if (s.init && s.init->is(expr_kind::set)) {
            for (const auto& item : s.init->as<set_expr>().items) {
                vm::element_init e;
                if (!element_of(t, s, *item, d, e)) continue;
                elements.push_back(std::move(e));
            }
        }
        constexpr uint32_t default_dynamic_size = 65535;
        d.capacity = std::max<uint32_t>(s.size, static_cast<uint32_t>(elements.size()));
        if ((s.flags & NFT_SET_EVAL) && s.size == 0) d.capacity = std::max(d.capacity, default_dynamic_size);
        if (d.capacity == 0) d.capacity = 1;
        return vm::set_store::build(d, elements, opts_.now_ns);
    }

    // The most statements an `add`/`update` of the table's rules (anonymous chains included)
    // gives a new element of `s` (nft_dynset_new clones the statement's own expressions into
    // it), so that every element has room for their states.
    static uint32_t dynamic_stmt_slots(const table& t, const set& s) {
        size_t most = 0;
        for (const auto& c : t.chains) most = std::max(most, dynamic_stmt_slots(c->rules, s));
        return static_cast<uint32_t>(most);
    }
    static size_t dynamic_stmt_slots(const std::vector<rule>& rules, const set& s) {
        size_t most = 0;
        for (const auto& r : rules) {
            for (const auto& st : r.stmts) {
                const expr* target = nullptr;
                size_t count = 0;
                if (st->is(stmt_kind::set)) {
                    target = st->as<set_stmt>().set.get();
                    count = st->as<set_stmt>().stmts.size();
                } else if (st->is(stmt_kind::map)) {
                    target = st->as<map_stmt>().set.get();
                    count = st->as<map_stmt>().stmts.size();
                } else if (st->is(stmt_kind::chain) && st->as<chain_stmt>().body) {
                    most = std::max(most, dynamic_stmt_slots(st->as<chain_stmt>().body->rules, s));
                }
                if (target != nullptr && target->is(expr_kind::set_ref) && target->as<set_ref_expr>().target == &s) {
                    most = std::max(most, count);
                }
            }
        }
        return most;
    }

    static bool element_template_of(const stmt& st, vm::element_template& out) {
        switch (st.kind) {
        case stmt_kind::counter: out.what = vm::element_template::kind::counter; return true;
        case stmt_kind::last: out.what = vm::element_template::kind::last; return true;
        case stmt_kind::limit: {
            const auto& l = st.as<limit_stmt>();
            out.what = vm::element_template::kind::limit;
            out.limit = {l.rate, l.unit, l.burst, l.type == limit_type::bytes, l.over};
            return true;
        }
        case stmt_kind::quota: {
            const auto& q = st.as<quota_stmt>();
            out.what = vm::element_template::kind::quota;
            out.quota = {q.bytes, q.over};
            return true;
        }
        default: return false;
        }
    }

    bool element_of(const table& t, const set& s, const expr& item, const vm::set_description& d, vm::element_init& e) {
        const expr* key = &item;
        const expr* data = nullptr;
        if (key->is(expr_kind::mapping)) {
            data = key->as<mapping_expr>().right.get();
            key = key->as<mapping_expr>().left.get();
        }
        const set_elem_expr* elem = key->is(expr_kind::set_elem) ? &key->as<set_elem_expr>() : nullptr;
        const expr* k = elem ? elem->key.get() : key;
        if (elem) {
            e.timeout_ns = elem->timeout * ns_per_ms;
            e.expires_ns = elem->expiration * ns_per_ms;
        }
        if (k->is(expr_kind::set_elem_catchall)) {
            e.catchall = true;
        } else if (d.kind == vm::set_kind::hash) {
            if (!encode_key(*k, false, e.low)) return false;
            e.high = e.low;
        } else if (!interval_bounds(*k, e.low, e.high)) {
            return false;
        }
        if (data == nullptr) return true;
        if (d.verdict_map) {
            if (!data->is(expr_kind::verdict)) return false;
            const auto& v = data->as<verdict_expr>();
            e.verdict.code = static_cast<int32_t>(v.code);
            if (v.chain && v.chain->is(expr_kind::value)) {
                auto target = chain_named(t, value_string(v.chain->as<value_expr>()));
                if (!target) return false;
                e.verdict.chain = *target;
            }
            return true;
        }
        if (d.object_map) {
            if (!data->is(expr_kind::value)) return false;
            const int idx = object_index(t.name, s.objtype, value_string(data->as<value_expr>()));
            if (idx < 0) return false;
            e.object = static_cast<uint32_t>(idx);
            return true;
        }
        if (!encode_key(*data, false, e.data)) {
            note({fmt::format("map {}: interval data", s.name), data->loc});
            return false;
        }
        e.data.resize(d.data_bytes, 0);
        return true;
    }

    // ---- rules ----

    void note(unsupported u) {
        p_.unsupported.push_back({u.what, u.loc});
        if (report_) {
            const std::string where = u.loc.valid() ? format_location(u.loc) + ": " : std::string();
            report_->unsupported.push_back(where + u.what + " is not supported by the engine yet");
        }
    }

    static std::string format_location(const location& l) {
        const auto [line, col] = l.file->line_col(l.begin);
        return fmt::format("{}:{}:{}", l.file->name(), line, col);
    }

    static std::string stmt_kind_name(const stmt& s) {
        switch (s.kind) {
        case stmt_kind::nat:
            switch (s.as<nat_stmt>().type) {
            case nat_type::snat: return "snat";
            case nat_type::dnat: return "dnat";
            case nat_type::masquerade: return "masquerade";
            case nat_type::redirect: return "redirect";
            }
            return "nat";
        case stmt_kind::tproxy: return "tproxy";
        case stmt_kind::queue: return "queue";
        case stmt_kind::dup: return "dup";
        case stmt_kind::fwd: return "fwd";
        case stmt_kind::synproxy: return "synproxy";
        case stmt_kind::flow_offload: return "flow offload";
        case stmt_kind::optstrip: return "tcp option reset";
        case stmt_kind::connlimit: return "ct count";
        case stmt_kind::reject: return "reject";
        default: return "statement";
        }
    }

    void compile_chain(const chain& c, uint32_t index) {
        chain_code& cc = p_.chains[index];
        cc.first_rule = static_cast<uint32_t>(p_.rules.size());
        // Rules are appended after all of this chain's: collect first, then place.
        std::vector<rule_code> rules;
        for (const auto& r : c.rules) rules.push_back(compile_rule(r));
        for (auto& r : rules) p_.rules.push_back(r);
        p_.chains[index].rule_count = static_cast<uint32_t>(rules.size());
    }

    rule_code compile_rule(const rule& r) {
        rule_code rc;
        rc.first = static_cast<uint32_t>(p_.code.size());
        rc.handle = r.handle;
        rc.loc = r.loc;
        rc.source = &r;
        const size_t code_before = p_.code.size();
        current_stmt_ = 0;
        for (const auto& s : r.stmts) {
            next_reg_ = 0;
            if (auto u = compile_stmt(*s)) {
                // What the engine cannot run makes the whole rule inert, counted at run time.
                p_.code.resize(code_before);
                p_.insn_stmt.resize(code_before);
                note(*u);
                emit({opcode::unsupported, 0, 0, 0, 0, 0, static_cast<uint32_t>(p_.unsupported.size() - 1), 0});
                break;
            }
            ++current_stmt_;
        }
        if (opts_.optimize) {
            merge_payload_loads(rc.first);
            fuse_payload_compares(rc.first);
        }
        rc.count = static_cast<uint32_t>(p_.code.size() - rc.first);
        return rc;
    }

    // nft's payload merging: `ip saddr 10.0.0.1 ip daddr 10.0.0.2` compares adjacent header
    // bytes with two loads and two compares; one load and one compare of both do the same
    // (a load past the end fails the rule either way). Adjacent eq tests on the same base merge
    // while the value fits a 16-byte register.
    void merge_payload_loads(uint32_t first) {
        auto is_eq_test = [&](size_t i) {
            if (i + 1 >= p_.code.size()) return false;
            const insn& load = p_.code[i];
            const insn& cmp = p_.code[i + 1];
            return load.op == opcode::payload_load && cmp.op == opcode::cmp && cmp.flags == cmp_eq &&
                   cmp.sreg == load.dreg && cmp.len == load.len;
        };
        size_t i = first;
        while (i < p_.code.size()) {
            if (!is_eq_test(i) || !is_eq_test(i + 2)) {
                ++i;
                continue;
            }
            insn& load = p_.code[i];
            const insn& next = p_.code[i + 2];
            const uint32_t merged = uint32_t{load.len} + next.len;
            if (next.a != load.a || next.b != load.b + load.len || merged > 16 || next.dreg != load.dreg) {
                ++i;
                continue;
            }
            // Both compare constants: concatenate them (the first one's bytes are the last
            // constants added only by chance, so copy).
            std::vector<uint8_t> value(p_.data.begin() + p_.code[i + 1].a, p_.data.begin() + p_.code[i + 1].a + load.len);
            value.insert(value.end(), p_.data.begin() + p_.code[i + 3].a, p_.data.begin() + p_.code[i + 3].a + next.len);
            load.len = static_cast<uint8_t>(merged);
            p_.code[i + 1].len = static_cast<uint8_t>(merged);
            p_.code[i + 1].a = add_data(value);
            p_.code.erase(p_.code.begin() + static_cast<long>(i) + 2, p_.code.begin() + static_cast<long>(i) + 4);
            p_.insn_stmt.erase(p_.insn_stmt.begin() + static_cast<long>(i) + 2, p_.insn_stmt.begin() + static_cast<long>(i) + 4);
            // Stay at i: a third adjacent field may merge too.
        }
    }

    // A header load whose register only feeds the next instruction's eq/neq compare becomes
    // one instruction (the kernel's fast payload and cmp paths serve the same purpose).
    void fuse_payload_compares(uint32_t first) {
        for (size_t i = first; i + 1 < p_.code.size(); ++i) {
            const insn& load = p_.code[i];
            const insn& cmp = p_.code[i + 1];
            const uint8_t op = cmp.flags & cmp_op_mask;
            if (load.op != opcode::payload_load || cmp.op != opcode::cmp || cmp.sreg != load.dreg || cmp.len != load.len || load.len > 16 ||
                (op != cmp_eq && op != cmp_neq) || (cmp.flags & cmp_host)) {
                continue;
            }
            // The compare must end its statement: nothing after it reads the register.
            if (i + 2 < p_.code.size() && p_.insn_stmt[i + 2] == p_.insn_stmt[i + 1]) continue;
            const insn fused{opcode::payload_cmp, 0, 0, load.len, static_cast<uint8_t>(load.a), op, load.b, cmp.a};
            p_.code[i] = fused;
            p_.code.erase(p_.code.begin() + static_cast<long>(i) + 1);
            p_.insn_stmt.erase(p_.insn_stmt.begin() + static_cast<long>(i) + 1);
        }
    }

    void emit(insn i) {
        p_.code.push_back(i);
        p_.insn_stmt.push_back(current_stmt_);
    }

    uint32_t add_data(std::span<const uint8_t> bytes) {
        const auto at = static_cast<uint32_t>(p_.data.size());
        p_.data.insert(p_.data.end(), bytes.begin(), bytes.end());
        return at;
    }

    std::optional<uint8_t> alloc(uint32_t bytes) {
        const uint32_t regs = (bytes + 3) / 4;
        if (next_reg_ + regs > register_count) return std::nullopt;
        const auto r = static_cast<uint8_t>(next_reg_);
        next_reg_ += regs;
        return r;
    }

    // ---- expressions into registers ----

    // Loads `e` into a fresh register range; the value is value_bytes(e.len) bytes (for a
    // concatenation, its padded parts). nullopt and `why` set when it cannot be compiled.
    std::optional<uint8_t> load(const expr& e, std::optional<unsupported>& why) {
        switch (e.kind) {
        case expr_kind::payload: return load_payload(e.as<payload_expr>(), why);
        case expr_kind::exthdr: return load_exthdr(e.as<exthdr_expr>(), why);
        case expr_kind::meta: {
            const auto& m = e.as<meta_expr>();
            auto r = alloc(value_bytes(m.len));
            if (!r) return fail(why, "expression too large", e.loc);
            emit({opcode::meta_load, *r, 0, static_cast<uint8_t>(value_bytes(m.len)), 0, static_cast<uint16_t>(m.key), 0, 0});
            return r;
        }
        case expr_kind::ct: {
            const auto& c = e.as<ct_expr>();
            auto r = alloc(value_bytes(c.len));
            if (!r) return fail(why, "expression too large", e.loc);
            emit({opcode::ct_load, *r, 0, static_cast<uint8_t>(value_bytes(c.len)), 0, static_cast<uint16_t>(c.key),
                  static_cast<uint32_t>(c.direction + 1), static_cast<uint32_t>(c.nfproto)});
            return r;
        }
        case expr_kind::rt: return fail(why, "rt expression", e.loc);
        case expr_kind::fib: {
            const auto& f = e.as<fib_expr>();
            auto r = alloc(std::max<uint32_t>(4, value_bytes(f.len)));
            if (!r) return fail(why, "expression too large", e.loc);
            emit({opcode::fib_load, *r, 0, static_cast<uint8_t>(value_bytes(f.len)), 0, static_cast<uint16_t>(f.result),
                  f.fib_flags, 0});
            return r;
        }
        case expr_kind::numgen: {
            const auto& n = e.as<numgen_expr>();
            auto r = alloc(4);
            if (!r) return fail(why, "expression too large", e.loc);
            // The incrementing generator keeps a counter per expression (slot b).
            emit({opcode::numgen, *r, 0, 4, 0, static_cast<uint16_t>(n.type), add_words({n.mod, n.offset}),
                  p_.numgen_slots++});
            return r;
        }
        case expr_kind::hash: {
            const auto& h = e.as<hash_expr>();
            std::optional<uint8_t> key;
            uint32_t key_len = 0;
            if (h.type == 0) {  // jhash over the given expression; symhash reads the packet
                if (!h.arg) return fail(why, "jhash without an expression", e.loc);
                key = load(*h.arg, why);
                if (!key) return std::nullopt;
                key_len = h.arg->is(expr_kind::concat) ? padded_total(*h.arg) : value_bytes(h.arg->len);
            }
            auto r = alloc(4);
            if (!r) return fail(why, "expression too large", e.loc);
            emit({opcode::hash, *r, key.value_or(0), static_cast<uint8_t>(key_len), 0, static_cast<uint16_t>(h.type),
                  add_words({h.mod, h.offset, static_cast<uint32_t>(h.seed)}), 0});
            return r;
        }
        case expr_kind::value: {
            const auto& v = e.as<value_expr>();
            const auto bytes = encode_value(v);
            auto r = alloc(static_cast<uint32_t>(bytes.size()));
            if (!r) return fail(why, "constant too large", e.loc);
            emit({opcode::immediate, *r, 0, static_cast<uint8_t>(bytes.size()), 0, 0, add_data(bytes), 0});
            return r;
        }
        case expr_kind::concat: {
            const uint8_t first = static_cast<uint8_t>(next_reg_);
            for (const auto& part : e.as<concat_expr>().items) {
                const uint32_t before = next_reg_;
                auto r = load(*part, why);
                if (!r) return std::nullopt;
                // Each part takes its padded size, whatever its loading used for scratch.
                next_reg_ = before + padded_bytes(part->len) / 4;
                if (*r != before) {
                    emit({opcode::bitwise, static_cast<uint8_t>(before), *r, static_cast<uint8_t>(padded_bytes(part->len)), 0,
                          0, all_ones(padded_bytes(part->len)), zeros(padded_bytes(part->len))});
                }
            }
            return first;
        }
        case expr_kind::binop: return load_binop(e.as<binop_expr>(), why);
        case expr_kind::map: {
            const auto& m = e.as<map_expr>();
            const set* target = m.mappings->is(expr_kind::set_ref) ? m.mappings->as<set_ref_expr>().target : nullptr;
            if (target == nullptr || !set_index_.count(target)) return fail(why, "map without a set", e.loc);
            const uint32_t set = set_index_.at(target);
            auto key = load_key(*m.key, *target, why);
            if (!key) return std::nullopt;
            const auto& d = p_.sets[set]->description();
            auto r = alloc(std::max<uint32_t>(d.data_bytes, 4));
            if (!r) return fail(why, "map data too large", e.loc);
            emit({opcode::lookup, *r, *key, static_cast<uint8_t>(d.key_bytes), lookup_dreg, static_cast<uint16_t>(set),
                  0, 0});
            return r;
        }
        case expr_kind::socket: return fail(why, "socket expression", e.loc);
        case expr_kind::osf: return fail(why, "osf expression", e.loc);
        case expr_kind::xfrm: return fail(why, "ipsec expression", e.loc);
        case expr_kind::tunnel: return fail(why, "tunnel expression", e.loc);
        default: return fail(why, fmt::format("{} expression", static_cast<int>(e.kind)), e.loc);
        }
    }

    static uint32_t padded_total(const expr& concat) {
        uint32_t n = 0;
        for (const auto& part : concat.as<concat_expr>().items) n += padded_bytes(part->len);
        return n;
    }

    std::nullopt_t fail(std::optional<unsupported>& why, std::string what, location l) {
        if (!why) why = unsupported{std::move(what), l};
        return std::nullopt;
    }

    // Host-order 32-bit words (instruction parameters that do not fit an instruction).
    uint32_t add_words(std::initializer_list<uint32_t> words) {
        std::vector<uint8_t> bytes(words.size() * 4);
        size_t at = 0;
        for (uint32_t w : words) {
            std::memcpy(bytes.data() + at, &w, 4);
            at += 4;
        }
        return add_data(bytes);
    }

    uint32_t all_ones(uint32_t bytes) {
        std::vector<uint8_t> v(bytes, 0xff);
        return add_data(v);
    }
    uint32_t zeros(uint32_t bytes) {
        std::vector<uint8_t> v(bytes, 0);
        return add_data(v);
    }

    std::optional<uint8_t> load_payload(const payload_expr& p, std::optional<unsupported>& why) {
        if (p.inner_desc != nullptr) return fail(why, "tunnel (inner header) match", p.loc);
        if (p.base == proto_base::invalid || p.base == proto_base::inner) return fail(why, "payload base", p.loc);
        const auto base = static_cast<uint32_t>(p.base) - 1;  // packet::payload_base
        auto r = alloc(std::max<uint32_t>(4, value_bytes(p.len)));
        if (!r) return fail(why, "payload too large", p.loc);
        if (p.offset % 8 == 0 && p.len % 8 == 0) {
            emit({opcode::payload_load, *r, 0, static_cast<uint8_t>(p.len / 8), 0, 0, base, p.offset / 8});
        } else {
            emit({opcode::payload_bits, *r, 0, static_cast<uint8_t>(value_bytes(p.len)), 0, static_cast<uint16_t>(p.len),
                  base, p.offset});
        }
        return r;
    }

    std::optional<uint8_t> load_exthdr(const exthdr_expr& x, std::optional<unsupported>& why) {
        const uint32_t type = x.desc ? x.desc->type : x.raw_type;
        uint32_t op = 0;
        switch (x.xop) {
        case exthdr_op::ipv6: op = 0; break;
        case exthdr_op::tcpopt: op = 1; break;
        case exthdr_op::ipv4: op = 2; break;
        case exthdr_op::sctp: op = 3; break;
        case exthdr_op::dccp: op = 4; break;
        }
        auto r = alloc(std::max<uint32_t>(4, value_bytes(x.len)));
        if (!r) return fail(why, "extension header field too large", x.loc);
        if (x.present) {
            emit({opcode::exthdr_load, *r, 0, 1, 1, static_cast<uint16_t>(op), type, 0});
            return r;
        }
        if (x.offset % 8 != 0 || x.len % 8 != 0) {
            // A bit field (`frag more-fragments`, `frag frag-off`): nft loads the covering bytes
            // and masks (and shifts) them; one instruction does the same, as for payloads.
            emit({opcode::exthdr_bits, *r, 0, static_cast<uint8_t>(value_bytes(x.len)), static_cast<uint8_t>(op),
                  static_cast<uint16_t>(x.len), type, x.offset});
            return r;
        }
        emit({opcode::exthdr_load, *r, 0, static_cast<uint8_t>(x.len / 8), 0, static_cast<uint16_t>(op), type, x.offset / 8});
        return r;
    }

    std::optional<uint8_t> load_binop(const binop_expr& b, std::optional<unsupported>& why) {
        auto r = load(*b.left, why);
        if (!r) return std::nullopt;
        const uint32_t len = value_bytes(b.left->len);
        if (b.oper == op::lshift || b.oper == op::rshift) {
            if (!b.right->is(expr_kind::value)) return fail(why, "shift by a non-constant", b.loc);
            const auto flags = static_cast<uint8_t>((b.oper == op::lshift ? shift_left : 0) |
                                                    (b.left->order == byte_order::host ? shift_host : 0));
            emit({opcode::shift, *r, *r, static_cast<uint8_t>(len), flags, 0,
                  static_cast<uint32_t>(b.right->as<value_expr>().value), 0});
            return r;
        }
        if (b.oper != op::band && b.oper != op::bor && b.oper != op::bxor) return fail(why, "operation", b.loc);
        if (!b.right->is(expr_kind::value)) {
            auto r2 = load(*b.right, why);
            if (!r2) return std::nullopt;
            emit({opcode::bitwise_reg, *r, *r, static_cast<uint8_t>(len), 0, static_cast<uint16_t>(b.oper), 0, *r2});
            return r;
        }
        const auto& v = b.right->as<value_expr>();
        std::vector<uint8_t> k(len, 0);
        encode_integer(v.value, b.left->len, b.left->order, k);
        std::vector<uint8_t> mask(len, 0xff), x(len, 0);
        for (uint32_t i = 0; i < len; ++i) {
            switch (b.oper) {
            case op::band: mask[i] = k[i]; break;
            case op::bor: mask[i] = static_cast<uint8_t>(~k[i]); x[i] = k[i]; break;
            default: x[i] = k[i]; break;
            }
        }
        emit({opcode::bitwise, *r, *r, static_cast<uint8_t>(len), 0, 0, add_data(mask), add_data(x)});
        return r;
    }

    // A lookup key in the set's layout: interval sets compare big-endian keys, so host-order
    // parts are converted first.
    std::optional<uint8_t> load_key(const expr& key, const set& target, std::optional<unsupported>& why) {
        auto r = load(key, why);
        if (!r || !target.is_interval()) return r;
        uint8_t at = *r;
        auto convert = [&](const expr& part, uint8_t reg) {
            if (!host_integer(part) || value_bytes(part.len) == 1) return;
            const auto size = value_bytes(part.len);
            emit({opcode::byteorder, reg, reg, static_cast<uint8_t>(size), byteorder_to_big, 0, size, 0});
        };
        if (key.is(expr_kind::concat)) {
            for (const auto& part : key.as<concat_expr>().items) {
                convert(*part, at);
                at = static_cast<uint8_t>(at + padded_bytes(part->len) / 4);
            }
        } else {
            convert(key, at);
        }
        return r;
    }

    // ---- statements ----

    std::optional<unsupported> compile_stmt(const stmt& s) {
        std::optional<unsupported> why;
        switch (s.kind) {
        case stmt_kind::expr: compile_match(s.as<expr_stmt>().e->as<relational_expr>(), why); break;
        case stmt_kind::verdict: compile_verdict(s.as<verdict_stmt>(), why); break;
        case stmt_kind::counter: {
            emit({opcode::counter, 0, 0, 0, 0, 0, p_.counter_slots++, 0});
            break;
        }
        case stmt_kind::limit: {
            const auto& l = s.as<limit_stmt>();
            p_.limits.push_back({l.rate, l.unit, l.burst, l.type == limit_type::bytes, l.over});
            emit({opcode::limit, 0, 0, 0, 0, 0, static_cast<uint32_t>(p_.limits.size() - 1), 0});
            break;
        }
        case stmt_kind::quota: {
            const auto& q = s.as<quota_stmt>();
            p_.quotas.push_back({q.bytes, q.over});
            emit({opcode::quota, 0, 0, 0, 0, 0, static_cast<uint32_t>(p_.quotas.size() - 1), 0});
            break;
        }
        case stmt_kind::last: emit({opcode::last, 0, 0, 0, 0, 0, p_.last_slots++, 0}); break;
        case stmt_kind::log: {
            const auto& l = s.as<log_stmt>();
            log_record rec;
            rec.prefix = l.prefix;
            rec.level = l.level;
            rec.flags = l.logflags;
            rec.group = l.group;
            rec.to_group = l.set_flags & LOG_F_GROUP;
            rec.snaplen = l.snaplen;
            p_.logs.push_back(std::move(rec));
            emit({opcode::log, 0, 0, 0, 0, 0, static_cast<uint32_t>(p_.logs.size() - 1), 0});
            break;
        }
        case stmt_kind::meta: {
            const auto& m = s.as<meta_stmt>();
            auto r = load(*m.value, why);
            if (!r) break;
            const meta_template* t = meta_lookup(m.key);
            emit({opcode::meta_set, 0, *r, static_cast<uint8_t>(value_bytes(t ? t->len : 32)), 0, static_cast<uint16_t>(m.key),
                  0, 0});
            break;
        }
        case stmt_kind::ct: {
            const auto& c = s.as<ct_stmt>();
            auto r = load(*c.value, why);
            if (!r) break;
            const ct_template* t = ct_lookup(c.key);
            emit({opcode::ct_set, 0, *r, static_cast<uint8_t>(value_bytes(t ? t->len : 32)), 0, static_cast<uint16_t>(c.key),
                  static_cast<uint32_t>(c.direction + 1), 0});
            break;
        }
        case stmt_kind::payload: {
            const auto& ps = s.as<payload_stmt>();
            const auto& dest = ps.dest->as<payload_expr>();
            if (dest.inner_desc) return unsupported{"payload statement on a tunnel header", s.loc};
            auto r = load(*ps.value, why);
            if (!r) break;
            // The bytes written: the field, or the whole bytes a sub-byte field lies in; with
            // a checksum to fix, an even number of bytes at an even offset, since checksums
            // sum 16-bit words (nft's stmt_evaluate_payload does the same widening).
            const uint32_t first = dest.offset / 8;
            const uint32_t last = (dest.offset + dest.len + 7) / 8;
            packet::payload_write w = payload_write_of(dest, first, last - first);
            const bool checksummed = dest.desc != nullptr && dest.desc->checksum_key >= 0;
            if (checksummed && (w.length & 1)) {
                ++w.length;
                if (w.offset & 1) --w.offset;
            }
            p_.payload_writes.push_back(w);
            const auto index = static_cast<uint32_t>(p_.payload_writes.size() - 1);
            if (w.offset * 8 == dest.offset && w.length * 8 == dest.len) {
                emit({opcode::payload_set, 0, *r, static_cast<uint8_t>(w.length), 0, 0, index, 0});
            } else {
                emit({opcode::payload_set_bits, 0, *r, static_cast<uint8_t>(value_bytes(dest.len)), 0,
                      static_cast<uint16_t>(dest.len), index, dest.offset - w.offset * 8});
            }
            break;
        }
        case stmt_kind::exthdr: {
            const auto& xs = s.as<exthdr_stmt>();
            const auto& x = xs.dest->as<exthdr_expr>();
            if (x.xop != exthdr_op::tcpopt) return unsupported{"changing extension headers other than tcp options", s.loc};
            auto r = load(*xs.value, why);
            if (!r) break;
            emit({opcode::exthdr_set, 0, *r, static_cast<uint8_t>(value_bytes(x.len)), 0, 1,
                  x.desc ? x.desc->type : x.raw_type, x.offset / 8});
            break;
        }
        case stmt_kind::notrack: emit({opcode::notrack, 0, 0, 0, 0, 0, 0, 0}); break;
        case stmt_kind::queue: {
            // A fixed queue number is a verdict (NF_QUEUE): the daemon hands the packet on to
            // that queue. A range spreads flows by a hash the kernel seeds at random, and
            // `queue to EXPR` needs a register verdict: neither is run yet.
            const auto& q = s.as<queue_stmt>();
            uint32_t number = 0;
            if (q.queue) {
                if (!q.queue->is(expr_kind::value)) return unsupported{"queue to a range or an expression", s.loc};
                number = static_cast<uint32_t>(q.queue->as<value_expr>().value);
            }
            emit({opcode::verdict, 0, 0, 0, 0, static_cast<uint16_t>(number), static_cast<uint32_t>(nf_queue), 0});
            break;
        }
        case stmt_kind::objref: compile_objref(s.as<objref_stmt>(), why); break;
        case stmt_kind::set: {
            const auto& st = s.as<set_stmt>();
            compile_dynset(static_cast<uint8_t>(st.sop), *st.set, *st.key, nullptr, st.stmts, why, s.loc);
            break;
        }
        case stmt_kind::map: {
            const auto& st = s.as<map_stmt>();
            compile_dynset(static_cast<uint8_t>(st.sop), *st.set, *st.key, st.data.get(), st.stmts, why, s.loc);
            break;
        }
        case stmt_kind::meter: {
            const auto& m = s.as<meter_stmt>();
            std::vector<stmt_ptr> body;
            if (m.body) body.push_back(m.body->clone());
            compile_dynset(0, *m.set, *m.key, nullptr, body, why, s.loc);
            break;
        }
        case stmt_kind::chain: {
            const auto& c = s.as<chain_stmt>();
            const uint32_t index = add_chain(*c.body, *table_);
            pending_.push_back({c.body.get(), table_});
            emit({opcode::verdict, 0, 0, 0, 0, 0, static_cast<uint32_t>(c.verdict == verdict_code::go_to ? nft_goto : nft_jump),
                  index});
            break;
        }
        case stmt_kind::reject: {
            // The kernel answers with an ICMP error or a TCP reset and drops the packet; the
            // verdict is a drop marked as a reject (the reply is the transport's to send).
            const auto& rj = s.as<reject_stmt>();
            emit({opcode::verdict, 0, 0, 0, 1, static_cast<uint16_t>(static_cast<int>(rj.type) + 1),
                  static_cast<uint32_t>(nf_drop), static_cast<uint32_t>(rj.icmp_code < 0 ? 0 : rj.icmp_code)});
            break;
        }
        default: return unsupported{stmt_kind_name(s) + " statement", s.loc};
        }
        return why;
    }

    // nft's payload statement: the header's checksum to fix, and whether the field is part of
    // the transport pseudo-header (addresses, the IPv4 protocol and length).
    static packet::payload_write payload_write_of(const payload_expr& p, uint32_t offset, uint32_t length) {
        packet::payload_write w;
        w.base = static_cast<packet::payload_base>(static_cast<uint32_t>(p.base) - 1);
        w.offset = offset;
        w.length = length;
        if (p.desc == nullptr || p.is_raw) return w;
        if (p.desc->checksum_type == csum_type::inet && p.desc->checksum_key >= 0) {
            const proto_hdr_template* c = p.desc->field_at(p.desc->checksum_key);
            if (c != nullptr) {
                w.checksum = packet::checksum_kind::inet;
                w.checksum_offset = c->offset / 8;
            }
        } else if (p.desc->checksum_type == csum_type::sctp) {
            w.checksum = packet::checksum_kind::sctp;
        }
        for (int field : p.desc->pseudohdr) {
            if (field == p.field) w.l4_pseudo_header = true;
        }
        return w;
    }

    void compile_match(const relational_expr& rel, std::optional<unsupported>& why) {
        const expr& left = *rel.left;
        const expr& right = *rel.right;
        // A set lookup: the key in the set's layout.
        if (right.is(expr_kind::set_ref)) {
            const set* target = right.as<set_ref_expr>().target;
            if (target == nullptr || !set_index_.count(target)) {
                fail(why, "set reference", rel.loc);
                return;
            }
            auto r = load_key(left, *target, why);
            if (!r) return;
            const uint32_t set = set_index_.at(target);
            const auto flags = static_cast<uint8_t>(rel.oper == op::neq ? lookup_invert : 0);
            emit({opcode::lookup, 0, *r, static_cast<uint8_t>(p_.sets[set]->description().key_bytes), flags,
                  static_cast<uint16_t>(set), 0, 0});
            return;
        }
        auto r = load(left, why);
        if (!r) return;
        const uint32_t len = left.is(expr_kind::concat) ? padded_total(left) : value_bytes(left.len);
        const uint8_t host = host_integer(left) ? cmp_host : 0;
        switch (right.kind) {
        case expr_kind::value: {
            const auto& v = right.as<value_expr>();
            std::vector<uint8_t> data(len, 0);
            encode_integer_like(v, left, data);
            const bool flags = bitmask_type(right) && (rel.oper == op::implicit || rel.oper == op::neg);
            if (flags) {
                // `tcp flags syn`: any of the bits; `tcp flags ! syn`: none of them.
                std::vector<uint8_t> z(len, 0);
                emit({opcode::bitwise, *r, *r, static_cast<uint8_t>(len), 0, 0, add_data(data), add_data(z)});
                emit({opcode::cmp, 0, *r, static_cast<uint8_t>(len), static_cast<uint8_t>(rel.oper == op::neg ? cmp_eq : cmp_neq),
                      0, add_data(z), 0});
                return;
            }
            uint8_t f = cmp_op_of(rel.oper);
            if (f != cmp_eq && f != cmp_neq) f |= host;
            emit({opcode::cmp, 0, *r, static_cast<uint8_t>(len), f, 0, add_data(data), 0});
            return;
        }
        case expr_kind::range: {
            const auto& rg = right.as<range_expr>();
            if (!rg.left->is(expr_kind::value) || !rg.right->is(expr_kind::value)) {
                fail(why, "range of non-constants", rel.loc);
                return;
            }
            std::vector<uint8_t> lo(len, 0), hi(len, 0);
            encode_integer_like(rg.left->as<value_expr>(), left, lo);
            encode_integer_like(rg.right->as<value_expr>(), left, hi);
            const auto f = static_cast<uint8_t>((rel.oper == op::neq ? cmp_neq : cmp_eq) | host);
            emit({opcode::range, 0, *r, static_cast<uint8_t>(len), f, 0, add_data(lo), add_data(hi)});
            return;
        }
        case expr_kind::prefix: {
            const auto& pf = right.as<prefix_expr>();
            if (!pf.prefix->is(expr_kind::value)) {
                fail(why, "prefix of a non-constant", rel.loc);
                return;
            }
            const auto& base = pf.prefix->as<value_expr>();
            std::vector<uint8_t> value(len, 0), mask(len, 0), z(len, 0);
            encode_value(base, value);
            // The prefix covers the first prefix_len bits of the register bytes.
            for (uint32_t bit = 0; bit < pf.prefix_len && bit / 8 < len; ++bit) mask[bit / 8] |= static_cast<uint8_t>(0x80 >> (bit % 8));
            for (uint32_t i = 0; i < len; ++i) value[i] &= mask[i];
            emit({opcode::bitwise, *r, *r, static_cast<uint8_t>(len), 0, 0, add_data(mask), add_data(z)});
            emit({opcode::cmp, 0, *r, static_cast<uint8_t>(len), static_cast<uint8_t>(rel.oper == op::neq ? cmp_neq : cmp_eq), 0,
                  add_data(value), 0});
            return;
        }
        default: fail(why, "match", rel.loc); return;
        }
    }

    // A constant compared with `left`: in left's byte order and width.
    static void encode_integer_like(const value_expr& v, const expr& left, std::span<uint8_t> out) {
        const datatype* root = v.dtype ? v.dtype->root() : nullptr;
        if (root && root->id == type_id::string) {
            encode_value(v, out);
            return;
        }
        encode_integer(v.value, left.len, left.order == byte_order::host ? byte_order::host : byte_order::big, out);
    }

    void compile_verdict(const verdict_stmt& s, std::optional<unsupported>& why) {
        if (s.e->is(expr_kind::map)) {
            const auto& m = s.e->as<map_expr>();
            const set* target = m.mappings->is(expr_kind::set_ref) ? m.mappings->as<set_ref_expr>().target : nullptr;
            if (target == nullptr || !set_index_.count(target)) {
                fail(why, "verdict map", s.loc);
                return;
            }
            auto r = load_key(*m.key, *target, why);
            if (!r) return;
            const uint32_t set = set_index_.at(target);
            emit({opcode::verdict_map, 0, *r, static_cast<uint8_t>(p_.sets[set]->description().key_bytes), 0,
                  static_cast<uint16_t>(set), 0, 0});
            return;
        }
        const auto& v = s.e->as<verdict_expr>();
        uint32_t target = 0;
        if (v.chain && v.chain->is(expr_kind::value)) {
            auto c = chain_named(*table_, value_string(v.chain->as<value_expr>()));
            if (!c) {
                fail(why, "jump to an unknown chain", s.loc);
                return;
            }
            target = *c;
        }
        emit({opcode::verdict, 0, 0, 0, 0, 0, static_cast<uint32_t>(static_cast<int32_t>(v.code)), target});
    }

    void compile_objref(const objref_stmt& o, std::optional<unsupported>& why) {
        if (o.type != obj_type::counter && o.type != obj_type::quota && o.type != obj_type::limit) {
            fail(why, fmt::format("{} reference", obj_type_name(o.type)), o.loc);
            return;
        }
        if (o.e->is(expr_kind::map)) {
            const auto& m = o.e->as<map_expr>();
            const set* target = m.mappings->is(expr_kind::set_ref) ? m.mappings->as<set_ref_expr>().target : nullptr;
            if (target == nullptr || !set_index_.count(target)) {
                fail(why, "object map", o.loc);
                return;
            }
            auto r = load_key(*m.key, *target, why);
            if (!r) return;
            const uint32_t set = set_index_.at(target);
            emit({opcode::objref_map, 0, *r, static_cast<uint8_t>(p_.sets[set]->description().key_bytes),
                  static_cast<uint8_t>(o.type), static_cast<uint16_t>(set), 0, 0});
            return;
        }
        if (!o.e->is(expr_kind::value)) {
            fail(why, "object reference", o.loc);
            return;
        }
        const int idx = object_index(table_->name, o.type, value_string(o.e->as<value_expr>()));
        if (idx < 0) {
            fail(why, "reference to an unknown object", o.loc);
            return;
        }
        emit({opcode::objref, 0, 0, 0, 0, static_cast<uint16_t>(o.type), static_cast<uint32_t>(idx), 0});
    }

    void compile_dynset(uint8_t op, const expr& setref, const expr& key_elem, const expr* data,
                        const std::vector<stmt_ptr>& stmts, std::optional<unsupported>& why, location loc) {
        const set* target = setref.is(expr_kind::set_ref) ? setref.as<set_ref_expr>().target : nullptr;
        if (target == nullptr || !set_index_.count(target)) {
            fail(why, "set update", loc);
            return;
        }
        const auto& elem = key_elem.as<set_elem_expr>();
        dynset_record rec;
        rec.op = op;
        auto k = load_key(*elem.key, *target, why);
        if (!k) return;
        rec.key_reg = *k;
        rec.key_len = static_cast<uint8_t>(p_.sets[set_index_.at(target)]->description().key_bytes);
        rec.timeout_ns = elem.timeout * ns_per_ms;
        if (data != nullptr) {
            const expr& d = data->is(expr_kind::set_elem) ? *data->as<set_elem_expr>().key : *data;
            auto dr = load(d, why);
            if (!dr) return;
            rec.data_reg = *dr;
            rec.data_len = static_cast<uint8_t>(p_.sets[set_index_.at(target)]->description().data_bytes);
        }
        for (const auto& st : stmts) {
            vm::element_template tpl;
            if (!element_template_of(*st, tpl)) {
                fail(why, "statement on a set element", st->loc);
                return;
            }
            if (tpl.what == vm::element_template::kind::limit || tpl.what == vm::element_template::kind::quota) {
                rec.has_stmt_match = true;
            }
            rec.stmts.push_back(tpl);
        }
        p_.dynsets.push_back(std::move(rec));
        emit({opcode::dynset, 0, 0, 0, 0, static_cast<uint16_t>(set_index_.at(target)),
              static_cast<uint32_t>(p_.dynsets.size() - 1), 0});
    }
};

}  // namespace

result<std::unique_ptr<program>> compile_ruleset(const ruleset& rs, const compile_options& options, compile_report* report) {
    auto p = std::make_unique<program>();
    p->hooks.resize(6 * program::hook_slots);
    linearizer l(*p, options, report);
    if (!l.run(rs)) return fail(location{}, "the ruleset could not be compiled");
    return p;
}

}  // namespace nfqwall::compile

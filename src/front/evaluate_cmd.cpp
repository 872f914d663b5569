// Command evaluation: each command checked and applied to the ruleset the way nft's evaluator
// and then the kernel's nf_tables transaction would (`add` merges, `create` refuses what
// exists, `delete` refuses what is in use), with the kernel's refusals reported as nft prints
// them ("Could not process rule: File exists").
#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "front/evaluate_impl.hpp"
#include "front/listing_names.hpp"
#include "front/walk.hpp"

namespace nfqwall::front {

namespace {

constexpr const char* enoent = "No such file or directory";
constexpr const char* eexist = "File exists";
constexpr const char* ebusy = "Device or resource busy";
constexpr const char* eopnotsupp = "Operation not supported";
constexpr const char* einval = "Invalid argument";
constexpr const char* emlink = "Too many links";
constexpr const char* enfile = "Too many open files in system";

std::string kernel(const char* what) { return fmt::format("Could not process rule: {}", what); }

constexpr int nf_ip_pri_conntrack = -200;
constexpr unsigned jump_stack_size = 16;

// ---- names close to a misspelt one (nft's "did you mean ...?") ----

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

bool close_name(std::string_view wanted, std::string_view have) {
    const size_t limit = std::max<size_t>(1, wanted.size() / 3);
    return edit_distance(wanted, have) <= limit;
}

// ---- chain types and priorities ----

bool chain_type_known(std::string_view t) { return t == "filter" || t == "nat" || t == "route"; }

// Whether the kernel offers chain type `t` on hook `h` of family `f`.
bool chain_type_supports(family f, std::string_view t, hook h) {
    switch (f) {
    case family::ipv4:
    case family::ipv6:
    case family::inet:
        if (t == "filter") return h != hook::egress && (h != hook::ingress || f == family::inet);
        if (t == "nat") return h == hook::prerouting || h == hook::input || h == hook::output || h == hook::postrouting;
        if (t == "route") return h == hook::output;
        return false;
    case family::arp:
        return t == "filter" && (h == hook::input || h == hook::output);
    case family::bridge:
        return t == "filter" && h != hook::ingress && h != hook::egress;
    case family::netdev:
        return t == "filter" && (h == hook::ingress || h == hook::egress);
    default:
        return false;
    }
}

// ---- element keys ----

// A text that is equal for equal set keys (values, concatenations, ranges).
std::string key_repr(const expr& e) {
    switch (e.kind) {
    case expr_kind::value: {
        const auto& v = e.as<value_expr>();
        if (!v.str.empty()) return fmt::format("{}:\"{}\"", v.len, v.str);
        return fmt::format("{}:{}", v.len, u128_to_hex(v.value));
    }
    case expr_kind::concat: {
        std::string out;
        for (const auto& i : e.as<concat_expr>().items) {
            if (!out.empty()) out += '.';
            out += key_repr(*i);
        }
        return out;
    }
    case expr_kind::range:
        return key_repr(*e.as<range_expr>().left) + "-" + key_repr(*e.as<range_expr>().right);
    case expr_kind::prefix:
        return fmt::format("{}/{}", key_repr(*e.as<prefix_expr>().prefix), e.as<prefix_expr>().prefix_len);
    case expr_kind::set_elem: return key_repr(*e.as<set_elem_expr>().key);
    case expr_kind::mapping: return key_repr(*e.as<mapping_expr>().left);
    case expr_kind::set_elem_catchall: return "*";
    case expr_kind::verdict: {
        const auto& v = e.as<verdict_expr>();
        std::string out = std::to_string(static_cast<int>(v.code));
        if (v.chain && v.chain->is(expr_kind::value)) out += ":" + value_string(v.chain->as<value_expr>());
        return out;
    }
    default:
        return fmt::format("?{}", static_cast<int>(e.kind));
    }
}

// Finds elements by key: plain values (the common case, and a million of them in a big
// set) by their bits, anything else by key_repr().
class element_index {
public:
    void reserve(size_t n) {
        size_t cap = 16;
        while (cap < n * 2) cap <<= 1;
        if (cap > slots_.size()) rehash(cap);
    }
    // The position recorded for the key of `item`, or npos.
    size_t find(const expr& item) const {
        const expr* k = key_of(item);
        if (const value_expr* v = plain(*k)) {
            if (slots_.empty()) return npos;
            const size_t mask = slots_.size() - 1;
            for (size_t i = hash(v->value, v->len) & mask;; i = (i + 1) & mask) {
                const slot& s = slots_[i];
                if (s.pos == empty) return npos;
                if (s.value == v->value && s.len == v->len) return s.pos;
            }
        }
        const auto it = others_.find(key_repr(*k));
        return it == others_.end() ? npos : it->second;
    }
    void add(const expr& item, size_t pos) {
        const expr* k = key_of(item);
        if (const value_expr* v = plain(*k)) {
            if ((used_ + 1) * 2 > slots_.size()) rehash(std::max<size_t>(16, slots_.size() * 2));
            insert({v->value, v->len, static_cast<uint32_t>(pos)});
            ++used_;
        } else {
            others_.emplace(key_repr(*k), pos);
        }
    }
    static constexpr size_t npos = ~size_t{0};

private:
    // Open addressing with linear probing: one flat array, no allocation per element.
    struct slot {
        u128 value = 0;
        uint32_t len = 0;
        uint32_t pos = empty;
    };
    static constexpr uint32_t empty = ~uint32_t{0};
    static size_t hash(u128 value, uint32_t len) {
        const auto lo = static_cast<uint64_t>(value), hi = static_cast<uint64_t>(value >> 64);
        uint64_t h = (lo ^ (hi * 0x9e3779b97f4a7c15ull) ^ len) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        return static_cast<size_t>(h * 0x94d049bb133111ebull);
    }
    void insert(const slot& s) {
        const size_t mask = slots_.size() - 1;
        size_t i = hash(s.value, s.len) & mask;
        while (slots_[i].pos != empty) i = (i + 1) & mask;
        slots_[i] = s;
    }
    void rehash(size_t cap) {
        std::vector<slot> old = std::move(slots_);
        slots_.assign(cap, slot{});
        for (const slot& s : old) {
            if (s.pos != empty) insert(s);
        }
    }
    static const expr* key_of(const expr& item) {
        const expr* e = &item;
        if (e->is(expr_kind::mapping)) e = e->as<mapping_expr>().left.get();
        if (e->is(expr_kind::set_elem)) e = e->as<set_elem_expr>().key.get();
        return e;
    }
    static const value_expr* plain(const expr& k) {
        if (!k.is(expr_kind::value)) return nullptr;
        const auto& v = k.as<value_expr>();
        return v.str.empty() ? &v : nullptr;
    }
    std::vector<slot> slots_;
    size_t used_ = 0;
    std::unordered_map<std::string, size_t> others_;
};

const expr* elem_key(const expr& item) {
    const expr* e = &item;
    if (e->is(expr_kind::mapping)) e = e->as<mapping_expr>().left.get();
    if (e->is(expr_kind::set_elem)) e = e->as<set_elem_expr>().key.get();
    return e;
}

const expr* elem_data(const expr& item) {
    return item.is(expr_kind::mapping) ? item.as<mapping_expr>().right.get() : nullptr;
}

const set_elem_expr* elem_of(const expr& item) {
    const expr* e = &item;
    if (e->is(expr_kind::mapping)) e = e->as<mapping_expr>().left.get();
    return e->is(expr_kind::set_elem) ? &e->as<set_elem_expr>() : nullptr;
}

// An element without options can be merged with its neighbours.
bool elem_plain(const expr& item) {
    const set_elem_expr* el = elem_of(item);
    return el == nullptr || (el->stmts.empty() && el->timeout == 0 && el->expiration == 0 && !el->has_comment);
}


// An element covering [lo, hi], typed like `like`.
expr_ptr interval_elem(const expr& like, u128 lo, u128 hi, location l) {
    const expr* v = &like;
    if (v->is(expr_kind::prefix)) v = v->as<prefix_expr>().prefix.get();
    if (v->is(expr_kind::range)) v = v->as<range_expr>().left.get();
    expr_ptr key;
    if (lo == hi) {
        key = std::make_unique<value_expr>(l, v->dtype, v->order, v->len, lo);
    } else {
        auto r = std::make_unique<range_expr>(l, std::make_unique<value_expr>(l, v->dtype, v->order, v->len, lo),
                                              std::make_unique<value_expr>(l, v->dtype, v->order, v->len, hi));
        r->dtype = v->dtype;
        r->order = v->order;
        r->len = v->len;
        r->flags |= EXPR_F_CONSTANT;
        key = std::move(r);
    }
    auto el = std::make_unique<set_elem_expr>(l, std::move(key));
    el->dtype = v->dtype;
    el->len = v->len;
    el->flags = EXPR_F_CONSTANT;
    return el;
}

// ---- ct timeout states and helpers ----

int timeout_state_index(uint8_t proto, std::string_view state) {
    const auto states = ct_timeout_defaults(proto);
    // Protocols without a table of their own have the generic tracker's single timeout.
    if (states.empty()) return state == "timeout" ? 0 : -1;
    for (size_t i = 0; i < states.size(); ++i) {
        if (states[i].state == state) return static_cast<int>(i);
    }
    return -1;
}

// Conntrack helpers the kernel has, with the transport protocols they work on.
bool ct_helper_known(std::string_view name, uint8_t l4proto) {
    struct helper {
        std::string_view name;
        uint8_t proto;
    };
    static constexpr helper helpers[] = {
        {"amanda", 17}, {"ftp", 6},  {"h323", 6},  {"RAS", 17},     {"Q.931", 6},  {"irc", 6}, {"netbios-ns", 17},
        {"pptp", 6},    {"sane", 6}, {"sip", 6},   {"sip", 17},     {"snmp", 17},  {"tftp", 17},
        {"snmp_trap", 17},
    };
    for (const auto& h : helpers) {
        if (h.name == name && h.proto == l4proto) return true;
    }
    return false;
}

}  // namespace

// ---- the evaluator object ----

evaluator::evaluator(ruleset& rs, diagnostics& errors) : impl_(std::make_unique<impl>(rs, errors)) {}
evaluator::~evaluator() = default;
bool evaluator::run(cmd& c) { return impl_->run(c); }
bool evaluator::finish() { return impl_->finish(); }

// ---- lookups ----

table* evaluator::impl::find_table(const handle_spec& h, bool report) {
    table* t = rs.find_table(h.fam, h.table);
    if (t == nullptr && report) table_not_found(h);
    return t;
}

bool evaluator::impl::table_not_found(const handle_spec& h) {
    for (const auto& t : rs.tables) {
        if (t->name == h.table || close_name(h.table, t->name)) {
            return error(h.table_loc, fmt::format("{}; did you mean table '{}' in family {}?", enoent, t->name,
                                                  family_name(t->fam)));
        }
    }
    return error(h.table_loc, enoent);
}

bool evaluator::impl::chain_not_found(const handle_spec& h) {
    for (const auto& t : rs.tables) {
        for (const auto& c : t->chains) {
            if (close_name(h.chain, c->name)) {
                return error(h.chain_loc, fmt::format("{}; did you mean chain '{}' in table {} '{}'?", enoent, c->name,
                                                      family_name(t->fam), t->name));
            }
        }
    }
    return error(h.chain_loc, enoent);
}

bool evaluator::impl::set_not_found(const handle_spec& h, const char* what) {
    for (const auto& t : rs.tables) {
        for (const auto& s : t->sets) {
            if (!s->anonymous() && close_name(h.set, s->name)) {
                return error(h.set_loc, fmt::format("{}; did you mean {} '{}' in table {} '{}'?", enoent,
                                                    s->is_map() ? "map" : what, s->name, family_name(t->fam), t->name));
            }
        }
    }
    return error(h.set_loc, enoent);
}

uint64_t evaluator::impl::next_handle(table& t) { return ++t.handle_gen; }

// ---- dispatch ----

bool evaluator::impl::run(cmd& c) {
    cur_cmd = &c;
    tbl = nullptr;
    cur_set = nullptr;
    cur_chain = nullptr;
    cur_rule = nullptr;
    ectx = {};
    switch (c.op) {
    case cmd_op::add:
    case cmd_op::create:
    case cmd_op::insert:
    case cmd_op::replace:
        return run_add(c);
    case cmd_op::del:
    case cmd_op::destroy:
        return run_delete(c);
    case cmd_op::flush:
        return run_flush(c);
    case cmd_op::reset:
        return run_reset(c);
    case cmd_op::rename:
        return run_rename(c);
    case cmd_op::list:
    case cmd_op::get:
        return run_list(c);
    }
    return error(c.loc, "unsupported command");
}

bool evaluator::impl::run_add(cmd& c) {
    switch (c.what) {
    case cmd_obj::table: return add_table(c);
    case cmd_obj::chain: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        tbl = t;
        std::vector<rule> rules = std::move(c.chn->rules);
        c.chn->rules.clear();
        if (!add_chain(*t, std::move(c.chn), c.op == cmd_op::create)) return false;
        chain* ch = t->find_chain(c.h.chain);
        bool ok = true;
        for (auto& r : rules) ok = add_rule(*t, *ch, std::move(r), cmd_op::add, {}) && ok;
        return ok;
    }
    case cmd_obj::rule: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        tbl = t;
        chain* ch = t->find_chain(c.h.chain);
        if (ch == nullptr) return chain_not_found(c.h);
        return add_rule(*t, *ch, std::move(*c.rul), c.op, c.h);
    }
    case cmd_obj::set:
    case cmd_obj::map: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        tbl = t;
        c.st->name = c.h.set;
        if (!c.st->loc.valid()) c.st->loc = c.h.set_loc;
        return add_set(*t, std::move(c.st), c.op == cmd_op::create);
    }
    case cmd_obj::element: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        tbl = t;
        set* s = t->find_set(c.h.set);
        if (s == nullptr || s->anonymous()) return set_not_found(c.h, "set");
        return elems(*s, c.elems, c.op);
    }
    case cmd_obj::flowtable: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        tbl = t;
        return add_flowtable(*t, std::move(c.ft), c.op == cmd_op::create);
    }
    case cmd_obj::counter:
    case cmd_obj::quota:
    case cmd_obj::limit:
    case cmd_obj::ct_helper:
    case cmd_obj::ct_timeout:
    case cmd_obj::ct_expect:
    case cmd_obj::secmark:
    case cmd_obj::synproxy:
    case cmd_obj::tunnel: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        tbl = t;
        return add_obj(*t, std::move(c.ob), c.op == cmd_op::create);
    }
    default:
        return error(c.loc, "unsupported command");
    }
}

// ---- tables ----

bool evaluator::impl::add_table(cmd& c) {
    table& src = *c.tbl;
    table* t = rs.find_table(c.h.fam, c.h.table);
    if (t != nullptr && c.op == cmd_op::create) return error(c.h.table_loc, kernel(eexist));
    if (t == nullptr) {
        auto nt = std::make_unique<table>();
        nt->fam = c.h.fam;
        nt->name = c.h.table;
        nt->loc = c.h.table_loc;
        nt->handle = rs.next_handle++;
        rs.tables.push_back(std::move(nt));
        t = rs.tables.back().get();
    }
    if (src.flags) t->flags = src.flags;
    if (src.has_comment) {
        t->comment = src.comment;
        t->has_comment = true;
    }
    tbl = t;
    // nft expands a table block into one command per object: chains, objects, sets,
    // flowtables, then the rules, so rules may use what the block declares after them.
    bool ok = true;
    std::vector<std::pair<std::string, std::vector<rule>>> rules;
    for (auto& ch : src.chains) {
        rules.emplace_back(ch->name, std::move(ch->rules));
        ch->rules.clear();
        ok = add_chain(*t, std::move(ch), false) && ok;
    }
    for (auto& o : src.objs) ok = add_obj(*t, std::move(o), false) && ok;
    for (auto& s : src.sets) ok = add_set(*t, std::move(s), false) && ok;
    for (auto& f : src.flowtables) ok = add_flowtable(*t, std::move(f), false) && ok;
    for (auto& [name, list] : rules) {
        chain* ch = t->find_chain(name);
        if (ch == nullptr) continue;  // its definition failed and was reported
        for (auto& r : list) ok = add_rule(*t, *ch, std::move(r), cmd_op::add, {}) && ok;
    }
    return ok;
}

// ---- chains ----

bool evaluator::impl::priority_value(expr_ptr& prio, family f, hook h, int32_t& out) {
    if (prio->is(expr_kind::variable)) {
        expr_ptr bound = prio->as<variable_expr>().bound ? prio->as<variable_expr>().bound->clone() : nullptr;
        if (!bound) return error(prio->loc, "invalid priority expression");
        bound->loc = prio->loc;
        prio = std::move(bound);
    }
    std::string text;
    if (prio->is(expr_kind::symbol)) {
        text = prio->as<symbol_expr>().text;
    } else if (prio->is(expr_kind::value)) {
        const auto& v = prio->as<value_expr>();
        const datatype* root = v.dtype ? v.dtype->root() : nullptr;
        if (root && root->id == type_id::string) {
            text = value_string(v);
        } else {
            out = static_cast<int32_t>(static_cast<uint32_t>(v.value));
            return true;
        }
    } else {
        return error(prio->loc, fmt::format("{} is not a valid priority expression", expr_name(*prio)));
    }
    // "filter", "mangle - 5", or a number given through a variable.
    std::string name = text;
    int offset = 0;
    const auto sp = text.find(' ');
    if (sp != std::string::npos) {
        name = text.substr(0, sp);
        const std::string rest = text.substr(sp + 1);
        if (rest.size() < 3 || (rest[0] != '+' && rest[0] != '-') || rest[1] != ' ') {
            return error(prio->loc, fmt::format("invalid priority expression {} in this context.", "value"));
        }
        offset = std::stoi(rest.substr(2));
        if (rest[0] == '-') offset = -offset;
    }
    u128 number = 0;
    if (!name.empty() && (std::isdigit(static_cast<unsigned char>(name[0])) || name[0] == '-')) {
        const bool neg = name[0] == '-';
        if (!parse_u128(neg ? name.substr(1) : name, number) || number > 0x7fffffff) {
            return error(prio->loc, "invalid priority expression value in this context.");
        }
        out = static_cast<int32_t>(neg ? -static_cast<int64_t>(number) : static_cast<int64_t>(number)) + offset;
        return true;
    }
    const auto p = standard_priority(name, f, h);
    if (!p) return error(prio->loc, "invalid priority expression value in this context.");
    out = *p + offset;
    return true;
}

bool evaluator::impl::chain_spec(table& t, chain& c) {
    if (!c.is_base() && !c.dev_expr) return true;
    const family f = t.fam;
    if (!c.hook_str.empty()) {
        const auto h = hook_lookup(f, c.hook_str);
        if (!h) return error(c.hook_loc, fmt::format("The {} family does not support this hook", family_name(f)));
        c.hooknum = *h;
    } else if (c.is_base()) {
        return error(c.loc, "missing hook and priority in chain declaration");
    }
    if (c.priority) {
        if (!priority_value(c.priority, f, c.hooknum, c.priority_value)) return false;
        c.priority_set = true;
    }
    if (c.policy_expr) {
        expr_ptr p = c.policy_expr->clone();
        if (p->is(expr_kind::variable)) {
            expr_ptr bound = p->as<variable_expr>().bound ? p->as<variable_expr>().bound->clone() : nullptr;
            if (!bound) return error(c.policy_loc, "invalid policy expression variable");
            p = std::move(bound);
        }
        std::string word;
        if (p->is(expr_kind::symbol)) word = p->as<symbol_expr>().text;
        if (p->is(expr_kind::value)) word = value_string(p->as<value_expr>());
        if (word == "accept") {
            c.policy = 1;
        } else if (word == "drop") {
            c.policy = 0;
        } else {
            return error(c.policy_loc, fmt::format("invalid policy expression {}", expr_name(*p)));
        }
    }
    if (c.dev_expr) {
        c.flags |= CHAIN_F_BASECHAIN;
        if (!(f == family::netdev || (f == family::inet && c.hooknum == hook::ingress))) {
            return error(c.dev_expr->loc, "This chain type cannot be bound to device");
        }
        if (!device_names(c.dev_expr, c.devices)) return false;
    }
    if (!chain_type_known(c.type)) return error(c.type_loc, kernel(enoent));
    if (!chain_type_supports(f, c.type, c.hooknum)) {
        return error(c.type_loc.valid() ? c.type_loc : c.loc, kernel(eopnotsupp));
    }
    if (c.type == "nat" && c.priority_value <= nf_ip_pri_conntrack) {
        return error(c.priority ? c.priority->loc : c.loc,
                     fmt::format("{} (nat chains need a priority above {})", kernel(eopnotsupp), nf_ip_pri_conntrack));
    }
    return true;
}

bool evaluator::impl::device_names(expr_ptr& e, std::vector<std::string>& out) {
    std::vector<std::string> names;
    std::function<bool(expr_ptr&)> collect = [&](expr_ptr& x) -> bool {
        switch (x->kind) {
        case expr_kind::variable: {
            expr_ptr bound = x->as<variable_expr>().bound ? x->as<variable_expr>().bound->clone() : nullptr;
            if (!bound) return error(x->loc, "invalid device expression");
            return collect(bound);
        }
        case expr_kind::list:
            for (auto& i : x->as<list_expr>().items) {
                if (!collect(i)) return false;
            }
            return true;
        case expr_kind::set:
            for (auto& i : x->as<set_expr>().items) {
                if (!collect(i)) return false;
            }
            return true;
        case expr_kind::set_elem: return collect(x->as<set_elem_expr>().key);
        case expr_kind::symbol: {
            const std::string& n = x->as<symbol_expr>().text;
            if (n.empty() || n.size() >= 16) return error(x->loc, "invalid device name");
            names.push_back(n);
            return true;
        }
        case expr_kind::value: {
            std::string n = value_string(x->as<value_expr>());
            if (n.empty() || n.size() >= 16) return error(x->loc, "invalid device name");
            names.push_back(std::move(n));
            return true;
        }
        default:
            return error(x->loc, fmt::format("{} is not a valid device expression", expr_name(*x)));
        }
    };
    if (!collect(e)) return false;
    for (auto& n : names) {
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(std::move(n));
    }
    return true;
}

bool evaluator::impl::add_chain(table& t, std::unique_ptr<chain> c, bool create) {
    if (!chain_spec(t, *c)) return false;
    chain* existing = t.find_chain(c->name);
    if (existing != nullptr) {
        if (create) return error(c->loc, kernel(eexist));
        if (c->is_base()) {
            if (!existing->is_base() || existing->type != c->type || existing->hooknum != c->hooknum ||
                (c->priority_set && existing->priority_value != c->priority_value)) {
                return error(c->loc, kernel(eexist));
            }
            if (c->policy) existing->policy = c->policy;
            for (auto& d : c->devices) {
                if (std::find(existing->devices.begin(), existing->devices.end(), d) == existing->devices.end()) {
                    existing->devices.push_back(d);
                }
            }
        }
        if (c->has_comment) {
            existing->comment = c->comment;
            existing->has_comment = true;
        }
        return true;
    }
    if (c->is_base() && !c->policy) c->policy = 1;
    c->handle = next_handle(t);
    t.chains.push_back(std::move(c));
    return true;
}

// ---- rules ----

bool evaluator::impl::add_rule(table& t, chain& c, rule r, cmd_op op, const handle_spec& h) {
    tbl = &t;
    created_objects.clear();
    if (!rule_(r, t, &c)) return false;
    // Where the rule goes: after/before `position`/`index`, in place of `handle`.
    auto& rules = c.rules;
    std::optional<size_t> ref;
    if (h.index) {
        if (*h.index >= rules.size()) return error(h.index_loc, kernel(enoent));
        ref = static_cast<size_t>(*h.index);
    } else if (h.handle || h.position) {
        const uint64_t want = h.handle ? *h.handle : *h.position;
        for (size_t i = 0; i < rules.size(); ++i) {
            if (rules[i].handle == want) ref = i;
        }
        if (!ref) return error(h.handle ? h.handle_loc : h.position_loc, kernel(enoent));
    }
    for (const created& o : created_objects) {
        if (o.s) o.s->handle = next_handle(t);
        if (o.c) o.c->handle = next_handle(t);
        if (o.r) o.r->handle = next_handle(t);
    }
    created_objects.clear();
    r.handle = next_handle(t);
    switch (op) {
    case cmd_op::insert:
        rules.insert(rules.begin() + static_cast<long>(ref ? *ref : 0), std::move(r));
        break;
    case cmd_op::replace:
        if (!ref) return error(r.loc, kernel(enoent));
        rules[*ref] = std::move(r);
        break;
    default:
        if (ref) {
            rules.insert(rules.begin() + static_cast<long>(*ref + 1), std::move(r));
        } else {
            rules.push_back(std::move(r));
        }
        break;
    }
    return true;
}

// ---- sets ----

bool evaluator::impl::compute_concat(expr& e) {
    auto& c = e.as<concat_expr>();
    std::vector<const datatype*> parts;
    uint32_t size = 0;
    for (auto& i : c.items) {
        if (!i->dtype) return error(i->loc, "concatenation component lacks a datatype");
        const uint32_t len = i->len ? i->len : i->dtype->size;
        if (len == 0) {
            return error2(i->loc, e.loc,
                          fmt::format("can not use variable sized data types ({}) in concat expressions", i->dtype->name));
        }
        if (i->len == 0) i->len = len;
        parts.push_back(i->dtype);
        size += (len + 31) / 32 * 32;
    }
    constexpr uint32_t max_bits = 64 * 8;
    if (size > max_bits) {
        return error(e.loc, fmt::format("Concatenation of size {} exceeds maximum size of {}", size, max_bits));
    }
    c.dtype = concat_type(parts);
    c.len = size;
    c.flags |= EXPR_F_CONSTANT | EXPR_F_SINGLETON;
    return true;
}

// Types the key and data of a named set from their `type`/`typeof` declaration.
bool evaluator::impl::set_key_eval(table& t, set& s) {
    pctx_store[0].init(t.fam);
    pctx_store[1].init(family::bridge, true);
    auto type_of = [&](expr_ptr& e, bool is_typeof) -> bool {
        if (!e) return true;
        // A typeof expression names a type: selectors already carry theirs, the
        // others (numgen, hash, fib...) are typed by evaluating them.
        auto typed = [](const expr& x) { return x.dtype != nullptr && x.len > 0; };
        if (is_typeof && e->is(expr_kind::concat)) {
            for (auto& i : e->as<concat_expr>().items) {
                if (typed(*i)) continue;
                ectx = {};
                rule* saved = cur_rule;
                cur_rule = nullptr;
                const bool ok = eval(i);
                cur_rule = saved;
                if (!ok) return false;
            }
            return compute_concat(*e);
        }
        if (is_typeof && typed(*e)) return true;
        if (is_typeof) {
            const uint16_t keep = e->flags & EXPR_F_INTERVAL;
            pctx_store[0].init(t.fam);
            pctx_store[1].init(family::bridge, true);
            ectx = {};
            rule* saved = cur_rule;
            cur_rule = nullptr;
            const bool ok = eval(e);
            cur_rule = saved;
            if (!ok) return false;
            e->flags |= keep;
            if (e->is(expr_kind::concat)) return compute_concat(*e);
            return true;
        }
        if (e->is(expr_kind::concat)) return compute_concat(*e);
        return true;
    };
    if (!type_of(s.key, s.key_typeof)) return false;
    if (s.data && !type_of(s.data, s.data_typeof)) return false;
    if (s.data && (s.data->flags & EXPR_F_INTERVAL)) s.data->len *= 2;
    return true;
}

bool evaluator::impl::set_def(set& s, bool anonymous) {
    const char* kind = s.is_map() ? "map" : "set";
    if (!s.key) return error(s.loc, fmt::format("{} definition does not specify key", kind));
    if (!(s.flags & NFT_SET_INTERVAL) && s.automerge && !anonymous) {
        return error(s.loc, "auto-merge only works with interval sets");
    }
    auto unqualified = [&](const datatype* t) {
        const std::string hint =
            t && t->size == 0 ? ". Try \"typeof expression\" instead of \"type datatype\"." : std::string();
        return error(s.loc, fmt::format("unqualified type {} specified in {} definition{}", t ? t->name : "invalid",
                                        kind, hint));
    };
    if (s.key->len == 0) return unqualified(s.key->dtype);
    if ((s.flags & NFT_SET_INTERVAL) && s.key->is(expr_kind::concat)) {
        s.flags |= NFT_SET_CONCAT;
        s.automerge = false;
    }
    if (anonymous && s.key->is(expr_kind::concat) && s.init && s.init->is(expr_kind::set)) {
        for (const auto& i : s.init->as<set_expr>().items) {
            const expr* k = elem_key(*i);
            if (!k->is(expr_kind::concat) && !k->is(expr_kind::set_elem_catchall)) {
                return error(i->loc, "expression is not a concatenation");
            }
        }
    }
    if (s.is_map() && !(s.flags & NFT_SET_OBJECT)) {
        if (!s.data) return error(s.loc, "map definition does not specify mapping data type");
        if (s.data->len == 0 && (!s.data->dtype || s.data->dtype->id != type_id::verdict)) {
            return unqualified(s.data->dtype);
        }
    } else if (s.flags & NFT_SET_OBJECT) {
        if (!s.data) {
            s.data = std::make_unique<value_expr>(s.loc, &dt(type_id::string), byte_order::host, 256 * 8, 0);
        }
    }
    if (s.timeout) s.flags |= NFT_SET_TIMEOUT;
    size_t n = 0;
    for (auto& st : s.stmts) {
        if (!stateful(*st, kind)) return false;
        ++n;
    }
    if (n > 1) s.flags |= NFT_SET_EXPR;
    if (anonymous && s.init && s.init->is(expr_kind::set) &&
        ((s.init->as<set_expr>().set_flags | s.flags) & NFT_SET_INTERVAL) && !(s.flags & NFT_SET_CONCAT)) {
        s.flags |= NFT_SET_INTERVAL;
        if (!interval_elems(s, s.init, cmd_op::add)) return false;
    }
    return true;
}

bool evaluator::impl::add_set(table& t, std::unique_ptr<set> s, bool create) {
    if (!s->key) {
        return error(s->loc, fmt::format("{} definition does not specify key", s->is_map() ? "map" : "set"));
    }
    if (!set_key_eval(t, *s)) return false;
    if (!set_def(*s, false)) return false;
    expr_ptr init = std::move(s->init);
    set* existing = t.find_set(s->name);
    if (existing && existing->anonymous()) existing = nullptr;
    if (existing) {
        const char* kind = s->is_map() ? "map" : "set";
        if (create) return error(s->loc, kernel(eexist));
        if (s->is_interval() && !existing->is_interval()) {
            return error(s->loc, fmt::format("existing {} lacks interval flag", kind));
        }
        if (s->data && existing->data && !datatype_equal(existing->data->dtype, s->data->dtype)) {
            return error(s->loc, fmt::format("{} already exists with different datatype ({} vs {})", kind,
                                             existing->data->dtype->desc, s->data->dtype->desc));
        }
        if (!datatype_equal(existing->key->dtype, s->key->dtype)) {
            return error(s->loc, fmt::format("{} already exists with different datatype ({} vs {})", kind,
                                             existing->key->dtype->desc, s->key->dtype->desc));
        }
        if (s->is_map() != existing->is_map() || (s->flags & NFT_SET_OBJECT) != (existing->flags & NFT_SET_OBJECT)) {
            return error(s->loc, fmt::format("Cannot merge {} with incompatible existing {} of same name", kind,
                                             existing->is_map() ? "map" : "set"));
        }
        const uint32_t same_mask = ~static_cast<uint32_t>(NFT_SET_EVAL);
        if ((existing->flags & same_mask) != (s->flags & same_mask) || existing->key->len != s->key->len ||
            (s->data && existing->data && existing->data->len != s->data->len) ||
            existing->stmts.size() != s->stmts.size()) {
            return error(s->loc, kernel(eexist));
        }
        if (s->timeout) existing->timeout = s->timeout;
        if (s->gc_int) existing->gc_int = s->gc_int;
        if (init) return elems(*existing, init, cmd_op::add);
        return true;
    }
    s->handle = next_handle(t);
    t.sets.push_back(std::move(s));
    set& added = *t.sets.back();
    if (init) return elems(added, init, cmd_op::add);
    return true;
}

bool evaluator::impl::elems(set& s, expr_ptr& init, cmd_op op) {
    if (!s.key) return error(s.loc, "set definition does not specify key");
    set* saved = cur_set;
    cur_set = &s;
    rule* saved_rule = cur_rule;
    cur_rule = nullptr;
    pctx_store[0].init(tbl ? tbl->fam : family::unspec);
    ectx.set(s.key->dtype, s.key->order, s.key->len);
    ectx.key = s.key.get();
    const bool ok = eval(init);
    cur_set = saved;
    cur_rule = saved_rule;
    if (!ok) return false;
    if (!init->is(expr_kind::set)) {
        return error(init->loc, fmt::format("Set {}: Unexpected initial type {}, missing {{ }}?", s.name, expr_name(*init)));
    }
    const bool deleting = op == cmd_op::del || op == cmd_op::destroy;
    // Options the kernel refuses on elements of this set.
    for (const auto& i : init->as<set_expr>().items) {
        const set_elem_expr* el = elem_of(*i);
        if (el && (el->timeout || el->expiration) && !(s.flags & NFT_SET_TIMEOUT) && !deleting) {
            return error(el->loc, fmt::format("{} (set '{}' has no timeout flag)", kernel(einval), s.name));
        }
    }
    if (!s.init) {
        s.init = std::make_unique<set_expr>(s.loc);
        s.init->dtype = s.key->dtype;
        s.init->len = s.key->len;
        s.init->flags |= EXPR_F_CONSTANT;
    }
    if (s.is_interval() && !(s.flags & NFT_SET_CONCAT)) return interval_elems(s, init, op);

    auto& have = s.init->as<set_expr>().items;
    element_index index;
    index.reserve(have.size() + init->as<set_expr>().items.size());
    for (size_t i = 0; i < have.size(); ++i) index.add(*have[i], i);
    if (deleting) {
        std::vector<bool> gone(have.size(), false);
        for (const auto& i : init->as<set_expr>().items) {
            const size_t at = index.find(*i);
            if (at == element_index::npos || gone[at]) {
                if (op == cmd_op::destroy) continue;
                return error(i->loc, kernel(enoent));
            }
            gone[at] = true;
        }
        std::vector<expr_ptr> kept;
        kept.reserve(have.size());
        for (size_t i = 0; i < have.size(); ++i) {
            if (!gone[i]) kept.push_back(std::move(have[i]));
        }
        have = std::move(kept);
        return true;
    }
    for (auto& i : init->as<set_expr>().items) {
        const size_t at = index.find(*i);
        if (at != element_index::npos) {
            const expr* old_data = elem_data(*have[at]);
            const expr* new_data = elem_data(*i);
            if (old_data && new_data && key_repr(*old_data) != key_repr(*new_data)) {
                return error(i->loc, kernel(ebusy));
            }
            if (op == cmd_op::create) return error(i->loc, kernel(eexist));
            continue;
        }
        index.add(*i, have.size());
        have.push_back(std::move(i));
    }
    if (s.size && have.size() > s.size) return error(init->loc, kernel(enfile));
    return true;
}

bool evaluator::impl::interval_elems(set& s, expr_ptr& init, cmd_op op) {
    auto& incoming = init->as<set_expr>().items;
    const bool into_set = s.init && s.init.get() != init.get();
    std::vector<expr_ptr> none;
    std::vector<expr_ptr>& have = into_set ? s.init->as<set_expr>().items : none;

    struct span {
        u128 lo, hi;
        expr_ptr item;
    };
    auto to_span = [&](expr_ptr& item, span& out) -> bool {
        const expr* k = elem_key(*item);
        if (!interval_of(*k, k->len, out.lo, out.hi)) return false;
        if (out.lo > out.hi) return error(item->loc, "Range has zero or negative size");
        out.item = std::move(item);
        return true;
    };

    std::vector<expr_ptr> passthrough;  // catch-all and keys that are no intervals
    std::vector<span> old_spans, new_spans;
    for (auto& i : have) {
        span sp;
        if (to_span(i, sp)) {
            old_spans.push_back(std::move(sp));
        } else if (i) {
            passthrough.push_back(std::move(i));
        }
    }
    for (auto& i : incoming) {
        span sp;
        if (to_span(i, sp)) {
            new_spans.push_back(std::move(sp));
        } else if (i) {
            if (i->is(expr_kind::range) || elem_key(*i)->is(expr_kind::range)) return false;
            passthrough.push_back(std::move(i));
        }
    }

    auto store = [&](std::vector<span>& spans) {
        std::sort(spans.begin(), spans.end(), [](const span& a, const span& b) { return a.lo < b.lo; });
        std::vector<expr_ptr> out;
        out.reserve(spans.size() + passthrough.size());
        for (auto& p : passthrough) out.push_back(std::move(p));
        for (auto& sp : spans) out.push_back(std::move(sp.item));
        if (into_set) {
            have = std::move(out);
            incoming.clear();
        } else {
            incoming = std::move(out);
            if (!s.init) {
                // `init` is the set's own element list (anonymous sets).
            }
        }
    };

    const bool deleting = op == cmd_op::del || op == cmd_op::destroy;
    if (deleting) {
        for (auto& n : new_spans) {
            auto it = std::find_if(old_spans.begin(), old_spans.end(),
                                   [&](const span& o) { return o.lo == n.lo && o.hi == n.hi; });
            if (it == old_spans.end()) {
                if (op == cmd_op::destroy) continue;
                // Put everything back before reporting: the set must stay as it was.
                for (auto& o : old_spans) have.push_back(std::move(o.item));
                for (auto& p : passthrough) have.push_back(std::move(p));
                return error(n.item->loc, kernel(enoent));
            }
            old_spans.erase(it);
        }
        new_spans.clear();
        store(old_spans);
        return true;
    }

    const bool merge = (s.automerge || s.anonymous()) && !s.is_map() && !(s.flags & NFT_SET_OBJECT);
    std::vector<span> all;
    all.reserve(old_spans.size() + new_spans.size());
    // New elements are checked against the old ones and each other.
    for (auto& o : old_spans) all.push_back(std::move(o));
    const size_t old_count = all.size();
    for (auto& n : new_spans) {
        bool duplicate = false;
        for (size_t j = 0; j < all.size(); ++j) {
            span& o = all[j];
            if (n.hi < o.lo || o.hi < n.lo) continue;
            if (o.lo == n.lo && o.hi == n.hi) {
                const expr* od = elem_data(*o.item);
                const expr* nd = elem_data(*n.item);
                if (od && nd && key_repr(*od) != key_repr(*nd)) {
                    if (merge) continue;
                    return error(n.item->loc, kernel(ebusy));
                }
                if (op == cmd_op::create && j < old_count) return error(n.item->loc, kernel(eexist));
                duplicate = true;
                break;
            }
            if (!merge) return error(n.item->loc, "conflicting intervals specified");
        }
        if (!duplicate) all.push_back(std::move(n));
    }
    if (merge) {
        std::sort(all.begin(), all.end(), [](const span& a, const span& b) { return a.lo < b.lo; });
        std::vector<span> merged;
        for (auto& sp : all) {
            if (!merged.empty() && elem_plain(*merged.back().item) && elem_plain(*sp.item) &&
                (merged.back().hi == ~u128{0} || sp.lo <= merged.back().hi + 1)) {
                span& last = merged.back();
                if (sp.hi > last.hi) {
                    last.hi = sp.hi;
                    last.item = interval_elem(*elem_key(*last.item), last.lo, last.hi, last.item->loc);
                }
                continue;
            }
            merged.push_back(std::move(sp));
        }
        all = std::move(merged);
    }
    if (s.size && all.size() > s.size) return error(init->loc, kernel(enfile));
    store(all);
    return true;
}

// ---- flowtables ----

bool evaluator::impl::add_flowtable(table& t, std::unique_ptr<flowtable> f, bool create) {
    flowtable* existing = t.find_flowtable(f->name);
    if (existing && create) return error(f->loc, kernel(eexist));
    if (!existing && f->hook_str.empty() && !f->dev_expr) {
        return error(f->loc, "missing hook and priority in flowtable declaration");
    }
    if (!f->hook_str.empty()) {
        if (f->hook_str != "ingress") return error(f->hook_loc, fmt::format("invalid hook {}", f->hook_str));
        f->hooknum = hook::ingress;
        if (f->priority) {
            if (!priority_value(f->priority, family::netdev, hook::ingress, f->priority_value)) return false;
            f->priority_set = true;
        }
    }
    if (f->dev_expr && !device_names(f->dev_expr, f->devices)) return false;
    if (existing) {
        if (!f->hook_str.empty() && f->priority_set && existing->priority_value != f->priority_value) {
            return error(f->loc, kernel(eexist));
        }
        for (auto& d : f->devices) {
            if (std::find(existing->devices.begin(), existing->devices.end(), d) == existing->devices.end()) {
                existing->devices.push_back(d);
            }
        }
        return true;
    }
    f->handle = next_handle(t);
    t.flowtables.push_back(std::move(f));
    return true;
}

// ---- named objects ----

bool evaluator::impl::add_obj(table& t, std::unique_ptr<obj> o, bool create) {
    switch (o->type) {
    case obj_type::ct_timeout: {
        const auto l3 = o->l3proto;
        if (l3 != family::unspec && t.fam != family::inet && l3 != t.fam) {
            return error(o->loc, fmt::format("{} (l3proto {} in a {} table)", kernel(einval), family_name(l3),
                                             family_name(t.fam)));
        }
        for (auto& ts : o->timeouts) {
            if (timeout_state_index(o->l4proto, ts.state) < 0) {
                return error(ts.loc, "invalid state for this protocol");
            }
        }
        // Listed in the kernel's state order.
        std::stable_sort(o->timeouts.begin(), o->timeouts.end(), [&](const auto& a, const auto& b) {
            return timeout_state_index(o->l4proto, a.state) < timeout_state_index(o->l4proto, b.state);
        });
        break;
    }
    case obj_type::ct_expect:
        if (!o->l4proto || !o->expect_dport || !o->expect_timeout || !o->expect_size) {
            return error(o->loc, "missing options");
        }
        if (o->l3proto != family::unspec && t.fam != family::inet && o->l3proto != t.fam) {
            return error(o->loc, kernel(einval));
        }
        break;
    case obj_type::ct_helper:
        if (o->l3proto != family::unspec && t.fam != family::inet && o->l3proto != t.fam) {
            return error(o->loc, fmt::format("{} (l3proto {} in a {} table)", kernel(einval), family_name(o->l3proto),
                                             family_name(t.fam)));
        }
        if (!ct_helper_known(o->helper_name, o->l4proto)) {
            return error(o->loc, fmt::format("{} (no conntrack helper \"{}\" for this protocol)", kernel(enoent),
                                             o->helper_name));
        }
        break;
    case obj_type::synproxy:
        if (o->syn_wscale > 14) return error(o->loc, "synproxy wscale must be at most 14");
        break;
    case obj_type::limit:
        if (o->limit_rate == 0) return error(o->loc, "limit rate must be > 0");
        break;
    default:
        break;
    }
    obj* existing = t.find_obj(o->name, o->type);
    if (existing) {
        if (create) return error(o->loc, kernel(eexist));
        // The kernel updates counters, quotas and limits in place.
        const uint64_t handle = existing->handle;
        *existing = std::move(*o);
        existing->handle = handle;
        return true;
    }
    o->handle = next_handle(t);
    t.objs.push_back(std::move(o));
    return true;
}

// ---- delete, flush, reset, rename, list ----

namespace {

obj_type obj_type_of(cmd_obj w) {
    switch (w) {
    case cmd_obj::counter: return obj_type::counter;
    case cmd_obj::quota: return obj_type::quota;
    case cmd_obj::limit: return obj_type::limit;
    case cmd_obj::ct_helper: return obj_type::ct_helper;
    case cmd_obj::ct_timeout: return obj_type::ct_timeout;
    case cmd_obj::ct_expect: return obj_type::ct_expect;
    case cmd_obj::secmark: return obj_type::secmark;
    case cmd_obj::synproxy: return obj_type::synproxy;
    case cmd_obj::tunnel: return obj_type::tunnel;
    default: return obj_type::none;
    }
}

// Whether anything in table `t` refers to chain / set / object / flowtable `name`.
struct references {
    std::unordered_set<std::string> chains, sets, flowtables;
    std::set<std::pair<obj_type, std::string>> objs;
};

void collect_verdict(const expr& e, references& refs) {
    if (!e.is(expr_kind::verdict)) return;
    const auto& v = e.as<verdict_expr>();
    if (v.chain && v.chain->is(expr_kind::value)) refs.chains.insert(value_string(v.chain->as<value_expr>()));
}

references collect_references(table& t, const chain* skip_chain = nullptr) {
    references refs;
    auto visit_expr = [&](expr& e) {
        collect_verdict(e, refs);
        if (e.is(expr_kind::set_ref) && e.as<set_ref_expr>().target) {
            set* s = e.as<set_ref_expr>().target;
            refs.sets.insert(s->name);
        }
    };
    std::function<void(rule&)> visit_rule = [&](rule& r) {
        for (auto& st : r.stmts) {
            for_each_expr(*st, visit_expr);
            if (st->is(stmt_kind::objref)) {
                const auto& o = st->as<objref_stmt>();
                if (o.e->is(expr_kind::value)) refs.objs.insert({o.type, value_string(o.e->as<value_expr>())});
            }
            if (st->is(stmt_kind::flow_offload)) refs.flowtables.insert(st->as<flow_offload_stmt>().table);
        }
    };
    for (auto& c : t.chains) {
        if (c.get() == skip_chain) continue;
        for (auto& r : c->rules) visit_rule(r);
    }
    for (auto& s : t.sets) {
        // Verdict maps jump to chains; object maps name objects.
        if (!s->init) continue;
        for (auto& i : s->init->as<set_expr>().items) {
            const expr* d = elem_data(*i);
            if (d == nullptr) continue;
            collect_verdict(*d, refs);
            if ((s->flags & NFT_SET_OBJECT) && d->is(expr_kind::value)) {
                refs.objs.insert({s->objtype, value_string(d->as<value_expr>())});
            }
        }
    }
    return refs;
}

}  // namespace

bool evaluator::impl::run_delete(cmd& c) {
    const bool destroy = c.op == cmd_op::destroy;
    auto missing = [&](location l) { return destroy ? true : error(l, kernel(enoent)); };
    if (c.what == cmd_obj::table) {
        auto& tables = rs.tables;
        auto it = std::find_if(tables.begin(), tables.end(), [&](const auto& t) {
            if (t->fam != c.h.fam) return false;
            return c.h.handle ? t->handle == *c.h.handle : t->name == c.h.table;
        });
        if (it == tables.end()) return c.h.handle ? missing(c.h.handle_loc) : (destroy || table_not_found(c.h));
        tables.erase(it);
        return true;
    }
    table* t = find_table(c.h, !destroy);
    if (t == nullptr) return destroy;
    tbl = t;
    switch (c.what) {
    case cmd_obj::chain: {
        auto it = std::find_if(t->chains.begin(), t->chains.end(), [&](const auto& ch) {
            return c.h.handle ? ch->handle == *c.h.handle : ch->name == c.h.chain;
        });
        if (it == t->chains.end()) return c.h.handle ? missing(c.h.handle_loc) : (destroy || chain_not_found(c.h));
        const references refs = collect_references(*t, it->get());
        if (refs.chains.count((*it)->name)) return error(c.loc, kernel(ebusy));
        t->chains.erase(it);
        return true;
    }
    case cmd_obj::rule: {
        chain* ch = t->find_chain(c.h.chain);
        if (ch == nullptr) return destroy || chain_not_found(c.h);
        if (!c.h.handle) return error(c.loc, "missing rule handle");
        auto it = std::find_if(ch->rules.begin(), ch->rules.end(), [&](const rule& r) { return r.handle == *c.h.handle; });
        if (it == ch->rules.end()) return missing(c.h.handle_loc);
        ch->rules.erase(it);
        return true;
    }
    case cmd_obj::set:
    case cmd_obj::map:
    case cmd_obj::meter: {
        auto it = std::find_if(t->sets.begin(), t->sets.end(), [&](const auto& s) {
            if (s->anonymous()) return false;
            return c.h.handle ? s->handle == *c.h.handle : s->name == c.h.set;
        });
        if (it == t->sets.end()) return c.h.handle ? missing(c.h.handle_loc) : (destroy || set_not_found(c.h, "set"));
        const references refs = collect_references(*t);
        if (refs.sets.count((*it)->name)) return error(c.loc, kernel(ebusy));
        t->sets.erase(it);
        return true;
    }
    case cmd_obj::element: {
        set* s = t->find_set(c.h.set);
        if (s == nullptr || s->anonymous()) return destroy || set_not_found(c.h, "set");
        return elems(*s, c.elems, c.op);
    }
    case cmd_obj::flowtable: {
        auto it = std::find_if(t->flowtables.begin(), t->flowtables.end(), [&](const auto& f) {
            return c.h.handle ? f->handle == *c.h.handle : f->name == c.h.flowtable;
        });
        if (it == t->flowtables.end()) return missing(c.h.handle ? c.h.handle_loc : c.h.flowtable_loc);
        const references refs = collect_references(*t);
        if (refs.flowtables.count((*it)->name)) return error(c.loc, kernel(ebusy));
        t->flowtables.erase(it);
        return true;
    }
    default: {
        const obj_type type = obj_type_of(c.what);
        if (type == obj_type::none) return error(c.loc, "unsupported command");
        auto it = std::find_if(t->objs.begin(), t->objs.end(), [&](const auto& o) {
            return o->type == type && (c.h.handle ? o->handle == *c.h.handle : o->name == c.h.obj);
        });
        if (it == t->objs.end()) return missing(c.h.handle ? c.h.handle_loc : c.h.obj_loc);
        const references refs = collect_references(*t);
        if (refs.objs.count({type, (*it)->name})) return error(c.loc, kernel(ebusy));
        t->objs.erase(it);
        return true;
    }
    }
}

bool evaluator::impl::run_flush(cmd& c) {
    switch (c.what) {
    case cmd_obj::ruleset:
        if (c.h.family_given) {
            std::erase_if(rs.tables, [&](const auto& t) { return t->fam == c.h.fam; });
        } else {
            rs.tables.clear();
        }
        return true;
    case cmd_obj::table: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        for (auto& ch : t->chains) ch->rules.clear();
        return true;
    }
    case cmd_obj::chain: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        chain* ch = t->find_chain(c.h.chain);
        if (ch == nullptr) return chain_not_found(c.h);
        ch->rules.clear();
        return true;
    }
    case cmd_obj::set:
    case cmd_obj::map:
    case cmd_obj::meter: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        set* s = t->find_set(c.h.set);
        if (s == nullptr || s->anonymous()) return set_not_found(c.h, "set");
        if (s->init) s->init->as<set_expr>().items.clear();
        return true;
    }
    default:
        return error(c.loc, "this object cannot be flushed");
    }
}

bool evaluator::impl::run_reset(cmd& c) {
    auto reset_table = [&](table& t, std::optional<obj_type> only, const std::string& name) {
        for (auto& o : t.objs) {
            if (only && o->type != *only) continue;
            if (!name.empty() && o->name != name) continue;
            o->packets = o->bytes = 0;
            o->quota_used = 0;
        }
    };
    const obj_type type = obj_type_of(c.what);
    if (c.h.table.empty()) {
        for (auto& t : rs.tables) reset_table(*t, type == obj_type::none ? std::nullopt : std::optional(type), {});
        return true;
    }
    table* t = find_table(c.h);
    if (t == nullptr) return false;
    if (type != obj_type::none && !c.h.obj.empty() && t->find_obj(c.h.obj, type) == nullptr) {
        return error(c.h.obj_loc, enoent);
    }
    reset_table(*t, type == obj_type::none ? std::nullopt : std::optional(type), c.h.obj);
    return true;
}

bool evaluator::impl::run_rename(cmd& c) {
    if (c.what != cmd_obj::chain) return error(c.loc, "only chains can be renamed");
    table* t = find_table(c.h);
    if (t == nullptr) return false;
    chain* ch = t->find_chain(c.h.chain);
    if (ch == nullptr) return chain_not_found(c.h);
    if (t->find_chain(c.arg)) return error(c.loc, kernel(eexist));
    ch->name = c.arg;
    return true;
}

bool evaluator::impl::run_list(cmd& c) {
    switch (c.what) {
    case cmd_obj::ruleset:
    case cmd_obj::counters:
    case cmd_obj::quotas:
        if (!c.h.table.empty() && find_table(c.h) == nullptr) return false;
        return true;
    case cmd_obj::table:
        return c.h.table.empty() || find_table(c.h) != nullptr;
    case cmd_obj::chain: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        return t->find_chain(c.h.chain) != nullptr || chain_not_found(c.h);
    }
    case cmd_obj::set:
    case cmd_obj::map:
    case cmd_obj::meter: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        set* s = t->find_set(c.h.set);
        return (s != nullptr && !s->anonymous()) || set_not_found(c.h, "set");
    }
    case cmd_obj::element: {
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        set* s = t->find_set(c.h.set);
        if (s == nullptr || s->anonymous()) return set_not_found(c.h, "set");
        set scratch(*s);
        expr_ptr probe = c.elems ? c.elems->clone() : nullptr;
        if (!probe) return true;
        tbl = t;
        return elems(scratch, probe, cmd_op::add);
    }
    default: {
        const obj_type type = obj_type_of(c.what);
        if (c.h.table.empty()) return true;
        table* t = find_table(c.h);
        if (t == nullptr) return false;
        if (type != obj_type::none && !c.h.obj.empty() && t->find_obj(c.h.obj, type) == nullptr) {
            return error(c.h.obj_loc, enoent);
        }
        return true;
    }
    }
}

// ---- the end of a transaction: what the kernel checks when it commits ----

namespace {

// Hooks of NF_INET_* numbering a statement or expression may run in.
enum hook_bit : unsigned {
    HB_PRE = 1u << 0,
    HB_IN = 1u << 1,
    HB_FWD = 1u << 2,
    HB_OUT = 1u << 3,
    HB_POST = 1u << 4,
    HB_INGRESS = 1u << 5,
    HB_EGRESS = 1u << 6,
    HB_ALL = 0x7f,
};

unsigned hook_bit_of(hook h) {
    switch (h) {
    case hook::prerouting: return HB_PRE;
    case hook::input: return HB_IN;
    case hook::forward: return HB_FWD;
    case hook::output: return HB_OUT;
    case hook::postrouting: return HB_POST;
    case hook::ingress: return HB_INGRESS;
    case hook::egress: return HB_EGRESS;
    default: return 0;
    }
}

struct base_ctx {
    family fam;
    const chain* base;
};

// Where the kernel lets this statement run; "" when anywhere. `type_nat` is set when the
// chain must also be of type nat.
unsigned stmt_hooks(const stmt& s, family fam, bool& type_nat) {
    type_nat = false;
    switch (s.kind) {
    case stmt_kind::nat:
        type_nat = true;
        switch (s.as<nat_stmt>().type) {
        case nat_type::snat: return HB_POST | HB_IN;
        case nat_type::dnat: return HB_PRE | HB_OUT;
        case nat_type::masquerade: return HB_POST;
        case nat_type::redirect: return HB_PRE | HB_OUT;
        }
        return HB_ALL;
    case stmt_kind::reject:
        switch (fam) {
        case family::bridge: return HB_PRE | HB_IN;
        case family::netdev: return HB_INGRESS;
        case family::inet: return HB_PRE | HB_IN | HB_FWD | HB_OUT | HB_INGRESS;
        default: return HB_PRE | HB_IN | HB_FWD | HB_OUT;
        }
    case stmt_kind::tproxy: return HB_PRE;
    case stmt_kind::synproxy: return HB_IN | HB_FWD;
    case stmt_kind::flow_offload: return HB_FWD;
    case stmt_kind::fwd: return HB_INGRESS | HB_EGRESS;
    case stmt_kind::meta:
        if (s.as<meta_stmt>().key == META_PKTTYPE) {
            return fam == family::netdev ? HB_INGRESS : HB_PRE;
        }
        if (s.as<meta_stmt>().key == META_BRI_BROUTE) return HB_PRE;
        return HB_ALL;
    default: return HB_ALL;
    }
}

unsigned expr_hooks(const expr& e, family fam) {
    switch (e.kind) {
    case expr_kind::fib: {
        if (fam == family::netdev) return HB_INGRESS;
        const auto& f = e.as<fib_expr>();
        constexpr uint32_t f_iif = 1u << 3, f_oif = 1u << 4;
        if (f.result == 1 || f.result == 2) return HB_PRE | HB_IN | HB_FWD | HB_INGRESS;
        if (f.fib_flags & f_iif) return HB_PRE | HB_IN | HB_FWD | HB_INGRESS;
        if (f.fib_flags & f_oif) return HB_OUT | HB_POST | HB_FWD;
        return HB_ALL;
    }
    case expr_kind::socket: return HB_PRE | HB_IN | HB_OUT;
    case expr_kind::osf: return HB_PRE | HB_IN | HB_FWD;
    case expr_kind::xfrm:
        return e.as<xfrm_expr>().direction == 0 ? (HB_PRE | HB_IN | HB_FWD) : (HB_FWD | HB_OUT | HB_POST);
    case expr_kind::rt: {
        const int k = e.as<rt_expr>().key;
        if (k == 3) return HB_FWD | HB_OUT | HB_POST;  // tcpmss
        return HB_ALL;
    }
    case expr_kind::meta: {
        const int k = e.as<meta_expr>().key;
        if (k == META_SDIF || k == META_SDIFNAME) return HB_IN | HB_FWD;
        if (k == META_SECPATH) return HB_PRE | HB_IN | HB_FWD;
        return HB_ALL;
    }
    default: return HB_ALL;
    }
}

std::string_view stmt_title(const stmt& s) {
    switch (s.kind) {
    case stmt_kind::nat:
        switch (s.as<nat_stmt>().type) {
        case nat_type::snat: return "snat";
        case nat_type::dnat: return "dnat";
        case nat_type::masquerade: return "masquerade";
        case nat_type::redirect: return "redirect";
        }
        return "nat";
    case stmt_kind::reject: return "reject";
    case stmt_kind::tproxy: return "tproxy";
    case stmt_kind::synproxy: return "synproxy";
    case stmt_kind::flow_offload: return "flow add";
    case stmt_kind::fwd: return "fwd";
    case stmt_kind::meta: return "meta pkttype set";
    default: return "statement";
    }
}

std::string_view expr_title(const expr& e) {
    switch (e.kind) {
    case expr_kind::fib: return "fib";
    case expr_kind::socket: return "socket";
    case expr_kind::osf: return "osf";
    case expr_kind::xfrm: return "ipsec";
    case expr_kind::rt: return "rt";
    case expr_kind::meta: return "meta";
    default: return "expression";
    }
}

}  // namespace

bool evaluator::impl::finish() {
    bool ok = true;
    for (auto& tp : rs.tables) {
        table& t = *tp;
        // 1. Everything a rule names must exist.
        auto check_rule = [&](rule& r) {
            for (auto& st : r.stmts) {
                for_each_expr(*st, [&](expr& e) {
                    if (!e.is(expr_kind::verdict)) return;
                    auto& v = e.as<verdict_expr>();
                    if (!v.chain || !v.chain->is(expr_kind::value)) return;
                    const std::string name = value_string(v.chain->as<value_expr>());
                    const chain* target = t.find_chain(name);
                    if (target == nullptr) {
                        ok = error(v.chain->loc, kernel(enoent));
                    } else if (target->is_base()) {
                        ok = error(v.chain->loc, fmt::format("{} (cannot jump to base chain '{}')", kernel(eopnotsupp),
                                                             name));
                    }
                });
                if (st->is(stmt_kind::objref)) {
                    const auto& o = st->as<objref_stmt>();
                    if (o.e->is(expr_kind::value) && t.find_obj(value_string(o.e->as<value_expr>()), o.type) == nullptr) {
                        ok = error(o.e->loc, kernel(enoent));
                    }
                }
                if (st->is(stmt_kind::flow_offload) &&
                    t.find_flowtable(st->as<flow_offload_stmt>().table) == nullptr) {
                    ok = error(st->loc, kernel(enoent));
                }
            }
        };
        std::function<void(chain&)> check_chain = [&](chain& c) {
            for (auto& r : c.rules) {
                check_rule(r);
                for (auto& st : r.stmts) {
                    if (st->is(stmt_kind::chain) && st->as<chain_stmt>().body) check_chain(*st->as<chain_stmt>().body);
                }
            }
        };
        for (auto& c : t.chains) check_chain(*c);
        for (auto& s : t.sets) {
            if (!s->init) continue;
            for (auto& i : s->init->as<set_expr>().items) {
                const expr* d = elem_data(*i);
                if (d == nullptr) continue;
                if (d->is(expr_kind::verdict)) {
                    const auto& v = d->as<verdict_expr>();
                    if (v.chain && v.chain->is(expr_kind::value) &&
                        t.find_chain(value_string(v.chain->as<value_expr>())) == nullptr) {
                        ok = error(v.chain->loc, kernel(enoent));
                    }
                }
                if ((s->flags & NFT_SET_OBJECT) && d->is(expr_kind::value) &&
                    t.find_obj(value_string(d->as<value_expr>()), s->objtype) == nullptr) {
                    ok = error(d->loc, kernel(enoent));
                }
            }
        }
        if (!ok) continue;

        // 2. Jumps: no loops, at most 16 deep from a base chain, and every statement allowed
        //    in the hook (and chain type) of each base chain that reaches it.
        std::map<const chain*, int> on_path;
        // Chains already checked from this base chain at this depth or less need no second look.
        std::map<const chain*, unsigned> seen_depth;
        std::function<bool(const chain&, unsigned, const chain&)> walk = [&](const chain& c, unsigned depth,
                                                                            const chain& base) -> bool {
            if (depth >= jump_stack_size) return error(c.loc, kernel(emlink));
            if (auto it = seen_depth.find(&c); it != seen_depth.end() && it->second <= depth) return true;
            seen_depth[&c] = depth;
            on_path[&c] = 1;
            const unsigned here = hook_bit_of(base.hooknum);
            for (const auto& r : c.rules) {
                for (const auto& st : r.stmts) {
                    bool type_nat = false;
                    const unsigned allowed = stmt_hooks(*st, t.fam, type_nat);
                    if (!(allowed & here) || (type_nat && base.type != "nat")) {
                        on_path.erase(&c);
                        return error(st->loc, fmt::format("{} ({} is not allowed in {} chain '{}', hook {})",
                                                          kernel(eopnotsupp), stmt_title(*st), base.type, base.name,
                                                          hook_name(t.fam, base.hooknum)));
                    }
                    bool bad = false;
                    const expr* culprit = nullptr;
                    std::vector<const chain*> targets;
                    for_each_expr(const_cast<stmt&>(*st), [&](expr& e) {
                        if (!(expr_hooks(e, t.fam) & here) && !bad) {
                            bad = true;
                            culprit = &e;
                        }
                        if (e.is(expr_kind::verdict)) {
                            const auto& v = e.as<verdict_expr>();
                            if (v.chain && v.chain->is(expr_kind::value)) {
                                if (const chain* tc = t.find_chain(value_string(v.chain->as<value_expr>()))) {
                                    targets.push_back(tc);
                                }
                            }
                        }
                        if (e.is(expr_kind::set_ref) && e.as<set_ref_expr>().target &&
                            e.as<set_ref_expr>().target->is_map() && e.as<set_ref_expr>().target->init) {
                            for (auto& i : e.as<set_ref_expr>().target->init->as<set_expr>().items) {
                                const expr* d = elem_data(*i);
                                if (d && d->is(expr_kind::verdict)) {
                                    const auto& v = d->as<verdict_expr>();
                                    if (v.chain && v.chain->is(expr_kind::value)) {
                                        if (const chain* tc = t.find_chain(value_string(v.chain->as<value_expr>()))) {
                                            targets.push_back(tc);
                                        }
                                    }
                                }
                            }
                        }
                    });
                    if (bad) {
                        on_path.erase(&c);
                        return error(culprit->loc, fmt::format("{} ({} is not allowed in chain '{}', hook {})",
                                                               kernel(eopnotsupp), expr_title(*culprit), base.name,
                                                               hook_name(t.fam, base.hooknum)));
                    }
                    if (st->is(stmt_kind::chain) && st->as<chain_stmt>().body) {
                        targets.push_back(st->as<chain_stmt>().body.get());
                    }
                    for (const chain* tc : targets) {
                        if (on_path.count(tc)) {
                            // The kernel finds a loop by running out of jump stack.
                            on_path.erase(&c);
                            return error(st->loc, kernel(emlink));
                        }
                        if (!walk(*tc, depth + 1, base)) {
                            on_path.erase(&c);
                            return false;
                        }
                    }
                }
            }
            on_path.erase(&c);
            return true;
        };
        for (const auto& c : t.chains) {
            if (!c->is_base()) continue;
            seen_depth.clear();
            if (!walk(*c, 0, *c)) {
                ok = false;
                break;
            }
        }
        if (!ok) continue;
        // Loops among chains no base chain reaches are left alone, as the kernel does: they
        // are refused once a base chain jumps into them.
    }
    if (!ok) return false;

    // 3. Anonymous sets live as long as the rule that uses them.
    for (auto& tp : rs.tables) {
        const references refs = collect_references(*tp);
        std::erase_if(tp->sets, [&](const auto& s) { return s->anonymous() && !refs.sets.count(s->name); });
    }
    return true;
}

}  // namespace nfqwall::front

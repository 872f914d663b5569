#include "front/rule.hpp"

#include <span>

namespace nfqwall::front {

std::string_view family_name(family f) {
    switch (f) {
    case family::ipv4: return "ip";
    case family::ipv6: return "ip6";
    case family::inet: return "inet";
    case family::arp: return "arp";
    case family::bridge: return "bridge";
    case family::netdev: return "netdev";
    default: return "unknown";
    }
}

std::string_view hook_name(family f, hook h) {
    if (f == family::netdev) {
        if (h == hook::ingress || h == hook::prerouting) return "ingress";
        if (h == hook::egress || h == hook::input) return "egress";
    }
    switch (h) {
    case hook::prerouting: return "prerouting";
    case hook::input: return "input";
    case hook::forward: return "forward";
    case hook::output: return "output";
    case hook::postrouting: return "postrouting";
    case hook::ingress: return "ingress";
    case hook::egress: return "egress";
    default: return "unknown";
    }
}

std::optional<hook> hook_lookup(family f, std::string_view name) {
    if (f == family::netdev) {
        if (name == "ingress") return hook::ingress;
        if (name == "egress") return hook::egress;
        return std::nullopt;
    }
    if (f == family::arp) {
        if (name == "input") return hook::input;
        if (name == "output") return hook::output;
        if (name == "forward") return hook::forward;
        return std::nullopt;
    }
    if (name == "prerouting") return hook::prerouting;
    if (name == "input") return hook::input;
    if (name == "forward") return hook::forward;
    if (name == "output") return hook::output;
    if (name == "postrouting") return hook::postrouting;
    if (name == "ingress" && f == family::inet) return hook::ingress;
    return std::nullopt;
}

namespace {

struct std_prio {
    std::string_view name;
    int32_t value;
};

constexpr std_prio inet_prios[] = {{"raw", -300},   {"mangle", -150}, {"dstnat", -100},
                                   {"filter", 0},   {"security", 50}, {"srcnat", 100}};
constexpr std_prio bridge_prios[] = {{"dstnat", -300}, {"filter", -200}, {"out", 100}, {"srcnat", 300}};

std::span<const std_prio> std_prios(family f) {
    return f == family::bridge ? std::span<const std_prio>(bridge_prios) : std::span<const std_prio>(inet_prios);
}

// nft's std_prio_family_hook_compat (dstnat also on output and srcnat on input since 2023).
bool std_prio_applies(int32_t prio, family f, hook h) {
    if (f == family::bridge) {
        switch (prio) {
        case -300: return h == hook::prerouting;
        case -200: return true;
        case 100: return h == hook::output;
        case 300: return h == hook::postrouting;
        default: return false;
        }
    }
    const bool ip = f == family::inet || f == family::ipv4 || f == family::ipv6;
    switch (prio) {
    case 0: return ip || f == family::arp || f == family::netdev;
    case -300:
    case -150:
    case 50: return ip;
    case -100: return ip && (h == hook::prerouting || h == hook::output);
    case 100: return ip && (h == hook::input || h == hook::postrouting);
    default: return false;
    }
}

}  // namespace

std::optional<int32_t> standard_priority(std::string_view name, family f, hook h) {
    for (const auto& p : std_prios(f)) {
        if (p.name == name && std_prio_applies(p.value, f, h)) return p.value;
    }
    return std::nullopt;
}

std::string priority_text(int32_t prio, family f, hook h) {
    for (const auto& p : std_prios(f)) {
        const int64_t offset = static_cast<int64_t>(prio) - p.value;
        if (offset > 10 || offset < -10 || !std_prio_applies(p.value, f, h)) continue;
        std::string out(p.name);
        if (offset > 0) out += " + " + std::to_string(offset);
        if (offset < 0) out += " - " + std::to_string(-offset);
        return out;
    }
    return std::to_string(prio);
}

rule::rule(const rule& o)
    : stmts(front::clone(o.stmts)), comment(o.comment), has_comment(o.has_comment), loc(o.loc), handle(o.handle) {}

chain::chain(const chain& o)
    : name(o.name), loc(o.loc), handle(o.handle), flags(o.flags), type(o.type), type_loc(o.type_loc),
      hooknum(o.hooknum), hook_str(o.hook_str), hook_loc(o.hook_loc), priority(front::clone(o.priority)),
      priority_value(o.priority_value), priority_set(o.priority_set), policy(o.policy),
      policy_expr(front::clone(o.policy_expr)), policy_loc(o.policy_loc), devices(o.devices),
      dev_expr(front::clone(o.dev_expr)), comment(o.comment), has_comment(o.has_comment), rules(o.rules) {}

set::set(const set& o)
    : name(o.name), loc(o.loc), handle(o.handle), flags(o.flags), key(front::clone(o.key)), data(front::clone(o.data)),
      key_typeof(o.key_typeof), data_typeof(o.data_typeof), objtype(o.objtype), timeout(o.timeout), gc_int(o.gc_int),
      size(o.size), policy(o.policy), automerge(o.automerge), comment(o.comment), has_comment(o.has_comment),
      stmts(front::clone(o.stmts)), init(front::clone(o.init)), is_meter(o.is_meter) {}

flowtable::flowtable(const flowtable& o)
    : name(o.name), loc(o.loc), handle(o.handle), hook_str(o.hook_str), hooknum(o.hooknum), hook_loc(o.hook_loc),
      priority(front::clone(o.priority)), priority_value(o.priority_value), priority_set(o.priority_set),
      devices(o.devices), dev_expr(front::clone(o.dev_expr)), flags(o.flags) {}

table::table(const table& o)
    : fam(o.fam), name(o.name), loc(o.loc), handle(o.handle), handle_gen(o.handle_gen), anon_gen(o.anon_gen), flags(o.flags), comment(o.comment),
      has_comment(o.has_comment) {
    for (const auto& c : o.chains) chains.push_back(std::make_unique<chain>(*c));
    for (const auto& s : o.sets) sets.push_back(std::make_unique<set>(*s));
    for (const auto& b : o.objs) objs.push_back(std::make_unique<obj>(*b));
    for (const auto& f : o.flowtables) flowtables.push_back(std::make_unique<flowtable>(*f));
}

chain* table::find_chain(std::string_view n) const {
    for (const auto& c : chains) {
        if (c->name == n) return c.get();
    }
    return nullptr;
}

set* table::find_set(std::string_view n) const {
    for (const auto& s : sets) {
        if (s->name == n) return s.get();
    }
    return nullptr;
}

obj* table::find_obj(std::string_view n, obj_type t) const {
    for (const auto& o : objs) {
        if (o->name == n && o->type == t) return o.get();
    }
    return nullptr;
}

flowtable* table::find_flowtable(std::string_view n) const {
    for (const auto& f : flowtables) {
        if (f->name == n) return f.get();
    }
    return nullptr;
}

ruleset::ruleset(const ruleset& o) : next_handle(o.next_handle) {
    for (const auto& t : o.tables) tables.push_back(std::make_unique<table>(*t));
}

ruleset& ruleset::operator=(const ruleset& o) {
    if (this != &o) {
        ruleset copy(o);
        tables = std::move(copy.tables);
        next_handle = o.next_handle;
    }
    return *this;
}

table* ruleset::find_table(family f, std::string_view name) const {
    for (const auto& t : tables) {
        if (t->fam == f && t->name == name) return t.get();
    }
    return nullptr;
}

}  // namespace nfqwall::front

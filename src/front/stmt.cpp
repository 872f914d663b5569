#include "front/stmt.hpp"

#include "front/rule.hpp"

namespace nfqwall::front {

stmt_ptr clone(const stmt_ptr& s) { return s ? s->clone() : nullptr; }

std::vector<stmt_ptr> clone(const std::vector<stmt_ptr>& v) {
    std::vector<stmt_ptr> out;
    out.reserve(v.size());
    for (const auto& s : v) out.push_back(clone(s));
    return out;
}

chain_stmt::chain_stmt(const chain_stmt& o)
    : stmt_base(o), body(o.body ? std::make_shared<chain>(*o.body) : nullptr), verdict(o.verdict) {}

std::string_view obj_type_name(obj_type t) {
    switch (t) {
    case obj_type::counter: return "counter";
    case obj_type::quota: return "quota";
    case obj_type::ct_helper: return "ct helper";
    case obj_type::limit: return "limit";
    case obj_type::ct_timeout: return "ct timeout";
    case obj_type::secmark: return "secmark";
    case obj_type::ct_expect: return "ct expectation";
    case obj_type::synproxy: return "synproxy";
    case obj_type::tunnel: return "tunnel";
    default: return "unknown";
    }
}

}  // namespace nfqwall::front

#include "front/expr.hpp"

#include <algorithm>

#include "front/stmt.hpp"

namespace nfqwall::front {

std::string_view op_token(op o) {
    switch (o) {
    case op::eq: return "==";
    case op::neq: return "!=";
    case op::lt: return "<";
    case op::gt: return ">";
    case op::lte: return "<=";
    case op::gte: return ">=";
    case op::neg: return "!";
    case op::band: return "&";
    case op::bor: return "|";
    case op::bxor: return "^";
    case op::lshift: return "<<";
    case op::rshift: return ">>";
    default: return "";
    }
}

expr_ptr clone(const expr_ptr& e) { return e ? e->clone() : nullptr; }

std::vector<expr_ptr> clone(const std::vector<expr_ptr>& v) {
    std::vector<expr_ptr> out;
    out.reserve(v.size());
    for (const auto& e : v) out.push_back(clone(e));
    return out;
}

set_elem_expr::set_elem_expr(location l, expr_ptr k) : expr_base(expr_kind::set_elem, l), key(std::move(k)) {}
set_elem_expr::~set_elem_expr() = default;

set_elem_expr::set_elem_expr(const set_elem_expr& o)
    : expr_base(o), key(front::clone(o.key)), timeout(o.timeout), expiration(o.expiration),
      timeout_never(o.timeout_never), comment(o.comment), has_comment(o.has_comment), stmts(front::clone(o.stmts)) {}

expr_ptr make_value(location l, const datatype* t, u128 v, uint32_t bits) {
    if (bits == 0 && t != nullptr) bits = t->size;
    return std::make_unique<value_expr>(l, t, t ? t->order : byte_order::invalid, bits, v);
}

expr_ptr make_string_value(location l, const datatype* t, std::string_view s) {
    auto v = std::make_unique<value_expr>(l, t, byte_order::host, static_cast<uint32_t>(s.size() * 8),
                                          pack_string(s, std::min<uint32_t>(static_cast<uint32_t>(s.size()), 16)));
    v->str = std::string(s);
    return v;
}

std::string value_string(const value_expr& v) {
    if (!v.str.empty()) return v.str;
    return unpack_string(v.value, (v.len + 7) / 8);
}

bool expr_is_singleton(const expr& e) { return e.flags & EXPR_F_SINGLETON; }

bool interval_of(const expr& key, uint32_t width, u128& lo, u128& hi) {
    switch (key.kind) {
    case expr_kind::value:
        lo = hi = key.as<value_expr>().value;
        return true;
    case expr_kind::prefix: {
        const auto& p = key.as<prefix_expr>();
        if (!p.prefix->is(expr_kind::value)) return false;
        const uint32_t len = p.prefix->len != 0 ? p.prefix->len : width;
        const u128 host = mask_bits(len - std::min(len, p.prefix_len));
        lo = p.prefix->as<value_expr>().value & ~host;
        hi = lo | host;
        return true;
    }
    case expr_kind::range: {
        const auto& r = key.as<range_expr>();
        if (!r.left->is(expr_kind::value) || !r.right->is(expr_kind::value)) return false;
        lo = r.left->as<value_expr>().value;
        hi = r.right->as<value_expr>().value;
        return true;
    }
    default:
        return false;
    }
}

}  // namespace nfqwall::front

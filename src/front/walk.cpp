#include "front/walk.hpp"

namespace nfqwall::front {

namespace {

void visit(expr_ptr& e, const expr_visitor& fn) {
    if (e) for_each_expr(*e, fn);
}

void visit_all(std::vector<expr_ptr>& v, const expr_visitor& fn) {
    for (auto& e : v) visit(e, fn);
}

void visit_stmts(std::vector<stmt_ptr>& v, const expr_visitor& fn) {
    for (auto& s : v) {
        if (s) for_each_expr(*s, fn);
    }
}

}  // namespace

void for_each_expr(expr& e, const expr_visitor& fn) {
    fn(e);
    switch (e.kind) {
    case expr_kind::verdict: visit(e.as<verdict_expr>().chain, fn); break;
    case expr_kind::variable: visit(e.as<variable_expr>().bound, fn); break;
    case expr_kind::prefix: visit(e.as<prefix_expr>().prefix, fn); break;
    case expr_kind::range:
        visit(e.as<range_expr>().left, fn);
        visit(e.as<range_expr>().right, fn);
        break;
    case expr_kind::unary: visit(e.as<unary_expr>().arg, fn); break;
    case expr_kind::binop:
        visit(e.as<binop_expr>().left, fn);
        visit(e.as<binop_expr>().right, fn);
        break;
    case expr_kind::relational:
        visit(e.as<relational_expr>().left, fn);
        visit(e.as<relational_expr>().right, fn);
        break;
    case expr_kind::concat: visit_all(e.as<concat_expr>().items, fn); break;
    case expr_kind::list: visit_all(e.as<list_expr>().items, fn); break;
    case expr_kind::set: visit_all(e.as<set_expr>().items, fn); break;
    case expr_kind::set_elem:
        visit(e.as<set_elem_expr>().key, fn);
        visit_stmts(e.as<set_elem_expr>().stmts, fn);
        break;
    case expr_kind::mapping:
        visit(e.as<mapping_expr>().left, fn);
        visit(e.as<mapping_expr>().right, fn);
        break;
    case expr_kind::map:
        visit(e.as<map_expr>().key, fn);
        visit(e.as<map_expr>().mappings, fn);
        break;
    case expr_kind::hash: visit(e.as<hash_expr>().arg, fn); break;
    default: break;
    }
}

void for_each_expr(stmt& s, const expr_visitor& fn) {
    switch (s.kind) {
    case stmt_kind::expr: visit(s.as<expr_stmt>().e, fn); break;
    case stmt_kind::verdict: visit(s.as<verdict_stmt>().e, fn); break;
    case stmt_kind::reject: visit(s.as<reject_stmt>().code, fn); break;
    case stmt_kind::nat:
        visit(s.as<nat_stmt>().addr, fn);
        visit(s.as<nat_stmt>().proto, fn);
        break;
    case stmt_kind::tproxy:
        visit(s.as<tproxy_stmt>().addr, fn);
        visit(s.as<tproxy_stmt>().port, fn);
        break;
    case stmt_kind::queue: visit(s.as<queue_stmt>().queue, fn); break;
    case stmt_kind::dup:
        visit(s.as<dup_stmt>().to, fn);
        visit(s.as<dup_stmt>().dev, fn);
        break;
    case stmt_kind::fwd:
        visit(s.as<fwd_stmt>().addr, fn);
        visit(s.as<fwd_stmt>().dev, fn);
        break;
    case stmt_kind::meta: visit(s.as<meta_stmt>().value, fn); break;
    case stmt_kind::ct: visit(s.as<ct_stmt>().value, fn); break;
    case stmt_kind::payload:
        visit(s.as<payload_stmt>().dest, fn);
        visit(s.as<payload_stmt>().value, fn);
        break;
    case stmt_kind::exthdr:
        visit(s.as<exthdr_stmt>().dest, fn);
        visit(s.as<exthdr_stmt>().value, fn);
        break;
    case stmt_kind::set: {
        auto& x = s.as<set_stmt>();
        visit(x.key, fn);
        visit(x.set, fn);
        visit_stmts(x.stmts, fn);
        break;
    }
    case stmt_kind::map: {
        auto& x = s.as<map_stmt>();
        visit(x.key, fn);
        visit(x.data, fn);
        visit(x.set, fn);
        visit_stmts(x.stmts, fn);
        break;
    }
    case stmt_kind::meter: {
        auto& x = s.as<meter_stmt>();
        visit(x.key, fn);
        visit(x.set, fn);
        if (x.body) for_each_expr(*x.body, fn);
        break;
    }
    case stmt_kind::objref: visit(s.as<objref_stmt>().e, fn); break;
    case stmt_kind::optstrip: visit(s.as<optstrip_stmt>().e, fn); break;
    case stmt_kind::chain: {
        auto& x = s.as<chain_stmt>();
        if (x.body) {
            for (auto& r : x.body->rules) for_each_expr(r, fn);
        }
        break;
    }
    default: break;
    }
}

void for_each_expr(rule& r, const expr_visitor& fn) { visit_stmts(r.stmts, fn); }

void for_each_set_expr(set& s, const expr_visitor& fn) {
    if (s.init) for_each_expr(*s.init, fn);
}

}  // namespace nfqwall::front

// Visiting every expression under a statement: for reference checks (which chains, sets and
// objects a rule uses) and for re-pointing set references after a ruleset is copied.
#pragma once

#include <functional>

#include "front/rule.hpp"

namespace nfqwall::front {

using expr_visitor = std::function<void(expr&)>;

// Pre-order over `e` and its operands. A set reference is visited but the set it names is not
// entered: callers decide whether a set's elements belong to what they look at.
void for_each_expr(expr& e, const expr_visitor& fn);
// Every expression of a statement, including nested statements (per-element counters, meter
// bodies) and the rules of an anonymous chain (`jump { ... }`).
void for_each_expr(stmt& s, const expr_visitor& fn);
void for_each_expr(rule& r, const expr_visitor& fn);

// The elements of a set (its `init`), as expressions.
void for_each_set_expr(set& s, const expr_visitor& fn);

}  // namespace nfqwall::front

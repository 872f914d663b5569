// The listing pass: turns evaluated rules and set contents into the shape `nft list ruleset`
// shows after the kernel round trip. nft never lists what the user typed; it lists what it
// decodes back from kernel bytecode (netlink_delinearize.c) and set elements (segtree.c), so
// protocol dependencies disappear, flag tests become `tcp flags syn,ack`, raw loads get field
// names, interval sets come back sorted and merged. This pass reproduces those effects on a
// copy of the evaluated AST; print.cpp then prints the result without further judgement.
#pragma once

#include "front/rule.hpp"

namespace nfqwall::front {

// The rule as nft lists it in a table of family `fam`. With family::unspec (the table is not
// known) the pass keeps every field name the evaluator resolved instead of re-deriving it from
// the protocol context.
rule postprocess_rule(const rule& r, family fam);

// The elements of a set as nft lists them: a set_expr of set_elem_expr (or mapping_expr)
// items, sorted by key, interval sets decomposed into values, prefixes and ranges (adjacent
// intervals merged when the set has auto-merge), bitmask keys split into `a | b`.
// Returns nullptr when the set has no elements.
expr_ptr listed_elements(const set& s);

}  // namespace nfqwall::front

// Helpers shared by the two halves of the listing pass (postprocess.cpp, rules;
// postprocess_elements.cpp, set elements). Not for use elsewhere.
#pragma once

#include <cstdint>

#include "front/expr.hpp"

namespace nfqwall::front::listing_detail {

// Types whose values are flag sets (ct state, tcp flags): the basetype is bitmask.
bool is_bitmask_type(const datatype* t);
// Types nft prints ranges of as `a/len` (addresses).
bool has_prefix_notation(const datatype* t);
bool is_string_type(const datatype* t);
// `"eth*"` is a prefix of the string to the kernel; it lists with the asterisk again.
// False (and `e` unchanged) when `e` is not a string prefix.
bool string_prefix_to_wildcard(expr_ptr& e);
uint32_t popcount(u128 v);
// nft's bitmask_expr_to_binops: a value with several flag bits becomes `a | b | c`.
expr_ptr split_flags(expr_ptr e);

}  // namespace nfqwall::front::listing_detail

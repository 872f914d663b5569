// The ruleset as libnftables JSON, the way `nft -j list ruleset` prints it (nftables'
// json.c, upstream 1.1.6): one line {"nftables": [metainfo, then per table: the table, its
// chains, objects, named sets and maps, flowtables, then the rules of every chain]}.
// Rules go through the listing pass first (postprocess.hpp), exactly as for the text listing,
// so both listings show the same decoded rule; only the spelling differs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nfqwall/ruleset.hpp"

namespace nfqwall::front {

struct rule;
struct ruleset;
enum class family : uint8_t;

// The nft release whose JSON this reproduces; metainfo names it.
inline constexpr std::string_view json_nft_version = "1.1.6";
inline constexpr std::string_view json_nft_release_name = "Commodore Bullmoose #7";

// The whole listing, with its trailing newline. Honours `stateless` (counters without
// values) and `numeric_proto`; handles are always printed, as nft does in JSON.
std::string list_ruleset_json(const ruleset& rs, const list_options& opts);

// The "expr" array of one rule in a table of family `fam`, after the listing pass, in the
// same spelling (for tests and tools that look at single rules).
std::string rule_expr_json(const rule& r, family fam, const list_options& opts);

}  // namespace nfqwall::front

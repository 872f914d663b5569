// Printing expressions, statements and rulesets the way `nft list ruleset` does. Rules are
// first run through the listing pass (postprocess.hpp), so what prints is what nft would
// decode back from the kernel, not what was typed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nfqwall/ruleset.hpp"

namespace nfqwall::front {

class expr;
class value_expr;
struct stmt;
struct rule;
struct chain;
struct set;
struct table;
struct ruleset;
enum class family : uint8_t;

struct print_ctx {
    list_options opts;
    std::string out;

    void put(std::string_view s) { out += s; }
    void put(char c) { out += c; }
};

// A constant, through its datatype (symbols, addresses, marks in hex...).
void print_value(const value_expr& e, print_ctx& ctx);
// An expression or statement as it stands (no listing pass).
void print_expr(const expr& e, print_ctx& ctx);
void print_stmt(const stmt& s, print_ctx& ctx);
// The statements of a rule on one line, as inside a chain listing (no indentation), after the
// listing pass for a table of family `fam`. The two-argument form guesses the family from the
// rule's own matches and can get dependencies wrong where families differ (an explicit
// `ip protocol tcp` before `tcp dport` stays in inet tables only); prefer the first.
std::string rule_text(const rule& r, family fam, const list_options& opts);
std::string rule_text(const rule& r, const list_options& opts);

std::string list_ruleset_text(const ruleset& rs, const list_options& opts);

}  // namespace nfqwall::front

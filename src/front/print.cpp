// Listing printer: placeholder until the listing lands (see print.hpp).
#include "front/print.hpp"

#include "front/rule.hpp"

namespace nfqwall::front {

void print_expr(const expr&, print_ctx&) {}
void print_stmt(const stmt&, print_ctx&) {}
std::string rule_text(const rule&, const list_options&) { return {}; }
std::string list_ruleset_text(const ruleset&, const list_options&) { return {}; }

}  // namespace nfqwall::front

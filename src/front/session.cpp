#include "nfqwall/ruleset.hpp"

#include "front/rule.hpp"

namespace nfqwall {

struct ruleset_session::impl {
    front::ruleset state;
};

ruleset_session::ruleset_session() : impl_(std::make_unique<impl>()) {}
ruleset_session::~ruleset_session() = default;
ruleset_session::ruleset_session(ruleset_session&&) noexcept = default;
ruleset_session& ruleset_session::operator=(ruleset_session&&) noexcept = default;

result<void> ruleset_session::run_file(const std::string& path) {
    return fail(location{}, "not implemented yet: " + path);
}

result<void> ruleset_session::run_text(std::string_view, std::string name) {
    return fail(location{}, "not implemented yet: " + name);
}

std::string ruleset_session::list_ruleset(const list_options&) const { return {}; }
std::string ruleset_session::list_json(const list_options&) const { return "{\"nftables\": []}\n"; }
std::vector<std::string> ruleset_session::list_rules(std::string_view, std::string_view, std::string_view,
                                                     const list_options&) const {
    return {};
}
const front::ruleset& ruleset_session::state() const { return impl_->state; }

}  // namespace nfqwall

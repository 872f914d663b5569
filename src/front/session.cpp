// ruleset_session: parse, evaluate and commit, one transaction per file or text, as `nft -f`.
#include "nfqwall/ruleset.hpp"

#include <unordered_map>

#include "front/evaluate.hpp"
#include "front/json.hpp"
#include "front/parser.hpp"
#include "front/print.hpp"
#include "front/rule.hpp"
#include "front/walk.hpp"

namespace nfqwall {

namespace {

// After a deep copy, set references still point at the original's sets: move them over.
void rebind_set_refs(const front::ruleset& from, front::ruleset& to) {
    std::unordered_map<const front::set*, front::set*> moved;
    for (size_t t = 0; t < from.tables.size() && t < to.tables.size(); ++t) {
        const auto& a = from.tables[t]->sets;
        const auto& b = to.tables[t]->sets;
        for (size_t s = 0; s < a.size() && s < b.size(); ++s) moved.emplace(a[s].get(), b[s].get());
    }
    auto fix = [&](front::expr& e) {
        if (!e.is(front::expr_kind::set_ref)) return;
        auto& ref = e.as<front::set_ref_expr>();
        if (auto it = moved.find(ref.target); it != moved.end()) ref.target = it->second;
    };
    for (auto& t : to.tables) {
        for (auto& c : t->chains) {
            for (auto& r : c->rules) front::for_each_expr(r, fix);
        }
    }
}

}  // namespace

struct ruleset_session::impl {
    front::ruleset state;
    front::parse_env env;

    result<void> commit(result<std::vector<front::cmd>> parsed) {
        if (!parsed) return std::move(parsed).take_failure();
        front::ruleset work(state);
        rebind_set_refs(state, work);
        diagnostics errors;
        front::evaluator ev(work, errors);
        for (auto& c : parsed.value()) {
            ev.run(c);
            if (errors.size() >= env.max_errors) break;
        }
        if (errors.empty()) ev.finish();
        if (!errors.empty()) return fail(std::move(errors));
        state = std::move(work);
        return {};
    }
};

ruleset_session::ruleset_session() : impl_(std::make_unique<impl>()) {}
ruleset_session::~ruleset_session() = default;
ruleset_session::ruleset_session(ruleset_session&&) noexcept = default;
ruleset_session& ruleset_session::operator=(ruleset_session&&) noexcept = default;

result<void> ruleset_session::run_file(const std::string& path) {
    return impl_->commit(front::parse_ruleset_file(impl_->env, path));
}

result<void> ruleset_session::run_text(std::string_view text, std::string name) {
    const auto& src = impl_->env.add_source(std::move(name), std::string(text));
    return impl_->commit(front::parse_ruleset(impl_->env, src));
}

std::string ruleset_session::list_ruleset(const list_options& options) const {
    return front::list_ruleset_text(impl_->state, options);
}

std::string ruleset_session::list_json(const list_options& options) const {
    return front::list_ruleset_json(impl_->state, options);
}

std::vector<std::string> ruleset_session::list_rules(std::string_view family, std::string_view table,
                                                     std::string_view chain, const list_options& options) const {
    std::vector<std::string> out;
    for (const auto& t : impl_->state.tables) {
        if (front::family_name(t->fam) != family || t->name != table) continue;
        const front::chain* c = t->find_chain(chain);
        if (c == nullptr) return out;
        for (const auto& r : c->rules) out.push_back(front::rule_text(r, t->fam, options));
    }
    return out;
}

const front::ruleset& ruleset_session::state() const { return impl_->state; }

}  // namespace nfqwall

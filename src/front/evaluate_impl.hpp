// The evaluator's working state, shared by evaluate.cpp (expressions), evaluate_stmt.cpp
// (statements) and evaluate_cmd.cpp (commands).
#pragma once

#include <string>

#include <fmt/format.h>

#include "front/evaluate.hpp"
#include "front/selectors.hpp"

namespace nfqwall::front {

struct evaluator::impl {
    ruleset& rs;
    diagnostics& errors;

    cmd* cur_cmd = nullptr;
    table* tbl = nullptr;          // table of the command being evaluated
    chain* cur_chain = nullptr;    // chain a rule goes into (for hook/type checks)
    rule* cur_rule = nullptr;
    size_t stmt_index = 0;         // position of the statement being evaluated in cur_rule
    set* cur_set = nullptr;        // set whose elements are being evaluated
    std::array<proto_ctx, 2> pctx_store;
    const proto_desc* inner_desc = nullptr;
    expr_ctx ectx;
    uint32_t stmt_len = 0;
    unsigned list_depth = 0;      // > 0 inside set elements and mappings
    bool in_stmt_payload = false;
    unsigned anon_counter = 0;

    impl(ruleset& r, diagnostics& e) : rs(r), errors(e) {}

    proto_ctx& pctx() { return pctx_store[inner_desc ? 1 : 0]; }

    // ---- errors ----
    bool error(location l, std::string msg) {
        errors.push_back(make_error(l, std::move(msg)));
        return false;
    }
    bool error2(location primary, location secondary, std::string msg) {
        auto d = make_error(primary, std::move(msg));
        if (secondary.valid()) d.locations.push_back(secondary);
        errors.push_back(std::move(d));
        return false;
    }

    // ---- expressions (evaluate.cpp) ----
    bool eval(expr_ptr& e);
    bool symbol(expr_ptr& e);
    bool value(expr_ptr& e);
    bool integer_value(value_expr& v);
    bool string_value(expr_ptr& e);
    bool primary(expr_ptr& e);
    bool payload(expr_ptr& e);
    bool payload_deps(payload_expr& p);
    bool exthdr(expr_ptr& e);
    bool meta(expr_ptr& e);
    bool ct(expr_ptr& e);
    bool rt(expr_ptr& e);
    bool prefix(expr_ptr& e);
    bool range(expr_ptr& e);
    bool binop(expr_ptr& e);
    bool concat(expr_ptr& e);
    bool list(expr_ptr& e);
    bool set_expr_(expr_ptr& e);
    bool set_elem(expr_ptr& e);
    bool mapping(expr_ptr& e);
    bool map(expr_ptr& e);
    bool relational(expr_ptr& e);
    bool verdict(expr_ptr& e);
    bool variable(expr_ptr& e);
    bool set_ref(expr_ptr& e);
    bool member(expr_ptr& e);  // an element of a list/set/concat

    // Adds a dependency statement before the statement being evaluated.
    bool add_dependency(stmt_ptr dep, bool at_rule_start = false);
    bool dep_conflict(const stmt& dep);
    stmt_ptr protocol_dependency(const proto_desc* lower, const proto_desc* upper, location l);
    bool gen_payload_dependency(payload_expr& p);
    // Objects a rule creates while it is evaluated (anonymous sets, a meter's set, the chain
    // of `jump { ... }` and its rules), in creation order: they get their handles in that
    // order, before the rule itself, as the kernel gives them.
    struct created {
        set* s = nullptr;
        chain* c = nullptr;
        rule* r = nullptr;
    };
    std::vector<created> created_objects;
    // Puts a set a rule creates into the current table.
    void adopt_set(std::unique_ptr<set> s);

    // Declares the anonymous set behind `{ ... }` (and maps), in the current table.
    expr_ptr implicit_set(const char* fmt, expr_ptr key, expr_ptr data, expr_ptr init, uint32_t flags, location l);

    // ---- sets (evaluate_cmd.cpp) ----
    bool set_def(set& s, bool anonymous);
    bool elems(set& s, expr_ptr& init, cmd_op op);
    bool interval_elems(set& s, expr_ptr& init, cmd_op op);

    // ---- statements (evaluate_stmt.cpp) ----
    bool rule_(rule& r, table& t, chain* c);
    bool stmt_(stmt& s);
    bool stmt_arg(stmt& s, const datatype* t, uint32_t len, byte_order o, expr_ptr& e);
    bool stmt_arg_checks(stmt& s, const datatype* t, uint32_t len, byte_order o, expr_ptr& e);
    bool verdict_stmt_(verdict_stmt& s);
    bool payload_stmt_(payload_stmt& s);
    bool exthdr_stmt_(exthdr_stmt& s);
    bool meta_stmt_(meta_stmt& s);
    bool ct_stmt_(ct_stmt& s);
    bool reject_(reject_stmt& s);
    bool nat_(nat_stmt& s);
    bool tproxy_(tproxy_stmt& s);
    bool queue_(queue_stmt& s);
    bool dup_(dup_stmt& s);
    bool fwd_(fwd_stmt& s);
    bool log_(log_stmt& s);
    // The set an `add/update/delete @set` statement changes, its key typed against it.
    set* dynset_target(stmt& s, expr_ptr& setref, expr_ptr& key, std::vector<stmt_ptr>& stmts, const char* kind);
    bool set_stmt_(set_stmt& s);
    bool map_stmt_(map_stmt& s);
    bool meter_(stmt_ptr& s);
    bool objref_(objref_stmt& s);
    bool limit_(limit_stmt& s);
    bool chain_stmt_(chain_stmt& s);
    bool stateful(stmt& s, const char* where);

    // ---- commands (evaluate_cmd.cpp) ----
    bool run(cmd& c);
    bool run_add(cmd& c);
    bool run_delete(cmd& c);
    bool run_flush(cmd& c);
    bool run_reset(cmd& c);
    bool run_rename(cmd& c);
    bool run_list(cmd& c);
    bool add_table(cmd& c);
    bool add_chain(table& t, std::unique_ptr<chain> c, bool create);
    bool chain_spec(table& t, chain& c);
    bool priority_value(expr_ptr& prio, family f, hook h, int32_t& out);
    bool device_names(expr_ptr& e, std::vector<std::string>& out);
    bool add_rule(table& t, chain& c, rule r, cmd_op op, const handle_spec& h);
    bool add_set(table& t, std::unique_ptr<set> s, bool create);
    bool set_key_eval(table& t, set& s);
    bool compute_concat(expr& e);
    bool add_flowtable(table& t, std::unique_ptr<flowtable> f, bool create);
    bool add_obj(table& t, std::unique_ptr<obj> o, bool create);
    // The kernel's checks at commit: jump targets and named objects exist, no loops, jumps at
    // most 16 deep, statements only in hooks that allow them. Drops unused anonymous sets.
    bool finish();
    table* find_table(const handle_spec& h, bool report = true);
    bool table_not_found(const handle_spec& h);
    bool chain_not_found(const handle_spec& h);
    bool set_not_found(const handle_spec& h, const char* what);
    uint64_t next_handle(table& t);
    std::string next_anon_name(const char* fmt);
};

// Helpers shared by the evaluator files.
const datatype* expr_basetype(const expr& e);
bool datatype_equal(const datatype* a, const datatype* b);
bool datatype_compatible(const datatype* a, const datatype* b);
std::string expr_name(const expr& e);
uint64_t value_u64(const expr& e);

}  // namespace nfqwall::front

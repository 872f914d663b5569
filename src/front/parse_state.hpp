// The parser's working state: stacks the grammar actions push to and pop from, the scopes of
// `define`, and the markers that undo a failed alternative's work (PEG backtracking).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "front/parser.hpp"
#include "front/rule.hpp"
#include "grammar/lexical.hpp"

namespace nfqwall::front {

// A tag or word an action leaves for an enclosing rule (`==`, a set element's timeout...).
struct token {
    std::string kind;
    std::string text;
    location loc;
};

// An object being built between its braces.
struct block {
    enum class kind : uint8_t { table, chain, set, obj, flowtable };
    kind k;
    std::unique_ptr<table> tbl;
    std::unique_ptr<chain> chn;
    std::unique_ptr<set> st;
    std::unique_ptr<obj> ob;
    std::unique_ptr<flowtable> ft;
};

using scope = std::map<std::string, expr_ptr, std::less<>>;

// One word of the matched text, with where it is.
struct word {
    std::string_view text;
    location loc;
    grammar::word_class cls = grammar::word_class::none;
};

struct parse_state {
    struct mark {
        uint32_t exprs, stmts, toks, handles, blocks, rules, scopes, cmds;
    };

    parse_env& env;
    const source_file* file = nullptr;
    const char* base = nullptr;
    unsigned include_depth = 0;

    std::vector<expr_ptr> exprs;
    std::vector<stmt_ptr> stmts;
    std::vector<token> toks;
    std::vector<handle_spec> handles;
    std::vector<block> blocks;
    std::vector<std::unique_ptr<rule>> rules;
    std::vector<scope> scopes;
    std::vector<cmd> cmds;
    // One mark per rule being matched. Marks are filled lazily: the first action after a
    // mark was pushed records the stack sizes (they cannot have changed before it), so
    // the many alternatives that fail without running any action cost almost nothing.
    std::vector<mark> marks;  // storage; marks[0, depth) are live
    size_t depth = 0;
    size_t filled = 0;  // marks[0, filled) hold their sizes

    // Error reporting: the furthest point any token was expected, since the current line or
    // block item began.
    const char* furthest = nullptr;
    const char* last_token_end = nullptr;
    diagnostics errors;

    explicit parse_state(parse_env& e) : env(e) { scopes.emplace_back(); }

    // Called for every rule the grammar tries (hundreds per rule of a ruleset): inlined.
    [[gnu::always_inline]] void push_mark() {
        if (depth == marks.size()) [[unlikely]] marks.emplace_back();
        ++depth;
    }
    [[gnu::always_inline]] void pop_mark() {
        --depth;
        if (filled > depth) filled = depth;
    }
    [[gnu::always_inline]] void rollback() {
        if (depth <= filled) [[unlikely]] {
            undo();
        } else {
            --depth;  // no action ran since the mark: nothing to undo
        }
    }
    // Restores the sizes of the innermost (filled) mark and pops it.
    void undo();
    // Called before every action: records the sizes in the marks that lack them.
    void before_action();
    const mark& top() const { return marks[depth - 1]; }
    const mark& parent() const { return marks[depth - 2]; }

    location loc(const char* b, const char* e) const;
    void error(location l, std::string message);
    void note_failure(const char* at) {
        if (at > furthest || furthest == nullptr) furthest = at;
    }
    void syntax_error(const char* at);

    std::vector<expr_ptr> take_exprs();
    expr_ptr pop_expr();
    std::vector<stmt_ptr> take_stmts();
    std::vector<token> take_toks();
    std::unique_ptr<rule> pop_rule();

    const expr* lookup_variable(std::string_view name) const;
};

// Parses the files an `include` names with the rules of the block it appears in (Entry).
template <typename Entry>
void include_files(parse_state& st, const std::string& name, location where);

// The words of a piece of input: scanner-sized words, quoted strings and punctuation, with
// blanks, comments and line continuations skipped.
std::vector<word> split_words(const parse_state& st, const char* b, const char* e);

}  // namespace nfqwall::front

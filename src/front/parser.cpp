// The parser driver: parse state bookkeeping, the PEGTL control that undoes failed
// alternatives, syntax error messages, include handling and the entry points.
// The actions that build the AST are in parse_actions.hpp.
#include "front/parser.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <tao/pegtl.hpp>

#include "front/parse_state.hpp"
#include "grammar/ruleset.hpp"

namespace nfqwall::front {

namespace g = nfqwall::grammar;
namespace pegtl = tao::pegtl;

const source_file& parse_env::add_source(std::string name, std::string text) {
    sources.push_back(std::make_unique<source_file>(std::move(name), std::move(text)));
    return *sources.back();
}

// ---- parse_state ----

void parse_state::before_action() {
    if (filled == depth) return;
    const mark now{static_cast<uint32_t>(exprs.size()),  static_cast<uint32_t>(stmts.size()),
                   static_cast<uint32_t>(toks.size()),   static_cast<uint32_t>(handles.size()),
                   static_cast<uint32_t>(blocks.size()), static_cast<uint32_t>(rules.size()),
                   static_cast<uint32_t>(scopes.size()), static_cast<uint32_t>(cmds.size())};
    for (size_t i = filled; i < depth; ++i) marks[i] = now;
    filled = depth;
}

void parse_state::undo() {
    const mark m = marks[depth - 1];
    --depth;
    if (filled > depth) filled = depth;
    if (exprs.size() > m.exprs) exprs.resize(m.exprs);
    if (stmts.size() > m.stmts) stmts.resize(m.stmts);
    if (toks.size() > m.toks) toks.resize(m.toks);
    if (handles.size() > m.handles) handles.resize(m.handles);
    while (blocks.size() > m.blocks) blocks.pop_back();
    if (rules.size() > m.rules) rules.resize(m.rules);
    while (scopes.size() > m.scopes) scopes.pop_back();
    while (cmds.size() > m.cmds) cmds.pop_back();
}

location parse_state::loc(const char* b, const char* e) const {
    return {file, static_cast<uint32_t>(b - base), static_cast<uint32_t>(e - base)};
}

void parse_state::error(location l, std::string message) {
    // Actions of an alternative that is tried again after backtracking report again.
    for (const auto& d : errors) {
        if (!d.locations.empty() && d.locations.front().file == l.file && d.locations.front().begin == l.begin &&
            d.locations.front().end == l.end && d.message == message) {
            return;
        }
    }
    errors.push_back(make_error(l, std::move(message)));
}

std::vector<expr_ptr> parse_state::take_exprs() {
    std::vector<expr_ptr> out;
    const uint32_t from = top().exprs;
    if (exprs.size() > from) {
        out.reserve(exprs.size() - from);
        for (size_t i = from; i < exprs.size(); ++i) out.push_back(std::move(exprs[i]));
        exprs.resize(from);
    }
    return out;
}

expr_ptr parse_state::pop_expr() {
    if (exprs.empty()) return nullptr;
    expr_ptr e = std::move(exprs.back());
    exprs.pop_back();
    return e;
}

std::vector<stmt_ptr> parse_state::take_stmts() {
    std::vector<stmt_ptr> out;
    const uint32_t from = top().stmts;
    if (stmts.size() > from) {
        for (size_t i = from; i < stmts.size(); ++i) out.push_back(std::move(stmts[i]));
        stmts.resize(from);
    }
    return out;
}

std::vector<token> parse_state::take_toks() {
    std::vector<token> out;
    const uint32_t from = top().toks;
    if (toks.size() > from) {
        for (size_t i = from; i < toks.size(); ++i) out.push_back(std::move(toks[i]));
        toks.resize(from);
    }
    return out;
}

std::unique_ptr<rule> parse_state::pop_rule() {
    if (rules.empty()) return nullptr;
    auto r = std::move(rules.back());
    rules.pop_back();
    return r;
}

const expr* parse_state::lookup_variable(std::string_view name) const {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
        auto f = it->find(name);
        if (f != it->end()) return f->second.get();
    }
    return nullptr;
}

namespace {

// How nft's bison parser names the token it did not expect.
std::string describe_token(const parse_state& st, const char* at) {
    const char* end = st.base + st.file->text().size();
    if (at >= end) return "end of file";
    const char c = *at;
    if (c == '\n') return "newline";
    if (c == ';') return "semicolon";
    if (c == ',') return "comma";
    if (c == ':') return "colon";
    const g::word_scan w = g::scan_word(at, end);
    if (w.len > 0) {
        const std::string_view text(at, w.len);
        switch (w.cls) {
        case g::word_class::quoted:
            return "quoted string";
        case g::word_class::asterisk:
            return "string with a trailing asterisk";
        case g::word_class::decimal:
        case g::word_class::hex:
            return "number";
        case g::word_class::string:
            if (g::is_global_keyword(text)) return std::string(text);
            return "string";
        default:
            return "string";
        }
    }
    if (c == '"') return "junk";
    return fmt::format("'{}'", c);
}

}  // namespace

void parse_state::syntax_error(const char* at) {
    if (at == nullptr) at = base;
    const char* end = base + file->text().size();
    while (at < end && (*at == ' ' || *at == '\t' || *at == '\r')) ++at;
    const g::word_scan w = at < end ? g::scan_word(at, end) : g::word_scan{};
    const char* stop = at + (w.len > 0 ? w.len : (at < end ? 1 : 0));
    if (at < end && *at == '\n') stop = at + 1;
    errors.push_back(make_error(loc(at, stop), "syntax error, unexpected " + describe_token(*this, at)));
}

std::vector<word> split_words(const parse_state& st, const char* b, const char* e) {
    std::vector<word> out;
    const char* p = b;
    while (p < e) {
        const char c = *p;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++p;
            continue;
        }
        if (c == '\\' && p + 1 < e && (p[1] == '\n' || p[1] == '\r')) {
            p += 2;
            continue;
        }
        if (c == '#') {
            while (p < e && *p != '\n') ++p;
            continue;
        }
        const g::word_scan w = g::scan_word(p, e);
        if (w.len > 0) {
            out.push_back({std::string_view(p, w.len), st.loc(p, p + w.len), w.cls});
            p += w.len;
            continue;
        }
        static constexpr std::string_view two[] = {"==", "!=", "<=", ">=", "<<", ">>"};
        std::size_t len = 1;
        for (auto t : two) {
            if (e - p >= 2 && std::string_view(p, 2) == t) len = 2;
        }
        out.push_back({std::string_view(p, len), st.loc(p, p + len), g::word_class::none});
        p += len;
    }
    return out;
}

}  // namespace nfqwall::front

#include "front/parse_actions.hpp"

namespace nfqwall::front {

namespace {

// Rules that are single tokens: where they fail is where a syntax error is reported.
template <typename Rule>
struct is_token_rule : std::false_type {};
template <g::fixed_string S>
struct is_token_rule<g::kw_word<S>> : std::true_type {};
template <g::fixed_string S>
struct is_token_rule<g::unit_word<S>> : std::true_type {};
template <g::word_class... C>
struct is_token_rule<g::word_of<C...>> : std::true_type {};
template <>
struct is_token_rule<g::string_word> : std::true_type {};
template <>
struct is_token_rule<g::number_word> : std::true_type {};
template <>
struct is_token_rule<g::value_word> : std::true_type {};
template <pegtl::internal::result_on_found R, typename Peek, typename Peek::data_t... Cs>
struct is_token_rule<pegtl::internal::one<R, Peek, Cs...>> : std::true_type {};
template <char... Cs>
struct is_token_rule<pegtl::internal::string<Cs...>> : std::true_type {};

// Rules that never carry actions and never contain rules that do: no undo marks needed.
template <typename Rule>
struct is_plain_rule : is_token_rule<Rule> {};
template <>
struct is_plain_rule<g::sp> : std::true_type {};
template <>
struct is_plain_rule<g::blank> : std::true_type {};
template <>
struct is_plain_rule<g::comment> : std::true_type {};
template <>
struct is_plain_rule<g::continuation> : std::true_type {};

template <typename Rule>
struct control : pegtl::normal<Rule> {
    template <typename ParseInput>
    static void start(const ParseInput&, parse_state& st) {
        if constexpr (!is_plain_rule<Rule>::value) st.push_mark();
    }
    template <template <typename...> class Action, typename Iterator, typename ParseInput>
    static auto apply(const Iterator& begin, const ParseInput& in, parse_state& st)
        -> decltype(pegtl::normal<Rule>::template apply<Action>(begin, in, st)) {
        st.before_action();
        return pegtl::normal<Rule>::template apply<Action>(begin, in, st);
    }
    template <template <typename...> class Action, typename ParseInput>
    static auto apply0(const ParseInput& in, parse_state& st)
        -> decltype(pegtl::normal<Rule>::template apply0<Action>(in, st)) {
        st.before_action();
        return pegtl::normal<Rule>::template apply0<Action>(in, st);
    }
    template <typename ParseInput>
    static void success(const ParseInput& in, parse_state& st) {
        if constexpr (is_token_rule<Rule>::value) st.last_token_end = in.current();
        if constexpr (!is_plain_rule<Rule>::value) st.pop_mark();
    }
    template <typename ParseInput>
    static void failure(const ParseInput& in, parse_state& st) {
        if constexpr (is_token_rule<Rule>::value) st.note_failure(in.current());
        if constexpr (!is_plain_rule<Rule>::value) st.rollback();
    }
};

// Block items and top-level lines start error tracking afresh.
template <typename Rule>
struct item_control : control<Rule> {
    template <typename ParseInput>
    static void start(const ParseInput& in, parse_state& st) {
        st.furthest = in.current();
        control<Rule>::start(in, st);
    }
};

}  // namespace

}  // namespace nfqwall::front

namespace nfqwall::front {
namespace {

template <typename Rule>
struct full_control : control<Rule> {};
template <>
struct full_control<g::line> : item_control<g::line> {};
template <>
struct full_control<g::table_item> : item_control<g::table_item> {};
template <>
struct full_control<g::chain_item> : item_control<g::chain_item> {};
template <>
struct full_control<g::set_item> : item_control<g::set_item> {};
template <>
struct full_control<g::map_item> : item_control<g::map_item> {};
template <>
struct full_control<g::flowtable_item> : item_control<g::flowtable_item> {};

std::string read_file(const std::string& path, std::string& error) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        error = std::strerror(errno);
        return {};
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

template <typename Entry>
bool parse_source(parse_state& st, const source_file& file) {
    const source_file* saved_file = st.file;
    const char* saved_base = st.base;
    const char* saved_furthest = st.furthest;
    st.file = &file;
    st.base = file.text().data();
    st.furthest = st.base;
    pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf_crlf> in(file.text().data(),
                                                                             file.text().size(), file.name());
    bool ok = false;
    g::reset_scan_cache();
    try {
        ok = pegtl::parse<Entry, action, full_control>(in, st);
    } catch (const pegtl::parse_error& e) {
        st.error({&file, 0, 0}, e.what());
    }
    if (!ok) st.syntax_error(st.furthest);
    st.file = saved_file;
    st.base = saved_base;
    st.furthest = saved_furthest;
    return ok;
}

bool has_wildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

bool is_regular_file(const std::string& p) {
    struct stat sb {};
    return ::stat(p.c_str(), &sb) == 0 && S_ISREG(sb.st_mode);
}

}  // namespace

// Called by the include actions: finds the files an include names and parses each with the
// rules of the block the include appears in.
template <typename Entry>
void include_files(parse_state& st, const std::string& name, location where) {
    constexpr unsigned max_include_depth = 16;
    if (st.include_depth >= max_include_depth) {
        st.error(where, fmt::format("Include nested too deeply, max {} levels", max_include_depth));
        return;
    }
    // Relative names are looked up beside the including file, then in the -I directories and
    // the default /etc; names starting with ./, ../ or / are taken as they are (as nft does).
    std::vector<std::string> candidates;
    const bool search = !(name.rfind("./", 0) == 0 || name.rfind("../", 0) == 0 || (!name.empty() && name[0] == '/'));
    if (search) {
        std::filesystem::path here = std::filesystem::path(st.file->name()).parent_path();
        if (st.file->name() != "<cmdline>") candidates.push_back((here / name).string());
        for (const auto& dir : st.env.include_paths) candidates.push_back((dir / name).string());
        candidates.push_back((std::filesystem::path("/etc") / name).string());
    } else {
        candidates.push_back(name);
    }
    const bool wildcard = has_wildcard(name);
    for (const auto& pattern : candidates) {
        glob_t gl{};
        const int rc = ::glob(pattern.c_str(), GLOB_NOESCAPE | GLOB_MARK, nullptr, &gl);
        std::vector<std::string> files;
        if (rc == 0) {
            for (size_t i = 0; i < gl.gl_pathc; ++i) {
                std::string p = gl.gl_pathv[i];
                if (p.empty() || p.back() == '/') continue;  // directories
                files.push_back(p);
            }
        }
        globfree(&gl);
        if (files.empty()) continue;
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
            if (!is_regular_file(f)) {
                st.error(where, fmt::format("Not a regular file: \"{}\"", f));
                return;
            }
            std::string err;
            std::string text = read_file(f, err);
            if (!err.empty()) {
                st.error(where, fmt::format("Could not open file \"{}\": {}", f, err));
                return;
            }
            const source_file& src = st.env.add_source(f, std::move(text));
            ++st.include_depth;
            parse_source<Entry>(st, src);
            --st.include_depth;
        }
        if (!wildcard) return;
    }
    if (!wildcard) st.error(where, fmt::format("File not found: {}", name));
}

template void include_files<g::ruleset_file>(parse_state&, const std::string&, location);
template void include_files<g::table_items>(parse_state&, const std::string&, location);
template void include_files<g::chain_items>(parse_state&, const std::string&, location);
template void include_files<g::set_items>(parse_state&, const std::string&, location);

result<std::vector<cmd>> parse_ruleset(parse_env& env, const source_file& file) {
    parse_state st(env);
    parse_source<g::ruleset_file>(st, file);
    if (!st.errors.empty()) {
        if (st.errors.size() > env.max_errors) st.errors.resize(env.max_errors);
        return fail(std::move(st.errors));
    }
    return std::move(st.cmds);
}

result<std::vector<cmd>> parse_ruleset_file(parse_env& env, const std::string& path) {
    if (!is_regular_file(path)) {
        struct stat sb {};
        if (::stat(path.c_str(), &sb) != 0) {
            return fail(location{}, fmt::format("Could not open file \"{}\": {}", path, std::strerror(errno)));
        }
    }
    std::string err;
    std::string text = read_file(path, err);
    if (!err.empty()) return fail(location{}, fmt::format("Could not open file \"{}\": {}", path, err));
    const source_file& src = env.add_source(path, std::move(text));
    return parse_ruleset(env, src);
}

}  // namespace nfqwall::front

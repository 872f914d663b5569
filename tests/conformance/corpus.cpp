#include "corpus.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include <fmt/format.h>

namespace nfqwall::conformance {
namespace {

failure corpus_error(std::string message) { return fail(location{}, std::move(message)); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::vector<std::string_view> split(std::string_view text, char sep) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    for (;;) {
        size_t at = text.find(sep, start);
        if (at == std::string_view::npos) {
            parts.push_back(text.substr(start));
            return parts;
        }
        parts.push_back(text.substr(start, at - start));
        start = at + 1;
    }
}

// Takes the next whitespace-separated token off the front of `rest`.
std::string_view next_token(std::string_view& rest) {
    rest = trim(rest);
    size_t end = 0;
    while (end < rest.size() && !is_space(rest[end])) ++end;
    std::string_view token = rest.substr(0, end);
    rest.remove_prefix(end);
    return token;
}

result<expectation> parse_expectation(std::string_view field) {
    field = trim(field);
    if (field == "ok") return expectation::ok;
    if (field == "fail") return expectation::fail;
    return corpus_error(fmt::format("expected 'ok' or 'fail', found '{}'", field));
}

// Setup lines ('!', '?') end in ';ok' or ';fail'; the body before it never contains ';'.
struct body_and_result {
    std::string_view body;
    expectation expect = expectation::ok;
};

result<body_and_result> split_result_at_last_semicolon(std::string_view line) {
    size_t at = line.rfind(';');
    if (at == std::string_view::npos) return corpus_error("missing ';ok' or ';fail'");
    auto expect = parse_expectation(line.substr(at + 1));
    if (!expect) return std::move(expect).take_failure();
    return body_and_result{line.substr(0, at), *expect};
}

std::string join(const std::vector<std::string_view>& tokens) {
    std::string out;
    for (auto token : tokens) {
        if (!out.empty()) out += ' ';
        out += token;
    }
    return out;
}

}  // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

line_kind classify_line(std::string_view line) {
    if (trim(line).empty()) return line_kind::blank;
    switch (line.front()) {
        case '#': return line_kind::comment;
        case ':': return line_kind::chain_def;
        case '*': return line_kind::table_def;
        case '!': return line_kind::set_def;
        case '?': return line_kind::element_add;
        case '%': return line_kind::object_def;
        case '-': return line_kind::skipped;
        default: return line_kind::rule;
    }
}

const char* to_string(line_kind kind) {
    switch (kind) {
        case line_kind::blank: return "blank";
        case line_kind::comment: return "comment";
        case line_kind::chain_def: return "chain";
        case line_kind::table_def: return "table";
        case line_kind::set_def: return "set";
        case line_kind::element_add: return "element";
        case line_kind::object_def: return "object";
        case line_kind::skipped: return "skipped";
        case line_kind::rule: return "rule";
    }
    return "?";
}

const std::vector<std::string>& known_families() {
    static const std::vector<std::string> families{"ip", "ip6", "inet", "arp", "bridge", "netdev"};
    return families;
}

bool is_known_family(std::string_view family) {
    const auto& families = known_families();
    return std::find(families.begin(), families.end(), family) != families.end();
}

result<chain_def> parse_chain_line(std::string_view line) {
    if (line.empty() || line.front() != ':') return corpus_error("a chain line starts with ':'");
    line.remove_prefix(1);
    size_t at = line.find(';');
    if (at == std::string_view::npos) return corpus_error("a chain line is ':NAME;CHAIN-SPEC'");
    chain_def chain{std::string(trim(line.substr(0, at))), std::string(trim(line.substr(at + 1)))};
    if (chain.name.empty() || chain.spec.empty()) return corpus_error("a chain line is ':NAME;CHAIN-SPEC'");
    return chain;
}

result<table_def> parse_table_line(std::string_view line) {
    if (line.empty() || line.front() != '*') return corpus_error("a table line starts with '*'");
    auto fields = split(line.substr(1), ';');
    if (fields.size() != 3) return corpus_error("a table line is '*FAMILY;TABLE;CHAIN[,CHAIN...]'");
    table_def table{std::string(trim(fields[0])), std::string(trim(fields[1])), {}};
    if (!is_known_family(table.family)) return corpus_error(fmt::format("unknown family '{}'", table.family));
    if (table.name.empty()) return corpus_error("a table line names no table");
    for (auto chain : split(fields[2], ',')) {
        chain = trim(chain);
        if (chain.empty()) return corpus_error("a table line has an empty chain name");
        table.chains.emplace_back(chain);
    }
    return table;
}

result<rule_line> parse_rule_line(std::string_view line) {
    // FORMAT.md: rule text never contains ';', so a plain split gives the fields, and like
    // upstream anything other than 2 or 3 fields is a malformed line.
    auto fields = split(line, ';');
    if (fields.size() < 2 || fields.size() > 3) {
        return corpus_error(fmt::format("a rule line has 2 or 3 ';'-separated fields, this one has {}",
                                        fields.size()));
    }
    auto expect = parse_expectation(fields[1]);
    if (!expect) return std::move(expect).take_failure();
    rule_line rule{std::string(trim(fields[0])), *expect, std::nullopt};
    if (rule.rule.empty()) return corpus_error("a rule line has an empty rule");
    if (fields.size() == 3 && !trim(fields[2]).empty()) rule.canonical = std::string(trim(fields[2]));
    return rule;
}

result<set_def> parse_set_line(std::string_view line) {
    if (line.empty() || line.front() != '!') return corpus_error("a set line starts with '!'");
    auto split_line = split_result_at_last_semicolon(line.substr(1));
    if (!split_line) return std::move(split_line).take_failure();

    std::vector<std::string_view> tokens;
    for (std::string_view rest = split_line->body;;) {
        auto token = next_token(rest);
        if (token.empty()) break;
        tokens.push_back(token);
    }
    if (tokens.size() < 3 || (tokens[1] != "type" && tokens[1] != "typeof")) {
        return corpus_error("a set line is '!NAME type|typeof KEY [: DATA] [timeout T] [flags F]'");
    }
    set_def set;
    set.name = tokens[0];
    set.key_keyword = tokens[1];
    set.expect = split_line->expect;

    // Like upstream's nft-test.py the line is read as whitespace-separated words, with ':',
    // 'timeout' and 'flags' starting the next part; flags may have several words
    // ("interval, timeout") so they run to the next keyword.
    enum class part { key, data, timeout, flags } current = part::key;
    std::vector<std::string_view> key, data, flags;
    bool seen_timeout_value = false;
    for (size_t i = 2; i < tokens.size(); ++i) {
        auto token = tokens[i];
        if (token == ":" && current == part::key) {
            current = part::data;
        } else if (token == "timeout" && current != part::timeout) {
            current = part::timeout;
            if (!set.timeout.empty()) return corpus_error("a set line has two timeouts");
        } else if (token == "flags" && current != part::flags) {
            current = part::flags;
            if (!flags.empty()) return corpus_error("a set line has two flags parts");
        } else if (current == part::key) {
            key.push_back(token);
        } else if (current == part::data) {
            data.push_back(token);
        } else if (current == part::timeout) {
            if (seen_timeout_value) return corpus_error("a set timeout is one word");
            set.timeout = token;
            seen_timeout_value = true;
        } else {
            flags.push_back(token);
        }
    }
    set.key = join(key);
    set.data = join(data);
    set.flags = join(flags);
    if (set.key.empty()) return corpus_error("a set line has no key type");
    if (current == part::data && set.data.empty()) return corpus_error("a map line has no data type after ':'");
    if (current == part::timeout && set.timeout.empty()) {
        return corpus_error("a set line has 'timeout' without a value");
    }
    if (current == part::flags && set.flags.empty()) return corpus_error("a set line has 'flags' without a value");
    // A ':' followed by nothing before timeout/flags would silently turn a map into a set.
    if (std::find(tokens.begin(), tokens.end(), ":") != tokens.end() && set.data.empty()) {
        return corpus_error("a map line has no data type after ':'");
    }
    return set;
}

result<element_add> parse_element_line(std::string_view line) {
    if (line.empty() || line.front() != '?') return corpus_error("an element line starts with '?'");
    auto split_line = split_result_at_last_semicolon(line.substr(1));
    if (!split_line) return std::move(split_line).take_failure();
    std::string_view rest = split_line->body;
    element_add add;
    add.set = next_token(rest);
    add.elements = trim(rest);
    add.expect = split_line->expect;
    if (add.set.empty() || add.elements.empty()) return corpus_error("an element line is '?NAME ELEM[, ELEM...]'");
    return add;
}

result<object_def> parse_object_line(std::string_view line) {
    if (line.empty() || line.front() != '%') return corpus_error("an object line starts with '%'");
    std::string_view body = line.substr(1);
    expectation expect = expectation::ok;
    // A '{ ...; }' spec contains ';' itself, so (as upstream does) the result field is what
    // follows the last '}'.
    size_t brace = body.rfind('}');
    if (brace != std::string_view::npos) {
        std::string_view tail = trim(body.substr(brace + 1));
        if (tail.empty() || tail.front() != ';') return corpus_error("an object line ends in '};ok' or '};fail'");
        auto parsed = parse_expectation(tail.substr(1));
        if (!parsed) return std::move(parsed).take_failure();
        expect = *parsed;
        body = body.substr(0, brace + 1);
    } else {
        auto split_line = split_result_at_last_semicolon(body);
        if (!split_line) return std::move(split_line).take_failure();
        expect = split_line->expect;
        body = split_line->body;
    }

    object_def object;
    object.expect = expect;
    std::string_view rest = body;
    object.name = next_token(rest);
    if (object.name.empty() || next_token(rest) != "type") {
        return corpus_error("an object line is '%NAME type OBJTYPE [SPEC]'");
    }
    object.type = next_token(rest);
    // The ct objects have two-word types ("ct helper", "ct timeout", "ct expectation").
    if (object.type == "ct") {
        auto second = next_token(rest);
        if (second.empty()) return corpus_error("an object line has 'ct' without an object type");
        object.type += ' ';
        object.type += second;
    }
    if (object.type.empty()) return corpus_error("an object line has no object type");
    object.spec = trim(rest);
    return object;
}

std::string table_command(const table_def& table) {
    return fmt::format("add table {} {}", table.family, table.name);
}

std::string chain_command(const table_def& table, const chain_def& chain) {
    return fmt::format("add chain {} {} {} {{ {}; }}", table.family, table.name, chain.name, chain.spec);
}

std::string set_command(const table_def& table, const set_def& set) {
    std::string body = fmt::format("{} {}", set.key_keyword, set.key);
    if (set.is_map()) body += fmt::format(" : {}", set.data);
    body += "; ";
    if (!set.timeout.empty()) body += fmt::format("timeout {}; ", set.timeout);
    if (!set.flags.empty()) body += fmt::format("flags {}; ", set.flags);
    return fmt::format("add {} {} {} {} {{ {}}}", set.is_map() ? "map" : "set", table.family, table.name, set.name,
                       body);
}

std::string element_command(const table_def& table, const element_add& add) {
    return fmt::format("add element {} {} {} {{ {} }}", table.family, table.name, add.set, add.elements);
}

std::string object_command(const table_def& table, const object_def& object) {
    std::string command = fmt::format("add {} {} {} {}", object.type, table.family, table.name, object.name);
    if (!object.spec.empty()) command += ' ' + object.spec;
    return command;
}

std::string flush_command(const table_def& table) {
    return fmt::format("flush table {} {}", table.family, table.name);
}

std::string rule_command(const table_def& table, std::string_view chain, std::string_view rule) {
    return fmt::format("add rule {} {} {} {}", table.family, table.name, chain, rule);
}

namespace {

std::vector<std::string> sorted_elements(std::string_view inside) {
    std::string compact;
    for (char c : inside) {
        if (!is_space(c)) compact += c;
    }
    std::vector<std::string> elements;
    for (auto element : split(compact, ',')) elements.emplace_back(element);
    std::sort(elements.begin(), elements.end());
    return elements;
}

}  // namespace

bool listing_matches(std::string_view expected, std::string_view listed) {
    expected = trim(expected);
    listed = trim(listed);
    if (expected == listed) return true;

    size_t open_e = expected.find('{');
    size_t open_l = listed.find('{');
    size_t close_e = expected.find('}');
    size_t close_l = listed.find('}');
    constexpr auto npos = std::string_view::npos;
    if (open_e == npos || open_l == npos || close_e == npos || close_l == npos) return false;
    if (close_e < open_e || close_l < open_l) return false;
    if (expected.substr(0, open_e) != listed.substr(0, open_l)) return false;
    if (expected.substr(close_e) != listed.substr(close_l)) return false;
    return sorted_elements(expected.substr(open_e + 1, close_e - open_e - 1)) ==
           sorted_elements(listed.substr(open_l + 1, close_l - open_l - 1));
}

std::string normalize_listing(std::string_view text) {
    std::string out;
    for (auto line : split(text, '\n')) {
        while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
        if (line.empty()) continue;
        out += line;
        out += '\n';
    }
    return out;
}

std::optional<listing_difference> first_difference(std::string_view expected_normalized,
                                                   std::string_view listed_normalized) {
    if (expected_normalized == listed_normalized) return std::nullopt;
    // Lines, without the empty piece after a final newline.
    auto lines = [](std::string_view text) {
        auto parts = split(text, '\n');
        if (!parts.empty() && parts.back().empty()) parts.pop_back();
        return parts;
    };
    auto expected = lines(expected_normalized);
    auto listed = lines(listed_normalized);
    size_t count = std::max(expected.size(), listed.size());
    for (size_t i = 0; i < count; ++i) {
        std::string_view e = i < expected.size() ? expected[i] : std::string_view("<end of dump>");
        std::string_view l = i < listed.size() ? listed[i] : std::string_view("<end of listing>");
        if (e != l) return listing_difference{i + 1, std::string(e), std::string(l)};
    }
    return std::nullopt;
}

const std::vector<std::string>& ratchet_keys() {
    static const std::vector<std::string> keys{"accepted_ok", "rejected_fail", "canonical",
                                               "roundtrip_ok", "dumps_loaded", "dumps_roundtrip"};
    return keys;
}

result<ratchet_values> parse_ratchet(std::string_view text) {
    ratchet_values values;
    size_t number = 0;
    const auto& keys = ratchet_keys();
    for (auto line : split(text, '\n')) {
        ++number;
        line = trim(line);
        if (line.empty() || line.front() == '#') continue;
        size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
            return corpus_error(fmt::format("ratchet line {}: expected key=value", number));
        }
        std::string key(trim(line.substr(0, eq)));
        std::string_view value = trim(line.substr(eq + 1));
        // Strict on purpose: a misspelt key would otherwise silently disable its check.
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            return corpus_error(fmt::format("ratchet line {}: unknown key '{}'", number, key));
        }
        uint64_t parsed = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
        if (ec != std::errc() || end != value.data() + value.size() || value.empty()) {
            return corpus_error(fmt::format("ratchet line {}: '{}' is not a non-negative integer", number, value));
        }
        if (!values.emplace(key, parsed).second) {
            return corpus_error(fmt::format("ratchet line {}: key '{}' appears twice", number, key));
        }
    }
    for (const auto& key : keys) {
        if (!values.count(key)) return corpus_error(fmt::format("ratchet file lacks key '{}'", key));
    }
    return values;
}

std::string format_ratchet(const ratchet_values& values) {
    std::string out =
        "# nfqwall conformance ratchet: the minimum totals of the nftables conformance corpus.\n"
        "# The 'conformance' test fails when any total drops below its minimum here. accepted_ok is\n"
        "# the number that matters most; rejected_fail alone proves nothing (a front end that\n"
        "# accepts nothing rejects every fail-line).\n"
        "# Raise after an improvement: build/tests/conformance/nfqwall_conformance --write-ratchet "
        "tests/conformance/ratchet.txt\n";
    for (const auto& key : ratchet_keys()) {
        auto it = values.find(key);
        out += fmt::format("{}={}\n", key, it == values.end() ? 0 : it->second);
    }
    return out;
}

}  // namespace nfqwall::conformance

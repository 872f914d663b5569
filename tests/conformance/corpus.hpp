// Parsing of the upstream nftables conformance corpus (tests/py/*.t and the shell tests'
// dumps), kept apart from the runner so each piece can be unit-tested. The format is specified
// in the corpus's FORMAT.md; the comments here only say where we had to decide something.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfqwall/result.hpp"

namespace nfqwall::conformance {

// What a .t line is, decided by its first character (FORMAT.md, "How a .t file is laid out").
enum class line_kind : uint8_t {
    blank,        // empty or whitespace only
    comment,      // '#' in column 0
    chain_def,    // ':NAME;CHAIN-SPEC'
    table_def,    // '*FAMILY;TABLE;CHAIN[,CHAIN...]'
    set_def,      // '!NAME type|typeof KEY [: DATA] [timeout T] [flags F];ok|fail'
    element_add,  // '?NAME ELEM[, ELEM...];ok|fail'
    object_def,   // '%NAME type OBJTYPE [SPEC];ok|fail'
    skipped,      // '-' known-broken rule, only run by upstream with -e
    rule,         // 'RULE;ok|fail[;CANONICAL]'
};

line_kind classify_line(std::string_view line);
const char* to_string(line_kind kind);

enum class expectation : uint8_t { ok, fail };

// The families a '*' line may name; anything else is a corpus error.
bool is_known_family(std::string_view family);
// The families in the order reports print them.
const std::vector<std::string>& known_families();

struct chain_def {
    std::string name;
    std::string spec;  // e.g. "type filter hook input priority 0"
};

struct table_def {
    std::string family;
    std::string name;
    std::vector<std::string> chains;
};

struct rule_line {
    std::string rule;
    expectation expect = expectation::ok;
    // The third field. An empty third field is treated as absent: upstream's README says it may
    // be left empty when the listing equals the input.
    std::optional<std::string> canonical;

    // What the listing must print: the canonical field, or the rule itself.
    const std::string& expected_listing() const { return canonical ? *canonical : rule; }
};

struct set_def {
    std::string name;
    std::string key_keyword;  // "type" or "typeof"
    std::string key;          // e.g. "ipv4_addr . inet_service"
    std::string data;         // map data type; empty for a plain set
    std::string timeout;      // e.g. "60s"; empty when absent
    std::string flags;        // e.g. "interval"; empty when absent
    expectation expect = expectation::ok;

    bool is_map() const { return !data.empty(); }
};

struct element_add {
    std::string set;
    std::string elements;  // the text between the braces, as written
    expectation expect = expectation::ok;
};

struct object_def {
    std::string name;
    std::string type;  // "counter", "quota", "limit", "synproxy", "ct helper", "ct timeout", ...
    std::string spec;  // everything after the type, possibly a "{ ...; }" block; may be empty
    expectation expect = expectation::ok;
};

// Each parser takes the whole line (with its leading marker character, without the newline).
result<chain_def> parse_chain_line(std::string_view line);
result<table_def> parse_table_line(std::string_view line);
result<rule_line> parse_rule_line(std::string_view line);
result<set_def> parse_set_line(std::string_view line);
result<element_add> parse_element_line(std::string_view line);
result<object_def> parse_object_line(std::string_view line);

// The nft commands that replay a line in one table, as upstream's nft-test.py builds them.
std::string table_command(const table_def& table);
std::string chain_command(const table_def& table, const chain_def& chain);
std::string set_command(const table_def& table, const set_def& set);
std::string element_command(const table_def& table, const element_add& add);
std::string object_command(const table_def& table, const object_def& object);
std::string flush_command(const table_def& table);
std::string rule_command(const table_def& table, std::string_view chain, std::string_view rule);

// Whether a listed rule matches the expected text the way upstream compares them: whitespace
// at both ends is ignored; if the exact text differs, the first "{...}" of each is compared with
// all whitespace removed and its comma-separated elements in any order, while the text before
// the first '{' and from the first '}' on must match exactly.
bool listing_matches(std::string_view expected, std::string_view listed);

// A listing or dump file reduced to what the dump comparison looks at: trailing whitespace
// (including '\r') is removed from every line and lines left empty are dropped, so the blank
// lines nft prints between tables and chains and the final newline do not matter. Leading
// whitespace (nft's tab indentation and the alignment of continued element lists) and
// everything inside a line are significant.
std::string normalize_listing(std::string_view text);

// The first line where two normalized listings differ, for messages; nullopt when equal.
struct listing_difference {
    size_t line = 0;  // 1-based, in the normalized texts
    std::string expected;
    std::string listed;
};
std::optional<listing_difference> first_difference(std::string_view expected_normalized,
                                                   std::string_view listed_normalized);

// The ratchet file: 'key=value' lines, '#' comments and blank lines allowed.
using ratchet_values = std::map<std::string, uint64_t>;
// The keys a ratchet file must define, in the order they are written.
const std::vector<std::string>& ratchet_keys();
result<ratchet_values> parse_ratchet(std::string_view text);
std::string format_ratchet(const ratchet_values& values);

std::string_view trim(std::string_view text);

}  // namespace nfqwall::conformance

// Parsing ruleset text into commands: the PEGTL grammar in grammar/ plus the actions that
// build the AST (expressions, statements, rules, tables...). `include` and `define` are
// resolved here, like nft's scanner and parser do.
#pragma once

#include <deque>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "front/rule.hpp"
#include "nfqwall/result.hpp"

namespace nfqwall::front {

// What the parser needs from its caller: a place to keep source text alive (locations point
// into it) and where to look for included files.
struct parse_env {
    std::deque<std::unique_ptr<source_file>> sources;
    std::vector<std::filesystem::path> include_paths;  // -I directories
    unsigned max_errors = 10;

    const source_file& add_source(std::string name, std::string text);
};

// Parses one ruleset (a file's contents, or a command line). On syntax errors returns every
// error found (up to env.max_errors) and no commands.
result<std::vector<cmd>> parse_ruleset(parse_env& env, const source_file& file);

// Reads and parses a ruleset file.
result<std::vector<cmd>> parse_ruleset_file(parse_env& env, const std::string& path);

}  // namespace nfqwall::front

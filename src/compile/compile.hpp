// Lowering a checked ruleset to the engine's bytecode (nft's netlink_linearize.c, with the
// kernel's per-family hook registration): each rule to instructions over 16 registers, sets
// and maps to their run-time structures, base chains to their hooks in priority order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compile/program.hpp"
#include "nfqwall/result.hpp"

namespace nfqwall::compile {

struct compile_options {
    uint64_t now_ns = 0;  // starts element timeouts
    // Merge adjacent header compares into one load and compare, as nft does, and fuse a
    // header load with its compare into one instruction. Traces turn it off so that a failed
    // test names its own statement and its register holds the value the packet had.
    bool optimize = true;
};

// What the engine cannot run yet, one line each ("file:line: nat statement is not supported
// yet"): the rules holding them never match, and the daemon reports them at load.
struct compile_report {
    std::vector<std::string> unsupported;
};

result<std::unique_ptr<program>> compile_ruleset(const front::ruleset& rs, const compile_options& options,
                                                 compile_report* report = nullptr);

// `nfqwall list --bytecode`: every chain's rules as instructions, one per line.
std::string bytecode_listing(const program& p);

}  // namespace nfqwall::compile

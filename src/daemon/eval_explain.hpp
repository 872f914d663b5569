// The words of `nfqwall eval`: which rule or policy decided (file:line and the rule as `nft
// list` prints it), what a rewrite changed (header fields by name, old -> new), and the trace
// of every rule a packet met with the reason each one did not match. None of this is on the
// engine's path: it runs after a verdict, or from the engine's trace and log sinks, and may
// allocate.
#pragma once

#include <cstdint>
#include <span>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compile/program.hpp"
#include "packet/packet.hpp"
#include "replay/path.hpp"
#include "vm/engine.hpp"

namespace nfqwall::front {
struct ruleset;
}

namespace nfqwall::eval {

// Rule and chain names of a compiled program, each made once and kept.
class program_names {
public:
    program_names(const front::ruleset& rs, const compile::program& p);

    // "FILE:LINE: TEXT", the rule as `nft list ruleset` prints it.
    const std::string& rule(uint32_t rule);
    // "inet filter forward".
    const std::string& chain(uint32_t chain);
    // "FILE:LINE: chain inet filter forward policy drop".
    std::string policy(uint32_t chain, int32_t verdict);
    // The statement an instruction of a rule was compiled from, as nft prints it, or nullptr.
    const front::stmt* statement(uint32_t rule, uint32_t instruction) const;
    const std::string& statement_text(uint32_t rule, uint32_t instruction);

    const compile::program& program() const { return program_; }

private:
    front::family family_of(uint32_t rule) const;  // the table's family, for the listing pass

    const compile::program& program_;
    std::vector<std::string> rules_;
    std::vector<std::string> chains_;
    std::vector<std::string> chain_places_;  // "FILE:LINE" of each chain's declaration
    std::unordered_map<uint64_t, std::string> statements_;
};

std::string_view verdict_name(int32_t verdict);
// "tcp reset", "icmp port-unreachable", "icmpx admin-prohibited".
std::string reject_text(const vm::run_result& r, front::family family);

// The header fields that differ between two copies of a frame, as "ip daddr 10.0.0.1 ->
// 10.0.0.9" (checksums included); bytes no field names as raw payload expressions
// ("@nh,160,16 0x0050 -> 0x1f90"). `network_offset` is where the network header starts.
std::vector<std::string> describe_rewrites(std::span<const uint8_t> before, std::span<const uint8_t> after,
                                           replay::link_kind link, uint32_t network_offset,
                                           packet::network_protocol protocol);

// What the packet held for the expression a failed match tested: "tcp dport is 80",
// "meta iifname: no input interface", or empty when there is nothing useful to say.
// `fib` and `ct` answer the fib and ct expressions (either may be null).
std::string tested_value(const front::stmt& failed, const compile::insn& at, const packet::packet_view& packet,
                         const vm::packet_meta& meta, vm::fib_oracle* fib, vm::conntrack_view* ct = nullptr);

// The trace of `--trace` and the lines of `log` statements (the kernel's text): appended to
// `out`, printed under the packet's verdict line.
class packet_explainer final : public vm::trace_sink, public vm::log_sink, public replay::path_observer {
public:
    // `fib` answers the `fib` expressions a failed match tested (may be null).
    packet_explainer(program_names& names, bool trace, vm::fib_oracle* fib, std::string& out)
        : names_(names), trace_(trace), fib_(fib), out_(out) {}
    // The connection state the running packet's `ct` expressions read (none: they fail).
    void set_conntrack(std::function<vm::conntrack_view*()> current) { ct_ = std::move(current); }

    void hook_begins(const replay::hook_step& step, const packet::packet_view& packet,
                     const vm::packet_meta& meta) override;
    void rule(uint32_t chain, uint32_t rule, bool matched, uint32_t failed_at, int32_t verdict) override;
    void chain_end(uint32_t chain, bool base, int32_t policy) override;
    void nat_chain_skipped(uint32_t chain) override;
    void log(const compile::log_record& record, const packet::packet_view& packet, const vm::packet_meta& meta) override;

private:
    void indent(uint32_t extra = 0);
    void heading(uint32_t chain);
    bool rejects(uint32_t rule) const;

    program_names& names_;
    bool trace_;
    vm::fib_oracle* fib_;
    std::function<vm::conntrack_view*()> ct_;
    std::string& out_;
    std::string pending_logs_;  // log lines of the rule running, printed after its trace line
    const packet::packet_view* packet_ = nullptr;
    const vm::packet_meta* meta_ = nullptr;
    uint32_t current_chain_ = UINT32_MAX;
    uint32_t depth_ = 0;
};

}  // namespace nfqwall::eval

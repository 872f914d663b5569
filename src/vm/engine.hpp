// The verdict engine: runs the compiled base chains of a family's hook over one packet, the
// way nf_tables does (nft_do_chain): rules in order, a failed test ends a rule, `accept` ends
// only the current base chain (the next one at the hook still runs), `drop` is final,
// jump/goto/return with a 16-deep stack, the chain's policy when nothing decides. Chains of
// type nat run only for a connection's first packet, as nf_nat_inet_fn runs them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "compile/program.hpp"
#include "packet/packet.hpp"
#include "vm/context.hpp"

namespace nfqwall::vm {

inline constexpr int32_t nf_drop = 0;
inline constexpr int32_t nf_accept = 1;
inline constexpr int32_t nf_queue = 3;

// What the engine reports while it runs, for `--trace` ("why was this dropped").
class trace_sink {
public:
    virtual ~trace_sink() = default;
    // A rule was evaluated: `matched` when every test passed; `failed_at` is the instruction
    // that ended it otherwise. `verdict` is the rule's verdict code when it set one.
    virtual void rule(uint32_t chain, uint32_t rule, bool matched, uint32_t failed_at, int32_t verdict) = 0;
    // A chain ended without a verdict: its policy (base chain) or a return (regular chain).
    virtual void chain_end(uint32_t chain, bool base, int32_t policy) = 0;
    // A nat base chain was passed over: the packet is not its connection's first.
    virtual void nat_chain_skipped(uint32_t /*chain*/) {}
};

// The `log` statement's output (the daemon writes the kernel's text to syslog; the replay
// prints it).
class log_sink {
public:
    virtual ~log_sink() = default;
    virtual void log(const compile::log_record& record, const packet::packet_view& packet, const packet_meta& meta) = 0;
};

struct services {
    conntrack_view* ct = nullptr;
    fib_oracle* fib = nullptr;
    log_sink* log = nullptr;
    trace_sink* trace = nullptr;
};

struct run_result {
    int32_t verdict = nf_accept;
    uint16_t queue_num = 0;
    // The rule that decided (its chain and index in program().rules), or none when a policy
    // did (decided_chain then names the base chain) or nothing was hooked.
    const compile::rule_code* rule = nullptr;
    uint32_t rule_index = UINT32_MAX;
    uint32_t decided_chain = UINT32_MAX;
    bool by_policy = false;
    bool reject = false;       // a `reject` statement: drop, and the reply is to be sent
    uint8_t reject_type = 0;   // 1 icmp unreachable, 2 tcp reset, 3 icmpx (front::reject_type + 1)
    uint8_t reject_code = 0;
    bool modified = false;     // the packet's bytes were changed (payload statements)
    uint32_t chains_run = 0;   // base chains that ran (nat chains skipped for a known flow do not)
};

// The base chains of a hook that one run takes: priorities in [from, until). The path splits
// prerouting and output at the conntrack priority, where the tracker looks the packet up.
struct priority_window {
    int64_t from = INT32_MIN;
    int64_t until = int64_t{INT32_MAX} + 1;  // exclusive

    static priority_window below(int32_t priority) { return {INT32_MIN, priority}; }
    static priority_window from_on(int32_t priority) { return {priority, int64_t{INT32_MAX} + 1}; }
    bool holds(int32_t priority) const { return priority >= from && priority < until; }
};

// Counters of what went wrong at run time, for `counters` listings and the daemon's stats.
struct run_stats {
    uint64_t unsupported = 0;   // rules that hit something the engine cannot run yet
    uint64_t stack_overflow = 0;
    uint64_t malformed = 0;      // packets whose parse reported a problem
};

class engine {
public:
    explicit engine(std::unique_ptr<compile::program> program);
    ~engine();
    engine(engine&&) noexcept;
    engine& operator=(engine&&) noexcept;

    // Runs the base chains hooked at (meta.family, meta.hook) whose priority lies in `window`
    // over the packet.
    run_result run(packet::packet_view& packet, packet_meta& meta, const services& with = {},
                   priority_window window = {});

    const compile::program& program() const { return *program_; }
    // The counter of each `counter` statement, in slot order (compile assigns slots).
    std::span<const counter_state> counters() const;
    // Named objects' state, indexed like program().objects (counters and quotas; other kinds
    // keep zeroes).
    std::span<const counter_state> object_counters() const;
    std::span<const quota_state> object_quotas() const;
    const run_stats& stats() const;

private:
    struct state;
    std::unique_ptr<compile::program> program_;
    std::unique_ptr<state> state_;
};

}  // namespace nfqwall::vm

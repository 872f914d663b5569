// The verdict engine's speed: packet parse plus the hooked chains, per packet, from a warm
// cache, on rulesets generated here. Quote results as ratios between benchmarks of the same
// run (`scripts/bench build nfqwall_engine` prints them); absolute numbers depend on the machine.
//
//   ./build/bench/nfqwall_engine_bench
//
// - baseline/parse_only: packet::parse of the same packet, nothing hooked.
// - established_50_rules: the target, a realistic 50-rule input chain whose first
//   rule is `ct state established,related accept`, a packet of an established flow.
// - new_flow_50_rules: the same ruleset, a packet that reaches the last rules.
// - rules_10 / sets_10k / linear_10k: 10 linear rules; 10,000 rules' worth of addresses and
//   ports written as a set and a verdict map; the same 10,000 as linear rules.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include <fmt/format.h>

#include "compile/compile.hpp"
#include "front/proto.hpp"
#include "nfqwall/ruleset.hpp"
#include "tests/unit/packet_builder.hpp"
#include "vm/engine.hpp"

namespace {

using namespace nfqwall;

class established_conntrack : public vm::conntrack_view {
public:
    uint32_t state = 2;  // NF_CT_STATE_BIT(IP_CT_ESTABLISHED)
    bool get(int key, int, uint8_t* dst, uint32_t len) override {
        if (key != front::CT_STATE || len < 4) return false;
        std::memcpy(dst, &state, 4);
        return true;
    }
    bool set(int, int, const uint8_t*, uint32_t) override { return true; }
    void untrack() override {}
};

std::unique_ptr<vm::engine> load(const std::string& text) {
    ruleset_session session;
    auto r = session.run_text(text, "bench.nft");
    if (!r) {
        fmt::print(stderr, "{}", format_diagnostics(r.errors()));
        std::abort();
    }
    auto p = compile::compile_ruleset(session.state(), {});
    if (!p) std::abort();
    return std::make_unique<vm::engine>(std::move(*p));
}

// A server's input chain: state first, then loopback, a blocklist, ICMP, and services by
// address and port, then logging and a counter before the policy.
std::string fifty_rules() {
    std::string rules =
        "    ct state established,related accept\n"
        "    ct state invalid drop\n"
        "    iifname \"lo\" accept\n"
        "    ip saddr @blocked drop\n"
        "    meta l4proto icmp icmp type echo-request limit rate 10/second accept\n"
        "    meta l4proto ipv6-icmp accept\n";
    int n = 6;
    for (int i = 0; n < 48; ++i, ++n) {
        switch (i % 4) {
        case 0: rules += fmt::format("    ip saddr 10.{}.0.0/16 tcp dport {} accept\n", i, 1000 + i); break;
        case 1: rules += fmt::format("    udp dport {} ip daddr 192.168.{}.1 accept\n", 2000 + i, i); break;
        case 2: rules += fmt::format("    tcp dport {{ {}, {} }} ct state new accept\n", 3000 + i, 4000 + i); break;
        default: rules += fmt::format("    ip6 saddr 2001:db8:{:x}::/48 tcp dport {} accept\n", i, 5000 + i); break;
        }
    }
    rules += "    tcp dport 22 ct state new accept\n";
    rules += "    counter drop\n";
    return "table inet filter {\n  set blocked { type ipv4_addr; flags interval; elements = { 192.0.2.0/24, 198.51.100.7 } }\n"
           "  chain input {\n    type filter hook input priority filter; policy drop;\n" +
           rules + "  }\n}\n";
}

std::string address(int i) { return fmt::format("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255); }

// `count` pairs of address and port, each accepted, as linear rules.
std::string linear_rules(int count) {
    std::string rules;
    for (int i = 0; i < count; ++i) rules += fmt::format("    ip saddr {} tcp dport {} accept\n", address(i), 1000 + i % 50000);
    return "table ip filter {\n  chain input {\n    type filter hook input priority 0; policy drop;\n" + rules + "  }\n}\n";
}

// The same pairs as one verdict map, plus a set of blocked addresses of the same size.
std::string set_rules(int count) {
    std::string blocked, pairs;
    for (int i = 0; i < count; ++i) {
        if (i) blocked += ", ", pairs += ", ";
        blocked += address(count + i);
        pairs += fmt::format("{} . {} : accept", address(i), 1000 + i % 50000);
    }
    return "table ip filter {\n  set blocked { type ipv4_addr; elements = { " + blocked +
           " } }\n  map allowed { type ipv4_addr . inet_service : verdict; elements = { " + pairs +
           " } }\n  chain input {\n    type filter hook input priority 0; policy drop;\n"
           "    ip saddr @blocked drop\n    ip saddr . tcp dport vmap @allowed\n  }\n}\n";
}

void run_packets(benchmark::State& state, vm::engine* engine, testing::packet_spec spec, int32_t expected) {
    std::vector<uint8_t> bytes = testing::build_packet(spec);
    const vm::interface_info eth0 = vm::interface_info::named("eth0", 2);
    established_conntrack ct;
    vm::services services{&ct, nullptr, nullptr, nullptr};
    vm::packet_meta meta;
    meta.family = front::family::ipv4;
    meta.hook = front::hook::input;
    meta.iif = &eth0;
    if (engine != nullptr) {
        auto view = packet::parse(std::span<uint8_t>(bytes), {.first = packet::first_header::ip, .trim_to_ip_length = true});
        if (engine->run(view, meta, services).verdict != expected) {
            state.SkipWithError("the packet did not get the expected verdict");
            return;
        }
    }
    for (auto _ : state) {
        auto view = packet::parse(std::span<uint8_t>(bytes), {.first = packet::first_header::ip, .trim_to_ip_length = true});
        if (engine != nullptr) {
            benchmark::DoNotOptimize(engine->run(view, meta, services));
        } else {
            benchmark::DoNotOptimize(view);
        }
    }
    state.SetItemsProcessed(state.iterations());
}

testing::packet_spec tcp_packet(const std::string& src, uint16_t dport) {
    testing::packet_spec s;
    s.src = src;
    s.dport = dport;
    s.tcp_flags = 0x10;  // ACK
    return s;
}

void baseline_parse_only(benchmark::State& state) { run_packets(state, nullptr, tcp_packet("10.0.0.1", 22), 0); }
BENCHMARK(baseline_parse_only);

void established_50_rules(benchmark::State& state) {
    static auto engine = load(fifty_rules());
    run_packets(state, engine.get(), tcp_packet("10.0.0.1", 22), vm::nf_accept);
}
BENCHMARK(established_50_rules);

void new_flow_50_rules(benchmark::State& state) {
    static auto engine = load(fifty_rules());
    static const std::string source = "10.1.2.3";
    auto spec = tcp_packet(source, 22);
    // Not established: every rule is tried until `tcp dport 22 ct state new accept` near the end.
    struct new_conntrack : established_conntrack {};
    std::vector<uint8_t> bytes = testing::build_packet(spec);
    const vm::interface_info eth0 = vm::interface_info::named("eth0", 2);
    new_conntrack ct;
    ct.state = 8;  // NF_CT_STATE_BIT(IP_CT_NEW)
    vm::services services{&ct, nullptr, nullptr, nullptr};
    vm::packet_meta meta;
    meta.iif = &eth0;
    auto first = packet::parse(std::span<uint8_t>(bytes), {.first = packet::first_header::ip, .trim_to_ip_length = true});
    if (engine->run(first, meta, services).verdict != vm::nf_accept) {
        state.SkipWithError("the new-flow packet was not accepted");
        return;
    }
    for (auto _ : state) {
        auto view = packet::parse(std::span<uint8_t>(bytes), {.first = packet::first_header::ip, .trim_to_ip_length = true});
        benchmark::DoNotOptimize(engine->run(view, meta, services));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(new_flow_50_rules);

// The packet matches none of the pairs: every linear rule is tried; the sets are probed once.
void rules_10(benchmark::State& state) {
    static auto engine = load(linear_rules(10));
    run_packets(state, engine.get(), tcp_packet("172.16.0.1", 80), vm::nf_drop);
}
BENCHMARK(rules_10);

void sets_10k(benchmark::State& state) {
    static auto engine = load(set_rules(10'000));
    run_packets(state, engine.get(), tcp_packet("172.16.0.1", 80), vm::nf_drop);
}
BENCHMARK(sets_10k);

void sets_10k_hit(benchmark::State& state) {
    static auto engine = load(set_rules(10'000));
    run_packets(state, engine.get(), tcp_packet(address(5000), 1000 + 5000), vm::nf_accept);
}
BENCHMARK(sets_10k_hit);

void linear_10k(benchmark::State& state) {
    static auto engine = load(linear_rules(10'000));
    run_packets(state, engine.get(), tcp_packet("172.16.0.1", 80), vm::nf_drop);
}
BENCHMARK(linear_10k);

}  // namespace

BENCHMARK_MAIN();

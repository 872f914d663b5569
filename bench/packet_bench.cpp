// Packet parsing speed: parse() of the packets the unit tests use
// (tests/unit/packet_samples.inc), alone and followed by the loads a typical rule makes.
// Time per iteration is ns per packet; one packet per iteration, from a warm cache.
//
//   ./build/bench/nfqwall_packet_bench
#include <benchmark/benchmark.h>

#include <vector>

#include "packet/exthdr.hpp"
#include "packet/packet.hpp"
#include "tests/unit/packet_samples.hpp"

namespace {

using namespace nfqwall::packet;
using namespace nfqwall::testing;

// One sample parsed over and over: eth_ipv4_tcp is a TCP SYN with MSS, SACK-permitted,
// timestamps and window scale (79 bytes); eth_ipv6_hbh_rt_dst_tcp carries hop-by-hop,
// routing and destination options headers; ipv4_tcp is what NFQUEUE hands an ip hook.
void parse_sample(benchmark::State& state, std::string_view name) {
    const packet_sample& s = *find_packet_sample(name);
    std::vector<uint8_t> bytes = from_hex(s.hex);
    const parse_options options{.first = first_header_of(s.first)};
    for (auto _ : state) {
        packet_view v = parse(std::span<uint8_t>(bytes), options);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(parse_sample, ipv4_tcp, "eth_ipv4_tcp");
BENCHMARK_CAPTURE(parse_sample, ipv6_three_ext_headers, "eth_ipv6_hbh_rt_dst_tcp");
BENCHMARK_CAPTURE(parse_sample, bare_ipv4_tcp, "ipv4_tcp");

// parse() plus what `ip saddr . tcp dport`, `tcp flags syn` and `tcp option maxseg size` load.
void parse_and_load_ipv4_tcp(benchmark::State& state) {
    std::vector<uint8_t> bytes = from_hex(find_packet_sample("eth_ipv4_tcp")->hex);
    for (auto _ : state) {
        packet_view v = parse(std::span<uint8_t>(bytes));
        uint8_t saddr[4] = {}, dport[2] = {}, flags[1] = {}, mss[2] = {};
        const bool ok = v.load(payload_base::network, 12, 4, saddr) && v.load(payload_base::transport, 2, 2, dport) &&
                        v.load(payload_base::transport, 13, 1, flags) && exthdr_load(v, exthdr_op::tcp, 2, 2, 2, mss);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(saddr);
        benchmark::DoNotOptimize(dport);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(parse_and_load_ipv4_tcp);

// Every sample in turn: the mix of protocols, tunnels, fragments and options the tests use.
void parse_all_samples(benchmark::State& state) {
    std::vector<std::vector<uint8_t>> all;
    std::vector<parse_options> options;
    for (const auto& s : packet_samples) {
        all.push_back(from_hex(s.hex));
        options.push_back({.first = first_header_of(s.first)});
    }
    size_t i = 0;
    for (auto _ : state) {
        packet_view v = parse(std::span<uint8_t>(all[i]), options[i]);
        benchmark::DoNotOptimize(v);
        if (++i == all.size()) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(parse_all_samples);

}  // namespace

BENCHMARK_MAIN();

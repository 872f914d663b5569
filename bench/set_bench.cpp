// Run-time set lookups (src/vm/set_store): ns per lookup, one lookup per iteration, keys
// taken in a fixed random order from a table of 4096, so large sets pay their cache misses
// (independent lookups: the CPU overlaps them, as it would across a burst of packets).
// After the runs it prints the ratios the engine's target is stated in: a 10,000-element
// set against a 10-element one (target: within 1.5x).
//
//   ./build/bench/nfqwall_set_bench
#include <benchmark/benchmark.h>

#include "bench/ratio_reporter.hpp"

#include <array>
#include <cstdio>
#include <map>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vm/set_store.hpp"

namespace {

using namespace nfqwall::vm;

constexpr size_t probe_count = 4096;

std::vector<uint8_t> big_endian(uint64_t v, size_t width) {
    std::vector<uint8_t> out(width);
    for (size_t i = 0; i < width; ++i) out[width - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
    return out;
}

struct fixture {
    std::unique_ptr<set_store> set;
    std::vector<std::vector<uint8_t>> probes;
};

// The probes in one flat array, so the harness adds no pointer chase of its own.
struct flat_probes {
    explicit flat_probes(const std::vector<std::vector<uint8_t>>& probes) : width(probes.front().size()) {
        for (const auto& p : probes) bytes.insert(bytes.end(), p.begin(), p.end());
    }
    std::span<const uint8_t> operator[](size_t i) const { return {bytes.data() + i * width, width}; }
    size_t width;
    std::vector<uint8_t> bytes;
};

// A hash set of `count` random keys of `width` bytes (4: an IPv4 address; 8: address .
// port; 16: an IPv6 address); probes hit when `hits`, else miss.
fixture hash_fixture(size_t count, size_t width, bool hits) {
    std::mt19937_64 random(count * 31 + width);
    set_description d;
    d.name = "bench";
    d.kind = set_kind::hash;
    d.key_bytes = static_cast<uint32_t>(width);
    d.field_bytes = {d.key_bytes};
    d.capacity = static_cast<uint32_t>(count);
    std::vector<element_init> elements(count);
    std::vector<std::vector<uint8_t>> keys;
    for (element_init& e : elements) {
        e.low = big_endian(random(), width);
        if (width > 8) e.low = big_endian(random(), 8), e.low.resize(width, 0x5a);
        keys.push_back(e.low);
    }
    fixture f{set_store::build(d, elements, 0), {}};
    for (size_t i = 0; i < probe_count; ++i) {
        std::vector<uint8_t> k = hits ? keys[random() % keys.size()] : big_endian(random() | 1, width);
        if (!hits) k[0] ^= 0x80;  // random keys, a miss but for a 2^-width chance
        f.probes.push_back(std::move(k));
    }
    return f;
}

// An interval set of `count` IPv4 prefixes of /16 to /28, non-overlapping, and probes at
// random addresses inside them (`hits`) or anywhere.
fixture prefix_fixture(size_t count, bool hits) {
    std::mt19937_64 random(count);
    std::map<uint32_t, uint32_t> ranges;
    while (ranges.size() < count) {
        const unsigned length = 16 + random() % 13;
        const uint32_t mask = ~uint32_t{0} << (32 - length);
        const uint32_t low = static_cast<uint32_t>(random()) & mask, high = low | ~mask;
        auto next = ranges.lower_bound(low);
        if (next != ranges.end() && next->first <= high) continue;
        if (next != ranges.begin() && std::prev(next)->second >= low) continue;
        ranges[low] = high;
    }
    set_description d;
    d.name = "bench";
    d.kind = set_kind::interval;
    d.key_bytes = 4;
    d.field_bytes = {4};
    d.capacity = static_cast<uint32_t>(count);
    std::vector<element_init> elements;
    std::vector<std::pair<uint32_t, uint32_t>> listed;
    for (const auto& [low, high] : ranges) {
        element_init e;
        e.low = big_endian(low, 4);
        e.high = big_endian(high, 4);
        elements.push_back(std::move(e));
        listed.push_back({low, high});
    }
    fixture f{set_store::build(d, elements, 0), {}};
    for (size_t i = 0; i < probe_count; ++i) {
        const auto& [low, high] = listed[random() % listed.size()];
        const uint64_t address = hits ? low + random() % (uint64_t{high} - low + 1) : random() & 0xffffffff;
        f.probes.push_back(big_endian(address, 4));
    }
    return f;
}

// `ip saddr . tcp dport` ranges: a /24 and a port range per element.
fixture concat_fixture(size_t count) {
    std::mt19937_64 random(count);
    set_description d;
    d.name = "bench";
    d.kind = set_kind::interval_concat;
    d.key_bytes = 8;
    d.field_bytes = {4, 4};
    d.capacity = static_cast<uint32_t>(count);
    std::vector<element_init> elements;
    for (size_t i = 0; i < count; ++i) {
        element_init e;
        const uint32_t net = static_cast<uint32_t>(i) << 8 | 0x0a000000;
        e.low = big_endian(uint64_t{net} << 32 | uint64_t{1000} << 16, 8);
        e.high = big_endian(uint64_t{net | 0xff} << 32 | uint64_t{2000} << 16, 8);
        elements.push_back(std::move(e));
    }
    fixture f{set_store::build(d, elements, 0), {}};
    for (size_t i = 0; i < probe_count; ++i) {
        const uint32_t net = static_cast<uint32_t>(random() % count) << 8 | 0x0a000000;
        f.probes.push_back(big_endian(uint64_t{net | 7} << 32 | uint64_t{1500} << 16, 8));
    }
    return f;
}

void run_lookups(benchmark::State& state, fixture& f) {
    if (!f.set) {
        state.SkipWithError("set not built");
        return;
    }
    const flat_probes probes(f.probes);
    size_t i = 0, found = 0;
    for (auto _ : state) {
        element_view v;
        found += f.set->lookup(probes[i], 0, v);
        i = (i + 1) & (probe_count - 1);
    }
    benchmark::DoNotOptimize(found);
    state.SetItemsProcessed(state.iterations());
}

void hash_lookup(benchmark::State& state) {
    fixture f = hash_fixture(state.range(0), state.range(1), state.range(2) != 0);
    run_lookups(state, f);
}
BENCHMARK(hash_lookup)
    ->ArgNames({"elements", "key_bytes", "hit"})
    ->Args({10, 4, 1})
    ->Args({10'000, 4, 1})
    ->Args({1'000'000, 4, 1})
    ->Args({10, 4, 0})
    ->Args({10'000, 4, 0})
    ->Args({1'000'000, 4, 0})
    ->Args({10, 8, 1})
    ->Args({10'000, 8, 1})
    ->Args({10, 16, 1})
    ->Args({10'000, 16, 1});

void interval_lookup(benchmark::State& state) {
    fixture f = prefix_fixture(state.range(0), state.range(1) != 0);
    run_lookups(state, f);
}
BENCHMARK(interval_lookup)
    ->ArgNames({"prefixes", "hit"})
    ->Args({10, 1})
    ->Args({10'000, 1})
    ->Args({10'000, 0})
    ->Args({1'000'000, 1});

void concat_lookup(benchmark::State& state) {
    fixture f = concat_fixture(state.range(0));
    run_lookups(state, f);
}
BENCHMARK(concat_lookup)->ArgNames({"elements"})->Arg(10)->Arg(1000)->Arg(10'000);

// `update @meter { ip saddr timeout 10s }` over 10,000 live sources: a refresh per packet.
void hash_update_refresh(benchmark::State& state) {
    fixture f = hash_fixture(10'000, 4, true);
    set_description d = f.set->description();
    d.has_timeouts = true;
    d.capacity = 65535;
    auto set = set_store::build(d, {}, 0);
    uint64_t now = 0;
    const flat_probes probes(f.probes);
    for (size_t i = 0; i < probe_count; ++i) set->update(probes[i], {}, 10'000'000'000, now, nullptr);
    size_t i = 0;
    for (auto _ : state) {
        now += 100;
        benchmark::DoNotOptimize(set->update(probes[i], {}, 10'000'000'000, now, nullptr));
        i = (i + 1) & (probe_count - 1);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(hash_update_refresh);

// Churn: an element added and another removed per iteration, the set staying half full,
// for a set that fits the L1 cache, the default dynamic size (65535) and a million.
void hash_add_remove(benchmark::State& state) {
    set_description d;
    d.name = "bench";
    d.key_bytes = 4;
    d.field_bytes = {4};
    d.capacity = static_cast<uint32_t>(state.range(0));
    const uint32_t half = d.capacity / 2;
    auto set = set_store::build(d, {}, 0);
    uint32_t next = 0;
    for (; next < half; ++next) set->add(big_endian(next * 2654435761u, 4), {}, 0, 0, nullptr);
    auto key_of = [](uint32_t n) {
        const uint32_t v = n * 2654435761u;  // spread over the key space, all distinct
        return std::array<uint8_t, 4>{uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    };
    for (auto _ : state) {
        const auto added = key_of(next), removed = key_of(next - half);
        set->add(added, {}, 0, 0, nullptr);
        set->remove(removed, 0);
        ++next;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(hash_add_remove)->ArgNames({"capacity"})->Arg(1024)->Arg(65535)->Arg(1 << 20);

// Collects each run's CPU time per iteration (the median when --benchmark_repetitions is
// given) so the ratios can be printed after the table; CPU time, because the machine is
// shared and wall time counts the other tenants.
void print_ratio(const nfqwall::bench::ratio_reporter& reporter, const std::string& large, const std::string& small) {
    const auto l = reporter.cpu_time(large), s = reporter.cpu_time(small);
    if (!l || !s || *s <= 0) return;
    std::printf("ratio %-48s / %-44s = %.2f\n", large.c_str(), small.c_str(), *l / *s);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    nfqwall::bench::ratio_reporter reporter(nfqwall::bench::ratio_reporter::options(argc, argv));
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_ratio(reporter, "hash_lookup/elements:10000/key_bytes:4/hit:1", "hash_lookup/elements:10/key_bytes:4/hit:1");
    print_ratio(reporter, "hash_lookup/elements:10000/key_bytes:4/hit:0", "hash_lookup/elements:10/key_bytes:4/hit:0");
    print_ratio(reporter, "hash_lookup/elements:10000/key_bytes:8/hit:1", "hash_lookup/elements:10/key_bytes:8/hit:1");
    print_ratio(reporter, "hash_lookup/elements:10000/key_bytes:16/hit:1", "hash_lookup/elements:10/key_bytes:16/hit:1");
    print_ratio(reporter, "hash_lookup/elements:1000000/key_bytes:4/hit:1", "hash_lookup/elements:10/key_bytes:4/hit:1");
    print_ratio(reporter, "interval_lookup/prefixes:10000/hit:1", "interval_lookup/prefixes:10/hit:1");
    print_ratio(reporter, "concat_lookup/elements:10000", "concat_lookup/elements:10");
    benchmark::Shutdown();
    return 0;
}

// The connection tracker (src/conntrack) on a table of 1,000,000 connections: lookup hits
// (tracker::in + confirm of a packet of a known flow, UDP and TCP with window tracking),
// and new connections (in + confirm of first packets), one packet at a time (/1) and in
// prefetched bursts of 32 (/32), each beside the same operation on a
// std::unordered_map holding the same tuples, run in the same process so the ratios hold on
// a shared machine. Packets are pre-parsed and visited in a fixed random order, so every
// lookup pays its cache misses (independent lookups: the CPU overlaps them as it would
// across a burst of packets). Targets: >= 10 M lookups/s and >= 2 M new connections/s on
// one core.
//
//   ./build/bench/nfqwall_conntrack_bench
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/ratio_reporter.hpp"
#include "conntrack/tracker.hpp"
#include "packet/checksum.hpp"

namespace {

using namespace nfqwall;
using namespace nfqwall::conntrack;

constexpr size_t table_size = 1'000'000;
constexpr uint64_t now_ns = 1'000'000'000'000ull;

struct flow {
    uint32_t src, dst;
    uint16_t sport, dport;
};

void put16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}
void put32(uint8_t* p, uint32_t v) {
    put16(p, uint16_t(v >> 16));
    put16(p + 2, uint16_t(v));
}

// An IPv4 packet (UDP with a zero checksum, or TCP with flags, seq and ack) into `out`.
void build(uint8_t* out, const flow& f, bool tcp, bool reply, uint8_t flags = 0, uint32_t seq = 0, uint32_t ack = 0) {
    const size_t l4 = tcp ? 20 : 8;
    std::fill_n(out, 20 + l4, 0);
    out[0] = 0x45;
    put16(out + 2, uint16_t(20 + l4));
    out[8] = 64;
    out[9] = tcp ? 6 : 17;
    put32(out + 12, reply ? f.dst : f.src);
    put32(out + 16, reply ? f.src : f.dst);
    put16(out + 10, packet::checksum_fold(packet::checksum_add_bytes({out, 20})));
    uint8_t* t = out + 20;
    put16(t, reply ? f.dport : f.sport);
    put16(t + 2, reply ? f.sport : f.dport);
    if (!tcp) {
        put16(t + 4, 8);
        return;
    }
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 0x50;
    t[13] = flags;
    put16(t + 14, 65535);
    uint32_t sum = packet::checksum_add_bytes({out + 12, 8});
    const uint8_t tail[4] = {0, 6, 0, 20};
    sum = packet::checksum_add_bytes(tail, sum);
    sum = packet::checksum_add_bytes({t, 20}, sum);
    put16(t + 16, packet::checksum_fold(sum));
}

// Packets stored flat and parsed once; views point into `bytes`.
struct packet_set {
    size_t stride = 0;
    std::vector<uint8_t> bytes;
    std::vector<packet::packet_view> views;
    packet_set(size_t count, size_t size) : stride(size), bytes(count * size) { views.reserve(count); }
    uint8_t* slot(size_t i) { return bytes.data() + i * stride; }
    void parse_all(size_t count) {
        packet::parse_options o;
        o.first = packet::first_header::ipv4;
        for (size_t i = 0; i < count; ++i) views.push_back(packet::parse(std::span<const uint8_t>(slot(i), stride), o));
    }
};

std::vector<flow> make_flows(size_t n, uint32_t seed) {
    std::mt19937 random(seed);
    std::vector<flow> flows(n);
    for (size_t i = 0; i < n; ++i)
        flows[i] = {uint32_t(0x0a000000u | (random() & 0xffffff)), uint32_t(0xc0a80000u | (random() & 0xffff)),
                    uint16_t(1024 + i % 60000), uint16_t(1 + random() % 1024)};
    return flows;
}

config big_table() {
    config c;
    c.max = 1u << 20;
    c.buckets = 1u << 20;
    return c;
}

in_context context() {
    in_context ctx;
    ctx.now_ns = now_ns;
    return ctx;
}

tuple tuple_of(const flow& f, uint8_t proto) {
    tuple t;
    t.l3 = l3_ipv4;
    t.l4 = proto;
    for (int k = 0; k < 4; ++k) {
        t.ends.src[k] = uint8_t(f.src >> (24 - 8 * k));
        t.ends.dst[k] = uint8_t(f.dst >> (24 - 8 * k));
    }
    t.ends.src_id = f.sport;
    t.ends.dst_id = f.dport;
    return t;
}

struct tuple_hasher {
    hash_key key = random_hash_key();
    size_t operator()(const tuple& t) const { return hash_tuple(t, key); }
};

// Tracks packets views[i .. i + burst) as the daemon will: a burst is prefetched first, then
// each packet goes through in() and confirm().
void track_burst(tracker& t, const std::vector<packet::packet_view>& views, size_t i, size_t burst) {
    constexpr size_t max_burst = 32;
    const in_context ctx = context();
    if (burst > 1) {
        std::array<const packet::packet_view*, max_burst> batch;
        std::array<in_context, max_burst> contexts;
        for (size_t k = 0; k < burst; ++k) {
            batch[k] = &views[i + k];
            contexts[k] = ctx;
        }
        t.prefetch({batch.data(), burst}, {contexts.data(), burst});
    }
    for (size_t k = 0; k < burst; ++k) {
        ct_result r = t.in(views[i + k], ctx);
        t.confirm(r, now_ns);
        benchmark::DoNotOptimize(r);
    }
}

// Lookup hits: `probes` all belong to connections already in `t`. Threads start half a table
// apart. range(0) is the burst size.
void lookup_loop(benchmark::State& state, tracker& t, const packet_set& probes) {
    const size_t burst = static_cast<size_t>(state.range(0));
    size_t i = (table_size / 2) * static_cast<size_t>(state.thread_index());
    for (auto _ : state) {
        track_burst(t, probes.views, i, burst);
        i += burst;
        if (i + burst > table_size) i = 0;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(burst));
    if (state.thread_index() == 0) state.counters["entries"] = t.count();
}

template <threading Mode>
struct udp_table {
    std::unique_ptr<tracker> t = std::make_unique<tracker>(big_table(), Mode);
    packet_set probes{table_size, 28};
    udp_table() {
        const std::vector<flow> flows = make_flows(table_size, 1);
        std::vector<size_t> order(table_size);
        for (size_t i = 0; i < table_size; ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), std::mt19937(7));
        for (size_t i = 0; i < table_size; ++i) build(probes.slot(i), flows[order[i]], false, false);
        probes.parse_all(table_size);
        for (size_t i = 0; i < table_size; i += 32) track_burst(*t, probes.views, i, std::min<size_t>(32, table_size - i));
    }
    static udp_table& get() {
        static udp_table instance;
        return instance;
    }
};

void conntrack_lookup_udp(benchmark::State& state) {
    auto& f = udp_table<threading::shared>::get();
    lookup_loop(state, *f.t, f.probes);
}
BENCHMARK(conntrack_lookup_udp)->Arg(1)->Arg(32);
BENCHMARK(conntrack_lookup_udp)->Arg(1)->Threads(2)->UseRealTime();

// The same table owned by one thread: no locks.
void conntrack_lookup_udp_single(benchmark::State& state) {
    auto& f = udp_table<threading::single>::get();
    lookup_loop(state, *f.t, f.probes);
}
BENCHMARK(conntrack_lookup_udp_single)->Arg(1)->Arg(32);

// Established TCP connections; the probes are in-window ACKs (window tracking runs).
void conntrack_lookup_tcp(benchmark::State& state) {
    static const auto fixture = [] {
        auto t = std::make_unique<tracker>(big_table());
        const std::vector<flow> flows = make_flows(table_size, 2);
        auto probes = std::make_unique<packet_set>(table_size, 40);
        const in_context ctx = context();
        std::vector<uint8_t> buf(40);
        packet::parse_options o;
        o.first = packet::first_header::ipv4;
        auto send = [&](const flow& f, bool reply, uint8_t flags, uint32_t seq, uint32_t ack) {
            build(buf.data(), f, true, reply, flags, seq, ack);
            ct_result r = t->in(packet::parse(std::span<const uint8_t>(buf), o), ctx);
            t->confirm(r, now_ns);
        };
        for (const flow& f : flows) {
            send(f, false, 0x02, 100, 0);
            send(f, true, 0x12, 500, 101);
            send(f, false, 0x10, 101, 501);
        }
        std::vector<size_t> order(table_size);
        for (size_t i = 0; i < table_size; ++i) order[i] = i;
        std::shuffle(order.begin(), order.end(), std::mt19937(9));
        for (size_t i = 0; i < table_size; ++i) build(probes->slot(i), flows[order[i]], true, false, 0x10, 101, 501);
        probes->parse_all(table_size);
        return std::make_pair(std::move(t), std::move(probes));
    }();
    lookup_loop(state, *fixture.first, *fixture.second);
}
BENCHMARK(conntrack_lookup_tcp)->Arg(1)->Arg(32);

// The same UDP lookups with the packet bytes hot in cache, as a just-received NFQUEUE
// message is: a ring of 32 packet buffers, each rewritten with the next flow's addresses and
// ports (read in order from a compact array) before it is tracked. What remains is the
// table's own cost: the bucket and entry misses, the UDP tracker, the timeout refresh.
void conntrack_lookup_udp_hot(benchmark::State& state) {
    auto& f = udp_table<threading::single>::get();
    static const std::vector<flow> order = [] {
        std::vector<flow> flows = make_flows(table_size, 1);
        std::shuffle(flows.begin(), flows.end(), std::mt19937(7));
        return flows;
    }();
    constexpr size_t ring = 32;
    const size_t burst = static_cast<size_t>(state.range(0));
    packet_set hot(ring, 28);
    for (size_t k = 0; k < ring; ++k) build(hot.slot(k), order[k], false, false);
    hot.parse_all(ring);
    const in_context ctx = context();
    std::array<const packet::packet_view*, ring> batch;
    std::array<in_context, ring> contexts;
    contexts.fill(ctx);
    size_t i = 0;
    for (auto _ : state) {
        for (size_t k = 0; k < burst; ++k) {
            uint8_t* p = hot.slot(k);
            const flow& fl = order[i + k];
            put32(p + 12, fl.src);
            put32(p + 16, fl.dst);
            put16(p + 20, fl.sport);
            put16(p + 22, fl.dport);
            batch[k] = &hot.views[k];
        }
        if (burst > 1) f.t->prefetch({batch.data(), burst}, {contexts.data(), burst});
        for (size_t k = 0; k < burst; ++k) {
            ct_result r = f.t->in(hot.views[k], ctx);
            f.t->confirm(r, now_ns);
            benchmark::DoNotOptimize(r);
        }
        i += burst;
        if (i + burst > table_size) i = 0;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(burst));
}
BENCHMARK(conntrack_lookup_udp_hot)->Arg(1)->Arg(32);

// The same lookups on a table of 10,000 connections, which fits in the caches: the tracker's
// own work per packet, without the memory latency of a large table.
void conntrack_lookup_udp_cached(benchmark::State& state) {
    static constexpr size_t small = 10'000;
    static const auto fixture = [] {
        config c;
        c.max = 16384;
        c.buckets = 16384;
        auto t = std::make_unique<tracker>(c, threading::single);
        auto probes = std::make_unique<packet_set>(small, 28);
        const std::vector<flow> flows = make_flows(small, 3);
        for (size_t i = 0; i < small; ++i) build(probes->slot(i), flows[i], false, false);
        probes->parse_all(small);
        for (size_t i = 0; i < small; i += 32) track_burst(*t, probes->views, i, std::min<size_t>(32, small - i));
        return std::make_pair(std::move(t), std::move(probes));
    }();
    size_t i = 0;
    for (auto _ : state) {
        track_burst(*fixture.first, fixture.second->views, i, 1);
        if (++i == small) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(conntrack_lookup_udp_cached);

void unordered_map_lookup(benchmark::State& state) {
    static const auto fixture = [] {
        auto map = std::make_unique<std::unordered_map<tuple, uint32_t, tuple_hasher>>();
        const std::vector<flow> flows = make_flows(table_size, 1);
        map->reserve(table_size);
        std::vector<tuple> probes;
        for (size_t i = 0; i < table_size; ++i) {
            map->emplace(tuple_of(flows[i], 17), uint32_t(i));
            probes.push_back(tuple_of(flows[i], 17));
        }
        std::shuffle(probes.begin(), probes.end(), std::mt19937(7));
        return std::make_pair(std::move(map), std::move(probes));
    }();
    size_t i = 0;
    for (auto _ : state) {
        auto it = fixture.first->find(fixture.second[i]);
        benchmark::DoNotOptimize(it->second);
        if (++i == table_size) i = 0;
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(unordered_map_lookup);

// ---- new connections ----------------------------------------------------------------------

struct fresh_packets {
    std::unique_ptr<packet_set> set;
    explicit fresh_packets(bool tcp) : set(std::make_unique<packet_set>(table_size, tcp ? 40 : 28)) {
        const std::vector<flow> flows = make_flows(table_size, tcp ? 4 : 3);
        for (size_t i = 0; i < table_size; ++i) build(set->slot(i), flows[i], tcp, false, 0x02, 100, 0);
        set->parse_all(table_size);
    }
};

// First packets of distinct connections, accepted; the table is emptied (untimed) whenever
// the packets run out. range(0) is the burst size.
void insert_loop(benchmark::State& state, const fresh_packets& fresh, threading mode) {
    tracker t(big_table(), mode);
    const size_t burst = static_cast<size_t>(state.range(0));
    size_t i = 0;
    for (auto _ : state) {
        track_burst(t, fresh.set->views, i, burst);
        i += burst;
        if (i + burst > table_size) {
            state.PauseTiming();
            t.flush();
            i = 0;
            state.ResumeTiming();
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(burst));
}

void conntrack_new_udp(benchmark::State& state) {
    static const fresh_packets fresh(false);
    insert_loop(state, fresh, threading::shared);
}
BENCHMARK(conntrack_new_udp)->Arg(1)->Arg(32);

void conntrack_new_tcp(benchmark::State& state) {
    static const fresh_packets fresh(true);
    insert_loop(state, fresh, threading::shared);
}
BENCHMARK(conntrack_new_tcp)->Arg(1)->Arg(32);

void conntrack_new_udp_single(benchmark::State& state) {
    static const fresh_packets fresh(false);
    insert_loop(state, fresh, threading::single);
}
BENCHMARK(conntrack_new_udp_single)->Arg(1)->Arg(32);

void unordered_map_insert(benchmark::State& state) {
    static const std::vector<tuple> keys = [] {
        std::vector<tuple> k;
        for (const flow& f : make_flows(table_size, 3)) k.push_back(tuple_of(f, 17));
        return k;
    }();
    std::unordered_map<tuple, uint32_t, tuple_hasher> map;
    map.reserve(table_size);
    size_t i = 0;
    for (auto _ : state) {
        auto r = map.emplace(keys[i], uint32_t(i));
        benchmark::DoNotOptimize(r);
        if (++i == table_size) {
            state.PauseTiming();
            map.clear();
            i = 0;
            state.ResumeTiming();
        }
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(unordered_map_insert);

// Collects each run's items per second (the median with --benchmark_repetitions) for the
// ratios printed after the table.
// Throughput, and the time per item relative to the baseline's.
void print_rate(const bench::ratio_reporter& reporter, const std::string& name, const std::string& baseline,
                double target_mps) {
    const auto l = reporter.per_second(name), s = reporter.per_second(baseline);
    if (!l || !s) return;
    std::printf("%-44s %6.2f M/s (target %.0f M/s)  time ratio to %s = %.2f\n", name.c_str(), *l / 1e6, target_mps,
                baseline.c_str(), *s / *l);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    bench::ratio_reporter reporter(bench::ratio_reporter::options(argc, argv));
    benchmark::RunSpecifiedBenchmarks(&reporter);
    for (const char* name : {"conntrack_lookup_udp/1", "conntrack_lookup_udp/32", "conntrack_lookup_udp_single/1",
                             "conntrack_lookup_udp_single/32", "conntrack_lookup_tcp/1", "conntrack_lookup_tcp/32",
                             "conntrack_lookup_udp/1/real_time/threads:2"})
        print_rate(reporter, name, "unordered_map_lookup", 10);
    for (const char* name : {"conntrack_new_udp/1", "conntrack_new_udp/32", "conntrack_new_tcp/1", "conntrack_new_tcp/32",
                             "conntrack_new_udp_single/1", "conntrack_new_udp_single/32"})
        print_rate(reporter, name, "unordered_map_insert", 2);
    benchmark::Shutdown();
    return 0;
}

// Front-end speed: parse + check of generated rulesets (10,000 rules; sets of 100,000 and
// 1,000,000 elements), next to `nft -c -f` of the same file timed in the same run inside a
// throwaway network namespace. Counters:
//   x_nft       our in-process time (ruleset_session::run_file and teardown) / nft's
//   x_nft_cli   wall time of the `nfqwall check -f` process / nft's (both whole processes)
//   nft_s, cli_s  the two processes' wall times
//   heap_B_per_item  heap held by the loaded ruleset per rule or element (linear when it
//                    stays flat as the input grows)
//
//   ./build/bench/nfqwall_frontend_bench [--benchmark_filter=set_1m]
//
// Without root (no namespace), nft is not run and x_nft is absent.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "nfqwall/ruleset.hpp"

namespace {

namespace fs = std::filesystem;

fs::path work_dir() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("nfqwall-bench-" + std::to_string(getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

// A realistic mix: prefixes, ports, anonymous sets, interface names, marks, limits.
fs::path rules_file(int n) {
    const fs::path p = work_dir() / ("rules_" + std::to_string(n) + ".nft");
    if (fs::exists(p)) return p;
    std::ofstream f(p);
    f << "table inet bench {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n";
    for (int i = 0; i < n; ++i) {
        const int a = (i / 256) % 256, b = i % 256;
        switch (i % 4) {
        case 0: f << "\t\tip saddr 10." << a << "." << b << ".0/24 tcp dport " << 1000 + i % 60000 << " counter accept\n"; break;
        case 1: f << "\t\tip6 saddr 2001:db8:" << std::hex << i << std::dec << "::/48 udp dport { 53, " << 2000 + i % 60000 << " } accept\n"; break;
        case 2: f << "\t\tiifname \"eth" << i % 64 << "\" ct state new meta mark set 0x" << std::hex << i << std::dec << " counter\n"; break;
        default: f << "\t\tip daddr 192.168." << a << "." << b << " tcp flags syn limit rate 10/second drop\n"; break;
        }
    }
    f << "\t}\n}\n";
    return p;
}

fs::path set_file(int n) {
    const fs::path p = work_dir() / ("set_" + std::to_string(n) + ".nft");
    if (fs::exists(p)) return p;
    std::ofstream f(p);
    f << "table ip bench {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { ";
    for (int i = 0; i < n; ++i) {
        if (i) f << ",\n\t\t\t";
        f << "10." << ((i >> 16) & 255) << "." << ((i >> 8) & 255) << "." << (i & 255);
    }
    f << " }\n\t}\n}\n";
    return p;
}

bool run(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

// nft -c -f FILE in a fresh namespace; seconds, or a negative number when nft cannot run.
double nft_seconds(const fs::path& file) {
    static std::map<std::string, double> cache;
    if (auto it = cache.find(file); it != cache.end()) return it->second;
    const std::string ns = "nfqw-bench-" + std::to_string(getpid());
    double result = -1;
    if (run("ip netns add " + ns + " 2>/dev/null")) {
        const auto t0 = std::chrono::steady_clock::now();
        const bool ok = run("ip netns exec " + ns + " nft -c -f " + file.string() + " >/dev/null 2>&1");
        const auto t1 = std::chrono::steady_clock::now();
        if (ok) result = std::chrono::duration<double>(t1 - t0).count();
        run("ip netns del " + ns + " 2>/dev/null");
    }
    cache[file] = result;
    return result;
}

// Wall time of one run of `cmd` (seconds), or a negative number when it fails.
double process_seconds(const std::string& cmd) {
    const auto t0 = std::chrono::steady_clock::now();
    const bool ok = run(cmd + " >/dev/null 2>&1");
    const auto t1 = std::chrono::steady_clock::now();
    return ok ? std::chrono::duration<double>(t1 - t0).count() : -1;
}

// The best of three runs of `nfqwall check -f FILE`.
double cli_seconds(const fs::path& file) {
    double best = -1;
    for (int i = 0; i < 3; ++i) {
        const double t = process_seconds(std::string(NFQWALL_BINARY) + " check -f " + file.string());
        if (t > 0 && (best < 0 || t < best)) best = t;
    }
    return best;
}

size_t heap_in_use() { return mallinfo2().uordblks; }

void check_file(benchmark::State& state, const fs::path& file, int items) {
    double ours = 0;
    size_t held = 0;
    for (auto _ : state) {
        const auto t0 = std::chrono::steady_clock::now();
        const size_t before = heap_in_use();
        {
            nfqwall::ruleset_session session;
            auto r = session.run_file(file.string());
            if (!r) {
                state.SkipWithError("the generated ruleset was rejected");
                return;
            }
            held = heap_in_use() - before;
            const auto* state_ptr = &session.state();
            benchmark::DoNotOptimize(state_ptr);
        }
        ours += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    ours /= static_cast<double>(state.iterations());
    state.counters["items"] = items;
    state.counters["heap_B_per_item"] = static_cast<double>(held) / items;
    const double nft = nft_seconds(file);
    if (nft > 0) {
        state.counters["nft_s"] = nft;
        state.counters["x_nft"] = ours / nft;
        const double cli = cli_seconds(file);
        if (cli > 0) {
            state.counters["cli_s"] = cli;
            state.counters["x_nft_cli"] = cli / nft;
        }
    }
}

void BM_check_rules_10k(benchmark::State& state) { check_file(state, rules_file(10000), 10000); }
void BM_check_rules_1k(benchmark::State& state) { check_file(state, rules_file(1000), 1000); }
void BM_check_set_100k(benchmark::State& state) { check_file(state, set_file(100000), 100000); }
void BM_check_set_1m(benchmark::State& state) { check_file(state, set_file(1000000), 1000000); }

BENCHMARK(BM_check_rules_1k)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_check_rules_10k)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_check_set_100k)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_check_set_1m)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    fs::remove_all(work_dir());
    return 0;
}

// Threads hammering one shared tracker: new flows, replies, drops, GC, listing, deletes and
// marks (run by tests/tsan/run.sh under ThreadSanitizer).
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>
#include "conntrack/tracker.hpp"
#include "tests/unit/packet_builder.hpp"
using namespace nfqwall;
using namespace nfqwall::conntrack;
int main() {
    config cfg; cfg.max = 512; cfg.buckets = 64; cfg.acct = true;
    tracker t(cfg);
    auto worker = [&](int id) {
        std::vector<std::vector<uint8_t>> pk;
        for (int p = 0; p < 400; ++p) {
            testing::packet_spec s; s.protocol = (p % 3) ? 17 : 6; s.tcp_flags = (p % 2) ? 0x02 : 0x10;
            s.sport = uint16_t(30000 + (p % 200)); s.dport = 53; if (p % 4 == id) { s.src = "10.0.0.2"; s.dst = "10.0.0.1"; std::swap(s.sport, s.dport); }
            pk.push_back(testing::build_packet(s));
        }
        packet::parse_options o; o.first = packet::first_header::ip;
        for (int round = 0; round < 200; ++round) {
            in_context ctx; ctx.now_ns = 1'000'000'000'000ull + uint64_t(round) * 400'000'000ull;
            for (auto& b : pk) {
                ct_result r = t.in(packet::parse(std::span<const uint8_t>(b), o), ctx);
                if (round % 7 == 0) t.discard(r); else t.confirm(r, ctx.now_ns);
            }
            t.gc(ctx.now_ns, 8);
            if (round % 50 == id) t.for_each(ctx.now_ns, [&](const entry_info& i) { if (i.orig.ends.src_id % 5 == 0) t.remove(i.ref); else t.set_mark(i.ref, 1); return true; });
        }
    };
    std::thread a(worker, 0), b(worker, 1), c(worker, 2);
    a.join(); b.join(); c.join();
    size_t n = 0; t.for_each(1'000'000'000'000ull + 200ull * 400'000'000ull, [&](const entry_info&) { ++n; return true; });
    std::printf("listed %zu count %u\n", n, t.count());
    return n == t.count() ? 0 : 1;
}

// The table around the protocol trackers: early drop and table-full drops (fact 10), expiry,
// clashes at confirmation, management calls, memory and allocation budgets, threads, the
// configuration parser and the listing format.
#include <random>
#include <thread>

#include "allocation_counter.hpp"
#include "conntrack/entry.hpp"
#include "conntrack_harness.hpp"

namespace nfqwall::testing {
namespace {

constexpr const char* C = "10.201.1.2";
constexpr const char* S = "10.201.2.2";

config small(uint32_t max, uint32_t buckets) {
    config c;
    c.max = max;
    c.buckets = buckets;
    return c;
}

struct raw_packet {
    std::vector<uint8_t> bytes;
    packet::packet_view view;
    explicit raw_packet(const packet_spec& s) : bytes(build_packet(s)) {
        packet::parse_options o;
        o.first = packet::first_header::ip;
        view = packet::parse(std::span<const uint8_t>(bytes), o);
    }
};

// A UDP flow made ASSURED: request, reply, and a packet more than 2 s later.
void assured_udp(ct_harness& h, uint16_t port) {
    h.send(udp(C, S, port, 53, 1));
    h.send(udp(S, C, 53, port, 1));
    h.advance_ms(2100);
    const ct_result r = h.send(udp(C, S, port, 53, 1));
    ASSERT_TRUE(h.info(r).status & ips_assured);
}

TEST(conntrack_table, EarlyDropEvictsEveryUnassuredEntryOfTheFirstBucketWithAny) {  // §5.2, fact 10
    ct_harness h(small(4, 1));
    for (uint16_t p = 0; p < 4; ++p) h.send(udp(C, S, 41000 + p, 53, 1));
    EXPECT_EQ(h.t.count(), 4u);
    const ct_result r = h.send(udp(C, S, 42000, 53, 1));
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_FALSE(r.drop);
    EXPECT_EQ(h.t.stats().early_drop, 4u);
    EXPECT_EQ(h.t.count(), 1u);
    EXPECT_EQ(h.list().size(), 1u);
}

TEST(conntrack_table, FullOfAssuredEntriesDropsTheNewPacket) {
    ct_harness h(small(4, 1));
    for (uint16_t p = 0; p < 4; ++p) assured_udp(h, static_cast<uint16_t>(41000 + p));
    const ct_result r = h.send(udp(C, S, 42000, 53, 1));
    EXPECT_TRUE(r.drop);
    EXPECT_EQ(r.info, ctinfo::invalid);
    const statistics s = h.t.stats();
    EXPECT_EQ(s.drop, 1u);
    EXPECT_EQ(s.early_drop, 0u);
    EXPECT_EQ(h.t.count(), 4u);
    // Existing entries go on working when the table is full.
    EXPECT_EQ(h.send(udp(S, C, 53, 41000, 1)).info, ctinfo::established_reply);
}

TEST(conntrack_table, GcEvictsClosingTcpWhenNearlyFullAfterADrop) {  // §5.2 step 2
    ct_harness h(small(4, 1));
    for (uint16_t p = 0; p < 4; ++p) {
        const uint16_t port = static_cast<uint16_t>(41000 + p);
        h.send(tcp(C, S, port, 80, SYN, 100, 0));
        h.send(tcp(S, C, 80, port, SYN | ACK, 500, 101));
        h.send(tcp(C, S, port, 80, ACK, 101, 501));
        h.send(tcp(C, S, port, 80, FIN | ACK, 101, 501));
        const ct_result r = h.send(tcp(S, C, 80, port, ACK, 501, 102));
        ASSERT_EQ(h.info(r).tcp, tcp_state::close_wait);
        ASSERT_TRUE(h.info(r).status & ips_assured);
    }
    EXPECT_EQ(h.t.gc(h.now, 1), 0u) << "nothing expired, no drop yet";
    EXPECT_TRUE(h.send(tcp(C, S, 42000, 80, SYN, 1, 0)).drop) << "early drop never touches ASSURED entries";
    EXPECT_EQ(h.t.gc(h.now, 1), 4u) << "the GC evicts closing TCP at >= 95% full";
    EXPECT_EQ(h.t.stats().early_drop, 0u) << "GC evictions are not early drops";
    EXPECT_EQ(h.send(tcp(C, S, 42000, 80, SYN, 1, 0)).info, ctinfo::new_);
}

TEST(conntrack_table, ExpiredEntriesAreNeverReturned) {  // §1.3
    ct_harness h;
    const ct_result first = h.send(udp(C, S, 41000, 53, 1));
    h.advance_ms(30000);
    EXPECT_TRUE(h.list().empty()) << "a listing reaps expired entries";
    EXPECT_EQ(h.t.count(), 0u);
    h.send(udp(C, S, 41001, 53, 1));
    h.advance_ms(30001);
    const ct_result again = h.send(udp(C, S, 41001, 53, 1));
    EXPECT_EQ(again.info, ctinfo::new_) << "the lookup kills the expired entry and makes a fresh one";
    EXPECT_EQ(h.t.count(), 1u);
    entry_info i;
    EXPECT_FALSE(h.t.info(first.entry, h.now, i));
}

TEST(conntrack_table, GcIsAmortisedOverBuckets) {
    ct_harness h(small(4096, 1024));
    for (uint16_t p = 0; p < 300; ++p) h.send(udp(C, S, static_cast<uint16_t>(30000 + p), 53, 1));
    EXPECT_LE(h.t.count(), 300u);
    h.advance_ms(31000);
    const uint32_t before = h.t.count();
    const size_t few = h.t.gc(h.now, 8);
    EXPECT_LT(few, before) << "eight buckets hold only part of the table";
    size_t all = few;
    for (int k = 0; k < 1024 / 64; ++k) all += h.t.gc(h.now, 64);
    EXPECT_EQ(all, before);
    EXPECT_EQ(h.t.count(), 0u);
}

TEST(conntrack_table, UdpClashMergesIntoTheWinner) {  // §5.3 (a)
    config cfg = ct_harness::default_config();
    cfg.acct = true;
    ct_harness h(cfg);
    raw_packet a(udp(C, S, 41000, 53, 10)), b(udp(C, S, 41000, 53, 20));
    in_context ctx;
    ctx.now_ns = h.now;
    ct_result ra = h.t.in(a.view, ctx);
    ct_result rb = h.t.in(b.view, ctx);  // the first is still in flight (queued)
    ASSERT_TRUE(ra.unconfirmed && rb.unconfirmed);
    EXPECT_NE(ra.entry.index, rb.entry.index);
    EXPECT_EQ(h.t.count(), 2u) << "unconfirmed entries count";
    EXPECT_TRUE(h.t.confirm(ra, h.now));
    EXPECT_TRUE(h.t.confirm(rb, h.now));
    EXPECT_EQ(rb.entry.index, ra.entry.index) << "re-pointed at the winner";
    EXPECT_EQ(h.t.stats().clash_resolve, 1u);
    EXPECT_EQ(h.t.count(), 1u);
    const entry_info i = h.info(ra);
    EXPECT_EQ(i.bytes[0], 38u + 48u) << "the loser's bytes are merged";
    EXPECT_EQ(i.packets[0], 1u);
}

TEST(conntrack_table, TcpClashDropsTheLoser) {  // §1.3: a SYN retransmitted while the first is queued
    ct_harness h;
    raw_packet a(tcp(C, S, 41000, 80, SYN, 1, 0));
    in_context ctx;
    ctx.now_ns = h.now;
    ct_result ra = h.t.in(a.view, ctx);
    ct_result rb = h.t.in(a.view, ctx);
    EXPECT_TRUE(h.t.confirm(ra, h.now));
    EXPECT_FALSE(h.t.confirm(rb, h.now));
    EXPECT_TRUE(rb.drop);
    const statistics s = h.t.stats();
    EXPECT_EQ(s.insert_failed, 1u);
    EXPECT_EQ(s.drop, 1u);
    EXPECT_EQ(h.t.count(), 1u);
}

TEST(conntrack_table, ManagementCalls) {
    ct_harness h;
    const ct_result a = h.send(udp(C, S, 41000, 53, 1));
    const ct_result b = h.send(udp(C, S, 41001, 53, 1));
    EXPECT_TRUE(h.t.set_mark(a.entry, 77));
    EXPECT_EQ(h.info(a).mark, 77u);
    EXPECT_TRUE(h.t.remove(b.entry));
    EXPECT_FALSE(h.t.remove(b.entry)) << "a handle names one entry only";
    EXPECT_FALSE(h.t.set_mark(b.entry, 1));
    size_t n = 0;
    h.t.for_each(h.now, [&](const entry_info& i) {
        EXPECT_EQ(i.ref.index, a.entry.index);
        ++n;
        return true;
    });
    EXPECT_EQ(n, 1u);
    // A slot reused by a new entry is not reachable through the old handle.
    const ct_result c = h.send(udp(C, S, 41002, 53, 1));
    entry_info i;
    EXPECT_FALSE(h.t.info(b.entry, h.now, i) && i.orig.ends.src_id == 41001);
    h.t.flush();
    EXPECT_EQ(h.t.count(), 0u);
    EXPECT_FALSE(h.t.info(c.entry, h.now, i));
}

TEST(conntrack_table, MemoryPerConnectionWithinBudget) {
    EXPECT_EQ(sizeof(entry), 176u);
    const tracker t;  // the kernel's defaults: 262144 entries and buckets, no accounting
    EXPECT_LE(t.bytes_per_entry(), 192u) << "entry + bucket index per connection";
    config acct = config{};
    acct.acct = true;
    acct.timestamp = true;
    const tracker with(acct);
    EXPECT_EQ(with.bytes_per_entry(), t.bytes_per_entry() + sizeof(acct_ext));
}

TEST(conntrack_table, PacketPathAllocatesNothing) {
    config cfg = ct_harness::default_config();
    cfg.acct = true;
    ct_harness h(cfg);
    std::vector<raw_packet> fresh, hits;
    for (uint16_t p = 0; p < 64; ++p) {
        fresh.emplace_back(tcp(C, S, static_cast<uint16_t>(20000 + p), 80, SYN, 1, 0));
        hits.emplace_back(udp(C, S, static_cast<uint16_t>(30000 + p), 53, 4));
    }
    for (auto& p : hits) h.send(udp(C, S, p.view.be16_at(20), 53, 4));
    in_context ctx;
    ctx.now_ns = h.now;
    allocation_scope scope;
    for (auto& p : fresh) {
        ct_result r = h.t.in(p.view, ctx);
        h.t.confirm(r, h.now);
    }
    for (auto& p : hits) {
        ct_result r = h.t.in(p.view, ctx);
        h.t.confirm(r, h.now);
    }
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(h.t.count(), 128u);
}

TEST(conntrack_table, ThreadsShareTheTable) {
    config cfg = small(1 << 14, 1 << 12);
    tracker t(cfg);
    std::atomic<uint64_t> news{0};
    auto worker = [&](int id) {
        std::vector<raw_packet> out, back;
        for (uint16_t p = 0; p < 2000; ++p) {
            // Half the flows are shared between the threads, half are their own.
            const uint16_t port = static_cast<uint16_t>(p % 2 ? 10000 + p : 20000 + p + 4000 * id);
            out.emplace_back(udp(C, S, port, 53, 1));
            back.emplace_back(udp(S, C, 53, port, 1));
        }
        in_context ctx;
        for (int round = 0; round < 3; ++round) {
            for (size_t k = 0; k < out.size(); ++k) {
                ctx.now_ns = 1'000'000'000'000ull + uint64_t(round) * 1'000'000'000ull;
                ct_result r = t.in(out[k].view, ctx);
                if (r.info == ctinfo::new_ && r.unconfirmed) news.fetch_add(1);
                t.confirm(r, ctx.now_ns);
                ct_result q = t.in(back[k].view, ctx);
                t.confirm(q, ctx.now_ns);
            }
            t.gc(ctx.now_ns, 16);
        }
    };
    std::thread a(worker, 0), b(worker, 1);
    a.join();
    b.join();
    size_t listed = 0;
    t.for_each(1'000'000'000'000ull + 3'000'000'000ull, [&](const entry_info&) {
        ++listed;
        return true;
    });
    EXPECT_EQ(listed, 3000u) << "1000 shared flows and 1000 of each thread's own";
    EXPECT_EQ(t.count(), 3000u);
}

TEST(conntrack_config, ParsesSysctlNames) {
    config c;
    std::string err;
    ASSERT_TRUE(parse_config("# defaults for the lab\n"
                             "net.netfilter.nf_conntrack_tcp_timeout_established = 7200\n"
                             "nf_conntrack_udp_timeout=15   # short\n"
                             "tcp_loose = 0\n\n"
                             "nf_conntrack_max = 1000\n",
                             c, &err))
        << err;
    EXPECT_EQ(c.tcp_timeout_established, 7200u);
    EXPECT_EQ(c.udp_timeout, 15u);
    EXPECT_FALSE(c.tcp_loose);
    EXPECT_EQ(c.max, 1000u);
    config back;
    ASSERT_TRUE(parse_config(format_config(c), back, &err)) << err;
    EXPECT_EQ(format_config(back), format_config(c));
}

TEST(conntrack_config, RefusesBadLinesAndKeepsTheConfig) {
    for (const char* bad : {"nf_conntrack_nonsense = 1", "tcp_loose = 2", "udp_timeout = -1", "udp_timeout",
                            "nf_conntrack_max = 0", "generic_timeout = 99999999", "acct = yes"}) {
        config c;
        c.udp_timeout = 11;
        std::string err;
        EXPECT_FALSE(parse_config(std::string("udp_timeout = 12\n") + bad, c, &err)) << bad;
        EXPECT_EQ(c.udp_timeout, 11u) << bad;
        EXPECT_EQ(err.substr(0, 7), "line 2:") << err;
    }
}

// ---- the listing format on entries as the doc observed them (NAT included) ----------------

entry_info make(uint8_t l4, const char* os, const char* od, uint16_t osp, uint16_t odp, const char* rs, const char* rd,
                uint16_t rsp, uint16_t rdp) {
    entry_info e;
    auto fill = [&](tuple& t, const char* s, const char* d, uint16_t sp, uint16_t dp) {
        t.l3 = std::string_view(s).find(':') == std::string_view::npos ? l3_ipv4 : l3_ipv6;
        t.l4 = l4;
        const int af = t.l3 == l3_ipv4 ? AF_INET : AF_INET6;
        inet_pton(af, s, t.ends.src.data());
        inet_pton(af, d, t.ends.dst.data());
        t.ends.src_id = sp;
        t.ends.dst_id = dp;
    };
    fill(e.orig, os, od, osp, odp);
    fill(e.reply, rs, rd, rsp, rdp);
    e.has_acct = true;
    e.has_timestamp = true;
    return e;
}

TEST(conntrack_list, NatAndZoneLinesAsObserved) {  // §8.7, §8.8
    list_options o;
    o.now_ns = 5'000'000'000ull;
    entry_info dnat = make(6, "10.201.1.2", "10.201.1.1", 40080, 9000, "10.201.2.2", "10.201.2.1", 8080, 40080);
    dnat.tcp = tcp_state::established;
    dnat.timeout_ms = 431999500;
    dnat.status = ips_seen_reply | ips_assured | ips_confirmed | ips_src_nat | ips_dst_nat;
    dnat.packets[0] = 4;
    dnat.bytes[0] = 218;
    dnat.packets[1] = 3;
    dnat.bytes[1] = 171;
    dnat.start_ns = 4'000'000'000ull;
    EXPECT_EQ(format_entry(dnat, o),
              "tcp      6 431999 ESTABLISHED src=10.201.1.2 dst=10.201.1.1 sport=40080 dport=9000 packets=4 bytes=218 "
              "src=10.201.2.2 dst=10.201.2.1 sport=8080 dport=40080 packets=3 bytes=171 [ASSURED] mark=0 delta-time=1 "
              "use=1");
    entry_info zoned = make(17, "10.201.1.2", "10.201.2.2", 40101, 6000, "10.201.2.2", "10.201.2.1", 6000, 40101);
    zoned.timeout_ms = 29999;
    zoned.packets[0] = 1;
    zoned.bytes[0] = 29;
    zoned.zone = 7;
    zoned.start_ns = 5'000'000'000ull;
    EXPECT_EQ(format_entry(zoned, o),
              "udp      17 29 src=10.201.1.2 dst=10.201.2.2 sport=40101 dport=6000 packets=1 bytes=29 [UNREPLIED] "
              "src=10.201.2.2 dst=10.201.2.1 sport=6000 dport=40101 packets=0 bytes=0 mark=0 zone=7 delta-time=0 use=1");
    entry_info ping = make(1, "10.201.1.2", "10.201.2.2", 12296, 8 << 8, "10.201.2.2", "10.201.2.1", 12296, 0);
    ping.timeout_ms = 26100;
    ping.status = ips_seen_reply;
    ping.packets[0] = ping.packets[1] = 1;
    ping.bytes[0] = ping.bytes[1] = 84;
    ping.start_ns = 1'000'000'000ull;
    EXPECT_EQ(format_entry(ping, o),
              "icmp     1 26 src=10.201.1.2 dst=10.201.2.2 type=8 code=0 id=12296 packets=1 bytes=84 src=10.201.2.2 "
              "dst=10.201.2.1 type=0 code=0 id=12296 packets=1 bytes=84 mark=0 delta-time=4 use=1");
}

TEST(conntrack_list, StatisticsLineAsObserved) {  // §8.10
    EXPECT_EQ(format_statistics(statistics{}),
              "cpu=0   \tfound=0 invalid=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 "
              "clash_resolve=0 chaintoolong=0 ");
    statistics s;
    s.found = 1;
    s.chaintoolong = 7;
    const std::string line = format_statistics(s, 12);
    EXPECT_EQ(line.substr(0, 17), "cpu=12  \tfound=1 ");
    EXPECT_NE(line.find(" chaintoolong=7 "), std::string::npos);
}

TEST(conntrack_list, ExtendedAndIdOptions) {  // §8.2 -o extended,id (without ktimestamp)
    entry_info e = make(17, "10.201.1.2", "10.201.2.2", 40002, 5353, "10.201.2.2", "10.201.1.2", 5353, 40002);
    e.timeout_ms = 119500;
    e.status = ips_seen_reply | ips_assured;
    e.packets[0] = e.packets[1] = 3;
    e.bytes[0] = 90;
    e.bytes[1] = 99;
    e.id = 373024636;
    e.start_ns = 1'000'000'000ull;
    list_options o;
    o.now_ns = 5'000'000'000ull;
    o.extended = true;
    o.show_id = true;
    EXPECT_EQ(format_entry(e, o),
              "ipv4     2 udp      17 119 src=10.201.1.2 dst=10.201.2.2 sport=40002 dport=5353 packets=3 bytes=90 "
              "src=10.201.2.2 dst=10.201.1.2 sport=5353 dport=40002 packets=3 bytes=99 [ASSURED] mark=0 delta-time=4 "
              "use=1 id=373024636");
    entry_info plain = e;
    plain.has_acct = plain.has_timestamp = false;
    EXPECT_EQ(format_entry(plain, {}),
              "udp      17 119 src=10.201.1.2 dst=10.201.2.2 sport=40002 dport=5353 src=10.201.2.2 dst=10.201.1.2 "
              "sport=5353 dport=40002 [ASSURED] mark=0 use=1");
}

}  // namespace
}  // namespace nfqwall::testing

namespace nfqwall::testing {
namespace {

// prefetch() is a hint: a burst prefetched and then tracked one by one gives what in() alone
// gives, also in the lock-free single-thread mode.
TEST(conntrack_table, PrefetchAndSingleThreadModeChangeNoResult) {
    std::vector<packet_spec> specs;
    for (uint16_t p = 0; p < 40; ++p) {
        specs.push_back(tcp(C, S, uint16_t(45000 + p % 8), 80, p < 8 ? SYN : ACK, 100, 0));
        specs.push_back(udp(S, C, 53, uint16_t(46000 + p % 5), 1));
    }
    std::vector<raw_packet> packets;
    for (const auto& s : specs) packets.emplace_back(s);
    auto run = [&](threading mode, bool hint) {
        tracker t(small(1024, 256), mode);
        std::vector<ctinfo> seen;
        in_context ctx;
        ctx.now_ns = 5'000'000'000ull;
        for (size_t base = 0; base < packets.size(); base += 16) {
            std::vector<const packet::packet_view*> burst;
            for (size_t k = base; k < std::min(packets.size(), base + 16); ++k) burst.push_back(&packets[k].view);
            if (hint) t.prefetch(burst, std::vector<in_context>(burst.size(), ctx));
            for (const auto* v : burst) {
                ct_result r = t.in(*v, ctx);
                seen.push_back(r.info);
                t.confirm(r, ctx.now_ns);
            }
        }
        return std::make_pair(seen, t.count());
    };
    const auto plain = run(threading::shared, false);
    EXPECT_EQ(run(threading::shared, true), plain);
    EXPECT_EQ(run(threading::single, true), plain);
    EXPECT_EQ(plain.second, 13u);
}

}  // namespace
}  // namespace nfqwall::testing

namespace nfqwall::testing {
namespace {

// Random traffic among a few endpoints (random flags, sequence numbers, truncations, ICMP
// errors quoting earlier packets), random verdicts and clock steps on a small table: nothing
// may crash or leak, and the count must always equal the entries a listing sees once every
// packet has been released.
TEST(conntrack_table, RandomTrafficKeepsTheTableConsistent) {
    std::mt19937 random(12345);
    ct_harness h(small(64, 16));
    const char* hosts[] = {C, S, "10.201.2.3"};
    std::vector<packet_spec> sent;
    for (int step = 0; step < 20000; ++step) {
        packet_spec p;
        const int kind = int(random() % 10);
        p.src = hosts[random() % 3];
        p.dst = hosts[random() % 3];
        p.sport = uint16_t(40000 + random() % 4);
        p.dport = uint16_t(80 + random() % 3);
        if (kind < 6) {
            p.protocol = 6;
            p.tcp_flags = uint8_t(random());
            p.seq = random() % 4 == 0 ? uint32_t(random()) : uint32_t(1000 + random() % 3000);
            p.ack_seq = random() % 4 == 0 ? uint32_t(random()) : uint32_t(1000 + random() % 3000);
            p.payload = uint16_t(random() % 3 == 0 ? random() % 200 : 0);
            if (random() % 5 == 0) p.tcp_options = {2, 4, 5, 0xb4, 4, 2, 3, 3, uint8_t(random() % 20)};
            p.window = uint16_t(random());
        } else if (kind < 8) {
            p.protocol = 17;
            p.payload = uint16_t(random() % 30);
        } else if (kind == 8 && !sent.empty()) {
            p = icmp_error(p.src, p.dst, uint8_t(random() % 2 ? 3 : 11), 0, sent[random() % sent.size()]);
        } else {
            p = icmp(p.src, p.dst, uint8_t(random() % 20), 0, uint16_t(random() % 3));
        }
        std::vector<uint8_t> bytes = build_packet(p);
        if (random() % 20 == 0) bytes.resize(random() % bytes.size());  // truncated
        packet::parse_options o;
        o.first = packet::first_header::ip;
        const packet::packet_view v = packet::parse(std::span<const uint8_t>(bytes), o);
        in_context ctx;
        ctx.now_ns = h.now;
        ctx.zone = uint16_t(random() % 8 == 0);
        ct_result r = h.t.in(v, ctx);
        if (random() % 4 == 0) h.t.discard(r);
        else h.t.confirm(r, h.now);
        if (sent.size() < 64) sent.push_back(p);
        else sent[random() % 64] = p;
        h.advance_ms(random() % 2000);
        if (random() % 50 == 0) h.t.gc(h.now, 4);
        if (step % 1000 == 0) {
            size_t listed = 0;
            h.t.for_each(h.now, [&](const entry_info&) {
                ++listed;
                return true;
            });
            ASSERT_EQ(listed, h.t.count()) << "step " << step;
        }
    }
    h.t.flush();
    EXPECT_EQ(h.t.count(), 0u);
}

}  // namespace
}  // namespace nfqwall::testing

// The verdict engine, expression by expression and statement by statement: a ruleset compiled
// from nft text, packets built field by field, the verdict and the deciding rule checked.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <tuple>
#include <set>

#include "allocation_counter.hpp"
#include "compile/compile.hpp"
#include "front/proto.hpp"
#include "front/rule.hpp"
#include "nfqwall/ruleset.hpp"
#include "packet_builder.hpp"
#include "vm/engine.hpp"

namespace nfqwall {
namespace {

using testing::build_packet;
using testing::packet_spec;

constexpr int32_t drop = vm::nf_drop, accept = vm::nf_accept;

// A fixed connection tracker: each ct key answers a fixed value (host order integers), keys
// not given fail like a packet without an entry.
class fixed_conntrack : public vm::conntrack_view {
public:
    std::map<int, std::vector<uint8_t>> values;
    std::vector<std::pair<int, std::vector<uint8_t>>> writes;
    bool untracked = false;

    void set_u32(int key, uint32_t v) {
        std::vector<uint8_t> b(4);
        std::memcpy(b.data(), &v, 4);
        values[key] = b;
    }
    bool get(int key, int, uint8_t* dst, uint32_t len) override {
        auto it = values.find(key);
        if (it == values.end()) return false;
        std::memcpy(dst, it->second.data(), std::min<size_t>(len, it->second.size()));
        return true;
    }
    bool set(int key, int, const uint8_t* src, uint32_t len) override {
        writes.emplace_back(key, std::vector<uint8_t>(src, src + len));
        return true;
    }
    void untrack() override { untracked = true; }
};

class fixed_fib : public vm::fib_oracle {
public:
    uint32_t oif = 2;
    bool lookup(const vm::packet_meta&, const vm::fib_query& query, uint8_t* dst, uint32_t) override {
        const uint32_t result = query.result;
        if (result == 1) std::memcpy(dst, &oif, 4);
        if (result == 3) {
            const uint32_t unicast = 1;  // RTN_UNICAST
            std::memcpy(dst, &unicast, 4);
        }
        return true;
    }
};

struct engine_fixture {
    ruleset_session session;
    std::unique_ptr<vm::engine> engine;
    compile::compile_report report;
    vm::interface_info eth0 = vm::interface_info::named("eth0", 1);
    vm::interface_info eth1 = vm::interface_info::named("eth1", 2);
    fixed_conntrack ct;
    fixed_fib fib;
    vm::services services{&ct, &fib, nullptr, nullptr};
    vm::packet_meta last_meta;
    std::vector<uint8_t> last_bytes;

    explicit engine_fixture(std::string_view text) {
        auto loaded = session.run_text(text, "test.nft");
        if (!loaded) {
            ADD_FAILURE() << format_diagnostics(loaded.errors());
            return;
        }
        auto program = compile::compile_ruleset(session.state(), {}, &report);
        if (!program) {
            ADD_FAILURE() << "compile failed";
            return;
        }
        engine = std::make_unique<vm::engine>(std::move(*program));
    }

    vm::run_result run(std::vector<uint8_t> bytes, front::hook hook = front::hook::input, uint32_t mark = 0) {
        last_bytes = std::move(bytes);
        const int version = last_bytes.empty() ? 4 : last_bytes[0] >> 4;
        auto view = packet::parse(std::span<uint8_t>(last_bytes),
                                  {.first = packet::first_header::ip, .trim_to_ip_length = true});
        last_meta = vm::packet_meta{};
        last_meta.family = version == 6 ? front::family::ipv6 : front::family::ipv4;
        last_meta.hook = hook;
        last_meta.mark = mark;
        if (hook != front::hook::output) last_meta.iif = &eth0;
        if (hook == front::hook::forward || hook == front::hook::output || hook == front::hook::postrouting) {
            last_meta.oif = &eth1;
        }
        return engine->run(view, last_meta, services);
    }
    vm::run_result run(const packet_spec& spec, front::hook hook = front::hook::input, uint32_t mark = 0) {
        return run(build_packet(spec), hook, mark);
    }

    // The line of the rule that decided (1-based within the text), 0 for a policy.
    int decided_line(const vm::run_result& r) const {
        if (r.rule == nullptr) return 0;
        return static_cast<int>(r.rule->loc.file->line_col(r.rule->loc.begin).first);
    }
};

// A table with one input chain holding `rules`; the policy is accept unless given.
std::string input_chain(std::string_view rules, std::string_view policy = "accept") {
    return "table inet t {\n  chain c {\n    type filter hook input priority 0; policy " + std::string(policy) + ";\n" +
           std::string(rules) + "\n  }\n}\n";
}

struct match_case {
    const char* rule;  // a rule ending in a verdict, or a test without one
    packet_spec packet;
    bool matches;
};

packet_spec tcp(uint16_t dport, std::string_view src = "10.0.0.1") {
    packet_spec s;
    s.dport = dport;
    s.src = src;
    return s;
}
packet_spec udp(uint16_t dport) {
    packet_spec s;
    s.protocol = 17;
    s.dport = dport;
    return s;
}
packet_spec icmp(uint8_t type) {
    packet_spec s;
    s.protocol = 1;
    s.icmp_type = type;
    return s;
}
packet_spec v6(packet_spec s) {
    s.ip_version = 6;
    s.src = "2001:db8::1";
    s.dst = "2001:db8::2";
    if (s.protocol == 1) s.protocol = 58;
    return s;
}

class Matches : public ::testing::TestWithParam<match_case> {};

// Each rule drops what it matches; anything else meets the accept policy.
TEST_P(Matches, RuleMatchesExactlyWhenTheKernelWould) {
    const match_case& c = GetParam();
    SCOPED_TRACE(c.rule);
    engine_fixture f(input_chain(std::string("    ") + c.rule + " drop"));
    ASSERT_TRUE(f.engine);
    ASSERT_TRUE(f.report.unsupported.empty()) << f.report.unsupported.front();
    f.ct.set_u32(front::CT_STATE, 8);  // NF_CT_STATE_BIT(IP_CT_NEW)
    f.ct.set_u32(front::CT_MARK, 0x10);
    const auto r = f.run(c.packet);
    EXPECT_EQ(r.verdict, c.matches ? drop : accept) << c.rule;
    EXPECT_EQ(r.by_policy, !c.matches) << c.rule;
}

const match_case match_cases[] = {
    {"tcp dport 22", tcp(22), true},
    {"tcp dport 22", tcp(23), false},
    {"tcp dport 22", udp(22), false},
    {"tcp dport != 22", tcp(23), true},
    {"tcp dport != 22", tcp(22), false},
    {"tcp dport < 1024", tcp(1023), true},
    {"tcp dport < 1024", tcp(1024), false},
    {"tcp dport >= 1024", tcp(1024), true},
    {"tcp dport > 1024", tcp(1024), false},
    {"tcp dport 1000-2000", tcp(1500), true},
    {"tcp dport 1000-2000", tcp(2001), false},
    {"tcp dport != 1000-2000", tcp(2001), true},
    {"tcp dport { 22, 80, 443 }", tcp(443), true},
    {"tcp dport { 22, 80, 443 }", tcp(444), false},
    {"tcp dport { 22, 1000-2000 }", tcp(1999), true},
    {"tcp dport { 22, 1000-2000 }", tcp(999), false},
    {"tcp dport != { 22, 80 }", tcp(81), true},
    {"tcp dport != { 22, 80 }", tcp(80), false},
    {"udp dport 53", udp(53), true},
    {"udp dport 53", tcp(53), false},
    {"th dport 53", udp(53), true},
    {"th dport 53", tcp(53), true},
    {"ip saddr 10.0.0.1", tcp(22), true},
    {"ip saddr 10.0.0.0/8", tcp(22, "10.9.8.7"), true},
    {"ip saddr 10.0.0.0/8", tcp(22, "11.0.0.1"), false},
    {"ip saddr != 10.0.0.0/8", tcp(22, "11.0.0.1"), true},
    {"ip saddr { 192.168.0.0/16, 10.0.0.0/24 }", tcp(22, "10.0.0.200"), true},
    {"ip saddr { 192.168.0.0/16, 10.0.0.0/24 }", tcp(22, "10.0.1.1"), false},
    {"ip saddr 10.0.0.0-10.0.0.5", tcp(22, "10.0.0.5"), true},
    {"ip saddr 10.0.0.0-10.0.0.5", tcp(22, "10.0.0.6"), false},
    {"ip daddr . tcp dport { 10.0.0.2 . 22, 10.0.0.3 . 80 }", tcp(22), true},
    {"ip daddr . tcp dport { 10.0.0.2 . 80, 10.0.0.3 . 22 }", tcp(22), false},
    {"ip saddr . tcp dport { 10.0.0.0/8 . 20-30 }", tcp(25), true},
    {"ip saddr . tcp dport { 10.0.0.0/8 . 20-30 }", tcp(31), false},
    {"ip saddr . tcp dport { 10.0.0.0/8 . 20-30 }", tcp(25, "11.0.0.1"), false},
    {"ip protocol tcp", tcp(1), true},
    {"ip protocol icmp", tcp(1), false},
    {"meta l4proto udp", udp(1), true},
    {"meta l4proto { tcp, udp }", udp(1), true},
    {"meta l4proto { tcp, udp }", icmp(8), false},
    {"meta nfproto ipv4", tcp(1), true},
    {"meta nfproto ipv6", tcp(1), false},
    {"meta protocol ip", tcp(1), true},
    {"icmp type echo-request", icmp(8), true},
    {"icmp type echo-request", icmp(0), false},
    {"icmp type { echo-request, echo-reply }", icmp(0), true},
    {"ip ttl 64", tcp(1), true},
    {"ip ttl < 10", tcp(1), false},
    {"ip version 4", tcp(1), true},
    {"ip hdrlength 5", tcp(1), true},
    {"ip dscp 0", tcp(1), true},
    {"ip dscp cs1", tcp(1), false},
    {"ip length 40", tcp(1), true},
    {"ip length > 40", tcp(1), false},
    {"meta length 40", tcp(1), true},
    {"meta length > 39", tcp(1), true},
    {"meta length > 300", tcp(1), false},
    {"ip frag-off & 0x4000 != 0", tcp(1), true},
    {"tcp flags syn", tcp(1), true},
    {"tcp flags ack", tcp(1), false},
    {"tcp flags & (syn | ack) == syn", tcp(1), true},
    {"tcp flags & (syn | ack) == syn | ack", tcp(1), false},
    {"tcp flags ! ack", tcp(1), true},
    {"iifname \"eth0\"", tcp(1), true},
    {"iifname \"eth1\"", tcp(1), false},
    {"iifname \"eth*\"", tcp(1), true},
    {"iifname { \"lo\", \"eth0\" }", tcp(1), true},
    {"meta iifname != \"eth0\"", tcp(1), false},
    {"meta mark 0", tcp(1), true},
    {"meta mark 1", tcp(1), false},
    {"meta pkttype host", tcp(1), true},
    {"meta l4proto ipv6-icmp", v6(icmp(128)), true},
    {"ip6 saddr 2001:db8::/32", v6(tcp(22)), true},
    {"ip6 saddr 2001:db9::/32", v6(tcp(22)), false},
    {"ip6 nexthdr tcp", v6(tcp(22)), true},
    {"ip6 hoplimit 64", v6(tcp(22)), true},
    {"icmpv6 type echo-request", v6(icmp(128)), true},
    {"icmpv6 type nd-neighbor-solicit", v6(icmp(128)), false},
    {"tcp dport 22", v6(tcp(22)), true},
    {"ip saddr 10.0.0.1", v6(tcp(22)), false},
    {"ct state established", tcp(22), false},
    {"ct state new", tcp(22), true},
    {"ct state { new, established }", tcp(22), true},
    {"ct mark 0x10", tcp(22), true},
    {"ct mark 0x11", tcp(22), false},
    {"fib daddr oif 2", tcp(22), true},
    {"fib daddr type unicast", tcp(22), true},
    {"fib daddr type local", tcp(22), false},
};

INSTANTIATE_TEST_SUITE_P(Engine, Matches, ::testing::ValuesIn(match_cases));

TEST(Engine, ConntrackAnswersAreRead) {
    engine_fixture f(input_chain("    ct state established,related accept\n    ct state invalid drop\n    ct mark 0x10 drop", "accept"));
    ASSERT_TRUE(f.engine);
    f.ct.set_u32(front::CT_STATE, 2);  // NF_CT_STATE_BIT(IP_CT_ESTABLISHED)
    auto r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, accept);
    EXPECT_EQ(f.decided_line(r), 4);
    f.ct.set_u32(front::CT_STATE, 1);  // invalid
    r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, drop);
    EXPECT_EQ(f.decided_line(r), 5);
    f.ct.values.erase(front::CT_STATE);  // no entry: every ct test fails
    f.ct.set_u32(front::CT_MARK, 0x10);
    r = f.run(tcp(22));
    EXPECT_EQ(f.decided_line(r), 6);
}

TEST(Engine, AcceptEndsOnlyTheCurrentBaseChain) {
    engine_fixture f(R"(table inet t {
  chain first { type filter hook input priority 0; policy accept; accept; }
  chain second { type filter hook input priority 10; policy accept; tcp dport 22 drop; }
})");
    ASSERT_TRUE(f.engine);
    auto r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, drop);
    EXPECT_EQ(f.decided_line(r), 3);
    EXPECT_EQ(f.run(tcp(23)).verdict, accept);
}

TEST(Engine, DropIsFinalAndLaterChainsDoNotRun) {
    engine_fixture f(R"(table ip t {
  chain late { type filter hook input priority 10; policy accept; counter; }
  chain early { type filter hook input priority -10; policy drop; }
})");
    ASSERT_TRUE(f.engine);
    auto r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, drop);
    EXPECT_TRUE(r.by_policy);
    ASSERT_EQ(f.engine->counters().size(), 1u);
    EXPECT_EQ(f.engine->counters()[0].packets, 0u);
}

TEST(Engine, EqualPrioritiesRunInRegistrationOrder) {
    engine_fixture f(R"(table ip a {
  chain c { type filter hook input priority 0; meta mark set 1; }
}
table ip b {
  chain c { type filter hook input priority 0; meta mark 1 drop; }
}
)");
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(22)).verdict, drop);
}

TEST(Engine, JumpReturnsToTheNextRule) {
    engine_fixture f(R"(table inet t {
  chain sub {
    tcp dport 22 return
    meta mark set 1
  }
  chain c {
    type filter hook input priority 0; policy accept;
    jump sub
    meta mark 1 drop
  }
})");
    ASSERT_TRUE(f.engine);
    auto r = f.run(tcp(23));
    EXPECT_EQ(r.verdict, drop);
    EXPECT_EQ(f.decided_line(r), 9);
    EXPECT_EQ(f.last_meta.mark, 1u);
    r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, accept);
    EXPECT_TRUE(r.by_policy);
    EXPECT_EQ(f.last_meta.mark, 0u);
}

TEST(Engine, GotoEndsWithTheBaseChainsPolicy) {
    engine_fixture f(R"(table inet t {
  chain sub {
    tcp dport 22 accept
  }
  chain c {
    type filter hook input priority 0; policy drop;
    goto sub
    accept
  }
})");
    ASSERT_TRUE(f.engine);
    auto r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, accept);
    EXPECT_EQ(f.decided_line(r), 3);
    r = f.run(tcp(80));  // sub ends: no return to c, c's policy applies
    EXPECT_EQ(r.verdict, drop);
    EXPECT_TRUE(r.by_policy);
}

TEST(Engine, GotoFromAJumpedChainReturnsToTheJumper) {
    engine_fixture f(R"(table inet t {
  chain leaf { meta mark set 7; }
  chain middle { goto leaf; meta mark set 99; }
  chain c {
    type filter hook input priority 0; policy accept;
    jump middle
    meta mark 7 drop
  }
})");
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(22)).verdict, drop);
    EXPECT_EQ(f.last_meta.mark, 7u);
}

TEST(Engine, ContinueAndAnonymousChains) {
    engine_fixture f(R"(table inet t {
  chain c {
    type filter hook input priority 0; policy accept;
    tcp dport 22 continue
    tcp dport 22 jump { meta mark set 5; }
    meta mark 5 drop
  }
})");
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(22)).verdict, drop);
    EXPECT_EQ(f.run(tcp(23)).verdict, accept);
}

TEST(Engine, VerdictMapsJumpAcceptAndMiss) {
    engine_fixture f(R"(table inet t {
  chain ssh { meta mark set 22; drop; }
  chain c {
    type filter hook input priority 0; policy accept;
    tcp dport vmap { 22 : jump ssh, 80 : accept, 81 : drop }
    meta mark set 1
  }
})");
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(22)).verdict, drop);
    EXPECT_EQ(f.last_meta.mark, 22u);
    EXPECT_EQ(f.run(tcp(80)).verdict, accept);
    EXPECT_EQ(f.last_meta.mark, 0u);
    EXPECT_EQ(f.run(tcp(81)).verdict, drop);
    auto r = f.run(tcp(82));  // a miss ends the rule, not the chain
    EXPECT_TRUE(r.by_policy);
    EXPECT_EQ(f.last_meta.mark, 1u);
}

TEST(Engine, MapsGiveData) {
    engine_fixture f(R"(table ip t {
  chain c {
    type filter hook input priority 0; policy accept;
    meta mark set tcp dport map { 22 : 0x10, 80 : 0x20 }
    meta mark 0x20 drop
  }
})");
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(22)).verdict, accept);
    EXPECT_EQ(f.last_meta.mark, 0x10u);
    EXPECT_EQ(f.run(tcp(80)).verdict, drop);
    f.run(tcp(81));
    EXPECT_EQ(f.last_meta.mark, 0u);  // no element: the statement fails, the mark stays
}

TEST(Engine, HostOrderComparisonsAreNumeric) {
    engine_fixture f(input_chain("    meta mark > 0xff drop"));
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(1), front::hook::input, 0x200).verdict, drop);
    EXPECT_EQ(f.run(tcp(1), front::hook::input, 0x80).verdict, accept);
    engine_fixture g(input_chain("    meta mark 0x100-0x2ff drop"));
    ASSERT_TRUE(g.engine);
    EXPECT_EQ(g.run(tcp(1), front::hook::input, 0x200).verdict, drop);
    EXPECT_EQ(g.run(tcp(1), front::hook::input, 0x300).verdict, accept);
}

TEST(Engine, CountersCountPacketsAndNetworkBytes) {
    engine_fixture f(R"(table ip t {
  counter named { }
  chain c {
    type filter hook input priority 0; policy accept;
    tcp dport 22 counter
    counter name "named"
  }
})");
    ASSERT_TRUE(f.engine);
    f.run(tcp(22));
    f.run(tcp(22));
    f.run(tcp(23));
    ASSERT_EQ(f.engine->counters().size(), 1u);
    EXPECT_EQ(f.engine->counters()[0].packets, 2u);
    EXPECT_EQ(f.engine->counters()[0].bytes, 80u);
    ASSERT_EQ(f.engine->object_counters().size(), 1u);
    EXPECT_EQ(f.engine->object_counters()[0].packets, 3u);
}

TEST(Engine, DynamicSetsAreUpdatedFromThePacketPath) {
    engine_fixture f(R"(table ip t {
  set seen { type ipv4_addr; flags dynamic; }
  chain c {
    type filter hook input priority 0; policy accept;
    ip saddr @seen drop
    add @seen { ip saddr }
  }
})");
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(22, "10.0.0.1")).verdict, accept);
    EXPECT_EQ(f.run(tcp(22, "10.0.0.2")).verdict, accept);
    EXPECT_EQ(f.run(tcp(22, "10.0.0.1")).verdict, drop);
    EXPECT_EQ(f.run(tcp(22, "10.0.0.3")).verdict, accept);
}

packet_spec udp_from(std::string_view src, uint16_t dport) {
    packet_spec s = udp(dport);
    s.src = src;
    return s;
}

// A meter: the element created by `add @flood { ip saddr limit ... }` gets the statement's own
// limit, full (nft_dynset_new clones it), and every evaluation takes from it: the add's, and
// a lookup's (nft_lookup_eval runs a found element's expressions; a limit that says no ends
// the lookup's rule). The sequences are the kernel's, seen in the lab (dynamic_sets).
TEST(Engine, MeterLimitsAreTheElementsOwnAndLookupsSpendThem) {
    const char* ruleset = R"(table ip t {
  set flood { type ipv4_addr; size 64; flags dynamic; }
  set flood3 { type ipv4_addr; size 64; flags dynamic; }
  set perkey { type ipv4_addr; size 64; flags dynamic; }
  chain c {
    type filter hook forward priority 0; policy accept;
    udp dport 5 add @flood { ip saddr limit rate over 1/minute burst 2 packets } drop
    udp dport 6 ip saddr @flood drop
    udp dport 15 add @flood3 { ip saddr limit rate over 1/minute burst 3 packets } drop
    udp dport 16 ip saddr @flood3 drop
    udp dport 7 add @perkey { ip saddr limit rate 1/minute burst 3 packets } accept
    udp dport 7 drop
  }
})";
    engine_fixture f(ruleset);
    ASSERT_TRUE(f.engine);
    auto verdicts = [&](std::initializer_list<std::pair<const char*, uint16_t>> packets) {
        std::vector<int32_t> out;
        for (const auto& [src, dport] : packets) out.push_back(f.run(udp_from(src, dport), front::hook::forward).verdict);
        return out;
    };
    // burst 2, over: the key's first packet passes (one token), the lookup right after takes
    // the second and so misses; from then on the limit is over, for the add and the lookup.
    EXPECT_EQ(verdicts({{"192.0.2.50", 5}, {"192.0.2.51", 6}, {"192.0.2.50", 6}, {"192.0.2.50", 5}, {"192.0.2.51", 6},
                        {"192.0.2.50", 6}, {"192.0.2.50", 5}}),
              (std::vector<int32_t>{accept, accept, accept, drop, accept, drop, drop}));
    // burst 3, over: two packets pass; the lookup misses after the first, hits after the second.
    EXPECT_EQ(verdicts({{"192.0.2.60", 15}, {"192.0.2.60", 16}, {"192.0.2.60", 15}, {"192.0.2.60", 16}, {"192.0.2.60", 15}}),
              (std::vector<int32_t>{accept, accept, accept, drop, drop}));
    // burst 3, under: exactly three packets of a key; another key has its own limit.
    EXPECT_EQ(verdicts({{"192.0.2.52", 7}, {"192.0.2.52", 7}, {"192.0.2.53", 7}, {"192.0.2.52", 7}, {"192.0.2.52", 7},
                        {"192.0.2.52", 7}}),
              (std::vector<int32_t>{accept, accept, accept, accept, drop, drop}));
}

// A meter in an anonymous chain is a meter too (its set keeps room for the limit).
TEST(Engine, MeterInAnAnonymousChain) {
    engine_fixture f(R"(table ip t {
  set flood { type ipv4_addr; size 64; flags dynamic; }
  chain c {
    type filter hook input priority 0; policy accept;
    udp dport 5 jump { add @flood { ip saddr limit rate over 1/minute burst 2 packets } drop; }
  }
})");
    ASSERT_TRUE(f.engine);
    std::vector<int32_t> got;
    for (int i = 0; i < 4; ++i) got.push_back(f.run(udp(5)).verdict);
    EXPECT_EQ(got, (std::vector<int32_t>{accept, accept, drop, drop}));
}

// An element's expressions are its creator's: the statement's own (one rule's counter), else
// the set's; a lookup and a verdict map run them too (the kernel's element counter counts
// the add's and the lookup's passage of one packet: 2).
TEST(Engine, ElementExpressionsRunOnAddLookupAndVerdictMaps) {
    engine_fixture f(R"(table ip t {
  set s { type inet_service; size 8; flags dynamic; }
  set declared { type inet_service; size 8; flags dynamic; counter; }
  map m { type inet_service : verdict; counter; elements = { 9 : continue } }
  chain c {
    type filter hook input priority 0; policy accept;
    udp dport 8 add @s { udp dport counter }
    udp dport 8 udp dport @s
    udp dport 10 add @declared { udp dport }
    udp dport vmap @m
  }
})");
    ASSERT_TRUE(f.engine);
    auto element = [&](size_t set, uint16_t port) {
        const uint8_t key[4] = {static_cast<uint8_t>(port >> 8), static_cast<uint8_t>(port), 0, 0};
        vm::element_view v;
        EXPECT_TRUE(f.engine->program().sets[set]->lookup(key, 0, v));
        return v;
    };
    f.run(udp(8));
    vm::element_view v = element(0, 8);
    ASSERT_EQ(v.stmts.size(), 1u);
    EXPECT_EQ(v.states[0].counter.packets, 2u);
    f.run(udp(10));
    f.run(udp(10));
    v = element(1, 10);
    ASSERT_EQ(v.stmts.size(), 1u);  // the set's counter
    EXPECT_EQ(v.states[0].counter.packets, 2u);
    f.run(udp(9));
    v = element(2, 9);
    ASSERT_EQ(v.stmts.size(), 1u);
    EXPECT_EQ(v.states[0].counter.packets, 1u);
}

TEST(Engine, DeleteFromASet) {
    engine_fixture f(R"(table ip t {
  set s { type inet_service; flags dynamic; elements = { 22, 80 } }
  chain c {
    type filter hook input priority 0; policy accept;
    tcp dport @s delete @s { tcp dport } drop
  }
})");
    ASSERT_TRUE(f.engine);
    EXPECT_EQ(f.run(tcp(22)).verdict, drop);
    EXPECT_EQ(f.run(tcp(22)).verdict, accept);
    EXPECT_EQ(f.run(tcp(80)).verdict, drop);
}

TEST(Engine, NumgenIncrementsAndWraps) {
    engine_fixture f(input_chain("    meta mark set numgen inc mod 3 offset 10"));
    ASSERT_TRUE(f.engine);
    std::vector<uint32_t> marks;
    for (int i = 0; i < 5; ++i) {
        f.run(tcp(1));
        marks.push_back(f.last_meta.mark);
    }
    EXPECT_EQ(marks, (std::vector<uint32_t>{10, 11, 12, 10, 11}));
}

TEST(Engine, JhashIsDeterministicAndInRange) {
    engine_fixture f(input_chain("    meta mark set jhash ip saddr . tcp dport mod 50 seed 0xdeadbeef offset 100"));
    ASSERT_TRUE(f.engine);
    std::set<uint32_t> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string src = "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        f.run(tcp(static_cast<uint16_t>(1000 + i), src));
        const uint32_t first = f.last_meta.mark;
        f.run(tcp(static_cast<uint16_t>(1000 + i), src));
        EXPECT_EQ(f.last_meta.mark, first);
        EXPECT_GE(first, 100u);
        EXPECT_LT(first, 150u);
        seen.insert(first);
    }
    EXPECT_GT(seen.size(), 40u);  // spread over the modulus
}

TEST(Engine, SymhashIsTheSameBothWays) {
    engine_fixture f(input_chain("    meta mark set symhash mod 1000"));
    ASSERT_TRUE(f.engine);
    packet_spec there = tcp(80, "10.0.0.1");
    there.dst = "10.0.0.2";
    there.sport = 40000;
    packet_spec back = tcp(40000, "10.0.0.2");
    back.dst = "10.0.0.1";
    back.sport = 80;
    f.run(there);
    const uint32_t a = f.last_meta.mark;
    f.run(back);
    EXPECT_EQ(f.last_meta.mark, a);
}

bool ipv4_checksums_ok(const std::vector<uint8_t>& bytes) {
    auto view = packet::parse(std::span<const uint8_t>(bytes), {.first = packet::first_header::ip});
    if (!packet::ipv4_header_checksum_ok(view)) return false;
    // The transport checksum over the pseudo-header verifies to zero.
    const uint32_t l4 = view.transport_offset();
    const uint32_t l4_len = static_cast<uint32_t>(bytes.size()) - l4;
    uint32_t sum = packet::checksum_add_bytes({bytes.data() + 12, 8});
    const uint8_t tail[4] = {0, bytes[9], static_cast<uint8_t>(l4_len >> 8), static_cast<uint8_t>(l4_len)};
    sum = packet::checksum_add_bytes(tail, sum);
    sum = packet::checksum_add_bytes({bytes.data() + l4, l4_len}, sum);
    return packet::checksum_fold(sum) == 0;
}

TEST(Engine, EachPayloadStatementKeepsChecksumsRight) {
    for (const char* stmt : {"ip ttl set 1", "ip daddr set 10.0.0.9", "tcp dport set 8080", "ip dscp set cs1",
                             "ip saddr set 192.168.1.1", "tcp sport set 1"}) {
        engine_fixture f(input_chain(std::string("    ") + stmt));
        ASSERT_TRUE(f.engine);
        EXPECT_TRUE(f.run(tcp(22)).modified) << stmt;
        EXPECT_TRUE(ipv4_checksums_ok(f.last_bytes)) << stmt;
    }
}

TEST(Engine, PayloadStatementsRewriteAndFixChecksums) {
    engine_fixture f(input_chain("    ip ttl set 1 ip daddr set 10.0.0.9 tcp dport set 8080 ip dscp set cs1"));
    ASSERT_TRUE(f.engine);
    ASSERT_TRUE(ipv4_checksums_ok(build_packet(tcp(22))));
    auto r = f.run(tcp(22));
    EXPECT_TRUE(r.modified);
    const auto& b = f.last_bytes;
    EXPECT_EQ(b[8], 1);
    EXPECT_EQ(b[1], 0x20);  // dscp cs1 in the top six bits of the TOS byte
    EXPECT_EQ((std::vector<uint8_t>{b[16], b[17], b[18], b[19]}), (std::vector<uint8_t>{10, 0, 0, 9}));
    EXPECT_EQ(b[22] << 8 | b[23], 8080);
    EXPECT_TRUE(ipv4_checksums_ok(b));
}

packet_spec syn_with_mss(uint16_t mss, int version = 4) {
    packet_spec s = tcp(80);
    s.tcp_options = {2, 4, static_cast<uint8_t>(mss >> 8), static_cast<uint8_t>(mss), 1, 1, 1, 0};  // MSS NOP NOP NOP EOL
    return version == 6 ? v6(s) : s;
}

uint16_t mss_of(const std::vector<uint8_t>& bytes, int version = 4) {
    const size_t at = (version == 6 ? 40 : 20) + 20 + 2;  // the MSS value after its kind and length
    return static_cast<uint16_t>(bytes[at] << 8 | bytes[at + 1]);
}

// nft_exthdr_tcp_set_eval only ever lowers the MSS: a SYN announcing the new size or less keeps
// its own (the lab saw the kernel keep 1100 under `set 1300`), and the rule goes on.
TEST(Engine, MaxsegSetOnlyLowersTheMss) {
    engine_fixture f(input_chain("    tcp option maxseg size set 1300 meta mark set 7"));
    ASSERT_TRUE(f.engine);
    for (int version : {4, 6}) {
        SCOPED_TRACE(version);
        auto r = f.run(syn_with_mss(1460, version));
        EXPECT_TRUE(r.modified);
        EXPECT_EQ(mss_of(f.last_bytes, version), 1300);
        EXPECT_EQ(f.last_meta.mark, 7u);
        if (version == 4) {
            EXPECT_TRUE(ipv4_checksums_ok(f.last_bytes));
        }
        for (uint16_t kept : {1100, 1299, 1300}) {
            r = f.run(syn_with_mss(kept, version));
            EXPECT_FALSE(r.modified) << kept;
            EXPECT_EQ(mss_of(f.last_bytes, version), kept);
            EXPECT_EQ(f.last_bytes, build_packet(syn_with_mss(kept, version)));
            EXPECT_EQ(f.last_meta.mark, 7u) << "the rule goes on after a kept MSS";
        }
    }
}

// Without an MSS option the statement does nothing and the rule goes on; a packet that is not
// TCP, or whose option runs past the TCP header, breaks the rule.
TEST(Engine, MaxsegSetOnAbsentAndBrokenOptions) {
    engine_fixture f(input_chain("    tcp option maxseg size set 1300 meta mark set 7"));
    ASSERT_TRUE(f.engine);
    packet_spec none = tcp(80);
    none.tcp_options = {1, 1, 1, 0};
    auto r = f.run(none);
    EXPECT_FALSE(r.modified);
    EXPECT_EQ(f.last_meta.mark, 7u);
    packet_spec runs_past = tcp(80);
    runs_past.tcp_options = {1, 1, 2, 4};  // MSS kind and length in the last two bytes
    r = f.run(runs_past);
    EXPECT_FALSE(r.modified);
    EXPECT_EQ(f.last_meta.mark, 0u);
    f.run(udp(80));
    EXPECT_EQ(f.last_meta.mark, 0u);
}

// nft_meta: iifkind/oifkind load the device's rtnl link kind; a device without one (here: no
// kind known) fails the load, so `!=` does not match either.
TEST(Engine, InterfaceKindsMatchTheLinkKind) {
    engine_fixture f(R"(table inet t {
  chain c {
    type filter hook forward priority 0; policy accept;
    meta iifkind "veth" meta mark set 1
    meta iifkind != "veth" meta mark set 2
    meta oifkind "bridge" meta priority set 1:1
  }
  chain i {
    type filter hook input priority 0; policy accept;
    meta oifkind "bridge" meta priority set 1:1
  }
})");
    ASSERT_TRUE(f.engine);
    f.run(tcp(22), front::hook::forward);
    EXPECT_EQ(f.last_meta.mark, 0u);
    EXPECT_EQ(f.last_meta.priority, 0u);
    f.eth0.set_kind("veth");
    f.eth1.set_kind("bridge");
    f.run(tcp(22), front::hook::forward);
    EXPECT_EQ(f.last_meta.mark, 1u);
    EXPECT_EQ(f.last_meta.priority, 0x00010001u);
    f.eth0.set_kind("dummy");
    f.run(tcp(22), front::hook::forward);
    EXPECT_EQ(f.last_meta.mark, 2u);
    f.run(tcp(22), front::hook::input);  // no output interface at input
    EXPECT_EQ(f.last_meta.priority, 0u);
}

// An IPv6 UDP packet behind a fragment header: `offset` in 8-byte units, M flag `more`.
std::vector<uint8_t> ipv6_fragment(uint16_t offset, bool more, uint8_t reserved2 = 0) {
    packet_spec s = v6(udp(53));
    s.payload = 16;
    std::vector<uint8_t> b = build_packet(s);
    const uint16_t field = static_cast<uint16_t>(offset << 3 | reserved2 << 1 | (more ? 1 : 0));
    const uint8_t header[8] = {17, 0, static_cast<uint8_t>(field >> 8), static_cast<uint8_t>(field), 0x12, 0x34, 0x56, 0x78};
    b.insert(b.begin() + 40, header, header + 8);
    b[6] = 44;
    testing::put16(b, 4, static_cast<uint16_t>(b.size() - 40));
    return b;
}

// `frag more-fragments` and `frag frag-off` are bit fields of the fragment header: nft loads
// the covering bytes with exthdr and masks them; the load fails without a fragment header.
TEST(Engine, FragmentHeaderBitFields) {
    engine_fixture f(input_chain("    frag more-fragments 1 meta mark set 1\n"
                                 "    frag more-fragments 0 meta mark set 2\n"
                                 "    frag frag-off 3 meta priority set 1:3\n"
                                 "    frag frag-off != 0 meta priority set 2:0\n"
                                 "    frag reserved2 2 drop"));
    ASSERT_TRUE(f.engine);
    EXPECT_TRUE(f.report.unsupported.empty()) << f.report.unsupported[0];
    auto run = [&](std::vector<uint8_t> b) {
        const vm::run_result r = f.run(std::move(b));
        return std::tuple{f.last_meta.mark, f.last_meta.priority, r.verdict};
    };
    EXPECT_EQ(run(ipv6_fragment(0, true)), std::tuple(1u, 0u, accept));
    EXPECT_EQ(run(ipv6_fragment(0, false)), std::tuple(2u, 0u, accept));
    EXPECT_EQ(run(ipv6_fragment(3, true)), std::tuple(1u, 0x00020000u, accept));  // the later rule wins
    EXPECT_EQ(run(ipv6_fragment(3, false)), std::tuple(2u, 0x00020000u, accept));
    EXPECT_EQ(run(ipv6_fragment(0x1fff, false)), std::tuple(2u, 0x00020000u, accept));
    EXPECT_EQ(run(ipv6_fragment(0, false, 2)), std::tuple(2u, 0u, drop));
    EXPECT_EQ(run(ipv6_fragment(0, true, 1)), std::tuple(1u, 0u, accept));
    EXPECT_EQ(run(build_packet(v6(udp(53)))), std::tuple(0u, 0u, accept));  // no fragment header
}

// A bit field that is not the last in its byte compares right-aligned, as a payload one does.
TEST(Engine, FragmentOffsetRangesAndSets) {
    engine_fixture f(input_chain("    frag frag-off 2-4 drop\n    frag frag-off { 7, 100 } drop"));
    ASSERT_TRUE(f.engine);
    for (uint16_t offset : {0, 1, 2, 3, 4, 5, 7, 99, 100, 8191}) {
        const bool dropped = (offset >= 2 && offset <= 4) || offset == 7 || offset == 100;
        EXPECT_EQ(f.run(ipv6_fragment(offset, offset % 2 == 0)).verdict, dropped ? drop : accept) << offset;
    }
}

TEST(Engine, RejectDropsAndSaysHowToAnswer) {
    engine_fixture f(input_chain("    tcp dport 22 reject with tcp reset\n    reject with icmp host-prohibited"));
    ASSERT_TRUE(f.engine);
    auto r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, drop);
    EXPECT_TRUE(r.reject);
    auto u = f.run(udp(53));
    EXPECT_EQ(u.verdict, drop);
    EXPECT_TRUE(u.reject);
    EXPECT_NE(u.reject_type, r.reject_type);
    EXPECT_EQ(u.reject_code, 10);  // ICMP_HOST_ANO
}

TEST(Engine, ConntrackStatementsReachTheTracker) {
    engine_fixture f(input_chain("    ct mark set 0x7\n    tcp dport 22 notrack"));
    ASSERT_TRUE(f.engine);
    f.run(tcp(22));
    ASSERT_EQ(f.ct.writes.size(), 1u);
    EXPECT_EQ(f.ct.writes[0].first, front::CT_MARK);
    EXPECT_EQ(f.ct.writes[0].second, (std::vector<uint8_t>{7, 0, 0, 0}));
    EXPECT_TRUE(f.ct.untracked);
}

TEST(Engine, NatChainsRunOnlyForANewConnection) {
    engine_fixture f(R"(table ip nat {
  chain pre { type nat hook prerouting priority dstnat; meta mark set 9; }
})");
    ASSERT_TRUE(f.engine);
    f.ct.set_u32(front::CT_STATE, 8);
    f.run(tcp(22), front::hook::prerouting);
    EXPECT_EQ(f.last_meta.mark, 9u);
    f.ct.set_u32(front::CT_STATE, 2);
    f.run(tcp(22), front::hook::prerouting);
    EXPECT_EQ(f.last_meta.mark, 0u);
}

TEST(Engine, QueueToAFixedNumberIsAQueueVerdict) {
    engine_fixture f(input_chain("    tcp dport 22 queue num 3 bypass\n    tcp dport 23 queue\n    accept"));
    ASSERT_TRUE(f.engine);
    EXPECT_TRUE(f.report.unsupported.empty());
    auto r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, vm::nf_queue);
    EXPECT_EQ(r.queue_num, 3u);
    EXPECT_EQ(f.decided_line(r), 4);
    r = f.run(tcp(23));
    EXPECT_EQ(r.verdict, vm::nf_queue);
    EXPECT_EQ(r.queue_num, 0u);
    EXPECT_EQ(f.run(tcp(24)).verdict, accept);
}

TEST(Engine, WhatCannotRunYetNeverMatchesAndIsCounted) {
    engine_fixture f(input_chain("    tcp dport 22 queue num 2-3\n    tcp dport 22 drop"));
    ASSERT_TRUE(f.engine);
    ASSERT_EQ(f.report.unsupported.size(), 1u);
    EXPECT_NE(f.report.unsupported[0].find("test.nft:4:"), std::string::npos) << f.report.unsupported[0];
    auto r = f.run(tcp(22));
    EXPECT_EQ(r.verdict, drop);
    EXPECT_EQ(f.decided_line(r), 5);
    EXPECT_EQ(f.engine->stats().unsupported, 1u);
}

TEST(Engine, TruncatedPacketsFailTheirLoads) {
    engine_fixture f(input_chain("    tcp dport 22 drop\n    ip saddr 10.0.0.1 meta mark set 3"));
    ASSERT_TRUE(f.engine);
    auto bytes = build_packet(tcp(22));
    bytes.resize(30);  // the TCP header is cut; the IP total length says 40
    auto r = f.run(bytes);
    EXPECT_EQ(r.verdict, accept);
    EXPECT_EQ(f.engine->stats().malformed, 1u);
    std::vector<uint8_t> empty;
    EXPECT_EQ(f.run(empty).verdict, accept);
}

// The packet path allocates nothing: parse, lookups in hash and interval sets, a verdict
// map, a dynamic set updated from the packet path, counters, limits, quotas and a rewrite.
TEST(Engine, EvaluationAllocatesNothing) {
    engine_fixture f(R"(table inet t {
  set seen { type ipv4_addr; size 1024; flags dynamic,timeout; timeout 1m; }
  set nets { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.0.0/16 } }
  map ports { type inet_service : verdict; elements = { 22 : jump ssh, 80 : accept } }
  chain ssh { limit rate 100/second burst 1000 packets accept; quota over 1 mbytes drop; }
  chain c {
    type filter hook input priority 0; policy drop;
    counter
    update @seen { ip saddr }
    ip saddr @nets ip ttl set 32
    meta mark set 0x42
    tcp dport vmap @ports
  }
})");
    ASSERT_TRUE(f.engine);
    std::vector<std::vector<uint8_t>> packets;
    for (int i = 0; i < 64; ++i) {
        packet_spec s = tcp(i % 2 ? 22 : 80);
        const std::string src = "10.0.0." + std::to_string(i + 1);
        s.src = src;
        packets.push_back(build_packet(s));
    }
    const vm::interface_info eth0 = vm::interface_info::named("eth0", 1);
    size_t accepted = 0;
    testing::allocation_scope scope;
    for (auto& bytes : packets) {
        auto view = packet::parse(std::span<uint8_t>(bytes), {.first = packet::first_header::ip, .trim_to_ip_length = true});
        vm::packet_meta meta;
        meta.iif = &eth0;
        accepted += f.engine->run(view, meta, f.services).verdict == accept;
    }
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(accepted, packets.size());
}

}  // namespace
}  // namespace nfqwall

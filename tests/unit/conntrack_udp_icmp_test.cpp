// UDP, ICMP/ICMPv6, generic protocols, ICMP errors, marks, labels and zones, replayed against
// ../shared/docs/conntrack.md §3 and §8.2-§8.4, §8.8, §8.10.
#include "conntrack_harness.hpp"
#include "front/proto.hpp"

namespace nfqwall::testing {
namespace {

constexpr const char* C = "10.201.1.2";
constexpr const char* S = "10.201.2.2";

config acct_config() {
    config c = ct_harness::default_config();
    c.acct = true;
    c.timestamp = true;
    return c;
}

TEST(conntrack_udp, StreamAfterTwoSecondsMatchesTheObservedListing) {  // §8.2, fact 6
    ct_harness h(acct_config());
    h.now = 1000'900'000'000ull;
    const uint64_t t0 = h.now;
    auto at = [&](uint64_t ms) { h.now = t0 + ms * 1'000'000ull; };
    ct_result r = h.send(udp(C, S, 40002, 5353, 2));
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.info(r).timeout_ms, 30000);
    r = h.send(udp(S, C, 5353, 40002, 5));
    EXPECT_EQ(r.info, ctinfo::established_reply);
    entry_info i = h.info(r);
    EXPECT_EQ(i.timeout_ms, 30000);
    EXPECT_FALSE(i.status & ips_assured);
    at(250);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "udp      17 29 src=10.201.1.2 dst=10.201.2.2 sport=40002 dport=5353 packets=1 bytes=30 src=10.201.2.2 "
        "dst=10.201.1.2 sport=5353 dport=40002 packets=1 bytes=33 mark=0 delta-time=1 use=1"});
    at(500);
    EXPECT_EQ(h.send(udp(C, S, 40002, 5353, 2)).info, ctinfo::established);
    h.send(udp(S, C, 5353, 40002, 5));
    at(1250);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "udp      17 29 src=10.201.1.2 dst=10.201.2.2 sport=40002 dport=5353 packets=2 bytes=60 src=10.201.2.2 "
        "dst=10.201.1.2 sport=5353 dport=40002 packets=2 bytes=66 mark=0 delta-time=2 use=1"});
    at(3000);
    r = h.send(udp(C, S, 40002, 5353, 2));
    i = h.info(r);
    EXPECT_TRUE(i.status & ips_assured);
    EXPECT_EQ(i.timeout_ms, 120000);
    h.send(udp(S, C, 5353, 40002, 5));
    at(3050);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "udp      17 119 src=10.201.1.2 dst=10.201.2.2 sport=40002 dport=5353 packets=3 bytes=90 src=10.201.2.2 "
        "dst=10.201.1.2 sport=5353 dport=40002 packets=3 bytes=99 [ASSURED] mark=0 delta-time=3 use=1"});
}

TEST(conntrack_udp, QuickRequestResponseNeverBecomesAssured) {
    ct_harness h;
    h.send(udp(C, S, 40010, 53, 10));
    h.advance_ms(500);
    const ct_result r = h.send(udp(S, C, 53, 40010, 10));
    h.advance_ms(1000);
    h.send(udp(C, S, 40010, 53, 10));
    const entry_info i = h.info(r);
    EXPECT_FALSE(i.status & ips_assured);
    EXPECT_EQ(i.timeout_ms, 30000);
}

TEST(conntrack_udp, OneWayFlowStaysNewAndUnreplied) {
    ct_harness h;
    for (int k = 0; k < 3; ++k) {
        const ct_result r = h.send(udp(C, S, 40011, 9999, 1));
        EXPECT_EQ(r.info, ctinfo::new_);
        EXPECT_FALSE(h.info(r).status & ips_seen_reply);
        h.advance_ms(3000);
    }
}

TEST(conntrack_udp, MalformedDatagramsAreInvalid) {  // §3.1
    ct_harness h;
    packet_spec bad = udp(C, S, 40012, 53, 4);
    bad.bad_checksum = true;
    EXPECT_EQ(h.send(bad).info, ctinfo::invalid);
    std::vector<uint8_t> bytes = build_packet(udp(C, S, 40012, 53, 4));
    bytes[20 + 4] = 0;
    bytes[20 + 5] = 40;  // length beyond the data
    bytes[20 + 6] = bytes[20 + 7] = 0;
    packet::parse_options o;
    o.first = packet::first_header::ip;
    in_context ctx;
    ctx.now_ns = h.now;
    EXPECT_EQ(h.t.in(packet::parse(std::span<const uint8_t>(bytes), o), ctx).info, ctinfo::invalid);
    bytes[20 + 5] = 12;  // a zero checksum is accepted
    ct_result r = h.t.in(packet::parse(std::span<const uint8_t>(bytes), o), ctx);
    EXPECT_EQ(r.info, ctinfo::new_);
    h.t.discard(r);
    EXPECT_EQ(h.t.stats().invalid, 2u);
}

TEST(conntrack_icmp, PingV4AndV6) {  // §8.3
    ct_harness h(acct_config());
    ct_result r = h.send(icmp(C, S, 8, 0, 11558, 56));
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.info(r).timeout_ms, 30000);
    EXPECT_EQ(h.send(icmp(S, C, 0, 0, 11558, 56)).info, ctinfo::established_reply);
    EXPECT_EQ(h.send(icmp(C, S, 8, 0, 11558, 56)).info, ctinfo::established);
    EXPECT_EQ(h.send(icmp(S, C, 0, 0, 11558, 56)).info, ctinfo::established_reply);
    r = h.send(icmp("fd00:201:1::2", "fd00:201:2::2", 128, 0, 11560, 56));
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.send(icmp("fd00:201:2::2", "fd00:201:1::2", 129, 0, 11560, 56)).info, ctinfo::established_reply);
    EXPECT_FALSE(h.info(r).status & ips_assured) << "ICMP is never assured";
    h.advance_ms(300);
    EXPECT_EQ(h.list(), (std::vector<std::string>{
        "icmp     1 29 src=10.201.1.2 dst=10.201.2.2 type=8 code=0 id=11558 packets=2 bytes=168 src=10.201.2.2 "
        "dst=10.201.1.2 type=0 code=0 id=11558 packets=2 bytes=168 mark=0 delta-time=0 use=1",
        "icmpv6   58 29 src=fd00:201:1::2 dst=fd00:201:2::2 type=128 code=0 id=11560 packets=1 bytes=104 "
        "src=fd00:201:2::2 dst=fd00:201:1::2 type=129 code=0 id=11560 packets=1 bytes=104 mark=0 delta-time=0 "
        "use=1"}));
}

TEST(conntrack_icmp, PortUnreachableIsRelatedAndChangesNothing) {  // §8.4, fact 7
    ct_harness h(acct_config());
    const packet_spec request = udp(C, S, 40003, 5999, 1);
    ct_result r = h.send(request);
    h.advance_ms(100);
    const ct_result err = h.send(icmp_error(S, C, 3, 3, request));
    EXPECT_EQ(err.info, ctinfo::related_reply);
    EXPECT_EQ(err.entry.index, r.entry.index);
    const entry_info i = h.info(r);
    EXPECT_FALSE(i.status & ips_seen_reply) << "still [UNREPLIED]";
    EXPECT_EQ(i.timeout_ms, 29900) << "not refreshed";
    EXPECT_EQ(i.packets[1], 0u) << "not counted";
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "udp      17 29 src=10.201.1.2 dst=10.201.2.2 sport=40003 dport=5999 packets=1 bytes=29 [UNREPLIED] "
        "src=10.201.2.2 dst=10.201.1.2 sport=5999 dport=40003 packets=0 bytes=0 mark=0 delta-time=0 use=1"});
}

TEST(conntrack_icmp, CraftedCasesAndTheirCounters) {  // §8.4 table
    ct_harness h;
    h.send(udp(C, S, 40050, 5998, 1));
    const packet_spec quoted = udp(S, C, 5998, 40050, 1);
    EXPECT_EQ(h.send(icmp_error(C, S, 3, 3, quoted)).info, ctinfo::related);
    EXPECT_EQ(h.send(icmp_error(C, "10.201.2.99", 3, 3, quoted)).info, ctinfo::invalid);
    EXPECT_EQ(h.t.stats().error, 1u);
    EXPECT_EQ(h.send(icmp_error(C, S, 3, 3, udp(S, C, 5000, 40051, 1))).info, ctinfo::invalid);
    EXPECT_EQ(h.t.stats().error, 2u);
    EXPECT_EQ(h.send(icmp(C, S, 0, 0, 5)).info, ctinfo::invalid) << "unsolicited echo reply";
    EXPECT_EQ(h.t.stats().invalid, 1u);
    EXPECT_EQ(h.send(icmp(C, S, 42, 0, 5)).info, ctinfo::invalid);
    EXPECT_EQ(h.t.stats().error, 3u);
    EXPECT_EQ(h.send(icmp(C, S, 9, 0, 5)).info, ctinfo::invalid) << "router advertisement cannot be inverted";
    EXPECT_EQ(h.t.stats().invalid, 2u);
    for (uint8_t type : {13, 15, 17}) {
        const ct_result r = h.send(icmp(C, S, type, 0, 7));
        EXPECT_EQ(r.info, ctinfo::new_) << int(type);
        EXPECT_EQ(h.info(r).reply.icmp_type(), type + 1);
    }
    h.hook = hook_point::prerouting;
    EXPECT_EQ(h.send(icmp("fd00:201:1::2", "fd00:201:1::1", 135, 0, 0)).info, ctinfo::untracked);
    EXPECT_EQ(h.send(icmp("fd00:201:1::2", "fd00:201:1::1", 128, 0, 9)).info, ctinfo::new_);
    EXPECT_EQ(h.send(icmp("fd00:201:1::1", "fd00:201:1::2", 129, 0, 9)).info, ctinfo::established_reply);
    EXPECT_EQ(h.send(icmp("fd00:201:1::1", "fd00:201:1::2", 129, 0, 10)).info, ctinfo::invalid)
        << "unsolicited echo reply";
    const statistics s = h.t.stats();
    EXPECT_EQ(s.error, 3u);
    EXPECT_EQ(s.invalid, 3u);
    EXPECT_EQ(s.drop + s.insert_failed, 0u);
}

TEST(conntrack_icmp, Icmpv6ErrorsQuoteThroughExtensionHeaders) {
    ct_harness h;
    const packet_spec request = udp("fd00:201:1::2", "fd00:201:2::2", 40060, 7000, 4);
    packet_spec req6 = request;
    req6.ip_version = 6;
    h.send(req6);
    const ct_result err = h.send(icmp_error("fd00:201:2::2", "fd00:201:1::2", 1, 4, req6));
    EXPECT_EQ(err.info, ctinfo::related_reply);
    EXPECT_EQ(h.t.stats().error, 0u);
}

TEST(conntrack_icmp, ErrorAboutAPingIsRelated) {
    ct_harness h;
    const packet_spec ping = icmp(C, S, 8, 0, 99, 8);
    h.send(ping);
    EXPECT_EQ(h.send(icmp_error("10.201.2.1", C, 11, 0, ping)).info, ctinfo::related_reply);
}

TEST(conntrack_generic, UnknownProtocolListing) {  // §8.10
    ct_harness h(acct_config());
    h.now = 1000'500'000'000ull;
    packet_spec p;
    p.src = C;
    p.dst = S;
    p.protocol = 253;
    p.payload = 7;
    ct_result r = h.send(p);
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.info(r).timeout_ms, 600000);
    h.advance_ms(800);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "unknown  253 599 src=10.201.1.2 dst=10.201.2.2 packets=1 bytes=27 [UNREPLIED] src=10.201.2.2 "
        "dst=10.201.1.2 packets=0 bytes=0 mark=0 delta-time=1 use=1"});
}

TEST(conntrack_generic, GreBecomesAStreamOnceBothSidesSpoke) {  // §2.6, §2.7
    ct_harness h;
    packet_spec out;
    out.src = C;
    out.dst = S;
    out.protocol = 47;
    out.payload = 24;  // a version-0 GRE header and data: keys 0
    packet_spec back = out;
    back.src = S;
    back.dst = C;
    ct_result r = h.send(out);
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.info(r).timeout_ms, 30000);
    EXPECT_EQ(h.send(back).info, ctinfo::established_reply);
    EXPECT_EQ(h.info(r).timeout_ms, 30000);
    h.send(out);
    EXPECT_EQ(h.info(r).timeout_ms, 180000);
    h.advance_ms(500);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "gre      47 179 src=10.201.1.2 dst=10.201.2.2 srckey=0x0 dstkey=0x0 src=10.201.2.2 dst=10.201.1.2 "
        "srckey=0x0 dstkey=0x0 [ASSURED] mark=0 use=1"});
}

// ---- marks, labels, zones (§7, §8.8) ------------------------------------------------------

struct pass {
    ct_harness& h;
    std::vector<uint8_t> bytes;
    packet::packet_view view;
    packet_ct ct;
    pass(ct_harness& harness, const packet_spec& spec) : h(harness), bytes(build_packet(spec)), ct(h.t, h.now) {
        packet::parse_options o;
        o.first = packet::first_header::ip;
        view = packet::parse(std::span<const uint8_t>(bytes), o);
    }
    void track() { ct.attach(h.t.in(view, ct.context(h.hook))); }
    void accept() { h.t.confirm(ct.result(), h.now); }
    uint32_t u32(int key, int dir = -1) {
        uint32_t v = 0xdeadbeef;
        EXPECT_TRUE(ct.get(key, dir, reinterpret_cast<uint8_t*>(&v), 4)) << key;
        return v;
    }
    void set_u32(int key, uint32_t v) { ct.set(key, -1, reinterpret_cast<const uint8_t*>(&v), 4); }
    void add_label(unsigned bit) {
        uint8_t l[16] = {};
        l[bit / 8] = static_cast<uint8_t>(1u << (bit % 8));
        ct.set(front::CT_LABELS, -1, l, 16);
    }
};

TEST(conntrack_marks, MarkAndLabelsSetOnTheFirstPacketAppearInTheListing) {  // §8.8
    ct_harness h(acct_config());
    {
        pass p(h, tcp(C, S, 40111, 8080, SYN, 100, 0));
        p.track();
        p.set_u32(front::CT_MARK, 0x2a);
        p.add_label(5);
        p.add_label(127);
        p.accept();
    }
    h.send(tcp(S, C, 8080, 40111, SYN | ACK, 900, 101));
    h.send(tcp(C, S, 40111, 8080, ACK, 101, 901));
    list_options o;
    o.show_labels = true;
    o.label_name = [](unsigned bit) { return bit == 5 ? std::string("five") : bit == 127 ? "last" : ""; };
    // The observed line had the reply tuple masqueraded (dst=10.201.2.1); NAT comes later.
    EXPECT_EQ(h.list(o), std::vector<std::string>{
        "tcp      6 432000 ESTABLISHED src=10.201.1.2 dst=10.201.2.2 sport=40111 dport=8080 packets=2 bytes=80 "
        "src=10.201.2.2 dst=10.201.1.2 sport=8080 dport=40111 packets=1 bytes=40 [ASSURED] mark=42 delta-time=0 "
        "use=1 labels=five,last"});
}

TEST(conntrack_marks, ZonesSeparateIdenticalTuples) {
    ct_harness h(acct_config());
    pass z(h, udp(C, S, 40101, 6000, 1));
    const uint16_t seven = 7;
    z.ct.set(front::CT_ZONE, -1, reinterpret_cast<const uint8_t*>(&seven), 2);
    z.track();
    EXPECT_EQ(z.ct.result().info, ctinfo::new_);
    z.accept();
    const ct_result other = h.send(udp(C, S, 40101, 6000, 1));
    EXPECT_EQ(other.info, ctinfo::new_) << "zone 0 is another entry";
    EXPECT_EQ(h.t.count(), 2u);
    EXPECT_EQ(h.send(udp(S, C, 6000, 40101, 1), true, 7).info, ctinfo::established_reply);
    auto lines = h.list();
    ASSERT_EQ(lines.size(), 2u);
    if (lines[0].find("zone=") == std::string::npos) std::swap(lines[0], lines[1]);
    EXPECT_EQ(lines[0],
              "udp      17 30 src=10.201.1.2 dst=10.201.2.2 sport=40101 dport=6000 packets=1 bytes=29 "
              "src=10.201.2.2 dst=10.201.1.2 sport=6000 dport=40101 packets=1 bytes=29 mark=0 zone=7 delta-time=0 "
              "use=1");
    EXPECT_EQ(lines[1].find("zone="), std::string::npos) << "zone 0 is not printed";
}

TEST(conntrack_marks, RelatedErrorSharesTheFlowsMark) {  // fact 8
    ct_harness h;
    const packet_spec request = udp(C, S, 40120, 5997, 1);
    {
        pass p(h, request);
        p.track();
        p.set_u32(front::CT_MARK, 7);
        p.accept();
    }
    pass e(h, icmp_error(S, C, 3, 3, request));
    e.track();
    EXPECT_EQ(e.u32(front::CT_STATE), 4u) << "related";
    EXPECT_EQ(e.u32(front::CT_MARK), 7u);
    e.set_u32(front::CT_MARK, 9);
    e.accept();
    pass again(h, request);
    again.track();
    EXPECT_EQ(again.u32(front::CT_MARK), 9u) << "the error is the flow's own entry";
    again.accept();
}

TEST(conntrack_marks, ExpectedChildCopiesTheMarkOnceAndNoLabels) {  // §4.2, fact 8
    ct_harness h;
    entry_ref master;
    {
        pass p(h, tcp(C, S, 40200, 21, SYN, 10, 0));
        p.track();
        p.set_u32(front::CT_MARK, 42);
        p.add_label(3);
        p.accept();
        master = p.ct.result().entry;
    }
    h.t.set_expectation_lookup([&](const tuple& t, uint64_t) {
        return t.ends.dst_id == 50021 ? master : entry_ref{};
    });
    ct_result child = h.send(tcp(C, S, 40201, 50021, SYN, 10, 0));
    EXPECT_EQ(child.info, ctinfo::related) << "an expected child's first packet is related";
    entry_info i = h.info(child);
    EXPECT_TRUE(i.status & ips_expected);
    EXPECT_EQ(i.mark, 42u);
    EXPECT_EQ(i.labels, (std::array<uint8_t, 16>{}));
    EXPECT_EQ(i.master, master.index);
    EXPECT_EQ(h.send(tcp(C, S, 40201, 50021, SYN, 10, 0)).info, ctinfo::related) << "related until a reply";
    EXPECT_TRUE(h.t.set_mark(master, 99));
    EXPECT_EQ(h.info(child).mark, 42u) << "copied, not shared";
    h.send(tcp(S, C, 50021, 40201, SYN | ACK, 70, 11));
    EXPECT_EQ(h.send(tcp(C, S, 40201, 50021, ACK, 11, 71)).info, ctinfo::established);
}

TEST(conntrack_marks, EveryKeyReadsLikeNftCt) {
    ct_harness h(acct_config());
    h.send(udp(C, S, 40300, 53, 10));
    pass p(h, udp(S, C, 53, 40300, 20));
    EXPECT_EQ(p.u32(front::CT_STATE), 1u) << "before the hook: invalid";
    uint8_t scratch[16];
    EXPECT_FALSE(p.ct.get(front::CT_MARK, -1, scratch, 4)) << "no entry yet: other keys fail";
    p.track();
    EXPECT_EQ(p.u32(front::CT_STATE), 2u);
    uint8_t dir = 9;
    ASSERT_TRUE(p.ct.get(front::CT_DIRECTION, -1, &dir, 1));
    EXPECT_EQ(dir, 1);
    EXPECT_EQ(p.u32(front::CT_STATUS), uint32_t(ips_confirmed | ips_seen_reply));
    uint8_t b = 0;
    ASSERT_TRUE(p.ct.get(front::CT_L3PROTOCOL, -1, &b, 1));
    EXPECT_EQ(b, 2);
    ASSERT_TRUE(p.ct.get(front::CT_PROTOCOL, -1, &b, 1));
    EXPECT_EQ(b, 17);
    uint8_t addr[4];
    ASSERT_TRUE(p.ct.get(front::CT_SRC_IP, 1, addr, 4));
    EXPECT_EQ(addr[3], 2);
    EXPECT_EQ(addr[2], 2) << "reply source is the server 10.201.2.2";
    EXPECT_FALSE(p.ct.get(front::CT_SRC_IP6, 1, scratch, 16));
    EXPECT_FALSE(p.ct.get(front::CT_SRC, -1, scratch, 4)) << "tuple keys need a direction";
    uint8_t port[2];
    ASSERT_TRUE(p.ct.get(front::CT_PROTO_DST, 0, port, 2));
    EXPECT_EQ(port[0] << 8 | port[1], 53);
    EXPECT_EQ(p.u32(front::CT_EXPIRATION), 30000u);
    uint64_t n = 0;
    ASSERT_TRUE(p.ct.get(front::CT_BYTES, 0, reinterpret_cast<uint8_t*>(&n), 8));
    EXPECT_EQ(n, 38u);
    ASSERT_TRUE(p.ct.get(front::CT_PKTS, -1, reinterpret_cast<uint8_t*>(&n), 8));
    EXPECT_EQ(n, 2u) << "both directions without one";
    ASSERT_TRUE(p.ct.get(front::CT_AVGPKT, -1, reinterpret_cast<uint8_t*>(&n), 8));
    EXPECT_EQ(n, (38u + 48u) / 2);
    uint8_t id[4];
    ASSERT_TRUE(p.ct.get(front::CT_ID, -1, id, 4));
    const uint32_t be = uint32_t(id[0]) << 24 | uint32_t(id[1]) << 16 | uint32_t(id[2]) << 8 | id[3];
    EXPECT_EQ(be, h.info(p.ct.result()).id);
    EXPECT_FALSE(p.ct.get(front::CT_HELPER, -1, scratch, 16));
    p.set_u32(front::CT_EXPIRATION, 5000);
    EXPECT_EQ(p.u32(front::CT_EXPIRATION), 5000u);
    p.accept();

    pass u(h, udp(C, S, 40301, 53, 1));
    u.ct.untrack();
    u.track();
    EXPECT_EQ(u.ct.result().info, ctinfo::untracked);
    EXPECT_EQ(u.u32(front::CT_STATE), 64u);
    EXPECT_FALSE(u.ct.get(front::CT_MARK, -1, scratch, 4));
}

TEST(conntrack_marks, ExpirationOfAnUnconfirmedEntryReadsZero) {  // lab K5
    ct_harness h;
    pass p(h, udp(C, S, 41001, 53, 1));
    p.track();
    ASSERT_EQ(p.ct.result().info, ctinfo::new_);
    EXPECT_EQ(p.u32(front::CT_EXPIRATION), 0u) << "nf_ct_expires on a relative timeout";
    p.accept();
    pass r(h, udp(S, C, 53, 41001, 1));
    r.track();
    EXPECT_EQ(r.u32(front::CT_EXPIRATION), 30000u) << "confirmed: the time left";
    // The pending timeout itself is kept: the entry is listed with it once confirmed.
    h.advance_ms(1000);
    pass q(h, tcp(C, S, 41002, 80, SYN, 100, 0));
    q.track();
    EXPECT_EQ(q.u32(front::CT_EXPIRATION), 0u);
    q.accept();
    EXPECT_EQ(h.info(q.ct.result()).timeout_ms, 120000);
}

TEST(conntrack_marks, ZoneTemplateReadsNewBeforeTheLookup) {  // lab K8
    ct_harness h;
    const uint16_t seven = 7, nine = 9;
    uint8_t scratch[16];
    pass p(h, udp(C, S, 41801, 6104, 1));
    p.ct.set(front::CT_ZONE, -1, reinterpret_cast<const uint8_t*>(&seven), 2);
    EXPECT_EQ(p.u32(front::CT_STATE), 8u) << "the zone template reads as new";
    EXPECT_FALSE(p.ct.get(front::CT_MARK, -1, scratch, 4)) << "other keys refuse a template";
    EXPECT_FALSE(p.ct.get(front::CT_ZONE, -1, scratch, 2));
    p.ct.set(front::CT_ZONE, -1, reinterpret_cast<const uint8_t*>(&nine), 2);
    p.ct.untrack();
    EXPECT_EQ(p.u32(front::CT_STATE), 8u) << "notrack sees a ct and does nothing";
    p.track();
    EXPECT_EQ(p.ct.result().info, ctinfo::new_);
    EXPECT_EQ(h.info(p.ct.result()).zone, 7) << "the first zone set wins";
    p.accept();

    // A zone set after notrack attaches the template in place of the untracked mark.
    pass q(h, udp(C, S, 41802, 6104, 1));
    q.ct.untrack();
    EXPECT_EQ(q.u32(front::CT_STATE), 64u);
    q.ct.set(front::CT_ZONE, -1, reinterpret_cast<const uint8_t*>(&nine), 2);
    EXPECT_EQ(q.u32(front::CT_STATE), 8u);
    q.track();
    EXPECT_EQ(q.ct.result().info, ctinfo::new_);
    EXPECT_EQ(h.info(q.ct.result()).zone, 9);
}

}  // namespace
}  // namespace nfqwall::testing

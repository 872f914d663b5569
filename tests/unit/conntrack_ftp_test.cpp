// Expectations, `ct helper set` and the FTP helper (../shared/docs/conntrack.md §4.1-4.3,
// §8.9): FTP control sessions replayed through the tracker, the helper running on accepted
// packets before confirmation as the eval path does.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "conntrack/commands.hpp"
#include "conntrack/expect.hpp"
#include "conntrack/helper_ftp.hpp"
#include "allocation_counter.hpp"
#include "conntrack_harness.hpp"
#include "front/proto.hpp"

namespace nfqwall::testing {
namespace {

constexpr std::string_view C = "10.201.1.2", S = "10.201.2.2";
constexpr std::string_view C6 = "fd00:201:1::2", S6 = "fd00:201:2::2";

// The TCP checksum over the payload text written into a packet_builder packet.
void fix_tcp_checksum(std::vector<uint8_t>& b, int version) {
    const size_t l4 = version == 4 ? 20 : 40;
    const size_t alen = version == 4 ? 4 : 16;
    const size_t src = version == 4 ? 12 : 8;
    b[l4 + 16] = b[l4 + 17] = 0;
    const size_t len = b.size() - l4;
    uint32_t sum = packet::checksum_add_bytes({b.data() + src, alen});
    sum = packet::checksum_add_bytes({b.data() + src + alen, alen}, sum);
    const std::array<uint8_t, 4> tail{0, 6, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    sum = packet::checksum_add_bytes(tail, sum);
    sum = packet::checksum_add_bytes({b.data() + l4, len}, sum);
    put16(b, l4 + 16, packet::checksum_fold(sum));
}

vm::ct_object helper_object(uint8_t l3 = 1) {
    vm::ct_object o;
    o.type = front::obj_type::ct_helper;
    std::memcpy(o.helper.data(), "ftp", 3);
    o.l4proto = 6;
    o.l3proto = l3;
    return o;
}

struct ftp_harness : ct_harness {
    explicit ftp_harness(uint32_t max_expectations = 0, uint32_t records = 0) : x(t, max_expectations, records) {}
    expect_table x;

    // One packet with `text` as its TCP payload through the hook, the rules (`ct helper set`
    // and `ct mark set` when asked), the helper and confirmation. Returns what the rules saw
    // and whether the packet survived the helper.
    struct sent {
        ct_result r;
        bool kept;
    };
    static std::vector<uint8_t> build_text(packet_spec spec, std::string_view text) {
        spec.payload = static_cast<uint16_t>(text.size());
        std::vector<uint8_t> bytes = build_packet(spec);
        std::memcpy(bytes.data() + bytes.size() - text.size(), text.data(), text.size());
        fix_tcp_checksum(bytes, spec.ip_version);
        return bytes;
    }
    sent run_bytes(std::span<const uint8_t> bytes, bool set_helper = false, uint32_t mark = 0) {
        packet::parse_options o;
        o.first = packet::first_header::ip;
        const packet::packet_view v = packet::parse(bytes, o);
        packet_ct ct(t, now, &x);
        ct.attach(t.in(v, ct.context(hook)));
        if (set_helper) ct.apply_object(helper_object());
        if (mark != 0) ct.set(front::CT_MARK, -1, reinterpret_cast<const uint8_t*>(&mark), 4);
        sent s{ct.result(), true};
        if (ct.result().entry.valid() && !x.help(v, ct.result(), now)) {
            t.discard(ct.result());
            s.kept = false;
        } else {
            t.confirm(ct.result(), now);
            s.r = ct.result();
        }
        return s;
    }
    sent send_text(const packet_spec& spec, std::string_view text, bool set_helper = false, uint32_t mark = 0) {
        const std::vector<uint8_t> bytes = build_text(spec, text);
        return run_bytes(bytes, set_helper, mark);
    }
    ct_result send_pkt(const packet_spec& spec) { return send_text(spec, "").r; }

    std::vector<std::string> expectations() {
        std::vector<std::string> lines;
        x.for_each(now, [&](const expectation_info& i) {
            lines.push_back(format_expectation(i));
            return true;
        });
        return lines;
    }

    // `ct helper` as a rule reads it on the packet's entry: the name, or "" when the get fails.
    std::string ct_helper(const ct_result& r) {
        packet_ct ct(t, now, &x);
        ct.attach(r);
        char name[16] = {};
        return ct.get(front::CT_HELPER, -1, reinterpret_cast<uint8_t*>(name), 16) ? std::string(name) : "";
    }
};

packet_spec v6(packet_spec s) {
    s.ip_version = 6;
    return s;
}

// Client c:cport and server s:21: handshake with the helper (and mark 42) on the SYN, the
// server's greeting and the client's first line, which the helper only uses to learn where
// the next lines start. Sequence numbers: client 1000.., server 5000...
struct session {
    ftp_harness& h;
    std::string_view c, s;
    uint16_t cport;
    int version;
    uint32_t cseq = 1001, sseq = 5001;
    ct_result master;

    session(ftp_harness& harness, std::string_view client, std::string_view server, uint16_t port, int v = 4)
        : h(harness), c(client), s(server), cport(port), version(v) {
        master = h.send_text(spec(true, SYN, 1000, 0), "", true, 42).r;
        h.send_pkt(spec(false, SYN | ACK, 5000, 1001));
        h.send_pkt(spec(true, ACK, 1001, 5001));
        this->server("220 ready\r\n");
        this->client("USER anonymous\r\n");
        this->server("331 ok\r\n");
    }
    packet_spec spec(bool from_client, uint8_t flags, uint32_t seq, uint32_t ack) const {
        packet_spec p = from_client ? tcp(c, s, cport, 21, flags, seq, ack) : tcp(s, c, 21, cport, flags, seq, ack);
        p.ip_version = version;
        return p;
    }
    ftp_harness::sent client(std::string_view text) {
        auto r = h.send_text(spec(true, PSH | ACK, cseq, sseq), text);
        if (r.kept) cseq += static_cast<uint32_t>(text.size());
        return r;
    }
    ftp_harness::sent server(std::string_view text) {
        auto r = h.send_text(spec(false, PSH | ACK, sseq, cseq), text);
        if (r.kept) sseq += static_cast<uint32_t>(text.size());
        return r;
    }
};

TEST(conntrack_ftp, PassiveIpv4DataConnectionIsRelatedWithTheMastersMark) {  // §8.9
    ftp_harness h;
    session f(h, C, S, 40200);
    EXPECT_EQ(h.ct_helper(f.master), "") << "the control connection has no master: ct helper fails";
    f.client("PASV\r\n");
    EXPECT_TRUE(f.server("227 Entering Passive Mode (10,201,2,2,195,101)\r\n").kept);
    f.client("");  // acknowledges it (unacknowledged data would keep the master at 300 s)
    h.advance_ms(500);
    EXPECT_EQ(h.expectations(), std::vector<std::string>{
        "299 proto=6 src=10.201.1.2 dst=10.201.2.2 sport=0 dport=50021 mask-src=255.255.255.255 "
        "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.201.1.2 master-dst=10.201.2.2 sport=40200 "
        "dport=21 class=0 helper=ftp"});
    const ct_result child = h.send_pkt(tcp(C, S, 40201, 50021, SYN, 7000, 0));
    EXPECT_EQ(child.info, ctinfo::related);
    EXPECT_EQ(h.ct_helper(child), "ftp") << "ct helper reads the master's helper on a child";
    EXPECT_EQ(h.info(child).mark, 42u);
    EXPECT_TRUE(h.info(child).status & ips_expected);
    EXPECT_EQ(h.x.count(), 0u) << "consumed";
    h.send_pkt(tcp(S, C, 50021, 40201, SYN | ACK, 9000, 7001));
    EXPECT_EQ(h.send_pkt(tcp(C, S, 40201, 50021, ACK, 7001, 9001)).info, ctinfo::established);
    h.advance_ms(500);
    const auto lines = h.list();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "tcp      6 431999 ESTABLISHED src=10.201.1.2 dst=10.201.2.2 sport=40200 dport=21 "
                        "src=10.201.2.2 dst=10.201.1.2 sport=21 dport=40200 [ASSURED] mark=42 helper=ftp use=2");
    EXPECT_EQ(lines[1], "tcp      6 431999 ESTABLISHED src=10.201.1.2 dst=10.201.2.2 sport=40201 dport=50021 "
                        "src=10.201.2.2 dst=10.201.1.2 sport=50021 dport=40201 [ASSURED] mark=42 use=1");
    const expect_statistics st = h.x.stats();
    EXPECT_EQ(st.expect_new, 1u);
    EXPECT_EQ(st.expect_create, 1u);
    EXPECT_EQ(st.expect_delete, 1u);
    // The child holds the master: deleting it gives the reference back.
    EXPECT_TRUE(h.t.remove(child.entry));
    EXPECT_EQ(h.list()[0].substr(h.list()[0].size() - 16), "helper=ftp use=1");
}

TEST(conntrack_ftp, ActivePortIpv4ExpectsTheServerFromAnyPort) {
    ftp_harness h;
    session f(h, C, S, 40210);
    EXPECT_TRUE(f.client("PORT 10,201,1,2,195,200\r\n").kept);
    const auto lines = h.expectations();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].substr(0, 62), "300 proto=6 src=10.201.2.2 dst=10.201.1.2 sport=0 dport=50120 ");
    const ct_result child = h.send_pkt(tcp(S, C, 20, 50120, SYN, 7000, 0));
    EXPECT_EQ(child.info, ctinfo::related);
    EXPECT_EQ(h.info(child).mark, 42u);
    // A second data connection (PORT again) while the first lives: the master's use= is 3.
    f.server("200 ok\r\n");
    f.client("port 10,201,1,2,195,201\r\n");  // case-insensitive
    EXPECT_EQ(h.send_pkt(tcp(S, C, 20, 50121, SYN, 7100, 0)).info, ctinfo::related);
    entry_info m = h.info(f.master);
    EXPECT_EQ(m.use, 3u);
    EXPECT_STREQ(m.helper, "ftp");
}

TEST(conntrack_ftp, EprtAndEpsvOverIpv6) {
    ftp_harness h;
    session f(h, C6, S6, 40220, 6);
    EXPECT_TRUE(f.client("EPRT |2|fd00:201:1::2|50130|\r\n").kept);
    ASSERT_EQ(h.x.count(), 1u);
    EXPECT_EQ(h.send_pkt(v6(tcp(S6, C6, 20, 50130, SYN, 7000, 0))).info, ctinfo::related);
    f.server("200 EPRT ok\r\n");
    f.client("EPSV\r\n");
    EXPECT_TRUE(f.server("229 Entering Extended Passive Mode (|||50131|)\r\n").kept);
    const auto lines = h.expectations();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0], "300 proto=6 src=fd00:201:1::2 dst=fd00:201:2::2 sport=0 dport=50131 "
                        "mask-src=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff mask-dst=ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                        "sport=0 dport=65535 master-src=fd00:201:1::2 master-dst=fd00:201:2::2 sport=40220 dport=21 "
                        "class=0 helper=ftp");
    const ct_result child = h.send_pkt(v6(tcp(C6, S6, 40221, 50131, SYN, 8000, 0)));
    EXPECT_EQ(child.info, ctinfo::related);
    EXPECT_EQ(h.info(child).mark, 42u);
    EXPECT_EQ(h.info(f.master).use, 3u);
}

TEST(conntrack_ftp, EprtIpv4AndPasvOverIpv6) {
    ftp_harness h;
    session f(h, C, S, 40230);
    EXPECT_TRUE(f.client("EPRT |1|10.201.1.2|50140|\r\n").kept);
    EXPECT_EQ(h.send_pkt(tcp(S, C, 20, 50140, SYN, 7000, 0)).info, ctinfo::related);
    f.server("200 ok\r\n");
    // The protocol digit must be the connection's: |2| on IPv4 is malformed, so dropped.
    EXPECT_FALSE(f.client("EPRT |2|::1|50141|\r\n").kept);
    EXPECT_EQ(h.x.count(), 0u);

    ftp_harness h6;
    session g(h6, C6, S6, 40231, 6);
    g.client("PASV\r\n");
    // 227 carries an IPv4 address, never the IPv6 sender's: not recorded, still accepted.
    EXPECT_TRUE(g.server("227 Entering Passive Mode (10,201,2,2,195,102)\r\n").kept);
    EXPECT_EQ(h6.x.count(), 0u);
}

TEST(conntrack_ftp, TheFirstDataInEachDirectionIsNeverParsed) {  // §4.3, §8.9
    ftp_harness h;
    const ct_result m = h.send_text(tcp(C, S, 40240, 21, SYN, 1000, 0), "", true).r;
    h.send_pkt(tcp(S, C, 21, 40240, SYN | ACK, 5000, 1001));
    h.send_pkt(tcp(C, S, 40240, 21, ACK, 1001, 5001));
    EXPECT_TRUE(h.send_text(tcp(C, S, 40240, 21, PSH | ACK, 1001, 5001), "PORT 10,201,1,2,195,210\r\n").kept);
    EXPECT_EQ(h.x.count(), 0u);
    EXPECT_EQ(h.send_pkt(tcp(S, C, 20, 50130, SYN, 7000, 0)).info, ctinfo::new_);
    // The next line is parsed: its start was remembered.
    EXPECT_TRUE(h.send_text(tcp(C, S, 40240, 21, PSH | ACK, 1026, 5001), "PORT 10,201,1,2,195,211\r\n").kept);
    EXPECT_EQ(h.x.count(), 1u);
    EXPECT_STREQ(h.info(m).helper, "ftp");
}

TEST(conntrack_ftp, ACommandAfterAnUnfinishedLineIsIgnored) {
    ftp_harness h;
    session f(h, C, S, 40250);
    EXPECT_TRUE(f.client("NOOP").kept);  // no newline: the next segment does not start a line
    EXPECT_TRUE(f.client("PORT 10,201,1,2,195,220\r\n").kept);
    EXPECT_EQ(h.x.count(), 0u);
    EXPECT_EQ(h.send_pkt(tcp(S, C, 20, 50140 + 80, SYN, 7000, 0)).info, ctinfo::new_);
    // That segment ended a line, so the one after it is parsed again.
    EXPECT_TRUE(f.client("PORT 10,201,1,2,195,221\r\n").kept);
    EXPECT_EQ(h.x.count(), 1u);
}

TEST(conntrack_ftp, ACommandSplitOverTwoSegmentsIsDroppedUntilSentWhole) {
    ftp_harness h;
    session f(h, C, S, 40260);
    const uint32_t at = f.cseq;
    // The first half matches the command but is cut short: the helper drops it, and does not
    // move the line start, so the retransmission of the whole line is parsed.
    EXPECT_FALSE(f.client("PORT 10,201,1,").kept);
    EXPECT_FALSE(f.client("PO").kept) << "shorter than the word: still a partial match";
    EXPECT_EQ(h.x.count(), 0u);
    EXPECT_EQ(f.cseq, at);
    // The second half alone is not at a line start: not parsed, passes.
    EXPECT_TRUE(h.send_text(f.spec(true, PSH | ACK, at + 14, f.sseq), "2,195,230\r\n").kept);
    EXPECT_EQ(h.x.count(), 0u);
    EXPECT_TRUE(f.client("PORT 10,201,1,2,195,230\r\n").kept);
    EXPECT_EQ(h.x.count(), 1u);
    EXPECT_EQ(h.send_pkt(tcp(S, C, 20, 50150, SYN, 7000, 0)).info, ctinfo::related);
}

TEST(conntrack_ftp, AnotherAddressIsNotExpected) {
    ftp_harness h;
    session f(h, C, S, 40270);
    EXPECT_TRUE(f.client("PORT 10,9,9,9,195,240\r\n").kept);
    EXPECT_EQ(h.x.count(), 0u);
}

TEST(conntrack_ftp, ListAndFlushExpectCommands) {
    ftp_harness h;
    session f(h, C, S, 40275);
    f.client("PASV\r\n");
    f.server("227 Entering Passive Mode (10,201,2,2,195,252)\r\n");
    const std::string list[] = {"-L", "expect"};
    command_result r = run_command(h.t, list, h.now, {}, &h.x);
    EXPECT_EQ(r.out, "300 proto=6 src=10.201.1.2 dst=10.201.2.2 sport=0 dport=50172 mask-src=255.255.255.255 "
                     "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.201.1.2 master-dst=10.201.2.2 "
                     "sport=40275 dport=21 class=0 helper=ftp\n");
    EXPECT_EQ(r.err, "conntrack v1.4.7 (conntrack-tools): 1 expectations have been shown.\n");
    EXPECT_EQ(run_command(h.t, list, h.now).exit, 1) << "no table given";
    const std::string flush[] = {"flush", "expect"};
    r = run_command(h.t, flush, h.now, {}, &h.x);
    EXPECT_EQ(r.err, "conntrack v1.4.7 (conntrack-tools): expectation table has been emptied.\n");
    EXPECT_EQ(h.x.count(), 0u);
    const std::string bad[] = {"delete", "expect"};
    EXPECT_EQ(run_command(h.t, bad, h.now, {}, &h.x).exit, 2);
}

TEST(conntrack_ftp, ExpectationsExpire) {
    ftp_harness h;
    session f(h, C, S, 40280);
    f.client("PASV\r\n");
    f.server("227 Entering Passive Mode (10,201,2,2,195,250)\r\n");
    ASSERT_EQ(h.x.count(), 1u);
    h.advance_ms(300'001);
    EXPECT_EQ(h.send_pkt(tcp(C, S, 40281, 50170, SYN, 7000, 0)).info, ctinfo::new_);
    EXPECT_EQ(h.expectations(), std::vector<std::string>{});
    EXPECT_EQ(h.x.count(), 0u);
    EXPECT_EQ(h.x.stats().expect_delete, 1u);
    EXPECT_EQ(h.x.stats().expect_new, 0u);
}

TEST(conntrack_ftp, TheMastersDeathTakesItsExpectations) {
    ftp_harness h;
    session f(h, C, S, 40290);
    f.client("PASV\r\n");
    f.server("227 Entering Passive Mode (10,201,2,2,195,251)\r\n");
    ASSERT_EQ(h.x.count(), 1u);
    EXPECT_TRUE(h.t.remove(f.master.entry));
    EXPECT_EQ(h.x.count(), 0u);
    EXPECT_EQ(h.send_pkt(tcp(C, S, 40291, 50171, SYN, 7000, 0)).info, ctinfo::new_);
}

TEST(conntrack_ftp, OneExpectationPerMasterTheNewestWins) {  // FTP's max_expected is 1
    ftp_harness h;
    session f(h, C, S, 40300);
    f.client("PASV\r\n");
    f.server("227 Entering Passive Mode (10,201,2,2,196,1)\r\n");
    f.client("PASV\r\n");
    f.server("227 Entering Passive Mode (10,201,2,2,196,2)\r\n");
    EXPECT_EQ(h.x.count(), 1u);
    EXPECT_EQ(h.send_pkt(tcp(C, S, 40301, 196 * 256 + 1, SYN, 7000, 0)).info, ctinfo::new_) << "evicted";
    EXPECT_EQ(h.send_pkt(tcp(C, S, 40302, 196 * 256 + 2, SYN, 7000, 0)).info, ctinfo::related);
}

TEST(conntrack_ftp, TheGlobalLimitDropsTheCommand) {
    ftp_harness h(1);  // nf_conntrack_expect_max = 1
    EXPECT_EQ(h.x.max(), 1u);
    session a(h, C, S, 40310);
    session b(h, C, S, 40311);
    a.client("PASV\r\n");
    EXPECT_TRUE(a.server("227 Entering Passive Mode (10,201,2,2,196,10)\r\n").kept);
    b.client("PASV\r\n");
    EXPECT_FALSE(b.server("227 Entering Passive Mode (10,201,2,2,196,11)\r\n").kept) << "table full: dropped";
    EXPECT_EQ(h.x.count(), 1u);
}

TEST(conntrack_ftp, HelperOnlyWhileUnconfirmedAndOfItsFamily) {
    ftp_harness h;
    const ct_result m = h.send_pkt(tcp(C, S, 40320, 21, SYN, 1000, 0));
    packet_ct ct(h.t, h.now, &h.x);
    ct.attach(m);  // a later packet's view: the entry is confirmed
    EXPECT_EQ(h.x.assign_helper(m, helper_object()), false);
    EXPECT_EQ(h.info(m).helper, nullptr);

    // An `ip6` helper object does not attach to IPv4 connections; an `ip` one does.
    ftp_harness g;
    std::vector<uint8_t> bytes = build_packet(tcp(C, S, 40321, 21, SYN, 1000, 0));
    packet::parse_options o;
    o.first = packet::first_header::ip;
    const packet::packet_view v = packet::parse(std::span<const uint8_t>(bytes), o);
    packet_ct p(g.t, g.now, &g.x);
    p.attach(g.t.in(v, p.context(hook_point::prerouting)));
    p.apply_object(helper_object(l3_ipv6));
    EXPECT_EQ(g.x.helper_of(p.result().entry), helper_id::none);
    p.apply_object(helper_object(l3_ipv4));
    EXPECT_EQ(g.x.helper_of(p.result().entry), helper_id::ftp);
    uint32_t status = 0;
    ASSERT_TRUE(p.get(front::CT_STATUS, -1, reinterpret_cast<uint8_t*>(&status), 4));
    EXPECT_TRUE(status & ips_helper);
    g.t.discard(p.result());
}

TEST(conntrack_ftp, CtExpectationObject) {  // `ct expectation e { protocol tcp; dport 5000; timeout 1m; size 1; }`
    ftp_harness h;
    vm::ct_object e;
    e.type = front::obj_type::ct_expect;
    e.l4proto = 6;
    e.l3proto = 1;
    e.dport = 5000;
    e.timeout_ms = 60'000;
    e.size = 1;
    std::vector<uint8_t> bytes = build_packet(tcp(C, S, 40330, 8888, SYN, 1000, 0));
    packet::parse_options o;
    o.first = packet::first_header::ip;
    const packet::packet_view v = packet::parse(std::span<const uint8_t>(bytes), o);
    packet_ct p(h.t, h.now, &h.x);
    p.attach(h.t.in(v, p.context(hook_point::prerouting)));
    EXPECT_EQ(p.apply_object(e), vm::ct_object_result::next);
    EXPECT_EQ(p.apply_object(e), vm::ct_object_result::stop) << "size 1: the second breaks the rule";
    const ct_result master = p.result();
    h.t.confirm(p.result(), h.now);
    const auto lines = h.expectations();
    ASSERT_EQ(lines.size(), 1u);
    // 60000 s: the kernel reads nft's milliseconds as seconds.
    EXPECT_EQ(lines[0].substr(0, 63), "60000 proto=6 src=10.201.2.2 dst=10.201.1.2 sport=0 dport=5000 ");
    EXPECT_EQ(lines[0].substr(lines[0].size() - 7), "class=0") << "no helper";
    // The reply direction's tuple: the server connects back to the client's port 5000.
    const ct_result child = h.send_pkt(tcp(S, C, 40999, 5000, SYN, 7000, 0));
    EXPECT_EQ(child.info, ctinfo::related);
    EXPECT_EQ(h.info(master).use, 2u);
    EXPECT_EQ(h.info(master).helper, nullptr);
}

TEST(conntrack_ftp, HelperRecordsAreBoundedAndGivenBack) {
    ftp_harness h(0, 2);  // two entries may have a helper or a master
    const ct_result a = h.send_text(tcp(C, S, 40410, 21, SYN, 1000, 0), "", true).r;
    const ct_result b = h.send_text(tcp(C, S, 40411, 21, SYN, 1000, 0), "", true).r;
    const ct_result c = h.send_text(tcp(C, S, 40412, 21, SYN, 1000, 0), "", true).r;
    EXPECT_EQ(h.x.helper_of(a.entry), helper_id::ftp);
    EXPECT_EQ(h.x.helper_of(b.entry), helper_id::ftp);
    EXPECT_EQ(h.x.helper_of(c.entry), helper_id::none) << "no record left: no helper";
    EXPECT_EQ(h.x.records_in_use(), 2u);
    EXPECT_TRUE(h.t.remove(a.entry));
    EXPECT_EQ(h.x.records_in_use(), 1u) << "given back with the entry";
    const ct_result d = h.send_text(tcp(C, S, 40413, 21, SYN, 1000, 0), "", true).r;
    EXPECT_EQ(h.x.helper_of(d.entry), helper_id::ftp);
    // A dropped first packet gives its record back too.
    EXPECT_TRUE(h.t.remove(d.entry));
    std::vector<uint8_t> bytes = build_packet(tcp(C, S, 40414, 21, SYN, 1000, 0));
    packet::parse_options o;
    o.first = packet::first_header::ip;
    const packet::packet_view v = packet::parse(std::span<const uint8_t>(bytes), o);
    packet_ct p(h.t, h.now, &h.x);
    p.attach(h.t.in(v, p.context(hook_point::prerouting)));
    p.apply_object(helper_object());
    EXPECT_EQ(h.x.records_in_use(), 2u);
    h.t.discard(p.result());
    EXPECT_EQ(h.x.records_in_use(), 1u);
}

TEST(conntrack_ftp, ThePacketPathAllocatesNothing) {
    ftp_harness h;
    session f(h, C, S, 40400);
    f.client("PASV\r\n");
    const auto reply = ftp_harness::build_text(f.spec(false, PSH | ACK, f.sseq, f.cseq),
                                               "227 Entering Passive Mode (10,201,2,2,196,20)\r\n");
    const auto syn = ftp_harness::build_text(tcp(C, S, 40401, 196 * 256 + 20, SYN, 7000, 0), "");
    allocation_scope scope;
    const bool kept = h.run_bytes(reply).kept;
    const ctinfo child = h.run_bytes(syn).r.info;
    const size_t allocations = scope.count();
    EXPECT_TRUE(kept);
    EXPECT_EQ(child, ctinfo::related);
    EXPECT_EQ(allocations, 0u);
}

TEST(conntrack_ftp, ParserCornerCases) {
    tuple orig, reply;
    orig.l3 = reply.l3 = l3_ipv4;
    orig.l4 = reply.l4 = proto_tcp;
    orig.ends.src = reply.ends.dst = {10, 201, 1, 2};
    orig.ends.dst = reply.ends.src = {10, 201, 2, 2};
    auto parse = [&](direction d, std::string_view text, expectation* out = nullptr) {
        expect_table::ftp_state st{};
        st.seq_aft_nl[static_cast<int>(d)][0] = 100;
        st.seq_aft_nl_num[static_cast<int>(d)] = 1;
        expectation e;
        const auto r = ftp_parse({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, 100, d, orig, reply, st, e);
        if (out) *out = e;
        return r;
    };
    EXPECT_EQ(parse(direction::original, "PORT 10,201,1,2,195,200\r\n"), ftp_outcome::expect);
    EXPECT_EQ(parse(direction::original, "PORT 10,201,1,2,195,200\n"), ftp_outcome::drop) << "the terminator is \\r";
    EXPECT_EQ(parse(direction::original, "PORT 10,201,1,2,195\r\n"), ftp_outcome::drop) << "five numbers";
    EXPECT_EQ(parse(direction::original, "PORTS\r\n"), ftp_outcome::drop) << "no space to skip to";
    EXPECT_EQ(parse(direction::original, "LIST\r\n"), ftp_outcome::accept);
    EXPECT_EQ(parse(direction::reply, "PORT 10,201,1,2,195,200\r\n"), ftp_outcome::accept) << "a client command";
    expectation e;
    EXPECT_EQ(parse(direction::reply, "227 =10,201,2,2,195,101 \r\n", &e), ftp_outcome::expect) << "no parentheses";
    EXPECT_EQ(e.t.ends.dst_id, 50021);
    EXPECT_EQ(parse(direction::reply, "227 Entering Passive Mode (10,201,2,2,195,101"), ftp_outcome::drop)
        << "the sixth number must be ended";
    EXPECT_EQ(parse(direction::reply, "229 Entering (|||0|)\r\n"), ftp_outcome::drop) << "port 0";
    EXPECT_EQ(parse(direction::reply, "229 Entering (!!!5000!)\r\n", &e), ftp_outcome::expect);
    EXPECT_EQ(e.t.ends.dst_id, 5000);
    EXPECT_EQ(e.t.ends.src, orig.ends.src) << "EPSV: from the client";
    EXPECT_EQ(e.mask.src_id, 0) << "any source port";
    EXPECT_EQ(parse(direction::reply, "229 Entering (1115000|)\r\n"), ftp_outcome::drop) << "digits are no delimiter";
    EXPECT_EQ(parse(direction::original, "EPRT |1|10.201.1.2|50000|\r\n", &e), ftp_outcome::expect);
    EXPECT_EQ(e.t.ends.src, orig.ends.dst) << "PORT/EPRT: from the server";
}

}  // namespace
}  // namespace nfqwall::testing

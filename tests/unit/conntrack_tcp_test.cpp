// TCP tracking replayed packet by packet against what ../shared/docs/conntrack.md §2 and §8
// observed on Linux 6.18.
#include "conntrack_harness.hpp"

namespace nfqwall::testing {
namespace {

constexpr const char* C = "10.201.1.2";
constexpr const char* S = "10.201.2.2";

// One connection between C and S; c/s build segments from each side with tracked sequence
// numbers (next_c/next_s are the next byte each side sends).
struct conn {
    ct_harness& h;
    uint16_t cport = 40001, sport = 8080;
    uint32_t next_c = 1000, next_s = 5000;
    std::vector<uint8_t> syn_options{2, 4, 5, 0xb4, 4, 2, 3, 3, 7};  // MSS, SACK permitted, wscale 7

    packet_spec from_client(uint8_t flags, uint16_t payload = 0) {
        packet_spec p = tcp(C, S, cport, sport, flags, next_c, (flags & ACK) ? next_s : 0, payload);
        if (flags & SYN) p.tcp_options = syn_options;
        next_c += payload + ((flags & (SYN | FIN)) ? 1 : 0);
        return p;
    }
    packet_spec from_server(uint8_t flags, uint16_t payload = 0) {
        packet_spec p = tcp(S, C, sport, cport, flags, next_s, (flags & ACK) ? next_c : 0, payload);
        if (flags & SYN) p.tcp_options = syn_options;
        next_s += payload + ((flags & (SYN | FIN)) ? 1 : 0);
        return p;
    }
    // SYN, SYN-ACK, ACK; returns the third ACK's result.
    ct_result handshake() {
        EXPECT_EQ(h.send(from_client(SYN)).info, ctinfo::new_);
        EXPECT_EQ(h.send(from_server(SYN | ACK)).info, ctinfo::established_reply);
        return h.send(from_client(ACK));
    }
};

int64_t timeout_s(ct_harness& h, const ct_result& r) { return h.info(r).timeout_ms / 1000; }

TEST(conntrack_tcp, ConnectAndOrderlyCloseFollowsTheObservedEvents) {  // §8.1
    ct_harness h;
    conn c{h};
    ct_result r = h.send(c.from_client(SYN));
    EXPECT_EQ(r.info, ctinfo::new_);
    entry_info i = h.info(r);
    EXPECT_EQ(i.tcp, tcp_state::syn_sent);
    EXPECT_EQ(i.timeout_ms, 120000);
    EXPECT_FALSE(i.status & ips_seen_reply);
    EXPECT_TRUE(i.status & ips_confirmed);

    r = h.send(c.from_server(SYN | ACK));
    EXPECT_EQ(r.info, ctinfo::established_reply) << "fact 1: the SYN-ACK is established, not new";
    i = h.info(r);
    EXPECT_EQ(i.tcp, tcp_state::syn_recv);
    EXPECT_EQ(i.timeout_ms, 60000);
    EXPECT_TRUE(i.status & ips_seen_reply);
    EXPECT_FALSE(i.status & ips_assured);

    r = h.send(c.from_client(ACK));
    EXPECT_EQ(r.info, ctinfo::established);
    i = h.info(r);
    EXPECT_EQ(i.tcp, tcp_state::established);
    EXPECT_EQ(i.timeout_ms, 432000000);
    EXPECT_TRUE(i.status & ips_assured) << "ASSURED on the third ACK";

    h.advance_ms(500);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "tcp      6 431999 ESTABLISHED src=10.201.1.2 dst=10.201.2.2 sport=40001 dport=8080 src=10.201.2.2 "
        "dst=10.201.1.2 sport=8080 dport=40001 [ASSURED] mark=0 use=1"});

    // Data both ways, acknowledged.
    EXPECT_EQ(h.send(c.from_client(ACK | PSH, 100)).info, ctinfo::established);
    EXPECT_EQ(h.send(c.from_server(ACK | PSH, 200)).info, ctinfo::established_reply);
    EXPECT_EQ(h.send(c.from_client(ACK)).info, ctinfo::established);
    EXPECT_EQ(timeout_s(h, r), 432000);

    r = h.send(c.from_client(FIN | ACK));
    EXPECT_EQ(r.info, ctinfo::established);
    EXPECT_EQ(h.info(r).tcp, tcp_state::fin_wait);
    EXPECT_EQ(timeout_s(h, r), 120);
    r = h.send(c.from_server(ACK));
    EXPECT_EQ(h.info(r).tcp, tcp_state::close_wait);
    h.advance_ms(300);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "tcp      6 59 CLOSE_WAIT src=10.201.1.2 dst=10.201.2.2 sport=40001 dport=8080 src=10.201.2.2 "
        "dst=10.201.1.2 sport=8080 dport=40001 [ASSURED] mark=0 use=1"});
    r = h.send(c.from_server(FIN | ACK));
    EXPECT_EQ(h.info(r).tcp, tcp_state::last_ack);
    EXPECT_EQ(timeout_s(h, r), 30);
    r = h.send(c.from_client(ACK));
    EXPECT_EQ(h.info(r).tcp, tcp_state::time_wait);
    h.advance_ms(300);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "tcp      6 119 TIME_WAIT src=10.201.1.2 dst=10.201.2.2 sport=40001 dport=8080 src=10.201.2.2 "
        "dst=10.201.1.2 sport=8080 dport=40001 [ASSURED] mark=0 use=1"});

    // The same client port again while in TIME_WAIT: the old entry goes, a new one starts.
    const entry_ref old = r.entry;
    c.next_c += 100000;
    r = h.send(c.from_client(SYN));
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.info(r).tcp, tcp_state::syn_sent);
    entry_info gone;
    EXPECT_FALSE(h.t.info(old, h.now, gone) && gone.tcp == tcp_state::time_wait);
    EXPECT_EQ(h.t.count(), 1u);
    const statistics s = h.t.stats();
    EXPECT_EQ(s.invalid, 0u);
    EXPECT_EQ(s.found, 0u) << "fact 9: found counts NAT clashes only";
    EXPECT_EQ(s.insert, 0u) << "fact 9: insert counts ctnetlink insertions only";
}

TEST(conntrack_tcp, OnlyTheSynIsNewAndTheSynAckIsEstablishedReply) {  // §1.2, fact 1
    ct_harness h;
    conn c{h};
    int fresh = 0, orig = 0, reply = 0;
    auto count = [&](const ct_result& r) {
        if (r.info == ctinfo::new_) ++fresh;
        else if (r.info == ctinfo::established) ++orig;
        else if (r.info == ctinfo::established_reply) ++reply;
        else ADD_FAILURE() << name(r.info);
    };
    count(h.send(c.from_client(SYN)));
    count(h.send(c.from_server(SYN | ACK)));
    count(h.send(c.from_client(ACK)));
    count(h.send(c.from_client(ACK | PSH, 10)));
    count(h.send(c.from_server(ACK | PSH, 10)));
    count(h.send(c.from_client(FIN | ACK)));
    count(h.send(c.from_server(FIN | ACK)));
    count(h.send(c.from_client(ACK)));
    EXPECT_EQ(fresh, 1);
    EXPECT_EQ(orig, 4);
    EXPECT_EQ(reply, 3);
}

TEST(conntrack_tcp, ServerClosingFirstGoesThroughTheSameStates) {
    ct_harness h;
    conn c{h};
    ct_result r = c.handshake();
    r = h.send(c.from_server(FIN | ACK));
    EXPECT_EQ(h.info(r).tcp, tcp_state::fin_wait);
    r = h.send(c.from_client(ACK));
    EXPECT_EQ(h.info(r).tcp, tcp_state::close_wait);
    r = h.send(c.from_client(FIN | ACK));
    EXPECT_EQ(h.info(r).tcp, tcp_state::last_ack);
    r = h.send(c.from_server(ACK));
    EXPECT_EQ(h.info(r).tcp, tcp_state::time_wait);
}

TEST(conntrack_tcp, InvalidFlagCombinationsAndFirstPackets) {  // §2.1, §2.5, §8.5
    for (uint8_t flags : {uint8_t(SYN | FIN), uint8_t(FIN), uint8_t(0), uint8_t(SYN | ACK | URG), uint8_t(SYN | RST),
                          uint8_t(RST | URG), uint8_t(RST | ACK | URG), uint8_t(RST), uint8_t(SYN | ACK),
                          uint8_t(FIN | ACK)}) {
        ct_harness h;
        const ct_result r = h.send(tcp(C, S, 41000, 80, flags, 1, (flags & ACK) ? 7 : 0));
        EXPECT_EQ(r.info, ctinfo::invalid) << "flags " << int(flags);
        EXPECT_EQ(h.t.count(), 0u) << "no entry for a first packet with flags " << int(flags);
        EXPECT_EQ(h.t.stats().invalid, 1u);
    }
    for (uint8_t flags : {uint8_t(SYN | ECE), uint8_t(SYN | PSH | URG), uint8_t(SYN | URG)}) {
        ct_harness h;
        const ct_result r = h.send(tcp(C, S, 41000, 80, flags, 1, 0));
        EXPECT_EQ(r.info, ctinfo::new_) << "flags " << int(flags);
        EXPECT_EQ(h.info(r).tcp, tcp_state::syn_sent);
    }
}

TEST(conntrack_tcp, MidStreamPickupFromABareAck) {  // §2.4 tcp_loose, fact 5
    config cfg = ct_harness::default_config();
    cfg.acct = true;
    ct_harness h(cfg);
    ct_result r = h.send(tcp(C, S, 41001, 80, ACK, 7000, 9000));
    EXPECT_EQ(r.info, ctinfo::new_);
    entry_info i = h.info(r);
    EXPECT_EQ(i.tcp, tcp_state::established);
    EXPECT_FALSE(i.status & ips_seen_reply);
    EXPECT_EQ(i.timeout_ms, 300000) << "held at the unacknowledged timeout until a reply";
    h.advance_ms(1000);
    r = h.send(tcp(C, S, 41001, 80, ACK | PSH, 7000, 9000, 50));
    EXPECT_EQ(r.info, ctinfo::new_) << "still new: no reply yet";
    i = h.info(r);
    EXPECT_EQ(i.timeout_ms / 1000, 300);
    EXPECT_EQ(i.packets[0], 2u);
    h.advance_ms(500);
    EXPECT_EQ(h.list()[0].substr(0, 30), "tcp      6 299 ESTABLISHED src");
    EXPECT_NE(h.list()[0].find("[UNREPLIED]"), std::string::npos);

    // Window checks are off for picked-up flows: an ACK far ahead is still accepted.
    r = h.send(tcp(S, C, 80, 41001, ACK, 9000, 7050));
    EXPECT_EQ(r.info, ctinfo::established_reply);
    r = h.send(tcp(C, S, 41001, 80, ACK, 7050, 9000));
    i = h.info(r);
    EXPECT_TRUE(i.status & ips_assured) << "assured on the first packet after the first reply";
    // The server's first ACK was accepted liberally, without moving the windows, so the
    // client's 50 bytes still count as unacknowledged until the next one.
    EXPECT_EQ(i.timeout_ms, 300000);
    r = h.send(tcp(S, C, 80, 41001, ACK, 9000, 7050));
    EXPECT_EQ(h.info(r).timeout_ms, 432000000);

    config strict = ct_harness::default_config();
    strict.tcp_loose = false;
    ct_harness h2(strict);
    EXPECT_EQ(h2.send(tcp(C, S, 41001, 80, ACK, 7000, 9000)).info, ctinfo::invalid);
    EXPECT_EQ(h2.t.count(), 0u);
}

TEST(conntrack_tcp, PickedUpFlowAnsweredByRstIsDeleted) {  // §2.3 rule 5
    ct_harness h;
    ct_result r = h.send(tcp(C, S, 41002, 80, ACK, 7000, 9000));
    ASSERT_EQ(r.info, ctinfo::new_);
    r = h.send(tcp(S, C, 80, 41002, RST, 9000, 0));
    EXPECT_EQ(r.info, ctinfo::established_reply) << "the RST still carries the entry";
    EXPECT_EQ(h.t.count(), 0u);
    EXPECT_TRUE(h.list().empty());
}

TEST(conntrack_tcp, RstAnsweringTheFirstSynLeavesNoEntry) {
    ct_harness h;
    conn c{h};
    h.send(c.from_client(SYN));
    const ct_result r = h.send(tcp(S, C, 8080, 40001, RST | ACK, 0, c.next_c));
    EXPECT_EQ(r.info, ctinfo::established_reply);
    EXPECT_EQ(h.t.count(), 0u);
}

TEST(conntrack_tcp, SynRetransmitNeitherRefreshesNorCounts) {  // §2.5, §8.5
    config cfg = ct_harness::default_config();
    cfg.acct = true;
    ct_harness h(cfg);
    conn c{h};
    ct_result r = h.send(c.from_client(SYN));
    h.advance_ms(3000);
    c.next_c = 1000;
    r = h.send(c.from_client(SYN));
    EXPECT_EQ(r.info, ctinfo::new_);
    const entry_info i = h.info(r);
    EXPECT_EQ(i.timeout_ms / 1000, 117);
    EXPECT_EQ(i.packets[0], 1u);
    h.advance_ms(100);
    EXPECT_EQ(h.list()[0].substr(0, 29), "tcp      6 116 SYN_SENT src=1");
}

TEST(conntrack_tcp, SimultaneousOpen) {  // §2.3 rule 4, §8.10
    config cfg = ct_harness::default_config();
    cfg.acct = true;
    cfg.timestamp = true;
    ct_harness h(cfg);
    h.now = 1000'100'000'000ull;
    ct_result r = h.send(tcp(C, S, 41060, 8099, SYN, 100, 0));
    h.advance_ms(1500);
    r = h.send(tcp(S, C, 8099, 41060, SYN, 500, 0));
    EXPECT_EQ(r.info, ctinfo::established_reply);
    entry_info i = h.info(r);
    EXPECT_EQ(i.tcp, tcp_state::syn_sent2);
    EXPECT_TRUE(i.status & ips_seen_reply);
    EXPECT_EQ(i.packets[1], 0u) << "the reply SYN is not counted";
    h.advance_ms(500);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "tcp      6 118 SYN_SENT2 src=10.201.1.2 dst=10.201.2.2 sport=41060 dport=8099 packets=1 bytes=40 "
        "src=10.201.2.2 dst=10.201.1.2 sport=8099 dport=41060 packets=0 bytes=0 mark=0 delta-time=2 use=1"});
    // SYN-ACK from the client, then the server's ACK (a reply ACK in SYN_RECV) completes it.
    r = h.send(tcp(C, S, 41060, 8099, SYN | ACK, 100, 501));
    EXPECT_EQ(h.info(r).tcp, tcp_state::syn_recv);
    r = h.send(tcp(S, C, 8099, 41060, ACK, 501, 101));
    EXPECT_EQ(h.info(r).tcp, tcp_state::established);
}

// §8.5: a handshake with wscale 7 + SACK, then crafted segments on the ESTABLISHED entry.
struct conntrack_tcp_validity : ::testing::Test {
    ct_harness h;
    conn c{h};
    ct_result est;
    void SetUp() override {
        est = c.handshake();
        h.send(c.from_client(ACK | PSH, 100));
        h.send(c.from_server(ACK));
        h.advance_ms(10000);  // so that a refresh is visible
    }
    int64_t left() { return h.info(est).timeout_ms / 1000; }
    tcp_state state() { return h.info(est).tcp; }
    ct_result client(uint8_t flags, int64_t seq_delta, int64_t ack_delta = 0, uint16_t payload = 0) {
        return h.send(tcp(C, S, c.cport, c.sport, flags, static_cast<uint32_t>(c.next_c + seq_delta),
                          (flags & ACK) ? static_cast<uint32_t>(c.next_s + ack_delta) : 0, payload));
    }
};

TEST_F(conntrack_tcp_validity, InWindowDataRefreshes) {
    EXPECT_EQ(left(), 431990);
    EXPECT_EQ(client(ACK | PSH, 0, 0, 10).info, ctinfo::established);
    EXPECT_EQ(left(), 300) << "unacknowledged data caps the timeout";
    h.send(c.from_server(ACK));  // acks 100 bytes only: the 10 are still outstanding
    h.send(tcp(S, C, c.sport, c.cport, ACK, c.next_s, c.next_c + 10));
    EXPECT_EQ(left(), 432000);
}

TEST_F(conntrack_tcp_validity, SeqFarAboveTheWindowIsInvalid) {
    EXPECT_EQ(client(ACK | PSH, 1'000'000'000, 0, 10).info, ctinfo::invalid);
    EXPECT_EQ(h.t.stats().invalid, 1u);
    EXPECT_EQ(left(), 431990);
}

TEST_F(conntrack_tcp_validity, AckOfUnsentDataIsInvalid) {
    EXPECT_EQ(client(ACK | PSH, 0, 100000, 10).info, ctinfo::invalid);
    EXPECT_EQ(left(), 431990);
}

TEST_F(conntrack_tcp_validity, OldDataIsIgnoredNotInvalid) {  // fact 3
    EXPECT_EQ(client(ACK | PSH, -10'000'000, 0, 10).info, ctinfo::established);
    EXPECT_EQ(left(), 431990) << "ignored packets do not refresh";
    EXPECT_EQ(h.t.stats().invalid, 0u);
}

TEST_F(conntrack_tcp_validity, AckUnderTheLowerBoundIsIgnored) {
    EXPECT_EQ(client(ACK, 0, -10'000'000).info, ctinfo::established);
    EXPECT_EQ(left(), 431990);
}

TEST_F(conntrack_tcp_validity, SynFinIsInvalid) {
    EXPECT_EQ(client(SYN | FIN, 0).info, ctinfo::invalid);
    EXPECT_EQ(state(), tcp_state::established);
}

TEST_F(conntrack_tcp_validity, NewSynFromTheClientIsIgnored) {
    EXPECT_EQ(client(SYN, 12345).info, ctinfo::established);
    EXPECT_EQ(state(), tcp_state::established);
    EXPECT_EQ(left(), 431990);
}

TEST_F(conntrack_tcp_validity, SynAckFromTheClientIsInvalid) {
    EXPECT_EQ(client(SYN | ACK, 0).info, ctinfo::invalid);
    EXPECT_EQ(state(), tcp_state::established);
}

TEST_F(conntrack_tcp_validity, InexactRstInWindowKeepsEstablishedWithTheCloseTimeout) {  // fact 4, lab K1
    // nf_conntrack_tcp_packet gives every RST timeouts[CLOSE], whatever state it leaves.
    EXPECT_EQ(client(RST, 100).info, ctinfo::established);
    EXPECT_EQ(state(), tcp_state::established);
    EXPECT_EQ(left(), 10);
    // The server's challenge ACK renews it (the 300 s the reference's §8.5 saw).
    EXPECT_EQ(h.send(tcp(S, C, c.sport, c.cport, ACK, c.next_s, c.next_c)).info, ctinfo::established_reply);
    EXPECT_EQ(state(), tcp_state::established);
    EXPECT_EQ(left(), 300);
}

TEST_F(conntrack_tcp_validity, RstFarOutsideIsInvalid) {
    EXPECT_EQ(client(RST, 3'000'000'000ll).info, ctinfo::invalid);
    EXPECT_EQ(state(), tcp_state::established);
}

TEST_F(conntrack_tcp_validity, ExactRstClosesAndANewSynStartsAFreshEntry) {
    EXPECT_EQ(client(RST, 0).info, ctinfo::established);
    EXPECT_EQ(state(), tcp_state::close);
    EXPECT_EQ(left(), 10);
    const ct_result r = client(SYN, 5000);
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.info(r).tcp, tcp_state::syn_sent);
    EXPECT_EQ(h.t.count(), 1u);
}

TEST_F(conntrack_tcp_validity, FinFromTheClientThenServerAck) {
    EXPECT_EQ(h.send(c.from_client(FIN | ACK)).info, ctinfo::established);
    EXPECT_EQ(state(), tcp_state::fin_wait);
    h.send(c.from_server(ACK));
    EXPECT_EQ(state(), tcp_state::close_wait);
    EXPECT_EQ(left(), 60);
}

TEST_F(conntrack_tcp_validity, BeLiberalAcceptsWindowFailuresButNotBadRsts) {
    config cfg = ct_harness::default_config();
    cfg.tcp_be_liberal = true;
    ct_harness l(cfg);
    conn lc{l};
    const ct_result e = lc.handshake();
    EXPECT_EQ(l.send(tcp(C, S, lc.cport, lc.sport, ACK | PSH, lc.next_c + 1'000'000'000, lc.next_s, 10)).info,
              ctinfo::established);
    lc.next_c += 10;
    l.send(lc.from_server(ACK));
    // A RST before the peer's highest ACK stays invalid even when liberal.
    EXPECT_EQ(l.send(tcp(C, S, lc.cport, lc.sport, RST, lc.next_c - 50, 0)).info, ctinfo::invalid);
    EXPECT_EQ(l.info(e).tcp, tcp_state::established);
}

TEST_F(conntrack_tcp_validity, RetransmissionsCapTheTimeout) {
    // The same segment four times: at tcp_max_retrans (3) the timeout drops to 300 s.
    const packet_spec again = tcp(C, S, c.cport, c.sport, ACK | PSH, c.next_c, c.next_s, 20);
    h.send(again);
    h.send(tcp(S, C, c.sport, c.cport, ACK, c.next_s, c.next_c + 20));  // acked: not unacknowledged
    for (int k = 0; k < 3; ++k) h.send(tcp(C, S, c.cport, c.sport, ACK, c.next_c + 20, c.next_s));
    EXPECT_EQ(left(), 432000) << "two retransmissions";
    h.send(tcp(C, S, c.cport, c.sport, ACK, c.next_c + 20, c.next_s));
    EXPECT_EQ(left(), 300) << "the third retransmission";
}

TEST(conntrack_tcp, DroppedPacketsStillMoveTheState) {  // §8.6, fact 2
    config cfg = ct_harness::default_config();
    cfg.acct = true;
    cfg.timestamp = true;
    ct_harness h(cfg);
    conn c{h};
    c.cport = 40070;
    c.sport = 8094;
    // A Linux SYN carries 20 bytes of options (60 bytes in all), the later segments 12 (52).
    c.syn_options = {2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    h.send(c.from_client(SYN));
    h.send(c.from_server(SYN | ACK));
    packet_spec third = c.from_client(ACK);
    third.tcp_options = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1};
    // `ct state established reject with tcp reset`: the third ACK is rejected.
    ct_result r = h.send(third, /*accept=*/false);
    EXPECT_EQ(r.info, ctinfo::established);
    ct_result probe;
    probe.entry = r.entry;
    entry_info i;
    ASSERT_TRUE(h.t.info(r.entry, h.now, i));
    EXPECT_EQ(i.tcp, tcp_state::established);
    EXPECT_TRUE(i.status & ips_assured);
    const ct_result rst = h.t.related_to(r);
    EXPECT_EQ(rst.info, ctinfo::related_reply) << "REJECT's RST is related, reply direction";
    h.t.tcp_reset_sent(r, h.now);
    h.advance_ms(200);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "tcp      6 9 CLOSE src=10.201.1.2 dst=10.201.2.2 sport=40070 dport=8094 packets=2 bytes=112 "
        "src=10.201.2.2 dst=10.201.1.2 sport=8094 dport=40070 packets=1 bytes=60 [ASSURED] mark=0 delta-time=0 "
        "use=1"});
}

TEST(conntrack_tcp, DroppedFirstPacketLeavesNothing) {  // §1.3, §8.6
    ct_harness h;
    for (uint16_t port : {8097, 8096}) {
        const ct_result r = h.send(tcp(C, S, 40100, port, SYN, 1, 0), /*accept=*/false);
        EXPECT_EQ(r.info, ctinfo::new_) << "the rules saw a new packet";
    }
    h.send(udp(C, S, 40100, 8095, 1), false);
    EXPECT_EQ(h.t.count(), 0u);
    EXPECT_TRUE(h.list().empty());
    const statistics s = h.t.stats();
    EXPECT_EQ(s.invalid + s.drop + s.insert_failed + s.early_drop, 0u);
}

TEST(conntrack_tcp, ReplyAckAfterTheSynIsIgnoredAndTimeoutsFollowTheConfig) {
    config cfg = ct_harness::default_config();
    cfg.tcp_timeout_syn_sent = 42;
    ct_harness h(cfg);
    ct_result r = h.send(tcp(C, S, 40200, 80, SYN, 10, 0));
    EXPECT_EQ(h.info(r).timeout_ms, 42000);
    r = h.send(tcp(S, C, 80, 40200, ACK, 99, 11));
    EXPECT_EQ(r.info, ctinfo::established_reply);
    EXPECT_EQ(h.info(r).tcp, tcp_state::syn_sent);
}

TEST(conntrack_tcp, BadChecksumIsInvalidOnlyAtPrerouting) {  // §2.1
    ct_harness h;
    packet_spec p = tcp(C, S, 40300, 80, SYN, 10, 0);
    p.bad_checksum = true;
    EXPECT_EQ(h.send(p).info, ctinfo::invalid);
    h.hook = hook_point::output;
    EXPECT_EQ(h.send(p).info, ctinfo::new_) << "locally generated packets are not checked";
    config off = ct_harness::default_config();
    off.checksum = false;
    ct_harness h2(off);
    EXPECT_EQ(h2.send(p).info, ctinfo::new_);
}

TEST(conntrack_tcp, SynAckResynchronisesAfterAnIgnoredSyn) {  // §2.3 rule 2
    ct_harness h;
    conn c{h};
    const ct_result est = c.handshake();
    // The client reconnects with a new ISN through the stale ESTABLISHED entry.
    ct_result r = h.send(tcp(C, S, c.cport, c.sport, SYN, 777777, 0));
    EXPECT_EQ(r.info, ctinfo::established);
    r = h.send(tcp(S, C, c.sport, c.cport, SYN | ACK, 999999, 777778));
    EXPECT_EQ(h.info(est).tcp, tcp_state::syn_recv);
    r = h.send(tcp(C, S, c.cport, c.sport, ACK, 777778, 1000000));
    EXPECT_EQ(h.info(est).tcp, tcp_state::established);
}

}  // namespace
}  // namespace nfqwall::testing

namespace nfqwall::testing {
namespace {

TEST_F(conntrack_tcp_validity, OutOfWindowFinAndRstFromBothSidesCutTheTimeout) {  // §2.4 last bullet
    EXPECT_EQ(client(FIN | ACK, 1'000'000'000).info, ctinfo::invalid);
    EXPECT_EQ(left(), 431990) << "one side alone changes nothing";
    EXPECT_EQ(h.send(tcp(S, C, c.sport, c.cport, RST, c.next_s + 1'000'000'000u, 0)).info, ctinfo::invalid);
    EXPECT_EQ(state(), tcp_state::established);
    EXPECT_EQ(left(), 300);
}

TEST_F(conntrack_tcp_validity, RstTrainAfterDataCloses) {  // §2.3 rule 5
    h.send(c.from_server(ACK | PSH, 19));
    const ct_result r = h.send(tcp(S, C, c.sport, c.cport, RST, c.next_s, 0));
    EXPECT_EQ(r.info, ctinfo::established_reply);
    EXPECT_EQ(state(), tcp_state::close);
    EXPECT_EQ(left(), 10);
}

TEST_F(conntrack_tcp_validity, RstAnsweringAnIgnoredSynCloses) {  // §2.3 rule 5
    EXPECT_EQ(client(SYN, 7777).info, ctinfo::established);
    const uint32_t syn_end = c.next_c + 7777 + 1;
    EXPECT_EQ(h.send(tcp(S, C, c.sport, c.cport, RST | ACK, 0, syn_end)).info, ctinfo::established_reply);
    EXPECT_EQ(state(), tcp_state::close);
}

TEST(conntrack_tcp, ChallengeAckInLastAckDoesNotMoveToTimeWait) {  // §2.3 rule 3
    ct_harness h;
    conn c{h};
    const ct_result e = c.handshake();
    h.send(c.from_client(FIN | ACK));
    h.send(c.from_server(ACK));
    h.send(c.from_server(FIN | ACK));
    ASSERT_EQ(h.info(e).tcp, tcp_state::last_ack);
    // The client (which lost its state) opens again; the server answers with a challenge ACK.
    EXPECT_EQ(h.send(tcp(C, S, c.cport, c.sport, SYN, 90000, 0)).info, ctinfo::established);
    EXPECT_EQ(h.send(tcp(S, C, c.sport, c.cport, ACK, c.next_s, c.next_c)).info, ctinfo::established_reply);
    EXPECT_EQ(h.info(e).tcp, tcp_state::last_ack);
    // The real last ACK then completes the close.
    h.send(c.from_client(ACK));
    EXPECT_EQ(h.info(e).tcp, tcp_state::time_wait);
}

TEST(conntrack_tcp, ReceiveWindowOvershootIsIgnoredAndItsDataMayBeAcked) {  // §2.4 check I
    ct_harness h;
    conn c{h};
    c.syn_options = {2, 4, 5, 0xb4};  // no window scaling: the server allows 64240 bytes
    const ct_result e = c.handshake();
    h.send(c.from_server(ACK));
    h.advance_ms(1000);
    // The segment starts one byte past the window the server allowed (check I fails on its
    // sequence number) and overshoots it by less than a window.
    const uint32_t end = c.next_c + 64241 + 1000;
    EXPECT_EQ(h.send(tcp(C, S, c.cport, c.sport, ACK | PSH, c.next_c + 64241, c.next_s, 1000)).info,
              ctinfo::established)
        << "past the window by less than a window: ignored, not invalid";
    EXPECT_EQ(h.info(e).timeout_ms, 431999000) << "ignored: not refreshed";
    EXPECT_EQ(h.send(tcp(S, C, c.sport, c.cport, ACK, c.next_s, end)).info, ctinfo::established_reply)
        << "the ACK of that data is not over the upper bound";
    EXPECT_EQ(h.t.stats().invalid, 0u);
}

TEST(conntrack_tcp, WindowScalingAppliesOnlyWhenBothSidesOfferIt) {  // §2.4
    // The client offers wscale 7, the server none: windows stay unscaled, so a segment 200000
    // bytes ahead overshoots the server's 64240-byte window by more than a window: invalid.
    ct_harness h;
    conn c{h};
    h.send(c.from_client(SYN));
    packet_spec synack = c.from_server(SYN | ACK);
    synack.tcp_options = {2, 4, 5, 0xb4};
    h.send(synack);
    h.send(c.from_client(ACK));
    h.send(c.from_server(ACK));
    EXPECT_EQ(h.send(tcp(C, S, c.cport, c.sport, ACK, c.next_c + 200000, c.next_s)).info, ctinfo::invalid);
    // Scaled on both sides, the server's window is 64240 << 7 (windows of SYNs are never scaled,
    // so it takes the server's first ACK to open it).
    ct_harness h2;
    conn c2{h2};
    c2.handshake();
    h2.send(c2.from_server(ACK));
    EXPECT_EQ(h2.send(tcp(C, S, c2.cport, c2.sport, ACK, c2.next_c + 200000, c2.next_s)).info,
              ctinfo::established);
}

}  // namespace
}  // namespace nfqwall::testing

namespace nfqwall::testing {
namespace {

TEST(conntrack_tcp, Ipv6HandshakeAndListing) {
    ct_harness h;
    packet_spec syn = tcp("fd00:201:1::2", "fd00:201:2::2", 40500, 443, SYN, 10, 0);
    syn.ip_version = 6;
    packet_spec synack = tcp("fd00:201:2::2", "fd00:201:1::2", 443, 40500, SYN | ACK, 70, 11);
    synack.ip_version = 6;
    packet_spec ack = tcp("fd00:201:1::2", "fd00:201:2::2", 40500, 443, ACK, 11, 71);
    ack.ip_version = 6;
    EXPECT_EQ(h.send(syn).info, ctinfo::new_);
    EXPECT_EQ(h.send(synack).info, ctinfo::established_reply);
    const ct_result r = h.send(ack);
    EXPECT_EQ(r.info, ctinfo::established);
    EXPECT_TRUE(h.info(r).status & ips_assured);
    EXPECT_EQ(h.list(), std::vector<std::string>{
        "tcp      6 432000 ESTABLISHED src=fd00:201:1::2 dst=fd00:201:2::2 sport=40500 dport=443 src=fd00:201:2::2 "
        "dst=fd00:201:1::2 sport=443 dport=40500 [ASSURED] mark=0 use=1"});
    packet_spec bad = ack;
    bad.bad_checksum = true;
    EXPECT_EQ(h.send(bad).info, ctinfo::invalid) << "the IPv6 pseudo-header checksum is verified";
}

TEST(conntrack_tcp, LaterFragmentsAreInvalid) {  // §1.3
    ct_harness h;
    std::vector<uint8_t> bytes = build_packet(tcp(C, S, 40600, 80, SYN, 1, 0));
    bytes[6] = 0x00;
    bytes[7] = 0x10;  // fragment offset 128 bytes
    packet::parse_options o;
    o.first = packet::first_header::ip;
    in_context ctx;
    ctx.now_ns = h.now;
    ct_result r = h.t.in(packet::parse(std::span<const uint8_t>(bytes), o), ctx);
    EXPECT_EQ(r.info, ctinfo::invalid);
    EXPECT_EQ(h.t.stats().invalid, 1u);
    h.t.discard(r);
    EXPECT_EQ(h.t.count(), 0u);
}

}  // namespace
}  // namespace nfqwall::testing

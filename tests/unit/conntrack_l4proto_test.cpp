// Which transport header IPv6 conntrack tracks (get_l4proto with ipv6_skip_exthdr): behind AH
// and other extension headers, and not at all for "no next header"; lab K9 and K10.
#include "conntrack_harness.hpp"

namespace nfqwall::testing {
namespace {

constexpr const char* A6 = "fd00:81:1::2";
constexpr const char* B6 = "fd00:81:2::2";

// Inserts an extension header of type `type` right after the IPv6 header (`body` holds its
// bytes after the next-header byte); the upper-layer checksum does not cover it, so the
// packet stays valid.
std::vector<uint8_t> with_ext(std::vector<uint8_t> p, uint8_t type, std::vector<uint8_t> body) {
    body.insert(body.begin(), p[6]);
    p[6] = type;
    const uint16_t plen = static_cast<uint16_t>(((p[4] << 8) | p[5]) + body.size());
    put16(p, 4, plen);
    p.insert(p.begin() + 40, body.begin(), body.end());
    return p;
}

packet_spec v6(packet_spec s) {
    s.ip_version = 6;
    return s;
}

// An AH header of 16 bytes: payload length 2 ((2 + 2) * 4), SPI and sequence, 4 bytes of ICV.
std::vector<uint8_t> ah_body() { return {2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0}; }
// A destination options header of 8 bytes: length 0, a PadN option filling it.
std::vector<uint8_t> dstopt_body() { return {0, 1, 4, 0, 0, 0, 0}; }

struct bytes_harness : ct_harness {
    ct_result send_bytes(const std::vector<uint8_t>& bytes) {
        packet::parse_options o;
        o.first = packet::first_header::ip;
        const packet::packet_view v = packet::parse(std::span<const uint8_t>(bytes), o);
        in_context ctx;
        ctx.now_ns = now;
        ct_result r = t.in(v, ctx);
        t.confirm(r, now);
        return r;
    }
};

TEST(conntrack_l4proto, UdpBehindAhIsTrackedAsUdp) {  // lab K10
    bytes_harness h;
    const ct_result q = h.send_bytes(with_ext(build_packet(v6(udp(A6, B6, 41902, 53, 20))), 51, ah_body()));
    EXPECT_EQ(q.info, ctinfo::new_);
    const entry_info i = h.info(q);
    EXPECT_EQ(i.timeout_ms, 30000) << "UDP's timeout, not the generic 600 s";
    const ct_result a = h.send_bytes(with_ext(build_packet(v6(udp(B6, A6, 53, 41902, 20))), 51, ah_body()));
    EXPECT_EQ(a.info, ctinfo::established_reply) << "the reply finds the UDP entry by its ports";
    const std::vector<std::string> l = h.list();
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].rfind("udp      17 ", 0), 0u) << l[0];
    EXPECT_NE(l[0].find("sport=41902 dport=53"), std::string::npos) << l[0];
}

TEST(conntrack_l4proto, UdpBehindAhIsCheckedWhereUdpStarts) {
    // The checksum is verified over the UDP datagram after AH: a bad one is invalid.
    bytes_harness h;
    packet_spec bad = v6(udp(A6, B6, 41903, 53, 20));
    bad.bad_checksum = true;
    EXPECT_EQ(h.send_bytes(with_ext(build_packet(bad), 51, ah_body())).info, ctinfo::invalid);
    EXPECT_TRUE(h.list().empty());
}

TEST(conntrack_l4proto, TcpBehindDestinationOptionsAndAhIsTrackedAsTcp) {
    bytes_harness h;
    std::vector<uint8_t> syn = build_packet(v6(tcp(A6, B6, 41904, 80, SYN, 100, 0)));
    syn = with_ext(with_ext(syn, 51, ah_body()), 60, dstopt_body());
    const ct_result r = h.send_bytes(syn);
    EXPECT_EQ(r.info, ctinfo::new_);
    EXPECT_EQ(h.info(r).tcp, tcp_state::syn_sent);
}

TEST(conntrack_l4proto, NoNextHeaderIsNotTracked) {  // lab K9
    bytes_harness h;
    packet_spec none = v6(udp(A6, B6, 0, 0, 0));
    none.protocol = 59;
    none.payload = 7;
    const ct_result r = h.send_bytes(build_packet(none));
    EXPECT_EQ(r.info, ctinfo::invalid);
    EXPECT_TRUE(h.list().empty());
    EXPECT_EQ(h.t.stats().invalid, 1u);
    // Also behind an extension header.
    EXPECT_EQ(h.send_bytes(with_ext(build_packet(none), 60, dstopt_body())).info, ctinfo::invalid);
    EXPECT_TRUE(h.list().empty());
}

TEST(conntrack_l4proto, EspIsAProtocolOfItsOwn) {
    // ipv6_skip_exthdr does not step over ESP (50): it is the tracked protocol (generic).
    bytes_harness h;
    packet_spec esp = v6(udp(A6, B6, 0, 0, 0));
    esp.protocol = 50;
    esp.payload = 24;
    const ct_result r = h.send_bytes(build_packet(esp));
    EXPECT_EQ(r.info, ctinfo::new_);
    const std::vector<std::string> l = h.list();
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(l[0].rfind("unknown  50 600 ", 0), 0u) << l[0];
}

}  // namespace
}  // namespace nfqwall::testing

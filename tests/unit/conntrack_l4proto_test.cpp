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

namespace nfqwall::testing {
namespace {

constexpr const char* C4 = "10.81.1.2";
constexpr const char* S4 = "10.81.2.2";

// A UDP-Lite datagram (IPv4 or IPv6) with `data` bytes after the header, checksum coverage
// `coverage` (0: all), and the checksum computed with `pseudo_proto` in the pseudo-header
// (17: as the kernel's conntrack verifies it, 136: as RFC 3828 says) or left 0.
std::vector<uint8_t> udplite(std::string_view src, std::string_view dst, uint16_t sport, uint16_t dport,
                             uint16_t data, uint16_t coverage, uint8_t pseudo_proto, bool zero_checksum = false) {
    packet_spec s = udp(src, dst, sport, dport, 0);
    s.ip_version = src.find(':') != std::string_view::npos ? 6 : 4;
    s.protocol = 136;
    s.payload = static_cast<uint16_t>(8 + data);
    std::vector<uint8_t> p = build_packet(s);
    const size_t l3 = s.ip_version == 4 ? 20 : 40, len = 8u + data;
    for (size_t k = 0; k < data; ++k) p[l3 + 8 + k] = static_cast<uint8_t>(k * 7 + 1);
    put16(p, l3, sport);
    put16(p, l3 + 2, dport);
    put16(p, l3 + 4, coverage);
    if (zero_checksum) return p;
    const size_t alen = s.ip_version == 4 ? 4 : 16;
    uint32_t sum = packet::checksum_add_bytes({p.data() + (s.ip_version == 4 ? 12 : 8), 2 * alen});
    const uint8_t tail[4] = {0, pseudo_proto, static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len)};
    sum = packet::checksum_add_bytes(tail, sum);
    // A coverage beyond the datagram (which the tracker refuses) checksums what there is.
    sum = packet::checksum_add_bytes({p.data() + l3, coverage == 0 ? len : std::min<size_t>(coverage, len)}, sum);
    const uint16_t c = static_cast<uint16_t>(packet::checksum_fold(sum));
    put16(p, l3 + 6, c == 0 ? 0xffff : c);
    return p;
}

TEST(conntrack_udplite, TrackedLikeUdpWithUdpsTimeouts) {  // lab K7
    for (const auto& [a, b] : {std::pair{C4, S4}, std::pair{A6, B6}}) {
        bytes_harness h;
        const ct_result q = h.send_bytes(udplite(a, b, 40803, 5002, 4, 8, 17));
        EXPECT_EQ(q.info, ctinfo::new_);
        EXPECT_EQ(h.info(q).timeout_ms, 30000);
        EXPECT_EQ(h.list()[0].rfind("udplite  136 30 ", 0), 0u) << h.list()[0];
        const ct_result r = h.send_bytes(udplite(b, a, 5002, 40803, 10, 0, 17));
        EXPECT_EQ(r.info, ctinfo::established_reply);
        // The reply itself still finds SEEN_REPLY unset (nf_conntrack_in sets it after the
        // protocol's handler): 30 s.
        EXPECT_EQ(h.info(r).timeout_ms, 30000);
        EXPECT_FALSE(h.info(r).status & ips_assured);
        // Any packet after it: 120 s and ASSURED at once, without UDP's two-second test.
        h.advance_ms(100);
        const ct_result n = h.send_bytes(udplite(a, b, 40803, 5002, 4, 8, 17));
        EXPECT_EQ(n.info, ctinfo::established);
        EXPECT_EQ(h.info(n).timeout_ms, 120000);
        EXPECT_TRUE(h.info(n).status & ips_assured);
    }
}

TEST(conntrack_udplite, ChecksumsAsTheKernelVerifiesThem) {  // lab K7
    bytes_harness h;
    EXPECT_EQ(h.send_bytes(udplite(C4, S4, 40804, 5002, 3, 8, 136)).info, ctinfo::invalid)
        << "checksummed as RFC 3828 says (136 in the pseudo-header): the kernel verifies with 17";
    EXPECT_EQ(h.send_bytes(udplite(C4, S4, 40805, 5002, 4, 8, 17, true)).info, ctinfo::invalid)
        << "checksum 0: mandatory in UDP-Lite";
    EXPECT_EQ(h.send_bytes(udplite(C4, S4, 40806, 5002, 4, 7, 17)).info, ctinfo::invalid) << "coverage under 8";
    EXPECT_EQ(h.send_bytes(udplite(C4, S4, 40807, 5002, 4, 13, 17)).info, ctinfo::invalid)
        << "coverage beyond the datagram";
    EXPECT_TRUE(h.list().empty());
    // Coverage 8 leaves the data out of the checksum: changing it keeps the datagram valid.
    std::vector<uint8_t> p = udplite(C4, S4, 40808, 5002, 4, 8, 17);
    p.back() ^= 0xff;
    EXPECT_EQ(h.send_bytes(p).info, ctinfo::new_);
    // Full coverage (0) with the data changed: invalid.
    p = udplite(C4, S4, 40809, 5002, 4, 0, 17);
    p.back() ^= 0xff;
    EXPECT_EQ(h.send_bytes(p).info, ctinfo::invalid);
}

}  // namespace
}  // namespace nfqwall::testing

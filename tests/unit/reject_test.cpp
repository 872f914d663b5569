// Whether the kernel answers a rejected packet (packet/reject.hpp): each check of
// nf_send_reset / nf_send_unreach / icmp_send and their IPv6 twins, on packets built field by
// field. The lab (integration/lab, case `reject`) saw the kernel stay silent for RSTs,
// fragments, ICMP errors and bad checksums.
#include <gtest/gtest.h>

#include "packet/reject.hpp"
#include "packet_builder.hpp"

namespace nfqwall {
namespace {

using packet::no_reply_reason;
using packet::reject_reply;
using testing::build_packet;
using testing::packet_spec;

constexpr reject_reply reset = reject_reply::tcp_reset;
constexpr reject_reply unreachable = reject_reply::icmp_unreachable;

no_reply_reason why(const std::vector<uint8_t>& bytes, reject_reply reply, bool link_host = true) {
    auto view = packet::parse(std::span<const uint8_t>(bytes), {.first = packet::first_header::ip, .trim_to_ip_length = true});
    return packet::why_no_reply(view, reply, link_host);
}

packet_spec tcp(uint8_t flags, int version = 4) {
    packet_spec s;
    s.tcp_flags = flags;
    s.payload = 5;
    if (version == 6) {
        s.ip_version = 6;
        s.src = "2001:db8::1";
        s.dst = "2001:db8::2";
    }
    return s;
}

packet_spec with_protocol(packet_spec s, uint8_t protocol) {
    s.protocol = protocol;
    return s;
}

// An IPv6 fragment header inserted after the fixed header; `cut` bytes are taken off the end
// (a first fragment holds only part of the datagram its transport checksum covers).
std::vector<uint8_t> ipv6_fragment(std::vector<uint8_t> b, uint16_t offset_bytes, bool more, size_t cut = 0) {
    const uint8_t next = b[6];
    const uint16_t field = static_cast<uint16_t>(offset_bytes | (more ? 1 : 0));
    const uint8_t header[8] = {next, 0, static_cast<uint8_t>(field >> 8), static_cast<uint8_t>(field), 0, 0, 0, 7};
    b.insert(b.begin() + 40, header, header + 8);
    b.resize(b.size() - cut);
    b[6] = 44;
    testing::put16(b, 4, static_cast<uint16_t>(b.size() - 40));
    return b;
}

// IPv4: the MF flag and offset set, the total length fixed after `cut`.
std::vector<uint8_t> ipv4_fragment(std::vector<uint8_t> b, uint16_t offset_bytes, bool more, size_t cut = 0) {
    b.resize(b.size() - cut);
    testing::put16(b, 2, static_cast<uint16_t>(b.size()));
    testing::put16(b, 6, static_cast<uint16_t>((more ? 0x2000 : 0) | (offset_bytes / 8)));
    return b;
}

TEST(Reject, OrdinaryPacketsAreAnswered) {
    for (int version : {4, 6}) {
        SCOPED_TRACE(version);
        for (uint8_t flags : {0x02, 0x18, 0x10, 0x11}) {
            EXPECT_EQ(why(build_packet(tcp(flags, version)), reset), no_reply_reason::none);
            EXPECT_EQ(why(build_packet(tcp(flags, version)), unreachable), no_reply_reason::none);
        }
        EXPECT_EQ(why(build_packet(with_protocol(tcp(0, version), 17)), unreachable), no_reply_reason::none);
    }
    packet_spec echo;
    echo.protocol = 1;
    EXPECT_EQ(why(build_packet(echo), unreachable), no_reply_reason::none);
    echo = tcp(0, 6);
    echo.protocol = 58;
    echo.icmp_type = 128;
    EXPECT_EQ(why(build_packet(echo), unreachable), no_reply_reason::none);
}

// "No RST for RST"; an ICMP error about a RST is fine.
TEST(Reject, NoResetForAReset) {
    for (int version : {4, 6}) {
        for (uint8_t flags : {0x04, 0x14}) {
            EXPECT_EQ(why(build_packet(tcp(flags, version)), reset), no_reply_reason::rst) << version;
            EXPECT_EQ(why(build_packet(tcp(flags, version)), unreachable), no_reply_reason::none) << version;
        }
    }
}

TEST(Reject, ResetOnlyForTcp) {
    EXPECT_EQ(why(build_packet(with_protocol(tcp(0), 17)), reset), no_reply_reason::not_tcp);
    EXPECT_EQ(why(build_packet(with_protocol(tcp(0, 6), 17)), reset), no_reply_reason::not_tcp);
}

TEST(Reject, BadTransportChecksumsAreNotAnswered) {
    for (int version : {4, 6}) {
        SCOPED_TRACE(version);
        auto bad_tcp = build_packet(tcp(0x02, version));
        bad_tcp[(version == 4 ? 20 : 40) + 16] ^= 0x55;
        EXPECT_EQ(why(bad_tcp, reset), no_reply_reason::bad_checksum);
        EXPECT_EQ(why(bad_tcp, unreachable), no_reply_reason::bad_checksum);
        auto bad_udp = build_packet(with_protocol(tcp(0, version), 17));
        bad_udp[(version == 4 ? 20 : 40) + 6] ^= 0x55;
        EXPECT_EQ(why(bad_udp, unreachable), no_reply_reason::bad_checksum);
        // A zero UDP checksum is "none" (nf_reject_verify_csum), in both families.
        auto zero_udp = bad_udp;
        zero_udp[(version == 4 ? 20 : 40) + 6] = 0;
        zero_udp[(version == 4 ? 20 : 40) + 7] = 0;
        EXPECT_EQ(why(zero_udp, unreachable), no_reply_reason::none);
    }
    // A protocol with its own integrity check is answered whatever its bytes; any other one's
    // payload must sum like a checksummed one (nf_ip_checksum without a pseudo-header).
    packet_spec other = with_protocol(tcp(0), 47);  // GRE
    auto gre = build_packet(other);
    gre[24] = 0x12;
    EXPECT_EQ(why(gre, unreachable), no_reply_reason::none);
    auto unknown = gre;
    unknown[9] = 253;
    EXPECT_EQ(why(unknown, unreachable), no_reply_reason::bad_checksum);
    auto unknown6 = build_packet(with_protocol(tcp(0, 6), 17));
    unknown6[6] = 253;  // IPv6 sums its pseudo-header for every protocol: the UDP sum no longer holds
    EXPECT_EQ(why(unknown6, unreachable), no_reply_reason::bad_checksum);
    unknown.resize(20);  // no payload at all: nothing to disprove
    testing::put16(unknown, 2, 20);
    EXPECT_EQ(why(unknown, unreachable), no_reply_reason::none);
}

// Later fragments are never answered; a first fragment fails its checksum, which covers the
// whole datagram, unless it holds the whole datagram or has no checksum to check.
TEST(Reject, FragmentsAreNotAnswered) {
    const auto udp4 = build_packet(with_protocol([] { auto s = tcp(0); s.payload = 32; return s; }(), 17));
    EXPECT_EQ(why(ipv4_fragment(udp4, 24, true), unreachable), no_reply_reason::later_fragment);
    EXPECT_EQ(why(ipv4_fragment(udp4, 24, false), unreachable), no_reply_reason::later_fragment);
    EXPECT_EQ(why(ipv4_fragment(udp4, 0, true, 16), unreachable), no_reply_reason::fragment_checksum);
    EXPECT_EQ(why(ipv4_fragment(udp4, 0, true, 0), unreachable), no_reply_reason::none);
    auto zero = ipv4_fragment(udp4, 0, true, 16);
    zero[26] = zero[27] = 0;
    EXPECT_EQ(why(zero, unreachable), no_reply_reason::none);
    const auto tcp4 = build_packet([] { auto s = tcp(0x02); s.payload = 32; return s; }());
    EXPECT_EQ(why(ipv4_fragment(tcp4, 0, true, 16), reset), no_reply_reason::fragment_checksum);
    EXPECT_EQ(why(ipv4_fragment(tcp4, 32, true), reset), no_reply_reason::later_fragment);

    const auto udp6 = build_packet(with_protocol([] { auto s = tcp(0, 6); s.payload = 32; return s; }(), 17));
    EXPECT_EQ(why(ipv6_fragment(udp6, 24, true), unreachable), no_reply_reason::later_fragment);
    EXPECT_EQ(why(ipv6_fragment(udp6, 0, true, 16), unreachable), no_reply_reason::fragment_checksum);
    EXPECT_EQ(why(ipv6_fragment(udp6, 0, false), unreachable), no_reply_reason::none);  // atomic fragment
    // No checksum to check in IPv6 either (a 6.18 kernel answers it, as the lab saw).
    auto zero6 = ipv6_fragment(udp6, 0, true, 16);
    zero6[48 + 6] = zero6[48 + 7] = 0;
    EXPECT_EQ(why(zero6, unreachable), no_reply_reason::none);
    const auto tcp6 = build_packet([] { auto s = tcp(0x02, 6); s.payload = 32; return s; }());
    EXPECT_EQ(why(ipv6_fragment(tcp6, 0, true, 16), reset), no_reply_reason::fragment_checksum);
    EXPECT_EQ(why(ipv6_fragment(tcp6, 32, true), reset), no_reply_reason::later_fragment);
}

TEST(Reject, IcmpErrorsAreNotAnsweredWithErrors) {
    packet_spec s;
    s.protocol = 1;
    for (uint8_t type : {3, 4, 5, 11, 12, 19, 42}) {
        s.icmp_type = type;
        EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::icmp_error) << int{type};
    }
    for (uint8_t type : {0, 8, 13, 18}) {
        s.icmp_type = type;
        EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::none) << int{type};
    }
    s = tcp(0, 6);
    s.protocol = 58;
    for (uint8_t type : {1, 2, 3, 4, 127}) {
        s.icmp_type = type;
        EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::icmp_error) << int{type};
    }
    for (uint8_t type : {128, 129, 135}) {
        s.icmp_type = type;
        EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::none) << int{type};
    }
}

TEST(Reject, AddressesAndLinkDestination) {
    packet_spec s = tcp(0x02);
    s.dst = "224.0.0.5";
    EXPECT_EQ(why(build_packet(s), reset), no_reply_reason::not_unicast);
    EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::not_unicast);
    s.dst = "255.255.255.255";
    EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::not_unicast);
    // icmp_send answers only frames addressed to this host; nf_send_reset does not ask.
    EXPECT_EQ(why(build_packet(tcp(0x02)), unreachable, false), no_reply_reason::not_for_host);
    EXPECT_EQ(why(build_packet(tcp(0x02)), reset, false), no_reply_reason::none);

    s = tcp(0x02, 6);
    s.dst = "ff02::1";
    EXPECT_EQ(why(build_packet(s), reset), no_reply_reason::not_unicast);
    EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::not_unicast);
    s = tcp(0x02, 6);
    s.dst = "::ffff:192.0.2.1";  // IPv4-mapped: not unicast to __ipv6_addr_type
    EXPECT_EQ(why(build_packet(s), reset), no_reply_reason::not_unicast);
    s = tcp(0x02, 6);
    s.src = "::";
    EXPECT_EQ(why(build_packet(s), reset), no_reply_reason::not_unicast);
    EXPECT_EQ(why(build_packet(s), unreachable), no_reply_reason::bad_source);
    s.src = "fe80::1";  // link-local is unicast
    EXPECT_EQ(why(build_packet(s), reset), no_reply_reason::none);
    EXPECT_EQ(why(build_packet(tcp(0x02, 6)), unreachable, false), no_reply_reason::not_for_host);
}

TEST(Reject, Ipv6WithoutTransportHeader) {
    auto b = build_packet(with_protocol(tcp(0, 6), 17));
    b[6] = 59;  // no next header
    EXPECT_EQ(why(b, unreachable), no_reply_reason::no_transport);
    EXPECT_EQ(why(b, reset), no_reply_reason::no_transport);
    b.resize(40);
    testing::put16(b, 4, 0);
    b[6] = 17;
    EXPECT_EQ(why(b, unreachable), no_reply_reason::no_transport);  // thoff at the end
}

TEST(Reject, EveryReasonIsDescribed) {
    for (int r = 0; r <= static_cast<int>(no_reply_reason::bad_source); ++r) {
        EXPECT_NE(packet::describe(static_cast<no_reply_reason>(r)), "?") << r;
    }
}

}  // namespace
}  // namespace nfqwall

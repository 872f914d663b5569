// Small packets built field by field for engine tests: IPv4/IPv6 with TCP, UDP, ICMP or
// ICMPv6, optionally behind an Ethernet header, with correct lengths and checksums so that
// tests can check what a rewrite did to them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <arpa/inet.h>

#include "packet/checksum.hpp"

namespace nfqwall::testing {

struct packet_spec {
    int ip_version = 4;
    std::string_view src = "10.0.0.1";
    std::string_view dst = "10.0.0.2";
    uint8_t protocol = 6;  // 6 tcp, 17 udp, 1 icmp, 58 icmpv6
    uint16_t sport = 40000;
    uint16_t dport = 22;
    uint8_t tcp_flags = 0x02;  // SYN
    uint8_t icmp_type = 8;
    uint8_t icmp_code = 0;
    uint8_t ttl = 64;
    uint8_t tos = 0;
    uint16_t payload = 0;      // bytes of zeros after the transport header
    std::vector<uint8_t> tcp_options;  // TCP only: a multiple of 4 bytes, after the fixed header
    bool ethernet = false;
    std::array<uint8_t, 6> src_mac{0x02, 0, 0, 0, 0, 1};
    std::array<uint8_t, 6> dst_mac{0x02, 0, 0, 0, 0, 2};
};

inline void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}

inline std::vector<uint8_t> build_packet(const packet_spec& s) {
    std::vector<uint8_t> out;
    if (s.ethernet) {
        out.insert(out.end(), s.dst_mac.begin(), s.dst_mac.end());
        out.insert(out.end(), s.src_mac.begin(), s.src_mac.end());
        out.push_back(s.ip_version == 4 ? 0x08 : 0x86);
        out.push_back(s.ip_version == 4 ? 0x00 : 0xdd);
    }
    const size_t l3 = out.size();
    const size_t l3_len = s.ip_version == 4 ? 20 : 40;
    size_t l4_len = 8;
    if (s.protocol == 6) l4_len = 20 + s.tcp_options.size();
    const size_t total = l3_len + l4_len + s.payload;
    out.resize(l3 + total, 0);
    std::array<uint8_t, 16> src{}, dst{};
    const int af = s.ip_version == 4 ? AF_INET : AF_INET6;
    inet_pton(af, std::string(s.src).c_str(), src.data());
    inet_pton(af, std::string(s.dst).c_str(), dst.data());
    const size_t alen = s.ip_version == 4 ? 4 : 16;
    if (s.ip_version == 4) {
        out[l3] = 0x45;
        out[l3 + 1] = s.tos;
        put16(out, l3 + 2, static_cast<uint16_t>(total));
        put16(out, l3 + 4, 0x1234);
        put16(out, l3 + 6, 0x4000);  // DF
        out[l3 + 8] = s.ttl;
        out[l3 + 9] = s.protocol;
        std::copy_n(src.begin(), 4, out.begin() + static_cast<long>(l3 + 12));
        std::copy_n(dst.begin(), 4, out.begin() + static_cast<long>(l3 + 16));
        put16(out, l3 + 10, packet::checksum_fold(packet::checksum_add_bytes({out.data() + l3, 20})));
    } else {
        out[l3] = static_cast<uint8_t>(0x60 | (s.tos >> 4));
        out[l3 + 1] = static_cast<uint8_t>(s.tos << 4);
        put16(out, l3 + 4, static_cast<uint16_t>(l4_len + s.payload));
        out[l3 + 6] = s.protocol;
        out[l3 + 7] = s.ttl;
        std::copy_n(src.begin(), 16, out.begin() + static_cast<long>(l3 + 8));
        std::copy_n(dst.begin(), 16, out.begin() + static_cast<long>(l3 + 24));
    }
    const size_t l4 = l3 + l3_len;
    size_t checksum_at = 0;
    bool pseudo = true;
    switch (s.protocol) {
    case 6:
        put16(out, l4, s.sport);
        put16(out, l4 + 2, s.dport);
        put16(out, l4 + 4, 0x0102);
        put16(out, l4 + 6, 0x0304);
        out[l4 + 12] = static_cast<uint8_t>((l4_len / 4) << 4);
        std::copy(s.tcp_options.begin(), s.tcp_options.end(), out.begin() + static_cast<long>(l4 + 20));
        out[l4 + 13] = s.tcp_flags;
        put16(out, l4 + 14, 64240);
        checksum_at = l4 + 16;
        break;
    case 17:
        put16(out, l4, s.sport);
        put16(out, l4 + 2, s.dport);
        put16(out, l4 + 4, static_cast<uint16_t>(l4_len + s.payload));
        checksum_at = l4 + 6;
        break;
    default:  // icmp, icmpv6
        out[l4] = s.icmp_type;
        out[l4 + 1] = s.icmp_code;
        put16(out, l4 + 4, 0x77);
        put16(out, l4 + 6, 1);
        checksum_at = l4 + 2;
        pseudo = s.protocol == 58;
        break;
    }
    uint32_t sum = 0;
    if (pseudo) {
        sum = packet::checksum_add_bytes({src.data(), alen});
        sum = packet::checksum_add_bytes({dst.data(), alen}, sum);
        std::array<uint8_t, 4> tail{0, s.protocol, static_cast<uint8_t>((l4_len + s.payload) >> 8),
                                    static_cast<uint8_t>(l4_len + s.payload)};
        sum = packet::checksum_add_bytes(tail, sum);
    }
    sum = packet::checksum_add_bytes({out.data() + l4, l4_len + s.payload}, sum);
    put16(out, checksum_at, packet::checksum_fold(sum));
    return out;
}

}  // namespace nfqwall::testing

// The packets of packet_samples.inc (built with scapy by packet_samples.py), shared by the
// packet tests and bench/packet_bench.cpp so both use the same fixtures.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "packet/packet.hpp"

namespace nfqwall::testing {

struct packet_sample {
    std::string_view name;
    std::string_view first;   // what the bytes start with: ethernet, ipv4, ipv6, ip, arp
    std::string_view layers;  // "IP@0 TCP@20": where scapy put each layer
    std::string_view hex;
};

inline const packet_sample packet_samples[] = {
#include "packet_samples.inc"
};

inline std::vector<uint8_t> from_hex(std::string_view hex) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(uint8_t(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

inline packet::first_header first_header_of(std::string_view first) {
    if (first == "ipv4") return packet::first_header::ipv4;
    if (first == "ipv6") return packet::first_header::ipv6;
    if (first == "ip") return packet::first_header::ip;
    if (first == "arp") return packet::first_header::arp;
    return packet::first_header::ethernet;
}

// nullptr when there is no sample of that name.
inline const packet_sample* find_packet_sample(std::string_view name) {
    for (const auto& s : packet_samples) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

}  // namespace nfqwall::testing

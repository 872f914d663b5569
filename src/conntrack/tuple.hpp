// The connection tracker's key: one direction of a flow as the kernel's nf_conntrack_tuple
// holds it (addresses, protocols, ports or ICMP id/type/code), plus the zone, which the
// kernel keeps beside the tuple but hashes and compares with it. Tuples are plain 40-byte
// values without padding, so equality is a memcmp and hashing reads five words.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace nfqwall::conntrack {

// NFPROTO_* values, as `ct l3proto` reads them.
inline constexpr uint8_t l3_ipv4 = 2;
inline constexpr uint8_t l3_ipv6 = 10;

inline constexpr uint8_t proto_icmp = 1;
inline constexpr uint8_t proto_tcp = 6;
inline constexpr uint8_t proto_udp = 17;
inline constexpr uint8_t proto_icmpv6 = 58;

// enum ip_conntrack_dir.
enum class direction : uint8_t { original = 0, reply = 1 };
inline constexpr direction opposite(direction d) { return d == direction::original ? direction::reply : direction::original; }

// One direction's addresses and L4 identifiers, without the parts both directions share.
struct endpoints {
    std::array<uint8_t, 16> src{};  // IPv4 in the first 4 bytes, the rest zero
    std::array<uint8_t, 16> dst{};
    // Host order. TCP/UDP: the ports. ICMP/ICMPv6: src_id is the echo id and dst_id holds
    // type << 8 | code, which is where the kernel's tuple keeps them (dst.u.icmp), so that
    // `ct proto-dst` reads the type and code bytes as the kernel's does. Generic: both 0.
    uint16_t src_id = 0;
    uint16_t dst_id = 0;

    bool operator==(const endpoints&) const = default;
};
static_assert(sizeof(endpoints) == 36);

struct tuple {
    endpoints ends{};
    uint8_t l3 = 0;  // l3_ipv4 or l3_ipv6
    uint8_t l4 = 0;  // IP protocol number
    uint16_t zone = 0;

    bool operator==(const tuple& o) const { return std::memcmp(this, &o, sizeof(tuple)) == 0; }
    uint8_t address_length() const { return l3 == l3_ipv4 ? 4 : 16; }
    uint8_t icmp_type() const { return static_cast<uint8_t>(ends.dst_id >> 8); }
    uint8_t icmp_code() const { return static_cast<uint8_t>(ends.dst_id); }
};
static_assert(sizeof(tuple) == 40, "tuples are compared with memcmp and hashed as five words");

// The ICMP/ICMPv6 type that answers `type` (echo 8 -> 0 and back, timestamp, information and
// address mask; ICMPv6 echo 128 <-> 129 and node information 139 <-> 140), or -1 when the
// kernel's invert_tuple refuses it (and so no entry can be made).
int icmp_inverse_type(uint8_t l4, uint8_t type);

// nf_ct_invert_tuple: addresses and ports swapped, the ICMP type answered, the id kept.
// False when the ICMP type has no inverse.
bool invert(const tuple& t, tuple& out);

// A keyed hash of a tuple (zone included). The key is chosen per table, so that a remote
// sender cannot aim many flows at one bucket without knowing it.
struct hash_key {
    std::array<uint64_t, 4> k{};
};
hash_key random_hash_key();

inline uint64_t hash_mix(uint64_t a, uint64_t b) {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// Five words folded with three keyed 64x64->128 multiplications (the wyhash construction):
// fast enough for the packet path and, keyed at random, hard to flood.
inline uint64_t hash_tuple(const tuple& t, const hash_key& key) {
    uint64_t w[5];
    std::memcpy(w, &t, sizeof w);
    const uint64_t a = hash_mix(w[0] ^ key.k[0], w[1] ^ key.k[1]);
    const uint64_t b = hash_mix(w[2] ^ key.k[2], w[3] ^ key.k[3]);
    return hash_mix(a ^ w[4] ^ key.k[1], b ^ key.k[0]);
}

}  // namespace nfqwall::conntrack

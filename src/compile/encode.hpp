// How constants and set keys look in the engine's registers, the way nf_tables lays them out:
// each value in its type's byte order (network order for header fields and addresses, host
// order for meta and ct integers), a concatenation as its parts one after another with each
// part padded to 4 bytes (NFT_REG32 units).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "front/expr.hpp"

namespace nfqwall::compile {

// Bytes a value of `bits` bits occupies in a register.
constexpr uint32_t value_bytes(uint32_t bits) { return (bits + 7) / 8; }
// Bytes it occupies with the 4-byte padding of a concatenation part.
constexpr uint32_t padded_bytes(uint32_t bits) { return (value_bytes(bits) + 3) / 4 * 4; }

// The register bytes of `v` (value_bytes(v.len) of them). Strings are their characters,
// NUL-padded; host-order integers little-endian; everything else big-endian.
void encode_value(const front::value_expr& v, std::span<uint8_t> out);
std::vector<uint8_t> encode_value(const front::value_expr& v);

// The bytes of an integer of `bits` bits in the given order (for values the compiler makes
// itself: masks, shifted constants, range ends).
void encode_integer(front::u128 value, uint32_t bits, front::byte_order order, std::span<uint8_t> out);

// A set key or element: a single value, or a concatenation of values (each part padded to
// 4 bytes). Returns false when `key` is not made of constant values.
//
// Interval sets compare keys as numbers, so their keys are all big-endian (`big_endian`):
// the kernel does the same, converting host-order lookup keys first (nft's byteorder
// conversion before a range lookup).
bool encode_key(const front::expr& key, bool big_endian, std::vector<uint8_t>& out);
// The low and high keys of an element that may hold ranges or prefixes (in any part of a
// concatenation), big-endian. False when a part is not constant.
bool interval_bounds(const front::expr& key, std::vector<uint8_t>& low, std::vector<uint8_t>& high);

}  // namespace nfqwall::compile

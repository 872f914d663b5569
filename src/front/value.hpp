// Constant values: unsigned integers of up to 128 bits. Strings (interface names, helper
// names) are stored as their bytes, first byte most significant, like nft's constants.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nfqwall::front {

using u128 = unsigned __int128;

// All-ones mask of `bits` bits (bits in 0..128).
constexpr u128 mask_bits(uint32_t bits) {
    return bits >= 128 ? ~u128{0} : ((u128{1} << bits) - 1);
}

// Packs up to 16 bytes of a string, first byte most significant.
u128 pack_string(std::string_view s);
// Packs `s` left-aligned into a field of `bytes` bytes (at most 16), padding with NULs:
// the value a string constant of `bytes * 8` bits holds. Longer strings are cut.
u128 pack_string(std::string_view s, uint32_t bytes);
// Unpacks `bytes` bytes (trailing NULs dropped).
std::string unpack_string(u128 v, uint32_t bytes);

std::string u128_to_dec(u128 v);
// Lowercase hex digits without a "0x" prefix, zero-padded to at least `min_digits`.
std::string u128_to_hex(u128 v, unsigned min_digits = 0);
// Parses decimal, 0x-hex or 0-octal like strtoull(…, 0); fails on junk or overflow
// beyond 128 bits.
bool parse_u128(std::string_view text, u128& out);

}  // namespace nfqwall::front

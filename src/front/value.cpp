#include "front/value.hpp"

#include <algorithm>

namespace nfqwall::front {

u128 pack_string(std::string_view s) {
    u128 v = 0;
    for (size_t i = 0; i < s.size() && i < 16; ++i)
        v = (v << 8) | static_cast<unsigned char>(s[i]);
    return v;
}

u128 pack_string(std::string_view s, uint32_t bytes) {
    bytes = std::min<uint32_t>(bytes, 16);
    s = s.substr(0, std::min<size_t>(s.size(), bytes));
    uint32_t pad = bytes - static_cast<uint32_t>(s.size());
    // A shift by 128 is undefined; a zero-byte field holds nothing anyway.
    if (pad >= 16)
        return 0;
    return pack_string(s) << (8 * pad);
}

std::string unpack_string(u128 v, uint32_t bytes) {
    bytes = std::min<uint32_t>(bytes, 16);
    std::string out(bytes, '\0');
    for (uint32_t i = 0; i < bytes; ++i)
        out[bytes - 1 - i] = static_cast<char>(static_cast<unsigned char>(v >> (8 * i)));
    while (!out.empty() && out.back() == '\0')
        out.pop_back();
    return out;
}

std::string u128_to_dec(u128 v) {
    if (v == 0)
        return "0";
    std::string out;
    while (v != 0) {
        out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string u128_to_hex(u128 v, unsigned min_digits) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    while (v != 0) {
        out.push_back(digits[static_cast<unsigned>(v & 0xf)]);
        v >>= 4;
    }
    if (out.empty())
        out.push_back('0');
    while (out.size() < min_digits)
        out.push_back('0');
    std::reverse(out.begin(), out.end());
    return out;
}

bool parse_u128(std::string_view text, u128& out) {
    unsigned base = 10;
    if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    } else if (text.size() >= 2 && text[0] == '0') {
        base = 8;
        text.remove_prefix(1);
    }
    if (text.empty())
        return false;
    u128 v = 0;
    const u128 limit = ~u128{0};
    for (char c : text) {
        unsigned d;
        if (c >= '0' && c <= '9')
            d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = static_cast<unsigned>(c - 'A' + 10);
        else
            return false;
        if (d >= base)
            return false;
        if (v > (limit - d) / base)
            return false;
        v = v * base + d;
    }
    out = v;
    return true;
}

}  // namespace nfqwall::front

#include <gtest/gtest.h>

#include "front/value.hpp"

namespace nfqwall::front {
namespace {

TEST(Value, MaskBits) {
    EXPECT_EQ(mask_bits(0), u128{0});
    EXPECT_EQ(mask_bits(1), u128{1});
    EXPECT_EQ(mask_bits(32), u128{0xffffffffu});
    EXPECT_EQ(mask_bits(128), ~u128{0});
}

TEST(Value, PackStringPutsFirstByteMostSignificant) {
    EXPECT_EQ(pack_string(""), u128{0});
    EXPECT_EQ(pack_string("lo"), u128{0x6c6f});
    EXPECT_EQ(pack_string("eth0"), u128{0x65746830});
    // Only the first 16 bytes fit.
    EXPECT_EQ(pack_string("abcdefghijklmnopq"), pack_string("abcdefghijklmnop"));
    EXPECT_EQ(pack_string("abcdefghijklmnop") >> 120, u128{'a'});
}

TEST(Value, PackStringIntoFieldLeftAligns) {
    EXPECT_EQ(pack_string("lo", 3), u128{0x6c6f00});
    EXPECT_EQ(pack_string("lo", 2), u128{0x6c6f});
    EXPECT_EQ(pack_string("lo", 16), u128{0x6c6f} << 112);
    EXPECT_EQ(pack_string("eth0", 2), u128{0x6574});  // cut to the field
    EXPECT_EQ(pack_string("x", 0), u128{0});
}

TEST(Value, UnpackStringDropsTrailingNuls) {
    EXPECT_EQ(unpack_string(pack_string("eth0", 16), 16), "eth0");
    EXPECT_EQ(unpack_string(pack_string("lo", 3), 3), "lo");
    EXPECT_EQ(unpack_string(0, 4), "");
    EXPECT_EQ(unpack_string(pack_string("abcdefghijklmnop"), 16), "abcdefghijklmnop");
    // Round trip of a string of exactly the field width.
    EXPECT_EQ(unpack_string(pack_string("ab"), 2), "ab");
}

TEST(Value, DecimalAndHex) {
    EXPECT_EQ(u128_to_dec(0), "0");
    EXPECT_EQ(u128_to_dec(18446744073709551615ull), "18446744073709551615");
    EXPECT_EQ(u128_to_dec(~u128{0}), "340282366920938463463374607431768211455");
    EXPECT_EQ(u128_to_hex(0), "0");
    EXPECT_EQ(u128_to_hex(0x32, 8), "00000032");
    EXPECT_EQ(u128_to_hex(0xdeadbeef), "deadbeef");
    EXPECT_EQ(u128_to_hex(0x123456789, 4), "123456789");
    EXPECT_EQ(u128_to_hex(~u128{0}), std::string(32, 'f'));
}

TEST(Value, ParseU128) {
    u128 v = 0;
    EXPECT_TRUE(parse_u128("0", v));
    EXPECT_EQ(v, u128{0});
    EXPECT_TRUE(parse_u128("12345", v));
    EXPECT_EQ(v, u128{12345});
    EXPECT_TRUE(parse_u128("0x1F", v));
    EXPECT_EQ(v, u128{31});
    EXPECT_TRUE(parse_u128("010", v));
    EXPECT_EQ(v, u128{8});
    EXPECT_TRUE(parse_u128("340282366920938463463374607431768211455", v));
    EXPECT_EQ(v, ~u128{0});
    EXPECT_TRUE(parse_u128("0xffffffffffffffffffffffffffffffff", v));
    EXPECT_EQ(v, ~u128{0});

    EXPECT_FALSE(parse_u128("", v));
    EXPECT_FALSE(parse_u128("0x", v));
    EXPECT_FALSE(parse_u128("12a", v));
    EXPECT_FALSE(parse_u128("09", v));
    EXPECT_FALSE(parse_u128("-1", v));
    EXPECT_FALSE(parse_u128(" 1", v));
    EXPECT_FALSE(parse_u128("340282366920938463463374607431768211456", v));
    EXPECT_FALSE(parse_u128("0x100000000000000000000000000000000", v));
}

}  // namespace
}  // namespace nfqwall::front

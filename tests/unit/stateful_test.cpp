// src/vm/stateful: limit, quota, counter and last with the kernel's arithmetic
// (net/netfilter/nft_limit.c, nft_quota.c). Every expected answer below is worked out from
// that arithmetic: a packet limit of `rate`/unit with burst b holds b * (unit_ns / rate)
// nanoseconds of credit and each packet costs unit_ns / rate; a byte limit holds
// unit_ns * (rate + burst) / rate and a packet costs unit_ns * bytes / rate.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "vm/stateful.hpp"

using namespace nfqwall::vm;

namespace {

constexpr uint64_t ms = 1'000'000;
constexpr uint64_t s = 1'000 * ms;

struct packet_at {
    uint64_t now_ns;
    uint32_t bytes;
    bool matches;
};

struct limit_case {
    std::string name;
    limit_config config;
    std::vector<packet_at> packets;
};

const std::vector<limit_case> limit_cases = {
    // 10/second, default burst 5: 5 packets at once, then one per 100 ms of credit.
    {"packets, default burst",
     {.rate = 10, .unit_seconds = 1},
     {{0, 60, true},
      {0, 60, true},
      {0, 60, true},
      {0, 60, true},
      {0, 60, true},
      {0, 60, false},
      {100 * ms - 1, 60, false},
      {100 * ms, 60, true},
      {100 * ms, 60, false},
      {10 * s, 60, true},
      {10 * s, 60, true},
      {10 * s, 60, true},
      {10 * s, 60, true},
      {10 * s, 60, true},
      {10 * s, 60, false}}},
    // Burst 1: the bucket holds one packet; the credit of a refused packet is kept.
    {"packets, burst 1",
     {.rate = 1, .unit_seconds = 1, .burst = 1},
     {{5 * s, 1500, true}, {5 * s + 500 * ms, 1500, false}, {6 * s - 1, 1500, false}, {6 * s, 1500, true}}},
    // A rate that does not divide the unit: each packet costs 333,333,333 ns.
    {"packets, 3/second",
     {.rate = 3, .unit_seconds = 1, .burst = 1},
     {{0, 1, true}, {333'333'332, 1, false}, {333'333'333, 1, true}, {666'666'665, 1, false}, {666'666'666, 1, true}}},
    {"packets, per minute",
     {.rate = 2, .unit_seconds = 60, .burst = 1},
     {{0, 1, true}, {29 * s, 1, false}, {30 * s, 1, true}}},
    // `over` inverts every answer of the same bucket.
    {"packets, over",
     {.rate = 10, .unit_seconds = 1, .over = true},
     {{0, 60, false},
      {0, 60, false},
      {0, 60, false},
      {0, 60, false},
      {0, 60, false},
      {0, 60, true},
      {100 * ms, 60, false},
      {100 * ms, 60, true}}},
    // 1000 bytes/second, no burst: the bucket holds 1000 bytes; a byte costs 1 ms.
    {"bytes",
     {.rate = 1000, .unit_seconds = 1, .bytes = true},
     {{0, 600, true}, {0, 500, false}, {0, 400, true}, {0, 1, false}, {100 * ms, 100, true}, {100 * ms, 1, false}}},
    // burst 500 bytes: the bucket holds (1000 + 500) bytes' worth.
    {"bytes, burst",
     {.rate = 1000, .unit_seconds = 1, .burst = 500, .bytes = true},
     {{0, 1500, true}, {0, 1, false}, {2 * s, 1501, false}, {2 * s, 1500, true}}},
    {"bytes, over",
     {.rate = 1000, .unit_seconds = 1, .bytes = true, .over = true},
     {{0, 1000, false}, {0, 1, true}, {1 * ms, 1, false}}},
    // A packet bigger than the whole bucket never passes.
    {"bytes, packet above the bucket",
     {.rate = 100, .unit_seconds = 1, .bytes = true},
     {{0, 101, false}, {10 * s, 101, false}, {10 * s, 100, true}}},
    // A clock that steps back gives no credit; time resumes from the latest instant seen.
    {"clock going back",
     {.rate = 1, .unit_seconds = 1, .burst = 1},
     {{10 * s, 1, true}, {9 * s, 1, false}, {10 * s + 999 * ms, 1, false}, {11 * s, 1, true}}},
};

TEST(stateful, limit_token_bucket_sequences) {
    for (const limit_case& c : limit_cases) {
        SCOPED_TRACE(c.name);
        ASSERT_TRUE(limit_valid(c.config));
        limit_state state;
        for (size_t i = 0; i < c.packets.size(); ++i) {
            const packet_at& p = c.packets[i];
            EXPECT_EQ(limit_eval(c.config, state, p.bytes, p.now_ns), p.matches)
                << "packet " << i << " at " << p.now_ns;
        }
    }
}

TEST(stateful, limit_starts_full_at_first_use) {
    // However late the first packet comes, the bucket is full then, and not fuller.
    const limit_config config{.rate = 1, .unit_seconds = 1, .burst = 2};
    limit_state state;
    EXPECT_FALSE(state.primed);
    EXPECT_TRUE(limit_eval(config, state, 1, 1000 * s));
    EXPECT_TRUE(state.primed);
    EXPECT_EQ(state.tokens, 1 * s);
    EXPECT_EQ(state.last_ns, 1000 * s);
    EXPECT_TRUE(limit_eval(config, state, 1, 1000 * s));
    EXPECT_FALSE(limit_eval(config, state, 1, 1000 * s));
}

TEST(stateful, limits_the_kernel_refuses) {
    struct invalid {
        std::string name;
        limit_config config;
    };
    const std::vector<invalid> cases = {
        {"zero rate", {.rate = 0}},
        {"unit overflows nanoseconds", {.rate = 1, .unit_seconds = UINT64_MAX / 1000}},
        {"rate plus burst overflows", {.rate = UINT64_MAX, .burst = 1, .bytes = true}},
        {"byte bucket overflows", {.rate = UINT64_MAX / 2, .unit_seconds = 60, .bytes = true}},
    };
    for (const invalid& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_FALSE(limit_valid(c.config));
        limit_state state;
        EXPECT_FALSE(limit_eval(c.config, state, 1, 0));
        limit_config over = c.config;
        over.over = true;
        EXPECT_FALSE(limit_eval(over, state, 1, 0));
    }
    EXPECT_TRUE(limit_valid({.rate = 1, .unit_seconds = 86400 * 7}));
}

struct quota_case {
    std::string name;
    quota_config config;
    uint64_t used;
    std::vector<std::pair<uint32_t, bool>> packets;  // bytes, matches
    uint64_t consumed_after;
};

const std::vector<quota_case> quota_cases = {
    // `until`: the packet that reaches the quota (consumed >= quota) is already out.
    {"until, reached exactly", {1000, false}, 0, {{400, true}, {500, true}, {100, false}, {1, false}}, 1001},
    {"until, crossed", {1000, false}, 0, {{999, true}, {2, false}, {1, false}}, 1002},
    {"over, reached exactly", {1000, true}, 0, {{400, false}, {500, false}, {100, true}, {1, true}}, 1001},
    {"over, crossed", {1000, true}, 0, {{999, false}, {2, true}}, 1001},
    {"used at load", {1000, false}, 900, {{99, true}, {1, false}}, 1000},
    {"zero quota", {0, false}, 0, {{0, false}, {1, false}}, 1},
    {"zero quota, over", {0, true}, 0, {{0, true}}, 0},
};

TEST(stateful, quota_consumes_every_packet) {
    for (const quota_case& c : quota_cases) {
        SCOPED_TRACE(c.name);
        quota_state state{c.used};
        ASSERT_TRUE(quota_valid(c.config, state));
        for (size_t i = 0; i < c.packets.size(); ++i) {
            EXPECT_EQ(quota_eval(c.config, state, c.packets[i].first), c.packets[i].second) << "packet " << i;
        }
        EXPECT_EQ(state.consumed, c.consumed_after);
    }
}

TEST(stateful, quotas_the_kernel_refuses) {
    const auto too_big = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;
    EXPECT_FALSE(quota_valid({too_big, false}, {}));
    EXPECT_TRUE(quota_valid({too_big - 1, false}, {}));
    EXPECT_FALSE(quota_valid({100, false}, {101}));
    EXPECT_TRUE(quota_valid({100, false}, {100}));
}

TEST(stateful, counter_and_last) {
    counter_state counter;
    counter.add(60);
    counter.add(1500);
    EXPECT_EQ(counter.packets, 2u);
    EXPECT_EQ(counter.bytes, 1560u);

    last_state last;
    EXPECT_FALSE(last.used);
    last.touch(42 * s);
    EXPECT_TRUE(last.used);
    EXPECT_EQ(last.used_ns, 42 * s);
}

}  // namespace

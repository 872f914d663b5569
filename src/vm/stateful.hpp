// The state of stateful expressions (counter, limit, quota, last) and what evaluating them
// does, with the kernel's semantics (net/netfilter/nft_counter.c, nft_limit.c, nft_quota.c,
// nft_last.c). Used by rules, named objects and set elements alike. Time is a monotonic clock
// in nanoseconds passed in by the caller, so replays are reproducible.
#pragma once

#include <cstdint>

namespace nfqwall::vm {

struct counter_state {
    uint64_t packets = 0;
    uint64_t bytes = 0;
    void add(uint32_t packet_bytes) {
        ++packets;
        bytes += packet_bytes;
    }
};

// A token bucket (nft_limit): `rate` packets or bytes per `unit_seconds`, `burst` extra.
struct limit_config {
    uint64_t rate = 0;
    uint64_t unit_seconds = 1;
    uint32_t burst = 0;
    bool bytes = false;  // rate counts bytes, not packets
    bool over = false;   // `limit rate over`: matches when the rate is exceeded
};

struct limit_state {
    uint64_t tokens = 0;     // in the kernel's units (nanoseconds of credit)
    uint64_t last_ns = 0;
    bool primed = false;     // set on first use: the bucket starts full
};

// True when the `limit` statement matches this packet (under the rate, or over it with
// `over`), updating the bucket.
bool limit_eval(const limit_config& config, limit_state& state, uint32_t packet_bytes, uint64_t now_ns);

struct quota_config {
    uint64_t bytes = 0;
    bool over = false;  // `quota over`: matches once the quota is used up
};

struct quota_state {
    uint64_t consumed = 0;
};

// True when the `quota` statement matches this packet, consuming its bytes.
bool quota_eval(const quota_config& config, quota_state& state, uint32_t packet_bytes);

struct last_state {
    uint64_t used_ns = 0;
    bool used = false;
};

}  // namespace nfqwall::vm

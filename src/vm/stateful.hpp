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
// A packet limit with burst 0 gets the kernel's default burst of 5 packets.
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

// False when the kernel refuses the limit (nft_limit_init: a zero rate, or a bucket size
// that overflows 64 bits): the compiler reports it; limit_eval never matches such a limit.
bool limit_valid(const limit_config& config);

// True when the `limit` statement matches this packet (under the rate, or over it with
// `over`), updating the bucket. A clock that goes backwards adds no credit.
bool limit_eval(const limit_config& config, limit_state& state, uint32_t packet_bytes, uint64_t now_ns);

struct quota_config {
    uint64_t bytes = 0;
    bool over = false;  // `quota over`: matches once the quota is used up
};

struct quota_state {
    uint64_t consumed = 0;
};

// False when the kernel refuses the quota (more than INT64_MAX bytes, or `used` beyond it).
bool quota_valid(const quota_config& config, const quota_state& initial);

// True when the `quota` statement matches this packet, consuming its bytes. Every packet is
// counted, matching or not; the packet that reaches the quota is already over it.
bool quota_eval(const quota_config& config, quota_state& state, uint32_t packet_bytes);

struct last_state {
    uint64_t used_ns = 0;
    bool used = false;
    void touch(uint64_t now_ns) {
        used_ns = now_ns;
        used = true;
    }
};

}  // namespace nfqwall::vm

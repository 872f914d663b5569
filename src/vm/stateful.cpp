// The kernel's arithmetic, kept exactly (including where its u64 products wrap), so a
// replay decides like nf_tables would with the same packet timestamps.
#include "vm/stateful.hpp"

#include <cstdint>
#include <limits>

namespace nfqwall::vm {

namespace {

constexpr uint64_t ns_per_second = 1'000'000'000;
// nft_limit's default for packet limits (the same as iptables' limit match).
constexpr uint64_t default_packet_burst = 5;

// What nft_limit_init derives from the configuration, in nanoseconds of credit.
struct bucket {
    uint64_t unit_ns = 0;
    uint64_t tokens_max = 0;
    uint64_t packet_cost = 0;  // packet limits: the credit one packet takes
};

bool bucket_of(const limit_config& c, bucket& b) {
    if (c.rate == 0) return false;
    if (__builtin_mul_overflow(c.unit_seconds, ns_per_second, &b.unit_ns)) return false;
    uint64_t burst = c.burst;
    if (!c.bytes && burst == 0) burst = default_packet_burst;
    uint64_t rate_with_burst = 0;
    if (__builtin_add_overflow(c.rate, burst, &rate_with_burst)) return false;
    if (!c.bytes) {
        // A packet bucket holds `burst` packets, not rate + burst.
        b.packet_cost = b.unit_ns / c.rate;
        return !__builtin_mul_overflow(b.packet_cost, burst, &b.tokens_max);
    }
    uint64_t scaled = 0;
    if (__builtin_mul_overflow(b.unit_ns, rate_with_burst, &scaled)) return false;
    b.tokens_max = scaled / c.rate;
    return true;
}

}  // namespace

bool limit_valid(const limit_config& config) {
    bucket b;
    return bucket_of(config, b);
}

bool limit_eval(const limit_config& config, limit_state& state, uint32_t packet_bytes, uint64_t now_ns) {
    bucket b;
    if (!bucket_of(config, b)) return false;
    // nft_limit_bytes_eval's product is a u64 that may wrap for long units; so does this one.
    const uint64_t cost = config.bytes ? b.unit_ns * packet_bytes / config.rate : b.packet_cost;
    if (!state.primed) {
        // The kernel fills the bucket when the rule (or the set element) is created; filling
        // it at first use gives the same first answer without knowing that instant.
        state.tokens = b.tokens_max;
        state.last_ns = now_ns;
        state.primed = true;
    }
    const uint64_t elapsed = now_ns > state.last_ns ? now_ns - state.last_ns : 0;
    uint64_t tokens = 0;
    if (__builtin_add_overflow(state.tokens, elapsed, &tokens) || tokens > b.tokens_max) tokens = b.tokens_max;
    if (now_ns > state.last_ns) state.last_ns = now_ns;
    const auto delta = static_cast<int64_t>(tokens - cost);
    if (delta >= 0) {
        state.tokens = static_cast<uint64_t>(delta);
        return !config.over;
    }
    state.tokens = tokens;
    return config.over;
}

bool quota_valid(const quota_config& config, const quota_state& initial) {
    return config.bytes <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) &&
           initial.consumed <= config.bytes;
}

bool quota_eval(const quota_config& config, quota_state& state, uint32_t packet_bytes) {
    state.consumed += packet_bytes;
    const bool used_up = state.consumed >= config.bytes;
    return used_up == config.over;
}

}  // namespace nfqwall::vm

// The tracker's tunables, named after the kernel's net.netfilter.nf_conntrack_* sysctls and
// with their defaults (timeouts in seconds). parse_config() reads `key = value` lines with the
// sysctl names, which is how the daemon's configuration sets them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nfqwall::conntrack {

struct config {
    uint32_t tcp_timeout_syn_sent = 120;
    uint32_t tcp_timeout_syn_recv = 60;
    uint32_t tcp_timeout_established = 432000;
    uint32_t tcp_timeout_fin_wait = 120;
    uint32_t tcp_timeout_close_wait = 60;
    uint32_t tcp_timeout_last_ack = 30;
    uint32_t tcp_timeout_time_wait = 120;
    uint32_t tcp_timeout_close = 10;
    uint32_t tcp_timeout_max_retrans = 300;
    uint32_t tcp_timeout_unacknowledged = 300;
    uint32_t udp_timeout = 30;
    uint32_t udp_timeout_stream = 120;
    uint32_t icmp_timeout = 30;
    uint32_t icmpv6_timeout = 30;
    uint32_t generic_timeout = 600;
    uint32_t gre_timeout = 30;
    uint32_t gre_timeout_stream = 180;
    bool tcp_loose = true;
    bool tcp_be_liberal = false;
    bool tcp_ignore_invalid_rst = false;
    uint32_t tcp_max_retrans = 3;
    bool checksum = true;
    // Per-direction packet and byte counters, and the confirmation time (delta-time). Like
    // the kernel's acct and tstamp extensions they cost memory only when enabled.
    bool acct = false;
    bool timestamp = false;
    uint32_t max = 262144;      // nf_conntrack_max: entries, confirmed or not
    uint32_t buckets = 262144;  // nf_conntrack_buckets, rounded up to a power of two
    // Not a sysctl: 0 seeds the table's hash (and so `ct id`s and the listing order) at random,
    // as the kernel does at boot; the offline replay fixes it so that its output reproduces.
    uint64_t hash_seed = 0;
};

// Timeouts are kept in milliseconds in 32 bits and compared with wrap-around arithmetic, so
// no timeout may exceed this (about 24 days; the kernel's longest default is 5 days).
inline constexpr uint32_t max_timeout_seconds = 2'000'000;
inline constexpr uint32_t max_entries = (1u << 30);

// Applies `key = value` lines to `cfg`. Keys are sysctl names, with or without the
// `net.netfilter.` and `nf_conntrack_` prefixes; `#` starts a comment. On error returns false,
// leaves `cfg` unchanged and describes the first bad line in `error` ("line 3: ...").
bool parse_config(std::string_view text, config& cfg, std::string* error);

// The lines parse_config reads back to `cfg` (every key, sysctl names).
std::string format_config(const config& cfg);

}  // namespace nfqwall::conntrack

// The tracker's internal entry layout and the interface between the table (tracker.cpp) and
// the protocol trackers (proto_*.cpp). Not a public header.
#pragma once

#include <atomic>
#include <cstdint>

#include "conntrack/tracker.hpp"

namespace nfqwall::conntrack {

// struct ip_ct_tcp and its two ip_ct_tcp_state halves, without padding.
struct tcp_track {
    uint32_t td_end[2];     // highest seq + len sent, per direction
    uint32_t td_maxend[2];  // highest ack + window the other side allowed
    uint32_t td_maxwin[2];  // largest window seen (scaled), plus SACK slack
    uint32_t td_maxack[2];  // highest ack sent
    uint32_t last_seq, last_ack, last_end;  // the last packet (retransmission count, resync)
    uint16_t last_win;
    uint8_t td_scale[2];
    uint8_t flags[2];  // tcp_flag_*
    uint8_t state;     // tcp_state
    uint8_t last_index;
    uint8_t last_dir;
    uint8_t retrans;
    uint8_t last_wscale;
    uint8_t last_flags;
};
static_assert(sizeof(tcp_track) == 56);

// IP_CT_TCP_FLAG_* (per direction) and the last_flags-only bits.
enum : uint8_t {
    tcp_flag_window_scale = 0x01,
    tcp_flag_sack_perm = 0x02,
    tcp_flag_close_init = 0x04,
    tcp_flag_be_liberal = 0x08,
    tcp_flag_data_unacknowledged = 0x10,
    tcp_flag_maxack_set = 0x20,
    tcp_exp_challenge_ack = 0x40,
    tcp_simopen = 0x80,
};

enum class slot_state : uint8_t { free, unconfirmed, confirmed, dying };

// One connection. Both directions' endpoints share the protocols and the zone; each
// direction is a node of the bucket chains (next[dir]), so a slot number and a direction
// bit name a node. 176 bytes; counters and timestamps live apart (acct_ext) when enabled.
struct entry {
    // What a lookup reads comes first, so that a chain walk touches one or two cache lines.
    uint32_t next[2];
    uint32_t expires;     // ms: absolute (now_ms clock) once confirmed, relative before
    uint32_t generation;  // bumped when the slot is freed, so stale handles are refused
    uint8_t l3;
    uint8_t l4;
    uint16_t zone;
    uint16_t status;
    std::atomic<uint8_t> lock;  // guards the fields a packet moves (state, timeout, mark...)
    slot_state slot;
    endpoints ends[2];
    uint32_t mark;
    uint32_t master;
    std::array<uint8_t, 16> labels;
    union {
        tcp_track tcp;
        uint32_t udp_stream_ts;  // ms: a packet after this, with a reply seen, makes a stream
    } proto;
};
static_assert(sizeof(entry) == 176, "keep the per-connection memory within budget (docs/conntrack.md)");

// Fields that lock-free readers (chain walks, GC, prefetch) look at are written atomically,
// always by a holder of the entry's or the chain's lock; on x86 these are plain moves.
inline void add_status(entry& e, uint16_t bits) {
    __atomic_store_n(&e.status, static_cast<uint16_t>(__atomic_load_n(&e.status, __ATOMIC_RELAXED) | bits),
                     __ATOMIC_RELAXED);
}
inline void set_link(uint32_t& link, uint32_t node) { __atomic_store_n(&link, node, __ATOMIC_RELAXED); }
inline void set_expires(entry& e, uint32_t ms) { __atomic_store_n(&e.expires, ms, __ATOMIC_RELAXED); }
inline void set_tcp_state(entry& e, uint8_t s) { __atomic_store_n(&e.proto.tcp.state, s, __ATOMIC_RELAXED); }

struct acct_ext {
    uint64_t packets[2];
    uint64_t bytes[2];
    uint64_t start_ns;
};

inline constexpr uint32_t nil = UINT32_MAX;
inline constexpr uint8_t proto_gre = 47;
inline constexpr uint8_t proto_udplite = 136;

// What one packet tells its protocol tracker, and what the tracker asks back.
struct proto_context {
    const config& cfg;
    const packet::packet_view& pkt;
    hook_point hook;
    direction dir;
    ctinfo info;
    uint32_t now;  // ms
    bool confirmed;
    // Results: refresh = nf_ct_refresh_acct (count the packet, re-arm the timer), kill =
    // nf_ct_kill_acct (count it, then delete the entry).
    bool refresh = false;
    bool kill = false;
    uint32_t timeout_s = 0;
    void refresh_with(uint32_t seconds) {
        refresh = true;
        timeout_s = seconds;
    }
};

enum class proto_verdict : uint8_t { accept, invalid, repeat };

// Called with the entry locked (or private, while unconfirmed). `is_new` is the first packet.
proto_verdict tcp_packet(entry& e, proto_context& c, bool is_new);
proto_verdict udp_packet(entry& e, proto_context& c, bool is_new);
proto_verdict udplite_packet(entry& e, proto_context& c, bool is_new);
proto_verdict icmp_packet(entry& e, proto_context& c, bool is_new);
proto_verdict generic_packet(entry& e, proto_context& c, bool is_new);
proto_verdict gre_packet(entry& e, proto_context& c, bool is_new);

// The protocols whose clash at confirmation may be resolved (allow_clash).
inline bool allows_clash(uint8_t l4) { return l4 != proto_tcp && l4 != proto_icmp && l4 != proto_icmpv6; }
// Closing TCP states that the GC may evict even when ASSURED (tcp_can_early_drop).
bool tcp_can_early_drop(const entry& e);

// The transport protocol and header offset as conntrack sees them (get_l4proto); false when
// the kernel would not track the packet (IPv6: no next header, a truncated chain, a non-first
// fragment). ct_l4_offset is the offset alone, for packets ct_l4 accepted.
bool ct_l4(const packet::packet_view& p, uint8_t& l4, uint32_t& offset);
uint32_t ct_l4_offset(const packet::packet_view& p);
// ipv6_skip_exthdr from `at`, where a header of type `next` starts.
bool ipv6_skip_exthdr(const packet::packet_view& p, uint32_t at, uint8_t next, uint8_t& l4, uint32_t& offset);

// Transport checksum over the pseudo-header (TCP, UDP, ICMPv6) or the ICMP message alone;
// true when it verifies.
bool l4_checksum_ok(const packet::packet_view& pkt, uint8_t l4);

// Timeout of the protocol's first-packet state, for entries without a tracker of their own.
uint32_t tcp_timeout_for(const config& cfg, tcp_state s);

}  // namespace nfqwall::conntrack

namespace nfqwall::conntrack {

// Builds a tuple from an L3 header at l3_offset (IPv4 or IPv6 by `l3`) and an L4 header at
// l4_offset (ports, or ICMP type/code/id); false when the bytes the kernel's pkt_to_tuple
// reads are not all there.
bool build_tuple(const packet::packet_view& p, uint8_t l3, uint32_t l3_offset, uint8_t l4, uint32_t l4_offset,
                 uint16_t zone, tuple& out);

// What the ICMP/ICMPv6 error handlers decide before any lookup.
enum class icmp_class : uint8_t {
    normal,     // not an error: tracked like any packet
    error,      // an error quoting a packet: look up the quoted flow
    untracked,  // ICMPv6 neighbour discovery and MLD
    bad,        // short, bad checksum, unknown type: invalid, counted in `error`
};
icmp_class icmp_classify(const packet::packet_view& p, const config& cfg, hook_point hook);
// The tuple of the packet an ICMP error quotes (inner IP header after the 8-byte ICMP header).
bool icmp_inner_tuple(const packet::packet_view& p, uint16_t zone, tuple& out);

}  // namespace nfqwall::conntrack

// Replays packets through a conntrack::tracker the way the hook path will: in() at the
// conntrack hook, then confirm() when the packet is accepted or discard() when it is dropped,
// on a clock the test advances.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "conntrack/list_format.hpp"
#include "conntrack/packet_ct.hpp"
#include "conntrack/tracker.hpp"
#include "packet_builder.hpp"

namespace nfqwall::testing {

using namespace nfqwall::conntrack;

inline constexpr uint8_t FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10, URG = 0x20, ECE = 0x40;

inline packet_spec tcp(std::string_view src, std::string_view dst, uint16_t sport, uint16_t dport, uint8_t flags,
                       uint32_t seq, uint32_t ack, uint16_t payload = 0) {
    packet_spec s;
    s.src = src;
    s.dst = dst;
    s.sport = sport;
    s.dport = dport;
    s.protocol = 6;
    s.tcp_flags = flags;
    s.seq = seq;
    s.ack_seq = ack;
    s.payload = payload;
    return s;
}

inline packet_spec udp(std::string_view src, std::string_view dst, uint16_t sport, uint16_t dport, uint16_t payload) {
    packet_spec s;
    s.src = src;
    s.dst = dst;
    s.sport = sport;
    s.dport = dport;
    s.protocol = 17;
    s.payload = payload;
    return s;
}

inline packet_spec icmp(std::string_view src, std::string_view dst, uint8_t type, uint8_t code, uint16_t id,
                        uint16_t payload = 0) {
    packet_spec s;
    s.src = src;
    s.dst = dst;
    s.ip_version = src.find(':') != std::string_view::npos ? 6 : 4;
    s.protocol = s.ip_version == 4 ? 1 : 58;
    s.icmp_type = type;
    s.icmp_code = code;
    s.icmp_id = id;
    s.payload = payload;
    return s;
}

// An ICMP error from `src` to `dst` quoting `quoted` (its first 28 bytes, as routers do).
inline packet_spec icmp_error(std::string_view src, std::string_view dst, uint8_t type, uint8_t code,
                              const packet_spec& quoted) {
    packet_spec s = icmp(src, dst, type, code, 0);
    const std::vector<uint8_t> q = build_packet(quoted);
    const size_t keep = std::min<size_t>(q.size(), quoted.ip_version == 4 ? 28 : 48);
    s.icmp_body.assign(q.begin(), q.begin() + static_cast<long>(keep));
    s.icmp_id = 0;
    return s;
}

struct ct_harness {
    explicit ct_harness(config cfg = default_config()) : t(cfg) {}

    static config default_config() {
        config c;
        c.max = 1024;
        c.buckets = 1024;
        return c;
    }

    tracker t;
    uint64_t now = 1000'000'000'000ull;  // 1000 s on the monotonic clock
    hook_point hook = hook_point::prerouting;

    void advance_ms(uint64_t ms) { now += ms * 1'000'000ull; }

    // The packet through the conntrack hook, and accepted (confirm) or dropped (discard).
    ct_result send(const packet_spec& spec, bool accept = true, uint16_t zone = 0) {
        std::vector<uint8_t> bytes = build_packet(spec);
        packet::parse_options o;
        o.first = packet::first_header::ip;
        const packet::packet_view v = packet::parse(std::span<const uint8_t>(bytes), o);
        in_context ctx;
        ctx.now_ns = now;
        ctx.zone = zone;
        ctx.hook = hook;
        ct_result r = t.in(v, ctx);
        const ct_result seen = r;  // what the rules saw; discard() releases r
        if (accept) t.confirm(r, now);
        else t.discard(r);
        return accept ? r : seen;
    }

    entry_info info(const ct_result& r) {
        entry_info i;
        EXPECT_TRUE(t.info(r.entry, now, i)) << "no entry behind the result";
        return i;
    }

    std::vector<std::string> list(const list_options& base = {}) {
        list_options o = base;
        o.now_ns = now;
        std::vector<std::string> lines;
        t.for_each(now, [&](const entry_info& i) {
            lines.push_back(format_entry(i, o));
            return true;
        });
        std::sort(lines.begin(), lines.end());
        return lines;
    }
};

inline const char* name(ctinfo c) {
    switch (c) {
    case ctinfo::established: return "established";
    case ctinfo::related: return "related";
    case ctinfo::new_: return "new";
    case ctinfo::established_reply: return "established reply";
    case ctinfo::related_reply: return "related reply";
    case ctinfo::untracked: return "untracked";
    case ctinfo::invalid: return "invalid";
    }
    return "?";
}

}  // namespace nfqwall::testing

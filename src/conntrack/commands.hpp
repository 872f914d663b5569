// The `ct` subcommands (list, delete, update, stats, count, flush) over a tracker, with the
// conntrack tool's filter options and output. Offline they act on the table a replay left;
// the daemon's control socket will hand them its live tracker.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "conntrack/expect.hpp"
#include "conntrack/list_format.hpp"
#include "conntrack/tracker.hpp"

namespace nfqwall::conntrack {

// conntrack's entry filter: every option given must hold (-p, -s/--orig-src, -d/--orig-dst,
// -r/--reply-src, -q/--reply-dst, --sport/--orig-port-src, --dport/--orig-port-dst,
// --reply-port-src, --reply-port-dst, -m/--mark VALUE[/MASK], -w/--zone, --state, -u/--status,
// -f/--family).
struct filter {
    std::optional<uint8_t> l3;  // l3_ipv4 / l3_ipv6
    std::optional<uint8_t> l4;
    std::optional<std::array<uint8_t, 16>> orig_src, orig_dst, reply_src, reply_dst;
    std::optional<uint16_t> orig_sport, orig_dport, reply_sport, reply_dport;
    std::optional<uint32_t> mark;
    uint32_t mark_mask = 0xffffffff;
    std::optional<uint16_t> zone;
    std::optional<tcp_state> state;
    uint32_t status_all = 0;  // IPS_* bits that must all be set

    bool matches(const entry_info& e) const;
};

// What a command printed and its exit status (conntrack's: 0, or 1 with a message on err).
struct command_result {
    std::string out;
    std::string err;
    int exit = 0;
};

// Runs one command line: `list [-o extended,id,labels] [FILTER]`, `delete FILTER`,
// `update FILTER --mark VALUE`, `stats`, `count`, `flush`, and with an expectation table
// `list expect` and `flush expect`. The conntrack spellings -L, -D, -U, -S, -C, -F work too.
// `now_ns` is the tracker's clock (timeouts are listed from it); `label_name` names label
// bits for `-o labels` (the daemon reads connlabel.conf).
command_result run_command(tracker& t, std::span<const std::string> args, uint64_t now_ns,
                           const std::function<std::string(unsigned bit)>& label_name = {},
                           expect_table* expectations = nullptr);

}  // namespace nfqwall::conntrack

// One entry as `conntrack -L` prints it (conntrack-tools 1.4.7, libnetfilter_conntrack 1.0.9;
// ../shared/docs/conntrack.md §7.1 has the grammar).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "conntrack/tracker.hpp"

namespace nfqwall::conntrack {

struct list_options {
    uint64_t now_ns = 0;    // for delta-time
    bool extended = false;  // -o extended: the L3 name and number first
    bool show_id = false;   // -o id
    bool show_labels = false;  // -o labels: only bits that label_name names are printed
    std::function<std::string(unsigned bit)> label_name;
};

// The line without a trailing newline.
std::string format_entry(const entry_info& e, const list_options& options = {});

// The tracker's counters as one `conntrack -S` line (conntrack prints one per CPU; nfqwall's
// counters are per tracker, shown as cpu=0), trailing space included as the tool leaves it.
std::string format_statistics(const statistics& s, unsigned cpu = 0);

// The L4 name conntrack prints ("tcp", "udp", "icmp", "icmpv6", ... "unknown").
const char* l4_name(uint8_t protocol);

}  // namespace nfqwall::conntrack

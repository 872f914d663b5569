// The interfaces a replay knows, by name. A capture carries names only (pcapng if_name, or the
// command line), so indexes are made up: `lo` is always 1, as in every Linux network namespace
// (the front end resolves `iif "lo"` through the host, which answers 1), and every other name
// gets the next index, 2, 3, ... in the order the replay first meets it: --iif, --oif, the
// --route interfaces in command-line order, then the capture's interfaces as packets use them.
#pragma once

#include <deque>
#include <string_view>
#include <vector>

#include "vm/context.hpp"

namespace nfqwall::replay {

inline constexpr uint16_t arphrd_loopback = 772;

class interface_table {
public:
    interface_table();

    // The interface of that name, registered on first use. Names are cut to 15 bytes, as
    // the kernel's IFNAMSIZ does. The reference stays valid as long as the table.
    const vm::interface_info& get(std::string_view name);
    const vm::interface_info* find(std::string_view name) const;
    // The rtnl link kind of the interface of that name (meta iifkind/oifkind), whether it is
    // registered yet or not: giving a kind does not register the name, so the indexes stay
    // in the order above.
    void set_kind(std::string_view name, std::string_view kind);
    // In index order.
    const std::deque<vm::interface_info>& all() const { return entries_; }

private:
    std::deque<vm::interface_info> entries_;  // a deque: references survive registrations
    std::vector<vm::interface_info> kinds_;   // names with their kinds, for later registrations
};

}  // namespace nfqwall::replay

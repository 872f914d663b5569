// Names, units and defaults that every listing prints the same way, whether as text
// (print.cpp) or as libnftables JSON (json.cpp): nft's get_rate and get_unit, log levels,
// protocol names, the conntrack timeout defaults and the family of ct objects.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nfqwall::front {

class expr;
enum class family : uint8_t;

// nft's get_rate: a byte count in the largest of bytes, kbytes and mbytes that divides it
// evenly (`2 mbytes`, `1536 kbytes`; zero is `0 bytes`).
struct scaled_bytes {
    uint64_t value;
    std::string_view unit;
};
scaled_bytes scale_bytes(uint64_t bytes);

// nft's get_unit: the period of a rate given in seconds ("second" ... "week"), else "error".
std::string_view rate_period_name(uint64_t seconds);

// Syslog level names as the log statement spells them ("warn", "audit"...), "unknown" past
// the last one.
std::string_view log_level_name(uint32_t level);

// The /etc/protocols name of an IP protocol number, or nothing when it has none.
std::optional<std::string> ip_protocol_name(uint8_t l4proto);

// The conntrack states a timeout policy can set for a protocol, in nft's state order, with
// the kernel's default timeouts; empty for protocols nft has no table for.
struct ct_timeout_default {
    std::string_view state;
    uint64_t seconds;
};
std::span<const ct_timeout_default> ct_timeout_defaults(uint8_t l4proto);

// The l3proto a ct helper, timeout or expectation lists with: its own, or when none was
// given its table's family.
family object_l3proto(family own, family table_family);

// Whether a map's data are verdicts, which makes it a `vmap`: told by a named map's data type,
// or by the data of the first element of listed elements.
bool map_holds_verdicts(const expr& mappings);

// The devices of a base chain or flowtable in listing order (sorted by name).
std::vector<std::string> listed_devices(std::vector<std::string> devices);

}  // namespace nfqwall::front

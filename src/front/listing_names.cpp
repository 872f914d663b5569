#include "front/listing_names.hpp"

#include <netdb.h>

#include <algorithm>
#include <array>

#include "front/rule.hpp"

namespace nfqwall::front {

scaled_bytes scale_bytes(uint64_t bytes) {
    static constexpr std::array<std::string_view, 3> units = {"bytes", "kbytes", "mbytes"};
    size_t unit = 0;
    while (bytes != 0 && unit + 1 < units.size() && bytes % 1024 == 0) {
        bytes /= 1024;
        ++unit;
    }
    return {bytes, units[unit]};
}

std::string_view rate_period_name(uint64_t seconds) {
    constexpr uint64_t minute = 60, hour = 60 * minute, day = 24 * hour, week = 7 * day;
    switch (seconds) {
    case 1: return "second";
    case minute: return "minute";
    case hour: return "hour";
    case day: return "day";
    case week: return "week";
    default: return "error";
    }
}

std::string_view log_level_name(uint32_t level) {
    static constexpr std::array<std::string_view, 9> names = {"emerg",  "alert", "crit",  "err",  "warn",
                                                              "notice", "info",  "debug", "audit"};
    return level < names.size() ? names[level] : std::string_view("unknown");
}

std::optional<std::string> ip_protocol_name(uint8_t l4proto) {
    protoent entry{};
    protoent* found = nullptr;
    char buffer[1024];
    if (getprotobynumber_r(l4proto, &entry, buffer, sizeof(buffer), &found) != 0 || found == nullptr)
        return std::nullopt;
    return std::string(found->p_name);
}

std::span<const ct_timeout_default> ct_timeout_defaults(uint8_t l4proto) {
    // The kernel's nf_conntrack_proto_{tcp,udp} defaults, in nft's timeout_protocol order.
    static constexpr ct_timeout_default tcp[] = {
        {"syn_sent", 120},  {"syn_recv", 60},  {"established", 432000}, {"fin_wait", 120},
        {"close_wait", 60}, {"last_ack", 30},  {"time_wait", 120},      {"close", 10},
        {"syn_sent2", 120}, {"retrans", 300},  {"unack", 300},
    };
    static constexpr ct_timeout_default udp[] = {{"unreplied", 30}, {"replied", 120}};
    constexpr uint8_t ipproto_tcp = 6, ipproto_udp = 17;
    if (l4proto == ipproto_tcp) return tcp;
    if (l4proto == ipproto_udp) return udp;
    return {};
}

family object_l3proto(family own, family table_family) { return own == family::unspec ? table_family : own; }

bool map_holds_verdicts(const expr& mappings) {
    if (mappings.is(expr_kind::set_ref)) {
        const set* target = mappings.as<set_ref_expr>().target;
        const expr* data = target != nullptr ? target->data.get() : nullptr;
        return data != nullptr && data->dtype != nullptr && data->dtype->id == type_id::verdict;
    }
    if (!mappings.is(expr_kind::set) || mappings.as<set_expr>().items.empty()) return false;
    const expr* first = mappings.as<set_expr>().items.front().get();
    if (first->is(expr_kind::set_elem)) first = first->as<set_elem_expr>().key.get();
    return first != nullptr && first->is(expr_kind::mapping) &&
           first->as<mapping_expr>().right->is(expr_kind::verdict);
}

std::vector<std::string> listed_devices(std::vector<std::string> devices) {
    std::sort(devices.begin(), devices.end());
    return devices;
}

}  // namespace nfqwall::front

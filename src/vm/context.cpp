#include "vm/context.hpp"

#include <algorithm>
#include <cstring>

namespace nfqwall::vm {

std::string_view interface_info::name_view() const {
    const auto* end = std::find(name.begin(), name.end(), '\0');
    return {name.data(), static_cast<size_t>(end - name.begin())};
}

std::string_view interface_info::kind_view() const {
    const auto* end = std::find(kind.begin(), kind.end(), '\0');
    return {kind.data(), static_cast<size_t>(end - kind.begin())};
}

void interface_info::set_kind(std::string_view k) {
    kind.fill('\0');
    std::memcpy(kind.data(), k.data(), std::min(k.size(), kind.size() - 1));
}

interface_info interface_info::named(std::string_view n, uint32_t index) {
    interface_info i;
    i.index = index;
    std::memcpy(i.name.data(), n.data(), std::min(n.size(), i.name.size() - 1));
    return i;
}

bool fib_query::from_packet(const packet::packet_view& packet, uint32_t fib_flags, uint32_t fib_result) {
    flags = fib_flags;
    result = fib_result;
    const bool by_source = (fib_flags & 1) != 0;  // NFTA_FIB_F_SADDR
    if (packet.network() == packet::network_protocol::ipv4) {
        address_len = 4;
        if (!packet.load(packet::payload_base::network, by_source ? 12 : 16, 4, address) ||
            !packet.load(packet::payload_base::network, by_source ? 16 : 12, 4, other) ||
            !packet.load(packet::payload_base::network, 1, 1, &tos)) {
            return false;
        }
        return true;
    }
    if (packet.network() == packet::network_protocol::ipv6) {
        address_len = 16;
        uint8_t first[2];
        if (!packet.load(packet::payload_base::network, by_source ? 8 : 24, 16, address) ||
            !packet.load(packet::payload_base::network, by_source ? 24 : 8, 16, other) ||
            !packet.load(packet::payload_base::network, 0, 2, first)) {
            return false;
        }
        tos = static_cast<uint8_t>(first[0] << 4 | first[1] >> 4);
        return true;
    }
    return false;
}

}  // namespace nfqwall::vm

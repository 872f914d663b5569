#include "replay/routes.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace nfqwall::replay {

namespace {

// NFTA_FIB_F_* and NFT_FIB_RESULT_*.
constexpr uint32_t fib_iif = 8;
constexpr uint32_t fib_oif = 16;
constexpr uint32_t fib_present = 32;
constexpr uint32_t result_oif = 1;
constexpr uint32_t result_oifname = 2;
constexpr uint32_t result_type = 3;

bool loopback_address(const uint8_t* a, uint32_t length) {
    if (length == 4) return a[0] == 127;
    static constexpr uint8_t ipv6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return length == 16 && std::memcmp(a, ipv6_loopback, 16) == 0;
}

}  // namespace

route_table::route_table(interface_table& interfaces) : interfaces_(interfaces), loopback_(&interfaces.get("lo")) {}

bool route_table::add(std::string_view spec, std::string& error) {
    const size_t eq = spec.rfind('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
        error = "a route is CIDR=INTERFACE or default=INTERFACE";
        return false;
    }
    const std::string_view where = spec.substr(0, eq), device = spec.substr(eq + 1);
    if (device.size() > 15) {
        error = "interface name longer than 15 characters";
        return false;
    }
    entry e;
    if (where != "default") {
        const size_t slash = where.find('/');
        const std::string address(where.substr(0, slash));
        if (inet_pton(AF_INET, address.c_str(), e.prefix.data()) == 1) {
            e.length = 4;
        } else if (inet_pton(AF_INET6, address.c_str(), e.prefix.data()) == 1) {
            e.length = 16;
        } else {
            error = "not an IPv4 or IPv6 address: " + address;
            return false;
        }
        unsigned bits = e.length * 8u;
        if (slash != std::string_view::npos) {
            const std::string_view text = where.substr(slash + 1);
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits);
            if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || bits > e.length * 8u) {
                error = "bad prefix length in " + std::string(where);
                return false;
            }
        }
        e.prefix_bits = static_cast<uint8_t>(bits);
    }
    e.device = &interfaces_.get(device);
    routes_.push_back(e);
    return true;
}

bool route_table::holds(const entry& e, const uint8_t* address, uint32_t length) {
    if (e.length == 0) return true;
    if (e.length != length) return false;
    const uint32_t whole = e.prefix_bits / 8, rest = e.prefix_bits % 8;
    if (std::memcmp(e.prefix.data(), address, whole) != 0) return false;
    if (rest == 0) return true;
    const auto mask = static_cast<uint8_t>(0xff << (8 - rest));
    return (e.prefix[whole] & mask) == (address[whole] & mask);
}

const vm::interface_info* route_table::route(const uint8_t* address, uint32_t length) const {
    for (const entry& e : routes_) {
        if (holds(e, address, length)) return e.device;
    }
    return nullptr;
}

address_type route_table::type_of(const uint8_t* a, uint32_t length) const {
    if (length == 4) {
        const bool all_zero = a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0;
        const bool all_ones = a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255;
        if (all_zero || all_ones) return address_type::broadcast;
        if ((a[0] & 0xf0) == 0xe0) return address_type::multicast;
    } else if (a[0] == 0xff) {
        return address_type::multicast;
    }
    if (loopback_address(a, length)) return address_type::local;
    const vm::interface_info* device = route(a, length);
    if (device != nullptr && device->type == arphrd_loopback) return address_type::local;
    if (length == 4 || device != nullptr) return address_type::unicast;
    return address_type::unreachable;
}

bool route_table::lookup(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len) {
    const uint8_t* const address = query.address;
    const uint32_t address_len = query.address_len, flags = query.flags, result = query.result;
    if (result == result_type) {
        const auto type = static_cast<uint32_t>(type_of(address, address_len));
        if (flags & fib_present) {
            dst[0] = 1;
        } else {
            std::memcpy(dst, &type, std::min<uint32_t>(len, 4));
        }
        return true;
    }
    if (result != result_oif && result != result_oifname) return false;
    const vm::interface_info* device = loopback_address(address, address_len) ? loopback_ : route(address, address_len);
    if (device != nullptr && (flags & fib_iif) && (meta.iif == nullptr || meta.iif->index != device->index)) device = nullptr;
    if (device != nullptr && (flags & fib_oif) && (meta.oif == nullptr || meta.oif->index != device->index)) device = nullptr;
    if (flags & fib_present) {
        dst[0] = device != nullptr ? 1 : 0;
        return true;
    }
    if (device == nullptr) return true;  // the engine zeroed the register: oif 0, oifname ""
    if (result == result_oif) {
        std::memcpy(dst, &device->index, std::min<uint32_t>(len, 4));
    } else {
        std::memcpy(dst, device->name.data(), std::min<uint32_t>(len, 16));
    }
    return true;
}

}  // namespace nfqwall::replay

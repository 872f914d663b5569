// The replay's routing table (--route CIDR=IF, in command-line order) and the `fib`
// expression answered from it. It is a list, not a kernel FIB: the first route whose prefix
// holds the address wins (no longest-prefix match), and `default=IF` holds every address of
// both families. The rules, kept simple on purpose (docs/eval.md lists them):
//
//   - Routes to `lo` declare local addresses (the kernel keeps those in its local table);
//     127.0.0.0/8 and ::1 are always local and routed to `lo`.
//   - fib ... oif / oifname: the interface of the first matching route; none (0, "") when no
//     route matches. With `iif` (`fib saddr . iif oif`, the reverse-path check) the answer is
//     kept only when that interface is the packet's input interface, with `oif` only when it
//     is its output interface. `exists` / `missing` test whether there is an answer.
//   - fib ... type: 0.0.0.0 and 255.255.255.255 are broadcast, 224.0.0.0/4 and ff00::/8
//     multicast, local addresses local; any other IPv4 address is unicast (as the kernel's
//     inet_addr_type says without a route); an IPv6 address is unicast when a route holds it
//     and unreachable otherwise.
//   - `mark` in a fib expression is ignored: routes have no marks.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "replay/interfaces.hpp"
#include "vm/context.hpp"

namespace nfqwall::replay {

// rtnetlink route types (RTN_*), the values `fib ... type` compares with.
enum class address_type : uint32_t {
    unicast = 1,
    local = 2,
    broadcast = 3,
    multicast = 5,
    unreachable = 7,
};

class route_table final : public vm::fib_oracle {
public:
    // Interfaces named by routes are registered in `interfaces`, which must outlive the table.
    explicit route_table(interface_table& interfaces);

    // "10.0.0.0/8=eth1", "2001:db8::/32=eth2", "192.0.2.1=lo" (a host route), "default=eth0".
    // False with `error` set when the spec does not parse.
    bool add(std::string_view spec, std::string& error);
    bool empty() const { return routes_.empty(); }

    // The interface of the first route holding the address (4 or 16 bytes), or nullptr.
    const vm::interface_info* route(const uint8_t* address, uint32_t length) const;
    address_type type_of(const uint8_t* address, uint32_t length) const;

    bool lookup(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len) override;

private:
    struct entry {
        std::array<uint8_t, 16> prefix{};
        uint8_t length = 0;       // address bytes: 4, 16, or 0 for `default`
        uint8_t prefix_bits = 0;
        const vm::interface_info* device = nullptr;
    };
    static bool holds(const entry& e, const uint8_t* address, uint32_t length);
    interface_table& interfaces_;
    const vm::interface_info* loopback_;
    std::vector<entry> routes_;
};

}  // namespace nfqwall::replay

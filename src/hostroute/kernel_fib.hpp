// `fib` answered from the host kernel's routing tables, for the daemon: one RTM_GETROUTE
// request per lookup over a NETLINK_ROUTE socket, read the way the kernel's own
// nft_fib4_eval / nft_fib4_eval_type / nft_fib6_eval / nft_fib6_eval_type read their lookup.
//
// The kernel's fib expression calls fib_lookup() / ip6_route_lookup() directly; userspace can
// only ask RTM_GETROUTE, which runs an *output* route lookup (iif = lo, as nft's flow has) and,
// with RTM_F_FIB_MATCH, answers with the FIB entry it matched: its type, table, prefix and
// nexthops. Everything the kernel decides before or after the lookup (the loopback and
// zeronet shortcuts, get_saddr(), the RTN_LOCAL and interface checks, the IPv4 address type
// rules, the IPv6 reject-route types) is redone here from the packet's fields. Where
// rtnetlink cannot ask the same question the answer can differ; kernel_fib.cpp says where at
// each place and docs/kernel-differences.md ("fib in the daemon") lists them.
//
// Not thread-safe: one socket and one buffer. Give each packet thread its own kernel_fib.
// The socket lives in the network namespace of the thread that opens it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "vm/context.hpp"

struct mnl_socket;

namespace nfqwall::hostroute {

class kernel_fib final : public vm::fib_oracle {
public:
    // Opens and binds the netlink socket (and a datagram socket to name interfaces). Null,
    // with `error` set, when either cannot be opened. `timeout_ms` bounds the wait for each
    // reply.
    static std::unique_ptr<kernel_fib> open(std::string& error, int timeout_ms = 200);
    ~kernel_fib() override;
    kernel_fib(const kernel_fib&) = delete;
    kernel_fib& operator=(const kernel_fib&) = delete;

    // Writes the result like nft_fib_store_result (oif: an ifindex, oifname: a NUL-padded
    // name, one byte 0/1 with the present flag) or nft_fib*_eval_type (an RTN_* value). False
    // only when the kernel could not be asked (socket error, no reply in time, a reply that
    // does not parse): the rule ends, as for any expression that cannot be evaluated, and
    // failures() counts it.
    bool lookup(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len) override;

    uint64_t failures() const { return failures_; }
    // The last failure's errno (a timeout is ETIMEDOUT); 0 when there was none.
    int last_error() const { return last_error_; }

    // What one RTM_GETROUTE answered: the matched FIB entry, or the lookup's error.
    struct route {
        int error = 0;          // the kernel's errno (positive) when the lookup failed
        uint8_t type = 0;       // RTN_*: the route's type (IPv4: the rtable's type)
        uint32_t table = 0;     // RTA_TABLE
        uint8_t protocol = 0;   // RTPROT_*: who added the route
        uint8_t dst_len = 0;    // the matched prefix
        uint8_t dst[16] = {};   // RTA_DST, zero for a default route
        bool gateway = false;   // RTA_GATEWAY / RTA_VIA on the route or its first nexthop
        uint32_t nexthops = 0;  // entries of `oif` used
        // The route's devices in nexthop order (RTA_OIF, or RTA_MULTIPATH), and whether each
        // is dead (RTNH_F_DEAD): nft takes the first live one and accepts any for iif/oif.
        static constexpr uint32_t max_nexthops = 32;
        std::array<uint32_t, max_nexthops> oif{};
        std::array<bool, max_nexthops> dead{};
    };

private:
    kernel_fib(mnl_socket* nl, int ioctl_fd, int timeout_ms);

    // One request. family AF_INET/AF_INET6; src/oif/mark only when given (non-null / non-zero
    // / has_mark). False when the kernel could not be asked; `out.error` holds the lookup's
    // errno when it answered with one.
    bool get_route(int family, const uint8_t* dst, const uint8_t* src, uint32_t oif, bool has_mark, uint32_t mark,
                   uint8_t tos, route& out);
    bool name_of(uint32_t ifindex, char (&name)[16]);
    bool fail(int error);

    bool lookup4(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len);
    bool lookup6(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len);
    bool type4(const vm::packet_meta& meta, const vm::fib_query& query, uint32_t& type);
    bool type6(const vm::packet_meta& meta, const vm::fib_query& query, uint32_t& type);
    // nft_fib_store_result for a device given by index (0: none) and, when known, its name.
    bool store(const vm::fib_query& query, uint32_t ifindex, const char* name, uint8_t* dst, uint32_t len);

    mnl_socket* nl_;
    int ioctl_fd_;
    int timeout_ms_;
    uint32_t port_id_ = 0;
    uint32_t seq_ = 0;
    uint64_t failures_ = 0;
    int last_error_ = 0;
    route route_;  // the last answer, kept here so that lookup() allocates nothing
    // Request and reply buffers, sized once. A reply carries one route: its nexthops are the
    // only part that grows, and max_nexthops of them fit easily.
    alignas(4) std::array<uint8_t, 512> request_{};
    alignas(4) std::array<uint8_t, 16384> reply_{};
};

}  // namespace nfqwall::hostroute

// What the engine needs to know about a packet beyond its bytes (the kernel's skb metadata
// and hook state), and the services it asks: the connection tracker, the routing table for
// `fib`, a log sink and a trace sink. The daemon, the offline replay and the tests each
// provide their own.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "front/rule.hpp"
#include "packet/packet.hpp"

namespace nfqwall::vm {

struct interface_info {
    uint32_t index = 0;
    std::array<char, 16> name{};  // NUL-padded, IFNAMSIZ
    uint16_t type = 1;            // ARPHRD_ETHER
    uint32_t group = 0;
    // The rtnl link kind (rtnl_link_ops->kind: "veth", "bridge", ...) that meta iifkind /
    // oifkind load, NUL-padded. Empty when unknown, which the kernel's nft_meta treats as a
    // device without rtnl_link_ops: the load fails and the rule breaks.
    std::array<char, 16> kind{};

    std::string_view name_view() const;
    std::string_view kind_view() const;
    void set_kind(std::string_view k);  // cut to 15 bytes, as the kernel's strscpy to IFNAMSIZ
    static interface_info named(std::string_view name, uint32_t index);
};

// meta pkttype values (PACKET_*).
enum class pkttype : uint8_t { host = 0, broadcast = 1, multicast = 2, otherhost = 3, outgoing = 4 };

struct packet_meta {
    front::family family = front::family::ipv4;  // the hook's family: ipv4, ipv6, arp, bridge, netdev
    front::hook hook = front::hook::input;
    const interface_info* iif = nullptr;  // none on output
    const interface_info* oif = nullptr;  // none before routing
    uint32_t mark = 0;
    uint32_t priority = 0;
    uint32_t secmark = 0;
    pkttype type = pkttype::host;
    bool nftrace = false;
    // The local socket's owner (output): meta skuid/skgid match only when known.
    bool has_socket = false;
    uint32_t skuid = 0;
    uint32_t skgid = 0;
    uint32_t cpu = 0;
    uint64_t cgroup = 0;
    uint32_t rtclassid = 0;
    uint64_t wall_time_ns = 0;   // meta time/day/hour: nanoseconds since the epoch (UTC)
    int32_t utc_offset_s = 0;    // meta day/hour are in local time
    uint64_t now_ns = 0;         // a monotonic clock for limits and timeouts
};

// The connection tracker as `ct` expressions and statements see it (the issue "Connection
// tracking" implements it; tests give fixed answers). Values are register bytes in the ct
// key's byte order and length (front::ct_lookup). A get that fails ends the rule, as the
// kernel's does without a conntrack entry.
class conntrack_view {
public:
    virtual ~conntrack_view() = default;
    // direction: -1 none, 0 original, 1 reply.
    virtual bool get(int key, int direction, uint8_t* dst, uint32_t len) = 0;
    virtual bool set(int key, int direction, const uint8_t* src, uint32_t len) = 0;
    // `notrack`: the packet will not be tracked.
    virtual void untrack() = 0;
};

// What a `fib` expression asks: nft_fib4_eval / nft_fib6_eval's flow. flags: NFTA_FIB_F_*
// (saddr 1, daddr 2, mark 4, iif 8, oif 16, present 32); result: 1 oif, 2 oifname, 3 type.
struct fib_query {
    uint8_t address[16] = {};  // the address looked up: the destination with daddr, else the source
    uint8_t other[16] = {};    // the packet's other address: the lookup's source
    uint32_t address_len = 0;  // 4 or 16
    uint32_t flags = 0;
    uint32_t result = 0;
    uint8_t tos = 0;  // IPv4 TOS / IPv6 traffic class (routing rules may match it)

    // From the packet's network header; false when it has no IPv4 or IPv6 header.
    bool from_packet(const packet::packet_view& packet, uint32_t fib_flags, uint32_t fib_result);
};

// `fib` lookups, answered from the host's routing tables by the daemon and by a fake in
// tests. Writes the result in register bytes (an ifindex in host order, a NUL-padded name,
// an address type in host order; one byte 0/1 with the present flag); false ends the rule.
class fib_oracle {
public:
    virtual ~fib_oracle() = default;
    virtual bool lookup(const packet_meta& meta, const fib_query& query, uint8_t* dst, uint32_t len) = 0;
};

}  // namespace nfqwall::vm

// The path a replayed packet takes through the hooks (docs/eval.md has the whole model).
//
// Hooks run in the order given (a router's prerouting, forward, postrouting by default); the
// packet's family is IPv4 or IPv6 by its header (inet chains are hooked under both) or ARP.
// Accept goes on to the next hook; drop, reject and queue end the path. A path holding
// `output` is the host's own traffic: no input interface and no link-layer header (the kernel
// has built none yet); any other path is received traffic, with the capture's link header and
// input interface. The output interface is known from forward, output and postrouting on,
// looked up before each of those hooks from the destination the packet has then (--oif wins
// over --route). ARP is never routed: a received ARP packet meets the arp input chains, an
// outgoing one the arp output chains, once.
//
// The packet metadata (mark, priority...) carries over from hook to hook, and each hook
// parses the bytes afresh, so it sees what payload statements of earlier hooks wrote.
//
// Between prerouting and forward the path does what ip_forward / ip6_forward do: a packet
// whose TTL (hop limit) is 1 or less is dropped (the kernel answers time-exceeded), others
// have it decremented (IPv4: the header checksum updated as ip_decrease_ttl does) before the
// forward hook sees them. When routes are given (--route) and none holds the destination, a
// forwarded or sent packet is dropped before its first routed hook, as a failed route lookup
// drops it in the kernel.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "packet/packet.hpp"
#include "packet/reject.hpp"
#include "replay/capture.hpp"
#include "replay/routes.hpp"
#include "vm/engine.hpp"

namespace nfqwall::replay {

inline constexpr size_t max_path_hooks = 5;

// The priority of the kernel's conntrack lookup (NF_IP_PRI_CONNTRACK): base chains below it
// at prerouting and output see no connection yet (raw chains can still `notrack`).
inline constexpr int32_t conntrack_priority = -200;

// The connection tracker as a packet's path meets it: a template before the lookup (where
// `ct state` reads invalid, or untracked after `notrack`), the lookup at the conntrack
// priority of prerouting or output (nf_conntrack_in; before the first hook when the path has
// neither), and the end of the path, where a new connection is confirmed if every hook
// accepted the packet and forgotten otherwise (a dropped first packet leaves no entry).
// The tracker itself may drop a packet: at the lookup (table full) or at confirmation (a
// lost clash, or a helper refusing it); lookup and end return false then.
class conntrack_stage {
public:
    virtual ~conntrack_stage() = default;
    virtual vm::conntrack_view& begin(const vm::packet_meta& meta) = 0;
    virtual bool lookup(const packet::packet_view& packet, const vm::packet_meta& meta) = 0;
    virtual bool end(bool accepted, const vm::packet_meta& meta) = 0;
    // After end() returned false: whether the connection's helper dropped the packet (an FTP
    // command cut short, or no room for its expectation) rather than the table.
    virtual bool helper_dropped() const { return false; }
    // The path rejected the packet with a TCP reset that the kernel does send (before end):
    // nf_send_reset moves the packet's connection to CLOSE (nf_ct_set_closing).
    virtual void tcp_reset_sent(const vm::packet_meta& meta) { (void)meta; }
};

// "prerouting,forward,postrouting": the names in order; false with `error` set on an unknown
// or repeated name, or an empty list.
bool parse_hooks(std::string_view list, std::vector<front::hook>& out, std::string& error);

std::vector<front::hook> forward_path();

// What ip_forward / ip6_forward do to a forwarded packet's network header: one off the TTL
// (the IPv4 header checksum adjusted as ip_decrease_ttl does) or the hop limit.
void decrease_ttl(std::span<uint8_t> network_header, bool ipv4);

struct path_config {
    std::vector<front::hook> hooks = forward_path();
    link_kind link = link_kind::ethernet;
    const vm::interface_info* iif = nullptr;  // when the capture names none
    const vm::interface_info* oif = nullptr;  // fixed output interface; else the routes decide
    const route_table* routes = nullptr;
    conntrack_stage* conntrack = nullptr;  // none: ct expressions see no tracker
};

struct hook_step {
    front::family family = front::family::ipv4;
    front::hook hook = front::hook::prerouting;  // as run: the arp hook for ARP packets
    bool has_chains = false;  // chains that run here (not nat chains without a tracker)
    vm::run_result result;
};

enum class packet_fate : uint8_t { accepted, dropped, rejected, queued };

struct path_outcome {
    packet_fate fate = packet_fate::accepted;
    std::array<hook_step, max_path_hooks> steps{};
    size_t step_count = 0;  // the hooks that ran
    size_t hook_count = 0;  // the hooks of this packet's path
    // The step whose verdict decided: the one that did not accept, or for an accepted packet
    // the last one with chains. no_step when none had chains, or no hook saw the packet.
    static constexpr size_t no_step = SIZE_MAX;
    size_t deciding = no_step;
    // False when no hook sees the packet: not IP or ARP, its link header is cut short, or
    // (received IP) ip_rcv/ipv6_rcv would have dropped it before prerouting.
    bool seen = true;
    bool dropped_on_receive = false;  // by the ip_rcv checks: see status, or a bad header checksum
    bool dropped_by_conntrack = false;  // the tracker dropped it (table full, lost clash)
    bool dropped_by_helper = false;  // the rules accepted it, the connection's helper dropped it
    // The router itself dropped it before the hook of steps[deciding] (ip_forward, routing).
    enum class router_drop : uint8_t { none, ttl_exceeded, no_route };
    router_drop by_router = router_drop::none;
    bool ttl_decremented = false;  // the router took one off the TTL / hop limit before forward
    uint16_t ethertype = 0;  // when not seen: what it carried (0 when unknown)
    packet::network_protocol protocol = packet::network_protocol::none;
    uint32_t network_offset = 0;  // in the frame
    packet::parse_status status = packet::parse_status::ok;  // the first parse's
    bool modified = false;  // a payload statement rewrote bytes
    // A reject's reply: none when the kernel would send it, else why it sends nothing (the
    // packet is dropped either way).
    packet::no_reply_reason no_reply = packet::no_reply_reason::none;
    vm::packet_meta meta;   // as the last hook left it

    bool malformed() const { return status != packet::parse_status::ok; }
};

// Told before each hook runs (traces print a heading there, and explain failed matches from
// the packet as that hook sees it: the view and meta stay valid until the hook's run ends).
class path_observer {
public:
    virtual ~path_observer() = default;
    virtual void hook_begins(const hook_step& step, const packet::packet_view& packet, const vm::packet_meta& meta) = 0;
};

class path_runner {
public:
    // The engine and config must outlive the runner.
    path_runner(vm::engine& engine, const path_config& config);

    // Runs one captured frame along the path; payload statements rewrite `frame` in place.
    // `capture_iif` is the interface the capture names for it, or nullptr. Allocates nothing.
    path_outcome run(std::span<uint8_t> frame, uint64_t time_ns, const vm::interface_info* capture_iif,
                     const vm::services& services, path_observer* observer = nullptr);

    bool outgoing() const { return outgoing_; }

private:
    vm::engine& engine_;
    const path_config& config_;
    bool outgoing_ = false;
};

}  // namespace nfqwall::replay

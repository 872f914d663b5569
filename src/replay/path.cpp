#include "replay/path.hpp"

#include <algorithm>

#include "packet/checksum.hpp"

namespace nfqwall::replay {

using front::hook;

namespace {

constexpr uint16_t ethertype_ipv4 = 0x0800;
constexpr uint16_t ethertype_ipv6 = 0x86dd;
constexpr uint16_t ethertype_arp = 0x0806;
constexpr uint32_t sll_header = 16;
constexpr uint32_t sll2_header = 20;
constexpr uint8_t reject_type_tcp_reset = static_cast<uint8_t>(front::reject_type::tcp_rst) + 1;  // run_result::reject_type

struct hook_name {
    std::string_view name;
    hook value;
};
constexpr hook_name hook_names[] = {
    {"prerouting", hook::prerouting}, {"input", hook::input},        {"forward", hook::forward},
    {"output", hook::output},         {"postrouting", hook::postrouting},
};

// Where a frame's network header starts and which protocol it is, before any hook runs.
struct network_start {
    uint32_t offset = 0;
    packet::network_protocol protocol = packet::network_protocol::none;
    uint16_t ethertype = 0;
    bool link_damaged = false;  // the link header itself is cut short: nothing to deliver
    vm::pkttype type = vm::pkttype::host;
};

uint16_t be16(std::span<const uint8_t> b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }

packet::network_protocol protocol_of(uint16_t ethertype) {
    switch (ethertype) {
    case ethertype_ipv4: return packet::network_protocol::ipv4;
    case ethertype_ipv6: return packet::network_protocol::ipv6;
    case ethertype_arp: return packet::network_protocol::arp;
    default: return packet::network_protocol::none;
    }
}

// What skb->pkt_type would be for a received frame without one recorded: by the Ethernet
// destination, else by the IP destination.
vm::pkttype type_by_address(std::span<const uint8_t> frame, const network_start& at) {
    const std::span<const uint8_t> nh = frame.subspan(at.offset);
    if (at.protocol == packet::network_protocol::ipv4 && nh.size() >= 20) {
        if (nh[16] == 255 && nh[17] == 255 && nh[18] == 255 && nh[19] == 255) return vm::pkttype::broadcast;
        if ((nh[16] & 0xf0) == 0xe0) return vm::pkttype::multicast;
    } else if (at.protocol == packet::network_protocol::ipv6 && nh.size() >= 40 && nh[24] == 0xff) {
        return vm::pkttype::multicast;
    }
    return vm::pkttype::host;
}

network_start locate(std::span<const uint8_t> frame, link_kind link) {
    network_start at;
    switch (link) {
    case link_kind::ethernet: {
        const packet::packet_view v = packet::parse(frame, {.first = packet::first_header::ethernet});
        if (!v.has_network_header() || v.status() == packet::parse_status::link_truncated ||
            v.status() == packet::parse_status::vlan_too_deep) {
            at.link_damaged = true;
            return at;
        }
        at.offset = v.network_offset();
        at.ethertype = v.ethertype();
        at.protocol = v.network();
        if (frame[0] & 1) {
            const bool all_ones = frame[0] == 0xff && frame[1] == 0xff && frame[2] == 0xff && frame[3] == 0xff &&
                                  frame[4] == 0xff && frame[5] == 0xff;
            at.type = all_ones ? vm::pkttype::broadcast : vm::pkttype::multicast;
        }
        return at;
    }
    case link_kind::raw_ip:
        at.ethertype = !frame.empty() && (frame[0] >> 4) == 6 ? ethertype_ipv6 : ethertype_ipv4;
        break;
    case link_kind::linux_sll:
    case link_kind::linux_sll2: {
        // The cooked headers differ only in where they keep the protocol and packet type.
        const bool v2 = link == link_kind::linux_sll2;
        const uint32_t header = v2 ? sll2_header : sll_header;
        if (frame.size() < header) {
            at.link_damaged = true;
            return at;
        }
        at.offset = header;
        at.ethertype = be16(frame, v2 ? 0 : 14);
        const uint16_t type = v2 ? frame[10] : be16(frame, 0);
        at.type = static_cast<vm::pkttype>(type <= 4 ? type : 0);
        break;
    }
    }
    at.protocol = protocol_of(at.ethertype);
    if (link == link_kind::raw_ip) at.type = type_by_address(frame, at);
    return at;
}

packet::first_header first_header_of(packet::network_protocol p) {
    switch (p) {
    case packet::network_protocol::ipv6: return packet::first_header::ipv6;
    case packet::network_protocol::arp: return packet::first_header::arp;
    default: return packet::first_header::ipv4;
    }
}

// ip_rcv_core / ipv6_rcv: a header too short, of the wrong version, with a bad length or
// (IPv4) a bad header checksum never reaches a hook.
bool receivable(const packet::packet_view& v) {
    switch (v.status()) {
    case packet::parse_status::network_truncated:
    case packet::parse_status::bad_ip_version:
    case packet::parse_status::bad_ipv4_header_length:
    case packet::parse_status::ipv4_total_length_exceeds_packet:
    case packet::parse_status::ipv4_total_length_below_header:
    case packet::parse_status::ipv6_payload_length_exceeds_packet: return false;
    default: break;
    }
    return v.network() != packet::network_protocol::ipv4 || packet::ipv4_header_checksum_ok(v);
}

bool routed_hook(hook h) { return h == hook::forward || h == hook::output || h == hook::postrouting; }

}  // namespace

bool parse_hooks(std::string_view list, std::vector<hook>& out, std::string& error) {
    out.clear();
    size_t start = 0;
    for (;;) {
        const size_t comma = list.find(',', start);
        const std::string_view name = list.substr(start, comma == std::string_view::npos ? comma : comma - start);
        const hook_name* found = nullptr;
        for (const hook_name& h : hook_names) {
            if (h.name == name) found = &h;
        }
        if (found == nullptr) {
            error = name.empty() ? "empty hook name in '" + std::string(list) + "'"
                                 : "unknown hook '" + std::string(name) + "' (prerouting, input, forward, output, postrouting)";
            return false;
        }
        for (hook seen : out) {
            if (seen == found->value) {
                error = "hook '" + std::string(name) + "' given twice";
                return false;
            }
        }
        out.push_back(found->value);
        if (comma == std::string_view::npos) return true;
        start = comma + 1;
    }
}

void decrease_ttl(std::span<uint8_t> ip, bool ipv4) {
    if (!ipv4) {
        --ip[7];
        return;
    }
    // ip_decrease_ttl: the checksum adjusted by adding 0x0100 in the network-order word with
    // an end-around carry, the kernel's own arithmetic (its results at the 0x0000/0xffff edge
    // are what a forwarded packet carries).
    uint32_t check = static_cast<uint32_t>(ip[10]) | static_cast<uint32_t>(ip[11]) << 8;  // as the kernel's __sum16 in memory
    check += 0x0001;  // htons(0x0100) on a little-endian host
    check += check >= 0xffff ? 1u : 0u;
    ip[10] = static_cast<uint8_t>(check);
    ip[11] = static_cast<uint8_t>(check >> 8);
    --ip[8];
}

std::vector<hook> forward_path() { return {hook::prerouting, hook::forward, hook::postrouting}; }

path_runner::path_runner(vm::engine& engine, const path_config& config) : engine_(engine), config_(config) {
    for (hook h : config_.hooks) {
        if (h == hook::output) outgoing_ = true;
    }
}

path_outcome path_runner::run(std::span<uint8_t> frame, uint64_t time_ns, const vm::interface_info* capture_iif,
                              const vm::services& services, path_observer* observer) {
    path_outcome out;
    vm::packet_meta& meta = out.meta;
    meta.now_ns = time_ns;
    meta.wall_time_ns = time_ns;

    const network_start at = locate(frame, config_.link);
    if (at.link_damaged) {
        out.seen = false;
        out.fate = packet_fate::dropped;
        out.status = packet::parse_status::link_truncated;
        return out;
    }
    if (at.protocol == packet::network_protocol::none) {
        out.seen = false;
        out.ethertype = at.ethertype;
        return out;
    }

    out.protocol = at.protocol;
    out.network_offset = at.offset;
    front::family family = front::family::ipv4;
    if (at.protocol == packet::network_protocol::ipv6) family = front::family::ipv6;
    if (at.protocol == packet::network_protocol::arp) family = front::family::arp;

    // ARP takes one hook of its own family; IP takes the configured path.
    const hook arp_hook = outgoing_ ? hook::output : hook::input;
    const std::span<const hook> hooks =
        family == front::family::arp ? std::span<const hook>(&arp_hook, 1) : std::span<const hook>(config_.hooks);

    out.hook_count = std::min(hooks.size(), max_path_hooks);
    const vm::interface_info* iif = outgoing_ ? nullptr : (capture_iif != nullptr ? capture_iif : config_.iif);
    meta.type = outgoing_ ? vm::pkttype::host : at.type;

    packet::parse_options options;
    std::span<uint8_t> parsed = frame;
    if (config_.link == link_kind::ethernet && !outgoing_) {
        options.first = packet::first_header::ethernet;
    } else {
        parsed = frame.subspan(at.offset);
        options.first = first_header_of(at.protocol);
    }
    // ip_rcv trims to the IP length before the ip, ip6 and inet hooks.
    options.trim_to_ip_length = family != front::family::arp;

    // Parsed again before each later hook: an earlier hook's rewrites may move the headers.
    packet::packet_view view = packet::parse(parsed, options);
    out.status = view.status();
    // ip_rcv and ipv6_rcv drop a received packet whose IP header fails their checks before
    // any hook; a locally made one never has such a header.
    if (!outgoing_ && family != front::family::arp && !receivable(view)) {
        out.seen = false;
        out.dropped_on_receive = true;
        out.fate = packet_fate::dropped;
        return out;
    }

    vm::services with = services;
    conntrack_stage* const tracker = family == front::family::arp ? nullptr : config_.conntrack;
    if (tracker != nullptr) {
        meta.family = family;
        meta.iif = iif;
        with.ct = &tracker->begin(meta);
    }
    // The tracker looks the packet up at the conntrack priority of the first prerouting or
    // output hook (split: raw chains before it), or before the path's first hook.
    size_t lookup_step = 0;
    bool lookup_split = false;
    for (size_t i = 0; i < hooks.size(); ++i) {
        if (hooks[i] == hook::prerouting || hooks[i] == hook::output) {
            lookup_step = i;
            lookup_split = true;
            break;
        }
    }
    auto dropped_by_tracker = [&](size_t i) {
        out.dropped_by_conntrack = true;
        out.fate = packet_fate::dropped;
        out.deciding = i;
    };
    bool routed_before = false;  // the route lookup happens once, before the first routed hook

    for (size_t i = 0; i < hooks.size() && i < max_path_hooks; ++i) {
        hook_step& step = out.steps[i];
        out.step_count = i + 1;
        step.family = family;
        step.hook = hooks[i];
        step.has_chains = false;
        for (const compile::hooked_chain& hc : engine_.program().hooked(family, hooks[i])) {
            // nat chains run only for a tracked connection's first packet (engine.hpp).
            if (!engine_.program().chains[hc.chain].nat || with.ct != nullptr) step.has_chains = true;
        }

        if (i > 0) view = packet::parse(parsed, options);
        meta.family = family;
        meta.hook = hooks[i];
        meta.iif = iif;
        meta.oif = nullptr;
        if (routed_hook(hooks[i])) {
            meta.oif = config_.oif;
            if (meta.oif == nullptr && config_.routes != nullptr && family != front::family::arp) {
                uint8_t daddr[16];
                const bool v4 = family == front::family::ipv4;
                if (view.load(packet::payload_base::network, v4 ? 16 : 24, v4 ? 4 : 16, daddr)) {
                    meta.oif = config_.routes->route(daddr, v4 ? 4 : 16);
                }
                if (meta.oif == nullptr && !config_.routes->empty() && !routed_before) {
                    out.by_router = path_outcome::router_drop::no_route;
                    out.fate = packet_fate::dropped;
                    out.deciding = i;
                    break;
                }
            }
            routed_before = true;
        }
        if (hooks[i] == hook::forward && family != front::family::arp && view.has_network_header()) {
            const std::span<uint8_t> ip = parsed.subspan(view.network_offset());
            const bool v4 = family == front::family::ipv4;
            uint8_t& ttl = ip[v4 ? 8 : 7];
            if (ttl <= 1) {
                out.by_router = path_outcome::router_drop::ttl_exceeded;
                out.fate = packet_fate::dropped;
                out.deciding = i;
                break;
            }
            decrease_ttl(ip, v4);  // no new parse: the view reads the bytes in place
            out.ttl_decremented = true;
        }
        if (observer != nullptr) observer->hook_begins(step, view, meta);
        if (tracker == nullptr || i != lookup_step) {
            step.result = engine_.run(view, meta, with);
        } else if (!lookup_split) {
            if (!tracker->lookup(view, meta)) {
                dropped_by_tracker(i);
                break;
            }
            step.result = engine_.run(view, meta, with);
        } else {
            const vm::run_result before = engine_.run(view, meta, with, vm::priority_window::below(conntrack_priority));
            step.result = before;
            if (before.verdict == vm::nf_accept) {
                if (!tracker->lookup(view, meta)) {
                    dropped_by_tracker(i);
                    break;
                }
                step.result = engine_.run(view, meta, with, vm::priority_window::from_on(conntrack_priority));
                if (step.result.chains_run == 0) step.result = before;
                step.result.modified = step.result.modified || before.modified;
            }
        }
        out.modified = out.modified || step.result.modified;
        if (step.result.verdict == vm::nf_accept) {
            if (step.has_chains) out.deciding = i;
            continue;
        }
        out.deciding = i;
        if (step.result.verdict == vm::nf_queue) {
            out.fate = packet_fate::queued;
        } else {
            out.fate = step.result.reject ? packet_fate::rejected : packet_fate::dropped;
            // The reply is decided on the packet as the rejecting hook left it (rewrites
            // included), as the kernel's nf_send_* see it.
            if (step.result.reject) {
                const packet::reject_reply reply = step.result.reject_type == reject_type_tcp_reset
                                                       ? packet::reject_reply::tcp_reset
                                                       : packet::reject_reply::icmp_unreachable;
                out.no_reply = packet::why_no_reply(view, reply, meta.type == vm::pkttype::host);
            }
        }
        break;
    }
    // nf_send_reset closes the connection when it does send its RST.
    if (tracker != nullptr && out.fate == packet_fate::rejected && out.deciding < max_path_hooks &&
        out.steps[out.deciding].result.reject_type == reject_type_tcp_reset &&
        out.no_reply == packet::no_reply_reason::none) {
        tracker->tcp_reset_sent(meta);
    }
    if (tracker != nullptr && !tracker->end(out.fate == packet_fate::accepted, meta)) {
        (tracker->helper_dropped() ? out.dropped_by_helper : out.dropped_by_conntrack) = true;
        out.fate = packet_fate::dropped;
    }
    return out;
}

}  // namespace nfqwall::replay

#include "hostroute/kernel_fib.hpp"

// glibc's net/if.h before the kernel's headers, which then leave struct ifreq to it.
#include <net/if.h>
#include <net/if_arp.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nfqwall::hostroute {

namespace {

// NFTA_FIB_F_* and NFT_FIB_RESULT_*.
constexpr uint32_t fib_daddr = 2;
constexpr uint32_t fib_mark = 4;
constexpr uint32_t fib_iif = 8;
constexpr uint32_t fib_oif = 16;
constexpr uint32_t fib_present = 32;
constexpr uint32_t result_oif = 1;
constexpr uint32_t result_oifname = 2;
constexpr uint32_t result_type = 3;

// nft_fib4_eval keeps only the DSCP bits of the TOS for the flow.
constexpr uint8_t dscp_bits = 0xfc;

// ---- IPv4 address classes (include/linux/in.h) ----

bool zeronet4(const uint8_t* a) { return a[0] == 0; }
bool lbcast4(const uint8_t* a) { return a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255; }
bool multicast4(const uint8_t* a) { return (a[0] & 0xf0) == 0xe0; }
bool local_multicast4(const uint8_t* a) { return a[0] == 224 && a[1] == 0 && a[2] == 0; }  // 224.0.0.0/24

// ---- IPv6 address classes: the parts of __ipv6_addr_type that nft's fib looks at ----

bool any6(const uint8_t* a) {
    return std::all_of(a, a + 16, [](uint8_t b) { return b == 0; });
}
bool multicast6(const uint8_t* a) { return a[0] == 0xff; }
bool linklocal6(const uint8_t* a) { return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; }  // fe80::/10
// IPV6_ADDR_UNICAST: everything but multicast, :: and the v4-mapped ::ffff:0:0/96.
bool unicast6(const uint8_t* a) {
    if (multicast6(a) || any6(a)) return false;
    static constexpr uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a, mapped, 12) != 0;
}

// RTF_ANYCAST, which rtnetlink does not show: the kernel sets it on the anycast routes it adds
// itself (addrconf: subnet-router anycast when forwarding, IPV6_JOIN_ANYCAST), all of
// protocol kernel. A route a user adds with type anycast has the type but not the flag, and
// the kernel's fib treats it as unicast.
bool anycast_flag(const kernel_fib::route& r) { return r.type == RTN_ANYCAST && r.protocol == RTPROT_KERNEL; }

bool is_loopback(const vm::interface_info* dev) { return dev != nullptr && dev->type == ARPHRD_LOOPBACK; }

// The device the packet is on (skb->dev): the input interface where there is one (prerouting,
// input and forward all still see the input device), else the output interface.
const vm::interface_info* packet_device(const vm::packet_meta& meta) {
    return meta.iif != nullptr ? meta.iif : meta.oif;
}

int64_t now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void put_u32(uint8_t* dst, uint32_t len, uint32_t value) {
    uint8_t bytes[4];
    std::memcpy(bytes, &value, 4);
    std::memcpy(dst, bytes, std::min<uint32_t>(len, 4));
}

// The first nexthop nft would use: fib_table_lookup() / ip6_pol_route_lookup() skip dead ones.
// (The kernel's lookup ignores link state: nft passes FIB_LOOKUP_IGNORE_LINKSTATE, so a
// RTNH_F_LINKDOWN nexthop is still taken.)
uint32_t first_live(const kernel_fib::route& r) {
    for (uint32_t i = 0; i < r.nexthops; ++i) {
        if (!r.dead[i]) return r.oif[i];
    }
    return r.nexthops > 0 ? r.oif[0] : 0;
}

// fib_info_nh_uses_dev(): does any nexthop of the route leave through `ifindex`?
bool uses_device(const kernel_fib::route& r, uint32_t ifindex) {
    for (uint32_t i = 0; i < r.nexthops; ++i) {
        if (r.oif[i] == ifindex) return true;
    }
    return false;
}

void parse_multipath(const nlattr* attr, kernel_fib::route& out) {
    const auto* base = static_cast<const uint8_t*>(mnl_attr_get_payload(attr));
    size_t left = mnl_attr_get_payload_len(attr);
    while (left >= sizeof(rtnexthop) && out.nexthops < kernel_fib::route::max_nexthops) {
        rtnexthop nh;
        std::memcpy(&nh, base, sizeof nh);
        if (nh.rtnh_len < sizeof(rtnexthop) || nh.rtnh_len > left) break;
        if (out.nexthops == 0) {
            // The nexthop's own attributes follow it: a gateway makes the route RTF_GATEWAY
            // (ipv6_anycast_destination looks at that).
            size_t off = RTNH_ALIGN(sizeof(rtnexthop));
            while (off + sizeof(nlattr) <= nh.rtnh_len) {
                nlattr a;
                std::memcpy(&a, base + off, sizeof a);
                if (a.nla_len < sizeof(nlattr) || off + a.nla_len > nh.rtnh_len) break;
                const uint16_t type = a.nla_type & NLA_TYPE_MASK;
                if (type == RTA_GATEWAY || type == RTA_VIA) out.gateway = true;
                off += NLA_ALIGN(a.nla_len);
            }
        }
        out.oif[out.nexthops] = static_cast<uint32_t>(nh.rtnh_ifindex);
        out.dead[out.nexthops] = (nh.rtnh_flags & RTNH_F_DEAD) != 0;
        ++out.nexthops;
        const size_t step = RTNH_ALIGN(nh.rtnh_len);
        if (step >= left) break;
        base += step;
        left -= step;
    }
}

// An RTM_NEWROUTE answer of RTM_F_FIB_MATCH: fib_dump_info() / rt6_fill_node() of the entry.
bool parse_route(const nlmsghdr* nlh, uint32_t address_len, kernel_fib::route& out) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(rtmsg)) return false;
    const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
    out.type = rtm->rtm_type;
    out.table = rtm->rtm_table;
    out.protocol = rtm->rtm_protocol;
    out.dst_len = rtm->rtm_dst_len;
    uint32_t single_oif = 0;
    bool has_oif = false;
    const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
    for (auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(rtmsg)));
         mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr))); attr = mnl_attr_next(attr)) {
        switch (mnl_attr_get_type(attr)) {
            case RTA_TABLE:
                if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) out.table = mnl_attr_get_u32(attr);
                break;
            case RTA_DST:
                if (mnl_attr_get_payload_len(attr) == address_len) {
                    std::memcpy(out.dst, mnl_attr_get_payload(attr), address_len);
                }
                break;
            case RTA_OIF:
                if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
                    single_oif = mnl_attr_get_u32(attr);
                    has_oif = true;
                }
                break;
            case RTA_GATEWAY:
            case RTA_VIA:
                out.gateway = true;
                break;
            case RTA_MULTIPATH:
                parse_multipath(attr, out);
                break;
            default:
                break;
        }
    }
    if (out.nexthops == 0 && has_oif) {
        out.oif[0] = single_oif;
        out.dead[0] = (rtm->rtm_flags & RTNH_F_DEAD) != 0;
        out.nexthops = 1;
    }
    return true;
}

}  // namespace

std::unique_ptr<kernel_fib> kernel_fib::open(std::string& error, int timeout_ms) {
    mnl_socket* nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (nl == nullptr) {
        error = std::string("cannot open a NETLINK_ROUTE socket: ") + std::strerror(errno);
        return nullptr;
    }
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        error = std::string("cannot bind the NETLINK_ROUTE socket: ") + std::strerror(errno);
        mnl_socket_close(nl);
        return nullptr;
    }
    // Errors need not echo the request back: the sequence number is all we match on.
    int one = 1;
    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof one);
    // SIOCGIFNAME names an ifindex in the socket's namespace without touching the heap
    // (if_indextoname would open and close a socket on every call).
    const int ioctl_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (ioctl_fd < 0) {
        error = std::string("cannot open a socket to name interfaces: ") + std::strerror(errno);
        mnl_socket_close(nl);
        return nullptr;
    }
    std::unique_ptr<kernel_fib> fib(new kernel_fib(nl, ioctl_fd, timeout_ms > 0 ? timeout_ms : 1));
    fib->port_id_ = mnl_socket_get_portid(nl);
    return fib;
}

kernel_fib::kernel_fib(mnl_socket* nl, int ioctl_fd, int timeout_ms)
    : nl_(nl), ioctl_fd_(ioctl_fd), timeout_ms_(timeout_ms), seq_(static_cast<uint32_t>(now_ms())) {}

kernel_fib::~kernel_fib() {
    mnl_socket_close(nl_);
    ::close(ioctl_fd_);
}

bool kernel_fib::fail(int error) {
    ++failures_;
    last_error_ = error;
    return false;
}

bool kernel_fib::get_route(int family, const uint8_t* dst, const uint8_t* src, uint32_t oif, bool has_mark,
                           uint32_t mark, uint8_t tos, route& out) {
    const uint32_t address_len = family == AF_INET ? 4 : 16;
    nlmsghdr* nlh = mnl_nlmsg_put_header(request_.data());
    nlh->nlmsg_type = RTM_GETROUTE;
    nlh->nlmsg_flags = NLM_F_REQUEST;
    nlh->nlmsg_seq = ++seq_;
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = static_cast<uint8_t>(family);
    rtm->rtm_dst_len = static_cast<uint8_t>(address_len * 8);
    rtm->rtm_src_len = src != nullptr ? static_cast<uint8_t>(address_len * 8) : 0;
    // IPv4: the DSCP the routing rules compare; IPv6: the traffic class (the flow's flowinfo).
    rtm->rtm_tos = tos;
    // FIB_MATCH: the FIB entry the lookup matched (type, prefix, every nexthop) rather than a
    // route cache entry; LOOKUP_TABLE: the table it was found in.
    rtm->rtm_flags = RTM_F_FIB_MATCH | RTM_F_LOOKUP_TABLE;
    mnl_attr_put(nlh, RTA_DST, address_len, dst);
    if (src != nullptr) mnl_attr_put(nlh, RTA_SRC, address_len, src);
    if (oif != 0) mnl_attr_put_u32(nlh, RTA_OIF, oif);
    if (has_mark) mnl_attr_put_u32(nlh, RTA_MARK, mark);
    // nft's flow has uid 0 (a zeroed flowi); without RTA_UID the kernel would use ours, which
    // `ip rule uidrange` could tell apart.
    mnl_attr_put_u32(nlh, RTA_UID, 0);

    if (mnl_socket_sendto(nl_, nlh, nlh->nlmsg_len) < 0) return fail(errno);

    // Wait for the reply with our sequence number; anything else is a late answer to an
    // earlier request that timed out, and is dropped. The wait is bounded in total.
    const int64_t deadline = now_ms() + timeout_ms_;
    pollfd pfd{mnl_socket_get_fd(nl_), POLLIN, 0};
    for (;;) {
        const int64_t left = deadline - now_ms();
        if (left <= 0) return fail(ETIMEDOUT);
        const int ready = poll(&pfd, 1, static_cast<int>(left));
        if (ready < 0) {
            if (errno == EINTR) continue;
            return fail(errno);
        }
        if (ready == 0) return fail(ETIMEDOUT);
        const ssize_t n = mnl_socket_recvfrom(nl_, reply_.data(), reply_.size());
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return fail(errno);  // ENOSPC: a truncated reply
        }
        int remaining = static_cast<int>(n);
        for (const auto* msg = reinterpret_cast<const nlmsghdr*>(reply_.data()); mnl_nlmsg_ok(msg, remaining);
             msg = mnl_nlmsg_next(msg, &remaining)) {
            if (msg->nlmsg_seq != seq_ || (msg->nlmsg_pid != 0 && msg->nlmsg_pid != port_id_)) continue;
            out = route{};
            if (msg->nlmsg_type == NLMSG_ERROR) {
                if (mnl_nlmsg_get_payload_len(msg) < sizeof(nlmsgerr)) return fail(EPROTO);
                const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(msg));
                if (err->error == 0) return fail(EPROTO);  // an ack we did not ask for
                out.error = -err->error;
                return true;
            }
            if (msg->nlmsg_type != RTM_NEWROUTE || !parse_route(msg, address_len, out)) return fail(EPROTO);
            return true;
        }
    }
}

bool kernel_fib::name_of(uint32_t ifindex, char (&name)[16]) {
    ifreq ifr{};
    ifr.ifr_ifindex = static_cast<int>(ifindex);
    if (ioctl(ioctl_fd_, SIOCGIFNAME, &ifr) < 0) return false;
    std::memcpy(name, ifr.ifr_name, 16);
    name[15] = '\0';
    return true;
}

bool kernel_fib::store(const vm::fib_query& query, uint32_t ifindex, const char* name, uint8_t* dst, uint32_t len) {
    if (query.flags & fib_present) {
        // nft_reg_store8: the whole register word is cleared, then one byte set.
        std::memset(dst, 0, std::min<uint32_t>(len, 4));
        if (len > 0) dst[0] = ifindex != 0 ? 1 : 0;
        return true;
    }
    if (query.result == result_oif) {
        put_u32(dst, len, ifindex);
        return true;
    }
    char buffer[16] = {};
    if (ifindex != 0) {
        if (name != nullptr) {
            std::memcpy(buffer, name, 16);
        } else if (!name_of(ifindex, buffer)) {
            // Gone between the lookup and now: the route's device no longer exists, so answer
            // as the kernel would a moment later (no route) rather than fail the rule.
            std::memset(buffer, 0, sizeof buffer);
        }
    }
    std::memcpy(dst, buffer, std::min<uint32_t>(len, 16));
    if (len > 16) std::memset(dst + 16, 0, len - 16);
    return true;
}

bool kernel_fib::lookup(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len) {
    if (query.address_len == 4) {
        if (query.result == result_type) {
            uint32_t type = 0;
            if (!type4(meta, query, type)) return false;
            put_u32(dst, len, type);
            return true;
        }
        if (query.result != result_oif && query.result != result_oifname) return false;
        return lookup4(meta, query, dst, len);
    }
    if (query.address_len == 16) {
        if (query.result == result_type) {
            uint32_t type = 0;
            if (!type6(meta, query, type)) return false;
            put_u32(dst, len, type);
            return true;
        }
        if (query.result != result_oif && query.result != result_oifname) return false;
        return lookup6(meta, query, dst, len);
    }
    return false;
}

// nft_fib4_eval.
bool kernel_fib::lookup4(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len) {
    const vm::interface_info* restrict_to = (query.flags & fib_oif) ? meta.oif : (query.flags & fib_iif) ? meta.iif : nullptr;
    // With iif the kernel also sets flowi4_oif to the interface's l3mdev (VRF) master. Without
    // a VRF that is 0, which is what we send; VRFs are a known difference.

    // A packet looped back to us: its route is the loopback itself.
    if (meta.hook == front::hook::prerouting && is_loopback(meta.iif)) {
        return store(query, meta.iif->index, meta.iif->name.data(), dst, len);
    }
    const bool by_daddr = (query.flags & fib_daddr) != 0;
    const uint8_t* saddr = by_daddr ? query.other : query.address;
    const uint8_t* daddr = by_daddr ? query.address : query.other;
    // DHCP and IGMP from an unconfigured host (0.0.0.0 to a broadcast or link-local group):
    // no route can say anything, the kernel answers with the packet's device.
    if (zeronet4(saddr) && (lbcast4(daddr) || local_multicast4(daddr))) {
        const vm::interface_info* dev = packet_device(meta);
        return store(query, dev != nullptr ? dev->index : 0, dev != nullptr ? dev->name.data() : nullptr, dst, len);
    }

    // get_saddr(): no source for a multicast, broadcast or zeronet address. The lookup's source
    // only matters to `ip rule from`. Two cases rtnetlink forces on us:
    //  - toward a multicast or broadcast destination an output lookup with a source takes the
    //    source's device without a FIB lookup (no FIB entry to report), so it goes without;
    //  - an output lookup refuses a source that is not a local address (ENETUNREACH), where
    //    fib_lookup() would not care: on ENETUNREACH we ask again without it.
    // Both lose only `ip rule from` matches on that source.
    const uint8_t* source = query.other;
    if (zeronet4(source) || lbcast4(source) || multicast4(source)) source = nullptr;
    if (lbcast4(query.address) || multicast4(query.address)) source = nullptr;
    // The forward hook's reverse-path check (saddr with iif) runs with flowi4_iif set to the
    // output interface, which only `ip rule iif` sees; an output lookup always has iif lo.
    const bool has_mark = (query.flags & fib_mark) != 0;
    const uint8_t tos = query.tos & dscp_bits;
    if (!get_route(AF_INET, query.address, source, 0, has_mark, meta.mark, tos, route_)) return false;
    if (route_.error == ENETUNREACH && source != nullptr) {
        if (!get_route(AF_INET, query.address, nullptr, 0, has_mark, meta.mark, tos, route_)) return false;
    }
    // No route (including blackhole, unreachable and prohibit routes, which fail the lookup),
    // or a local one: no device.
    if (route_.error != 0 || route_.type == RTN_LOCAL || route_.nexthops == 0) return store(query, 0, nullptr, dst, len);
    if (restrict_to == nullptr) return store(query, first_live(route_), nullptr, dst, len);
    if (!uses_device(route_, restrict_to->index)) return store(query, 0, nullptr, dst, len);
    return store(query, restrict_to->index, restrict_to->name.data(), dst, len);
}

// nft_fib4_eval_type: inet_dev_addr_type() of the address, with the input or output device
// when the expression names one.
bool kernel_fib::type4(const vm::packet_meta& meta, const vm::fib_query& query, uint32_t& type) {
    const vm::interface_info* dev = (query.flags & fib_iif) ? meta.iif : (query.flags & fib_oif) ? meta.oif : nullptr;
    const uint8_t* addr = query.address;
    if (zeronet4(addr) || lbcast4(addr)) {
        type = RTN_BROADCAST;
        return true;
    }
    if (multicast4(addr)) {
        type = RTN_MULTICAST;
        return true;
    }
    // The kernel looks the address up in the local table only. We cannot name a table, but an
    // output lookup with nothing but the destination meets the `from all lookup local` rule
    // (preference 0) first, so an address the local table holds comes back from it. Without
    // custom rules the kernel merges local into main and reports the table as main: accept
    // both. From any other table the local table had nothing: unicast. (So does a failed
    // lookup: the kernel's local-table miss and a reject route both read as unicast.)
    if (!get_route(AF_INET, addr, nullptr, 0, false, 0, 0, route_)) return false;
    type = RTN_UNICAST;
    if (route_.error != 0 || (route_.table != RT_TABLE_LOCAL && route_.table != RT_TABLE_MAIN)) return true;
    // The entry counts only on the device asked about (its first nexthop's device).
    if (dev != nullptr && (route_.nexthops == 0 || route_.oif[0] != dev->index)) return true;
    type = route_.type;
    return true;
}

// nft_fib6_eval.
bool kernel_fib::lookup6(const vm::packet_meta& meta, const vm::fib_query& query, uint8_t* dst, uint32_t len) {
    const vm::interface_info* restrict_to = (query.flags & fib_iif) ? meta.iif : (query.flags & fib_oif) ? meta.oif : nullptr;
    const bool by_daddr = (query.flags & fib_daddr) != 0;
    const uint8_t* saddr = by_daddr ? query.other : query.address;
    const uint8_t* daddr = by_daddr ? query.address : query.other;

    if (meta.hook == front::hook::prerouting || meta.hook == front::hook::ingress) {
        // Looped back; or ICMPv6 from :: to a link-local address (duplicate address detection
        // and its kin), which has no route back. The kernel also checks that the packet is
        // ICMPv6; the query does not carry the transport protocol, and nothing else is sent
        // from :: to a link-local address.
        if (is_loopback(meta.iif) || (meta.iif != nullptr && any6(saddr) && linklocal6(daddr))) {
            return store(query, meta.iif->index, meta.iif->name.data(), dst, len);
        }
    }
    // A link-local destination is looked up on the interface (strictly): the one the
    // expression names, else the packet's.
    uint32_t oif = 0;
    if (linklocal6(query.address)) {
        const vm::interface_info* dev = restrict_to != nullptr ? restrict_to : packet_device(meta);
        oif = dev != nullptr ? dev->index : 0;
    }
    const uint8_t* source = any6(query.other) ? nullptr : query.other;
    if (!get_route(AF_INET6, query.address, source, oif, (query.flags & fib_mark) != 0, meta.mark, query.tos, route_)) {
        return false;
    }
    // Errors, reject routes, and local or anycast routes: no device.
    if (route_.error != 0 || route_.type == RTN_LOCAL || anycast_flag(route_) || route_.nexthops == 0) {
        return store(query, 0, nullptr, dst, len);
    }
    // A multipath route: the kernel picks one nexthop by the flow's hash (its seed is random
    // per boot); we take the first live one, and with iif/oif accept any nexthop.
    if (restrict_to == nullptr) return store(query, first_live(route_), nullptr, dst, len);
    if (!uses_device(route_, restrict_to->index)) return store(query, 0, nullptr, dst, len);
    return store(query, restrict_to->index, restrict_to->name.data(), dst, len);
}

// __nft_fib6_eval_type.
bool kernel_fib::type6(const vm::packet_meta& meta, const vm::fib_query& query, uint32_t& type) {
    const vm::interface_info* dev = (query.flags & fib_iif) ? meta.iif : (query.flags & fib_oif) ? meta.oif : nullptr;
    const uint8_t* addr = query.address;
    uint32_t oif = 0;
    if (linklocal6(addr)) {
        const vm::interface_info* on = dev != nullptr ? dev : packet_device(meta);
        oif = on != nullptr ? on->index : 0;
    }
    const uint8_t* source = any6(query.other) ? nullptr : query.other;
    // The kernel's route is nf_ip6_route(): ip6_route_output(), the lookup RTM_GETROUTE runs.
    if (!get_route(AF_INET6, addr, source, oif, (query.flags & fib_mark) != 0, meta.mark, query.tos, route_)) {
        return false;
    }
    if (route_.error != 0) {
        // A reject route's error code names its type; no route at all reads as unreachable.
        switch (route_.error) {
            case EINVAL: type = RTN_BLACKHOLE; break;
            case EACCES: type = RTN_PROHIBIT; break;
            case EAGAIN: type = RTN_THROW; break;
            default: type = RTN_UNREACHABLE; break;
        }
        return true;
    }
    uint32_t ret = 0;
    // nf_ipv6_chk_addr(address, dev, strict): is the address one of dev's? The lookup answers
    // that too: the host's addresses come back as the local table's RTN_LOCAL routes, whose
    // nexthop is the device holding the address.
    if (dev != nullptr && route_.type == RTN_LOCAL && route_.nexthops > 0 && route_.oif[0] == dev->index) ret = RTN_LOCAL;
    // ipv6_anycast_destination(): an anycast route, or the subnet-router anycast address (the
    // prefix itself) of an on-link prefix.
    const bool subnet_router = route_.dst_len < 127 && !route_.gateway && std::memcmp(route_.dst, addr, 16) == 0;
    if (anycast_flag(route_) || subnet_router) {
        ret = RTN_ANYCAST;
    } else if (dev == nullptr && route_.type == RTN_LOCAL) {
        ret = RTN_LOCAL;
    }
    if (ret != 0) {
        type = ret;
    } else if (multicast6(addr)) {
        type = RTN_MULTICAST;
    } else if (unicast6(addr)) {
        type = RTN_UNICAST;
    } else {
        type = RTN_UNSPEC;
    }
    return true;
}

}  // namespace nfqwall::hostroute

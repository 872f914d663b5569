// Whether the kernel answers a packet that a `reject` statement drops, and if not, why. The
// verdict is NF_DROP either way; the reply is best effort, and the kernel quietly sends none
// for packets it must not or cannot answer. `nfqwall eval` says so on its verdict line, and
// the daemon, which builds the replies itself, must make the same choice.
//
// The ip, ip6 and inet families (nft_reject_ipv4.c, nft_reject_ipv6.c, nft_reject_inet.c)
// reply through nf_send_reset / nf_send_unreach (net/ipv4/netfilter/nf_reject_ipv4.c, then
// icmp_send) and nf_send_reset6 / nf_send_unreach6 (net/ipv6/netfilter/nf_reject_ipv6.c,
// then icmpv6_send). What they check, in that order, is listed at each reason below. Not
// modelled: the route lookups for the reply (no route back means no reply), a
// subnet-directed broadcast destination (the kernel knows it from its routes), anycast
// sources, ICMP rate limits, and checksums a NIC already verified (CHECKSUM_UNNECESSARY /
// CHECKSUM_COMPLETE outside prerouting and input skip the software check): nfqwall checks
// every checksum, as the kernel does for a packet that arrived without offload (a veth with
// rx checksumming off).
#pragma once

#include <cstdint>
#include <string_view>

#include "packet/packet.hpp"

namespace nfqwall::packet {

// The reply a reject asks for. `icmp`, `icmpv6` and `icmpx` types are all a destination
// unreachable (icmpx picks the code by family); tcp reset is a RST.
enum class reject_reply : uint8_t { icmp_unreachable, tcp_reset };

enum class no_reply_reason : uint8_t {
    none,                 // a reply is sent
    not_ip,               // no IPv4 or IPv6 header to answer
    later_fragment,       // a non-first fragment: both families' first check
    fragment_checksum,    // a first fragment: its transport checksum covers the whole datagram,
                          // so the check over this fragment alone fails
    bad_checksum,         // the transport checksum does not verify (nf_ip_checksum, nf_ip6_checksum)
    rst,                  // tcp reset of a RST ("No RST for RST")
    not_tcp,              // tcp reset of a packet that is not TCP
    transport_truncated,  // the TCP header, or the ICMP type, is not in the packet
    icmp_error,           // an ICMP error, or ICMPv6 error, is never answered with an error
    no_transport,         // IPv6: the extension header chain ends (next header none) or is cut short
    not_unicast,          // IPv4: to a multicast or limited-broadcast address; IPv6: an address
                          // is not unicast (reset) or the destination is multicast (unreachable)
    not_for_host,         // the link-layer destination was not this host (meta pkttype)
    bad_source,           // IPv6 unreachable: the source is unspecified or multicast
};

// The kernel's choice for `packet` as the ip/ip6/inet hook sees it (from the network header,
// trimmed to the IP length). `link_host`: meta pkttype is host (icmp_send and icmpv6_send
// answer nothing else). Allocates nothing.
no_reply_reason why_no_reply(const packet_view& packet, reject_reply reply, bool link_host = true);

inline bool reject_sends_reply(const packet_view& packet, reject_reply reply, bool link_host = true) {
    return why_no_reply(packet, reply, link_host) == no_reply_reason::none;
}

// A short phrase for messages: "the packet is a RST", "a later fragment", ...
std::string_view describe(no_reply_reason reason);

}  // namespace nfqwall::packet

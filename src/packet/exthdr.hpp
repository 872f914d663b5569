// The kernel's `exthdr` expression over a parsed packet: IPv6 extension headers, IPv4
// options, TCP options, SCTP chunks and DCCP options (net/netfilter/nft_exthdr.c), found and
// loaded with the same rules, including when a load fails and what "present" means.
//
// All transport lookups need the protocol's header (has_transport_header(): known protocol,
// not a non-first fragment). The kernel's DCCP and TCP option code checks fragoff; SCTP got
// the check from a 2026 netfilter patch (with the payload fast path), which nfqwall follows.
#pragma once

#include <cstdint>

#include "packet/packet.hpp"

namespace nfqwall::packet {

// NFT_EXTHDR_OP_*.
enum class exthdr_op : uint8_t { ipv6 = 0, tcp = 1, ipv4 = 2, sctp = 3, dccp = 4 };

// An option, chunk or extension header: where it starts in the buffer and its length as the
// kernel reads it (0 when it has none, as for an upper-layer header found by ipv6 lookups).
struct located {
    uint32_t offset = no_offset;
    uint32_t length = 0;
    bool found() const { return offset != no_offset; }
};

// ipv6_find_hdr(target = type): the first header of that type in the chain; also finds the
// upper-layer header when `type` is not an extension header (`exthdr mh`: 135) and 59. Walks
// past AH; stops at a non-first fragment (whose own fragment header is still found).
located find_ipv6_exthdr(const packet_view& packet, uint8_t type);

// ipv4_find_option: only LSRR (131), SSRR (137), RR (7) and RA (148) are searched, after the
// whole option area passed __ip_options_compile's checks; anything else is not found. The
// kernel validates as a privileged caller; it accepts no CIPSO option (134) unless a CIPSO
// DOI is configured, and nfqwall has none.
located find_ipv4_option(const packet_view& packet, uint8_t type);

// nft_exthdr_tcp_eval: the first option of that kind in the TCP header (EOL and NOP are one
// byte, as is any option whose length byte is 0); not found when it runs past the header.
located find_tcp_option(const packet_view& packet, uint8_t kind);

// The same walk, telling why nothing was found: nft_exthdr_tcp_set_eval breaks the rule when
// it cannot read the TCP header (not TCP, a non-first fragment, cut short) or when the option
// runs past the header, but lets the rule go on, untouched, when the option is simply absent.
enum class tcp_option_search : uint8_t { found, absent, unreadable };
tcp_option_search search_tcp_option(const packet_view& packet, uint8_t kind, located& out);

// nft_exthdr_sctp_eval: the first chunk of that type after the 12-byte common header; length
// is the chunk's length field, which a load must fit in (and the chunk in the packet).
located find_sctp_chunk(const packet_view& packet, uint8_t type);

// nft_exthdr_dccp_eval: the kernel only answers "present".
bool has_dccp_option(const packet_view& packet, uint8_t type);

// The exthdr expression's two forms: a load into a register (fails: NFT_BREAK) and the
// F_PRESENT test (never fails; false when absent). `offset`/`length` are the expression's
// own, relative to the header found.
[[nodiscard]] bool exthdr_load(const packet_view& packet, exthdr_op op, uint8_t type, uint32_t offset,
                               uint32_t length, uint8_t* dst);
bool exthdr_present(const packet_view& packet, exthdr_op op, uint8_t type, uint32_t offset = 0, uint32_t length = 1);

}  // namespace nfqwall::packet

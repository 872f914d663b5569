// Checksums for rewriting packets: Internet checksum arithmetic (RFC 1071, RFC 1624), SCTP's
// CRC32c, and the kernel's payload statement with its checksum updates
// (nft_payload_set_eval in net/netfilter/nft_payload.c). NAT builds on the same helpers.
#pragma once

#include <cstdint>
#include <span>

#include "packet/packet.hpp"

namespace nfqwall::packet {

// Ones' complement sum of big-endian 16-bit words, an odd last byte padded with zero;
// continues `sum`. Like the kernel's csum_partial, the first byte is always a high byte.
uint32_t checksum_add_bytes(std::span<const uint8_t> bytes, uint32_t sum = 0);
// Folds to 16 bits and complements: the value stored in a checksum field.
uint16_t checksum_fold(uint32_t sum);
// nft_csum_replace: a stored checksum updated for bytes whose sum was `from` replaced by bytes
// whose sum is `to`; a result of 0 is stored as 0xffff (CSUM_MANGLED_0).
uint16_t checksum_replace(uint16_t checksum, uint32_t from, uint32_t to);

// Whether an IPv4 header's checksum verifies (ip_rcv drops packets where it does not).
bool ipv4_header_checksum_ok(const packet_view& packet);

// nft_payload_l4csum_offset: the buffer offset of the transport checksum the pseudo-header
// flag updates (TCP, UDP unless its checksum is 0, UDP-Lite, ICMPv6), or no_offset.
uint32_t l4_checksum_offset(const packet_view& packet);

// CRC32c (Castagnoli) as SCTP uses it, over the SCTP packet at the transport header with
// its checksum field taken as zero; the value is stored little-endian (sctp_compute_cksum).
uint32_t sctp_checksum(const packet_view& packet);

// NFT_PAYLOAD_CSUM_*.
enum class checksum_kind : uint8_t { none = 0, inet = 1, sctp = 2 };

// One payload statement, as nft encodes it.
struct payload_write {
    payload_base base = payload_base::network;
    uint32_t offset = 0;
    uint32_t length = 0;
    checksum_kind checksum = checksum_kind::none;
    uint32_t checksum_offset = 0;    // relative to base, for checksum_kind::inet
    bool l4_pseudo_header = false;  // NFT_PAYLOAD_L4CSUM_PSEUDOHDR
};

// nft_payload_set_eval: writes `src` and updates the checksums it asks for. `checksum_partial`
// is NFQUEUE's NFQA_SKB_CSUMNOTREADY (the kernel's CHECKSUM_PARTIAL): the transport checksum
// holds only the pseudo-header sum, so writes to transport bytes leave it alone. Fails (the
// rule breaks) like store(), or when a checksum field to update lies outside the packet; all
// bounds are checked before anything is written.
[[nodiscard]] bool payload_set(packet_view& packet, const payload_write& write, const uint8_t* src,
                               bool checksum_partial = false);

}  // namespace nfqwall::packet

#include "packet/checksum.hpp"

#include <array>
#include <cstring>

#include "packet/detail.hpp"

namespace nfqwall::packet {

using namespace detail;

namespace {

// The kernel's csum_add: 32-bit addition with the carry folded back in.
uint32_t add32(uint32_t a, uint32_t b) {
    const uint32_t r = a + b;
    return r + (r < b ? 1 : 0);
}

uint16_t read_be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
void write_be16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}

constexpr std::array<uint32_t, 256> crc32c_table = [] {
    std::array<uint32_t, 256> table{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;  // reflected Castagnoli
        table[i] = c;
    }
    return table;
}();

uint32_t crc32c_update(uint32_t crc, const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) crc = crc32c_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc;
}

}  // namespace

uint32_t checksum_add_bytes(std::span<const uint8_t> bytes, uint32_t sum) {
    uint64_t acc = sum;
    size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) acc += uint32_t(bytes[i] << 8 | bytes[i + 1]);
    if (i < bytes.size()) acc += uint32_t(bytes[i]) << 8;
    while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
    return static_cast<uint32_t>(acc);
}

uint16_t checksum_fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum & 0xffff);
}

uint16_t checksum_replace(uint16_t checksum, uint32_t from, uint32_t to) {
    const uint16_t r = checksum_fold(add32(add32(~uint32_t{checksum}, ~from), to));
    return r == 0 ? 0xffff : r;
}

bool ipv4_header_checksum_ok(const packet_view& p) {
    if (p.network() != network_protocol::ipv4 || !p.contains(p.network_offset(), 20)) return false;
    const uint32_t header = (p.u8_at(p.network_offset()) & 0x0f) * 4u;
    if (header < 20 || !p.contains(p.network_offset(), header)) return false;
    return checksum_fold(checksum_add_bytes(p.bytes().subspan(p.network_offset(), header))) == 0;
}

uint32_t l4_checksum_offset(const packet_view& p) {
    if (!p.has_l4proto() || p.fragment_offset() != 0) return no_offset;
    const uint32_t th = p.transport_offset();
    switch (p.l4proto()) {
    case proto_tcp: return th + 16;
    case proto_udp:
        // A zero UDP checksum means "none" and must stay so.
        if (!p.contains(th, 8) || p.be16_at(th + 6) == 0) return no_offset;
        return th + 6;
    case proto_udplite: return th + 6;
    case proto_icmpv6: return th + 2;
    default: return no_offset;
    }
}

uint32_t sctp_checksum(const packet_view& p) {
    const uint32_t th = p.transport_offset();
    if (!p.has_transport_header() || !p.contains(th, 12)) return 0;
    const uint8_t* data = p.bytes().data();
    static constexpr uint8_t zero[4] = {};
    uint32_t crc = crc32c_update(0xffffffffu, data + th, 8);
    crc = crc32c_update(crc, zero, 4);
    crc = crc32c_update(crc, data + th + 12, p.size() - th - 12);
    return ~crc;
}

bool payload_set(packet_view& p, const payload_write& w, const uint8_t* src, bool checksum_partial) {
    uint8_t* data = p.mutable_data();
    const uint32_t base = p.base_offset(w.base);
    if (data == nullptr || base == no_offset) return false;
    const uint64_t at = uint64_t{base} + w.offset;
    if (!p.contains(at, w.length)) return false;

    const bool transport_bytes = w.base == payload_base::transport || w.base == payload_base::inner;
    const bool update = (w.checksum == checksum_kind::inet || w.l4_pseudo_header) && (!transport_bytes || !checksum_partial);
    const uint64_t inet_at = uint64_t{base} + w.checksum_offset;
    const uint32_t l4_at = update && w.l4_pseudo_header ? l4_checksum_offset(p) : no_offset;
    if (update && w.checksum == checksum_kind::inet && !p.contains(inet_at, 2)) return false;
    if (l4_at != no_offset && !p.contains(l4_at, 2)) return false;
    const bool sctp = w.checksum == checksum_kind::sctp && p.has_l4proto() && p.l4proto() == proto_sctp &&
                      !checksum_partial && p.fragment_offset() == 0;
    if (sctp && !p.contains(p.transport_offset(), 12)) return false;

    if (update) {
        const uint32_t from = checksum_add_bytes({data + at, w.length});
        const uint32_t to = checksum_add_bytes({src, w.length});
        if (w.checksum == checksum_kind::inet) {
            write_be16(data + inet_at, checksum_replace(read_be16(data + inet_at), from, to));
        }
        if (l4_at != no_offset) {
            const uint16_t old = read_be16(data + l4_at);
            // A partial checksum holds the pseudo-header sum itself, not its complement.
            const uint16_t updated = checksum_partial ? uint16_t(~checksum_fold(add32(add32(old, ~from), to)))
                                                      : checksum_replace(old, from, to);
            write_be16(data + l4_at, updated);
        }
    }
    std::memmove(data + at, src, w.length);
    if (sctp) {
        const uint32_t crc = sctp_checksum(p);
        uint8_t* field = data + p.transport_offset() + 8;
        for (int i = 0; i < 4; ++i) field[i] = uint8_t(crc >> (8 * i));
    }
    return true;
}

}  // namespace nfqwall::packet

// UDP tracking (nf_conntrack_proto_udp.c): header and checksum checks on every packet, 30 s
// until a stream shows itself, then 120 s and ASSURED.
#include "conntrack/entry.hpp"
#include "packet/checksum.hpp"

namespace nfqwall::conntrack {

namespace {

// The transport checksum over the first `covered` bytes of the `len` from `off`, with a
// pseudo-header naming `l4` and `len` (nf_ip_checksum_partial / nf_ip6_checksum_partial).
bool checksum_ok(const packet::packet_view& p, uint8_t l4, uint32_t off, uint32_t len, uint32_t covered) {
    uint32_t sum = 0;
    if (l4 != proto_icmp) {
        const uint32_t net = p.network_offset();
        const bool v4 = p.network() == packet::network_protocol::ipv4;
        const uint32_t alen = v4 ? 4 : 16;
        const auto bytes = p.bytes();
        sum = packet::checksum_add_bytes(bytes.subspan(net + (v4 ? 12 : 8), 2 * alen));
        const uint8_t tail[8] = {uint8_t(len >> 24), uint8_t(len >> 16), uint8_t(len >> 8), uint8_t(len), 0, 0, 0, l4};
        sum = packet::checksum_add_bytes(tail, sum);
    }
    sum = packet::checksum_add_bytes(p.bytes().subspan(off, covered), sum);
    return packet::checksum_fold(sum) == 0;
}

}  // namespace

bool l4_checksum_ok(const packet::packet_view& p, uint8_t l4) {
    const uint32_t off = ct_l4_offset(p);
    const uint32_t len = p.size() - off;
    return checksum_ok(p, l4, off, len, len);
}

proto_verdict udp_packet(entry& e, proto_context& c, bool) {
    const packet::packet_view& p = c.pkt;
    if (!p.has_transport_header()) return proto_verdict::invalid;
    const uint32_t off = ct_l4_offset(p);
    if (!p.contains(off, 8)) return proto_verdict::invalid;
    const uint32_t udplen = p.size() - off;
    const uint16_t length = p.be16_at(off + 4);
    if (length > udplen || length < 8) return proto_verdict::invalid;
    // A zero checksum means "none" and is accepted; only prerouting packets are checked.
    if (p.be16_at(off + 6) != 0 && c.cfg.checksum && c.hook == hook_point::prerouting &&
        !l4_checksum_ok(p, proto_udp))
        return proto_verdict::invalid;

    if (!c.confirmed) e.proto.udp_stream_ts = c.now + 2000;
    if (e.status & ips_seen_reply) {
        uint32_t timeout = c.cfg.udp_timeout;
        bool stream = false;
        // Still talking more than two seconds after the start: a stream, not a probe.
        if (static_cast<int32_t>(c.now - e.proto.udp_stream_ts) > 0) {
            timeout = c.cfg.udp_timeout_stream;
            stream = !(e.status & ips_assured);
        }
        c.refresh_with(timeout);
        // Clash losers time out soon and must stay evictable.
        if (stream && !(e.status & ips_nat_clash)) add_status(e, ips_assured);
    } else {
        c.refresh_with(c.cfg.udp_timeout);
    }
    return proto_verdict::accept;
}

// UDP-Lite (nf_conntrack_udplite_packet): UDP's timeouts, but no two-second stream test: a
// reply is enough for 120 s and ASSURED. udplite_error refuses a bad checksum coverage and a
// zero checksum (mandatory in UDP-Lite), and verifies the covered bytes with IPPROTO_UDP in
// the pseudo-header where RFC 3828 puts 136: datagrams checksummed by the RFC are invalid.
proto_verdict udplite_packet(entry& e, proto_context& c, bool) {
    const packet::packet_view& p = c.pkt;
    if (!p.has_transport_header()) return proto_verdict::invalid;
    const uint32_t off = ct_l4_offset(p);
    if (!p.contains(off, 8)) return proto_verdict::invalid;
    const uint32_t udplen = p.size() - off;
    uint32_t coverage = p.be16_at(off + 4);
    if (coverage == 0) coverage = udplen;  // 0: the whole datagram
    else if (coverage < 8 || coverage > udplen) return proto_verdict::invalid;
    if (p.be16_at(off + 6) == 0) return proto_verdict::invalid;
    if (c.cfg.checksum && c.hook == hook_point::prerouting && !checksum_ok(p, proto_udp, off, udplen, coverage))
        return proto_verdict::invalid;

    if (e.status & ips_seen_reply) {
        c.refresh_with(c.cfg.udp_timeout_stream);
        if (!(e.status & ips_assured) && !(e.status & ips_nat_clash)) add_status(e, ips_assured);
    } else {
        c.refresh_with(c.cfg.udp_timeout);
    }
    return proto_verdict::accept;
}

}  // namespace nfqwall::conntrack

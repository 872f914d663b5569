// UDP tracking (nf_conntrack_proto_udp.c): header and checksum checks on every packet, 30 s
// until a stream shows itself, then 120 s and ASSURED.
#include "conntrack/entry.hpp"
#include "packet/checksum.hpp"

namespace nfqwall::conntrack {

bool l4_checksum_ok(const packet::packet_view& p, uint8_t l4) {
    const uint32_t off = ct_l4_offset(p);
    const uint32_t len = p.size() - off;
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
    sum = packet::checksum_add_bytes(p.bytes().subspan(off, len), sum);
    return packet::checksum_fold(sum) == 0;
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

}  // namespace nfqwall::conntrack

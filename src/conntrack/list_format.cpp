#include "conntrack/list_format.hpp"

#include <arpa/inet.h>

#include <fmt/format.h>

namespace nfqwall::conntrack {

namespace {

void append_tuple(std::string& out, const tuple& t) {
    char buf[INET6_ADDRSTRLEN];
    const int af = t.l3 == l3_ipv4 ? AF_INET : AF_INET6;
    inet_ntop(af, t.ends.src.data(), buf, sizeof buf);
    out += fmt::format(" src={}", buf);
    inet_ntop(af, t.ends.dst.data(), buf, sizeof buf);
    out += fmt::format(" dst={}", buf);
    switch (t.l4) {
    case proto_tcp: case proto_udp: case 136: case 132: case 33:
        out += fmt::format(" sport={} dport={}", t.ends.src_id, t.ends.dst_id);
        break;
    case proto_icmp: case proto_icmpv6:
        if ((t.l4 == proto_icmp) == (t.l3 == l3_ipv4))
            out += fmt::format(" type={} code={} id={}", t.icmp_type(), t.icmp_code(), t.ends.src_id);
        break;
    case 47:
        out += fmt::format(" srckey={:#x} dstkey={:#x}", t.ends.src_id, t.ends.dst_id);
        break;
    default: break;
    }
}

}  // namespace

const char* l4_name(uint8_t protocol) {
    switch (protocol) {
    case proto_tcp: return "tcp";
    case proto_udp: return "udp";
    case proto_icmp: return "icmp";
    case proto_icmpv6: return "icmpv6";
    case 132: return "sctp";
    case 47: return "gre";
    case 136: return "udplite";
    case 33: return "dccp";
    default: return "unknown";
    }
}

std::string format_entry(const entry_info& e, const list_options& o) {
    std::string out;
    if (o.extended) out += fmt::format("{:<8} {} ", e.orig.l3 == l3_ipv4 ? "ipv4" : "ipv6", e.orig.l3);
    out += fmt::format("{:<8} {} {}", l4_name(e.orig.l4), e.orig.l4, e.timeout_ms / 1000);
    if (e.orig.l4 == proto_tcp) out += fmt::format(" {}", to_string(e.tcp));
    append_tuple(out, e.orig);
    if (e.has_acct) out += fmt::format(" packets={} bytes={}", e.packets[0], e.bytes[0]);
    if (!(e.status & ips_seen_reply)) out += " [UNREPLIED]";
    append_tuple(out, e.reply);
    if (e.has_acct) out += fmt::format(" packets={} bytes={}", e.packets[1], e.bytes[1]);
    if (e.status & ips_assured) out += " [ASSURED]";
    out += fmt::format(" mark={}", e.mark);
    if (e.zone != 0) out += fmt::format(" zone={}", e.zone);
    // libnetfilter_conntrack prints time(NULL) - start seconds: whole seconds on both sides.
    if (e.has_timestamp && o.now_ns >= e.start_ns)
        out += fmt::format(" delta-time={}", o.now_ns / 1'000'000'000 - e.start_ns / 1'000'000'000);
    out += fmt::format(" use={}", e.use);
    if (o.show_id) out += fmt::format(" id={}", e.id);
    if (o.show_labels && o.label_name) {
        std::string names;
        for (unsigned bit = 0; bit < 128; ++bit) {
            if (!(e.labels[bit / 8] & (1u << (bit % 8)))) continue;
            const std::string n = o.label_name(bit);
            if (n.empty()) continue;
            if (!names.empty()) names += ',';
            names += n;
        }
        if (!names.empty()) out += " labels=" + names;
    }
    return out;
}

std::string format_statistics(const statistics& s, unsigned cpu) {
    return fmt::format(
        "cpu={:<4}\tfound={} invalid={} insert={} insert_failed={} drop={} early_drop={} error={} search_restart={} "
        "clash_resolve={} chaintoolong={} ",
        cpu, s.found, s.invalid, s.insert, s.insert_failed, s.drop, s.early_drop, s.error, s.search_restart,
        s.clash_resolve, s.chaintoolong);
}

}  // namespace nfqwall::conntrack

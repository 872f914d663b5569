// `key = value` lines with the kernel's sysctl names (net.netfilter.nf_conntrack_*).
#include <charconv>
#include <cstddef>

#include "conntrack/config.hpp"

namespace nfqwall::conntrack {

namespace {

enum class kind : uint8_t { timeout, flag, count, entries };

struct field {
    std::string_view name;
    kind k;
    uint32_t config::*number;
    bool config::*flag;
};

constexpr field fields[] = {
    {"tcp_timeout_syn_sent", kind::timeout, &config::tcp_timeout_syn_sent, nullptr},
    {"tcp_timeout_syn_recv", kind::timeout, &config::tcp_timeout_syn_recv, nullptr},
    {"tcp_timeout_established", kind::timeout, &config::tcp_timeout_established, nullptr},
    {"tcp_timeout_fin_wait", kind::timeout, &config::tcp_timeout_fin_wait, nullptr},
    {"tcp_timeout_close_wait", kind::timeout, &config::tcp_timeout_close_wait, nullptr},
    {"tcp_timeout_last_ack", kind::timeout, &config::tcp_timeout_last_ack, nullptr},
    {"tcp_timeout_time_wait", kind::timeout, &config::tcp_timeout_time_wait, nullptr},
    {"tcp_timeout_close", kind::timeout, &config::tcp_timeout_close, nullptr},
    {"tcp_timeout_max_retrans", kind::timeout, &config::tcp_timeout_max_retrans, nullptr},
    {"tcp_timeout_unacknowledged", kind::timeout, &config::tcp_timeout_unacknowledged, nullptr},
    {"udp_timeout", kind::timeout, &config::udp_timeout, nullptr},
    {"udp_timeout_stream", kind::timeout, &config::udp_timeout_stream, nullptr},
    {"icmp_timeout", kind::timeout, &config::icmp_timeout, nullptr},
    {"icmpv6_timeout", kind::timeout, &config::icmpv6_timeout, nullptr},
    {"generic_timeout", kind::timeout, &config::generic_timeout, nullptr},
    {"gre_timeout", kind::timeout, &config::gre_timeout, nullptr},
    {"gre_timeout_stream", kind::timeout, &config::gre_timeout_stream, nullptr},
    {"tcp_loose", kind::flag, nullptr, &config::tcp_loose},
    {"tcp_be_liberal", kind::flag, nullptr, &config::tcp_be_liberal},
    {"tcp_ignore_invalid_rst", kind::flag, nullptr, &config::tcp_ignore_invalid_rst},
    {"tcp_max_retrans", kind::count, &config::tcp_max_retrans, nullptr},
    {"checksum", kind::flag, nullptr, &config::checksum},
    {"acct", kind::flag, nullptr, &config::acct},
    {"timestamp", kind::flag, nullptr, &config::timestamp},
    {"max", kind::entries, &config::max, nullptr},
    {"buckets", kind::entries, &config::buckets, nullptr},
};

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::string_view strip_prefix(std::string_view key) {
    for (std::string_view p : {"net.netfilter.", "nf_conntrack_"})
        if (key.substr(0, p.size()) == p) key.remove_prefix(p.size());
    return key;
}

}  // namespace

bool parse_config(std::string_view text, config& cfg, std::string* error) {
    config next = cfg;
    size_t line_no = 0;
    auto fail = [&](const std::string& what) {
        if (error) *error = "line " + std::to_string(line_no) + ": " + what;
        return false;
    };
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) return fail("expected `key = value`");
        const std::string_view key = strip_prefix(trim(line.substr(0, eq)));
        const std::string_view value = trim(line.substr(eq + 1));
        const field* f = nullptr;
        for (const field& c : fields)
            if (c.name == key) f = &c;
        if (f == nullptr) return fail("unknown setting `" + std::string(key) + "`");
        uint64_t v = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc{} || end != value.data() + value.size())
            return fail("`" + std::string(key) + "` needs a non-negative integer");
        switch (f->k) {
        case kind::flag:
            if (v > 1) return fail("`" + std::string(key) + "` is 0 or 1");
            next.*(f->flag) = v == 1;
            break;
        case kind::timeout:
            if (v > max_timeout_seconds)
                return fail("`" + std::string(key) + "` exceeds " + std::to_string(max_timeout_seconds) + " seconds");
            next.*(f->number) = static_cast<uint32_t>(v);
            break;
        case kind::count:
            if (v > 255) return fail("`" + std::string(key) + "` is at most 255");
            next.*(f->number) = static_cast<uint32_t>(v);
            break;
        case kind::entries:
            if (v < 1 || v > max_entries)
                return fail("`" + std::string(key) + "` is between 1 and " + std::to_string(max_entries));
            next.*(f->number) = static_cast<uint32_t>(v);
            break;
        }
    }
    cfg = next;
    return true;
}

std::string format_config(const config& cfg) {
    std::string out;
    for (const field& f : fields) {
        out += "nf_conntrack_";
        out += f.name;
        out += " = ";
        out += f.k == kind::flag ? std::to_string(cfg.*(f.flag) ? 1 : 0) : std::to_string(cfg.*(f.number));
        out += '\n';
    }
    return out;
}

}  // namespace nfqwall::conntrack

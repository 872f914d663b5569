#include "conntrack/commands.hpp"

#include <arpa/inet.h>

#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "front/value.hpp"

namespace nfqwall::conntrack {

namespace {

constexpr std::string_view banner = "conntrack v1.4.7 (conntrack-tools): ";

struct named_number {
    std::string_view name;
    uint32_t value;
};

constexpr named_number l4_names[] = {{"tcp", 6}, {"udp", 17}, {"icmp", 1}, {"icmpv6", 58}, {"ipv6-icmp", 58},
                                     {"udplite", 136}, {"sctp", 132}, {"dccp", 33}, {"gre", 47}};

constexpr named_number status_names[] = {
    {"EXPECTED", ips_expected},   {"SEEN_REPLY", ips_seen_reply}, {"ASSURED", ips_assured},
    {"CONFIRMED", ips_confirmed}, {"SNAT", ips_src_nat},          {"DNAT", ips_dst_nat},
    {"SEQ_ADJUST", ips_seq_adjust}, {"SNAT_DONE", ips_src_nat_done}, {"DNAT_DONE", ips_dst_nat_done},
    {"DYING", ips_dying},         {"FIXED_TIMEOUT", ips_fixed_timeout}, {"TEMPLATE", ips_template},
    {"OFFLOAD", ips_offload},     {"HELPER", ips_helper},
};

// Decimal or 0x-hex, as conntrack takes marks, ports and zones (front::parse_u128's rules).
bool parse_number(std::string_view text, uint64_t max, uint64_t& out) {
    front::u128 v = 0;
    if (!front::parse_u128(text, v) || v > max) return false;
    out = static_cast<uint64_t>(v);
    return true;
}

// An address of either family; sets `family` (and refuses one that contradicts it).
bool parse_address(const std::string& text, std::optional<uint8_t>& family, std::array<uint8_t, 16>& out) {
    out = {};
    uint8_t f = 0;
    if (inet_pton(AF_INET, text.c_str(), out.data()) == 1) {
        f = l3_ipv4;
    } else if (inet_pton(AF_INET6, text.c_str(), out.data()) == 1) {
        f = l3_ipv6;
    } else {
        return false;
    }
    if (family && *family != f) return false;
    family = f;
    return true;
}

class command_line {
public:
    explicit command_line(std::span<const std::string> args) : args_(args) {}
    bool done() const { return next_ >= args_.size(); }
    const std::string& take() { return args_[next_++]; }
    bool value(const std::string& option, std::string& out, std::string& error) {
        if (done()) {
            error = "option `" + option + "' requires an argument";
            return false;
        }
        out = take();
        return true;
    }

private:
    std::span<const std::string> args_;
    size_t next_ = 0;
};

struct parsed_command {
    enum class verb { list, remove, update, stats, count, flush } what = verb::list;
    bool expect = false;  // `list expect`, `flush expect`: the expectation table
    filter match;
    list_options listing;
    std::optional<uint32_t> new_mark;
};

bool parse_filter_option(const std::string& option, command_line& line, filter& f, std::string& error) {
    std::string v;
    auto port = [&](std::optional<uint16_t>& into) {
        uint64_t n = 0;
        if (!line.value(option, v, error)) return false;
        if (!parse_number(v, 65535, n)) {
            error = "bad port `" + v + "'";
            return false;
        }
        into = static_cast<uint16_t>(n);
        return true;
    };
    auto address = [&](std::optional<std::array<uint8_t, 16>>& into) {
        if (!line.value(option, v, error)) return false;
        std::array<uint8_t, 16> a;
        if (!parse_address(v, f.l3, a)) {
            error = "bad address `" + v + "' (or of the other family)";
            return false;
        }
        into = a;
        return true;
    };
    if (option == "-p" || option == "--proto") {
        if (!line.value(option, v, error)) return false;
        for (const named_number& n : l4_names) {
            if (v == n.name) {
                f.l4 = static_cast<uint8_t>(n.value);
                return true;
            }
        }
        uint64_t n = 0;
        if (!parse_number(v, 255, n)) {
            error = "unknown protocol `" + v + "'";
            return false;
        }
        f.l4 = static_cast<uint8_t>(n);
        return true;
    }
    if (option == "-s" || option == "--src" || option == "--orig-src") return address(f.orig_src);
    if (option == "-d" || option == "--dst" || option == "--orig-dst") return address(f.orig_dst);
    if (option == "-r" || option == "--reply-src") return address(f.reply_src);
    if (option == "-q" || option == "--reply-dst") return address(f.reply_dst);
    if (option == "--sport" || option == "--orig-port-src") return port(f.orig_sport);
    if (option == "--dport" || option == "--orig-port-dst") return port(f.orig_dport);
    if (option == "--reply-port-src") return port(f.reply_sport);
    if (option == "--reply-port-dst") return port(f.reply_dport);
    if (option == "-w" || option == "--zone") {
        uint64_t n = 0;
        if (!line.value(option, v, error)) return false;
        if (!parse_number(v, 65535, n)) {
            error = "bad zone `" + v + "'";
            return false;
        }
        f.zone = static_cast<uint16_t>(n);
        return true;
    }
    if (option == "-m" || option == "--mark") {
        if (!line.value(option, v, error)) return false;
        const size_t slash = v.find('/');
        uint64_t value = 0, mask = 0xffffffff;
        if (!parse_number(std::string_view(v).substr(0, slash), 0xffffffff, value) ||
            (slash != std::string::npos && !parse_number(std::string_view(v).substr(slash + 1), 0xffffffff, mask))) {
            error = "bad mark `" + v + "'";
            return false;
        }
        f.mark = static_cast<uint32_t>(value);
        f.mark_mask = static_cast<uint32_t>(mask);
        return true;
    }
    if (option == "--state") {
        if (!line.value(option, v, error)) return false;
        for (int s = 0; s <= static_cast<int>(tcp_state::syn_sent2); ++s) {
            if (v == to_string(static_cast<tcp_state>(s))) {
                f.state = static_cast<tcp_state>(s);
                return true;
            }
        }
        error = "unknown TCP state `" + v + "'";
        return false;
    }
    if (option == "-u" || option == "--status") {
        if (!line.value(option, v, error)) return false;
        size_t start = 0;
        while (start <= v.size()) {
            const size_t comma = v.find(',', start);
            const std::string_view name = std::string_view(v).substr(start, comma == std::string::npos ? comma : comma - start);
            bool found = false;
            for (const named_number& n : status_names) {
                if (name == n.name) {
                    f.status_all |= n.value;
                    found = true;
                }
            }
            if (!found) {
                error = "unknown status `" + std::string(name) + "'";
                return false;
            }
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return true;
    }
    if (option == "-f" || option == "--family") {
        if (!line.value(option, v, error)) return false;
        const uint8_t family = v == "ipv4" ? l3_ipv4 : v == "ipv6" ? l3_ipv6 : 0;
        if (family == 0 || (f.l3 && *f.l3 != family)) {
            error = "bad family `" + v + "' (ipv4 or ipv6)";
            return false;
        }
        f.l3 = family;
        return true;
    }
    error = "unknown option `" + option + "'";
    return false;
}

bool parse(std::span<const std::string> args, parsed_command& c, std::string& error) {
    if (args.empty()) {
        error = "a command is needed: list, delete, update, stats, count or flush";
        return false;
    }
    const std::string& verb = args[0];
    using v = parsed_command::verb;
    if (verb == "list" || verb == "-L") c.what = v::list;
    else if (verb == "delete" || verb == "-D") c.what = v::remove;
    else if (verb == "update" || verb == "-U") c.what = v::update;
    else if (verb == "stats" || verb == "-S") c.what = v::stats;
    else if (verb == "count" || verb == "-C") c.what = v::count;
    else if (verb == "flush" || verb == "-F") c.what = v::flush;
    else {
        error = "unknown command `" + verb + "'";
        return false;
    }
    command_line line(args.subspan(1));
    if (args.size() > 1 && args[1] == "expect") {
        if (c.what != v::list && c.what != v::flush) {
            error = "expect goes with list or flush";
            return false;
        }
        if (args.size() > 2) {
            error = "list expect and flush expect take no options";
            return false;
        }
        c.expect = true;
        return true;
    }
    while (!line.done()) {
        const std::string& option = line.take();
        std::string value;
        if (option == "-o" || option == "--output") {
            if (!line.value(option, value, error)) return false;
            size_t start = 0;
            for (;;) {
                const size_t comma = value.find(',', start);
                const std::string_view word = std::string_view(value).substr(start, comma == std::string::npos ? comma : comma - start);
                if (word == "extended") c.listing.extended = true;
                else if (word == "id") c.listing.show_id = true;
                else if (word == "labels") c.listing.show_labels = true;
                else {
                    error = "unknown output format `" + std::string(word) + "' (extended, id, labels)";
                    return false;
                }
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            continue;
        }
        if (c.what == v::update && (option == "-m" || option == "--mark") && c.match.mark.has_value()) {
            error = "--mark given twice";
            return false;
        }
        if (!parse_filter_option(option, line, c.match, error)) return false;
    }
    if ((c.match.orig_sport || c.match.orig_dport || c.match.reply_sport || c.match.reply_dport || c.match.state) &&
        !c.match.l4) {
        error = "port and state filters need a protocol (-p)";
        return false;
    }
    if (c.what == v::update) {
        // conntrack -U -m VALUE: the mark option is the new value, not a filter.
        if (!c.match.mark) {
            error = "update needs --mark VALUE";
            return false;
        }
        c.new_mark = *c.match.mark;
        c.match.mark.reset();
        c.match.mark_mask = 0xffffffff;
    }
    return true;
}

}  // namespace

bool filter::matches(const entry_info& e) const {
    if (l3 && e.orig.l3 != *l3) return false;
    if (l4 && e.orig.l4 != *l4) return false;
    if (orig_src && e.orig.ends.src != *orig_src) return false;
    if (orig_dst && e.orig.ends.dst != *orig_dst) return false;
    if (reply_src && e.reply.ends.src != *reply_src) return false;
    if (reply_dst && e.reply.ends.dst != *reply_dst) return false;
    if (orig_sport && e.orig.ends.src_id != *orig_sport) return false;
    if (orig_dport && e.orig.ends.dst_id != *orig_dport) return false;
    if (reply_sport && e.reply.ends.src_id != *reply_sport) return false;
    if (reply_dport && e.reply.ends.dst_id != *reply_dport) return false;
    if (mark && (e.mark & mark_mask) != (*mark & mark_mask)) return false;
    if (zone && e.zone != *zone) return false;
    if (state && (e.orig.l4 != proto_tcp || e.tcp != *state)) return false;
    if ((e.status & status_all) != status_all) return false;
    return true;
}

command_result run_command(tracker& t, std::span<const std::string> args, uint64_t now_ns,
                           const std::function<std::string(unsigned bit)>& label_name, expect_table* expectations) {
    command_result r;
    parsed_command c;
    std::string error;
    if (!parse(args, c, error)) {
        r.err = std::string(banner) + error + "\n";
        r.exit = 2;
        return r;
    }
    c.listing.now_ns = now_ns;
    c.listing.label_name = label_name;
    using v = parsed_command::verb;
    if (c.expect) {
        if (expectations == nullptr) {
            r.err = std::string(banner) + "no expectation table here\n";
            r.exit = 1;
        } else if (c.what == v::list) {
            size_t shown = 0;
            expectations->for_each(now_ns, [&](const expectation_info& x) {
                r.out += format_expectation(x) + "\n";
                ++shown;
                return true;
            });
            r.err = fmt::format("{}{} expectations have been shown.\n", banner, shown);
        } else {
            expectations->flush();
            r.err = std::string(banner) + "expectation table has been emptied.\n";
        }
        return r;
    }
    switch (c.what) {
    case v::list: {
        size_t shown = 0;
        t.for_each(now_ns, [&](const entry_info& e) {
            if (!c.match.matches(e)) return true;
            r.out += format_entry(e, c.listing) + "\n";
            ++shown;
            return true;
        });
        r.err = fmt::format("{}{} flow entries have been shown.\n", banner, shown);
        break;
    }
    case v::remove:
    case v::update: {
        // Collected first: the table is not changed while it is walked.
        std::vector<entry_info> chosen;
        t.for_each(now_ns, [&](const entry_info& e) {
            if (c.match.matches(e)) chosen.push_back(e);
            return true;
        });
        size_t done = 0;
        for (entry_info& e : chosen) {
            const bool ok = c.what == v::remove ? t.remove(e.ref) : t.set_mark(e.ref, *c.new_mark);
            if (!ok) continue;  // gone meanwhile
            if (c.what == v::update) e.mark = *c.new_mark;
            r.out += format_entry(e, c.listing) + "\n";
            ++done;
        }
        r.err = fmt::format("{}{} flow entries have been {}.\n", banner, done, c.what == v::remove ? "deleted" : "updated");
        break;
    }
    case v::stats: {
        const statistics s = t.stats();
        // One table, so one line where the kernel prints one per CPU.
        r.out = fmt::format(
            "cpu=0   \tfound={} invalid={} insert={} insert_failed={} drop={} early_drop={} error={} search_restart={} "
            "clash_resolve={} chaintoolong={} \n",
            s.found, s.invalid, s.insert, s.insert_failed, s.drop, s.early_drop, s.error, s.search_restart,
            s.clash_resolve, s.chaintoolong);
        break;
    }
    case v::count: r.out = fmt::format("{}\n", t.count()); break;
    case v::flush:
        t.flush();
        r.err = std::string(banner) + "connection tracking table has been emptied.\n";
        break;
    }
    return r;
}

}  // namespace nfqwall::conntrack

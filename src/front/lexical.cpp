// Word scanning with the longest-match rules of nft's flex scanner (grammar/lexical.hpp).
#include "grammar/lexical.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <unordered_set>

namespace nfqwall::grammar {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_xdigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// [a-zA-Z_.][a-zA-Z0-9/\-_.]*
std::size_t match_string(const char* p, const char* end) {
    if (p == end || !(is_alpha(*p) || *p == '_' || *p == '.')) return 0;
    const char* q = p + 1;
    while (q < end && is_string_char(*q)) ++q;
    return static_cast<std::size_t>(q - p);
}

// ({string}\*|{string}\\\*|\\\*|{string}\\\*{string})
std::size_t match_asterisk(const char* p, const char* end) {
    std::size_t best = 0;
    const std::size_t s = match_string(p, end);
    const char* q = p + s;
    if (s > 0 && q < end && *q == '*') best = std::max(best, s + 1);
    if (q + 1 < end && q[0] == '\\' && q[1] == '*') {
        std::size_t len = s + 2;
        if (s > 0) best = std::max(best, len);
        if (s == 0) best = std::max(best, len);
        const std::size_t t = s > 0 ? match_string(q + 2, end) : 0;
        if (t > 0) best = std::max(best, len + t);
    }
    return best;
}

std::size_t match_decimal(const char* p, const char* end) {
    const char* q = p;
    while (q < end && is_digit(*q)) ++q;
    return static_cast<std::size_t>(q - p);
}

std::size_t match_hex(const char* p, const char* end) {
    if (end - p < 3 || p[0] != '0' || (p[1] != 'x' && p[1] != 'X') || !is_xdigit(p[2])) return 0;
    const char* q = p + 2;
    while (q < end && is_xdigit(*q)) ++q;
    return static_cast<std::size_t>(q - p);
}

// ([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)? with at least one part.
std::size_t match_time(const char* p, const char* end) {
    static constexpr std::array<std::string_view, 5> units{"d", "h", "m", "s", "ms"};
    const char* q = p;
    std::size_t unit = 0;
    bool any = false;
    while (unit < units.size()) {
        const char* r = q;
        while (r < end && is_digit(*r)) ++r;
        if (r == q) break;
        // Find the first unit at or after `unit` that follows the digits.
        bool matched = false;
        for (std::size_t u = unit; u < units.size(); ++u) {
            const auto name = units[u];
            if (static_cast<std::size_t>(end - r) >= name.size() && std::string_view(r, name.size()) == name) {
                // "m" must not be the start of "ms" when "ms" is what is written.
                if (name == "m" && r + 1 < end && r[1] == 's') continue;
                q = r + name.size();
                unit = u + 1;
                matched = any = true;
                break;
            }
        }
        if (!matched) break;
    }
    return any ? static_cast<std::size_t>(q - p) : 0;
}

std::size_t match_ipv4(const char* p, const char* end) {
    const char* q = p;
    for (int part = 0; part < 4; ++part) {
        const char* r = q;
        while (r < end && is_digit(*r) && r - q < 3) ++r;
        if (r == q) return 0;
        q = r;
        if (part < 3) {
            if (q >= end || *q != '.') return 0;
            ++q;
        }
    }
    return static_cast<std::size_t>(q - p);
}

// The longest prefix that is an IPv6 address in one of the forms nft's scanner knows.
std::size_t match_ipv6(const char* p, const char* end) {
    const char* q = p;
    while (q < end && (is_xdigit(*q) || *q == ':' || *q == '.')) ++q;
    std::size_t run = static_cast<std::size_t>(q - p);
    if (run < 2) return 0;
    if (std::find(p, q, ':') == q) return 0;
    char buf[64];
    unsigned char addr[16];
    for (std::size_t len = std::min<std::size_t>(run, sizeof(buf) - 1); len >= 2; --len) {
        std::copy(p, p + len, buf);
        buf[len] = '\0';
        if (inet_pton(AF_INET6, buf, addr) == 1) return len;
    }
    return 0;
}

std::size_t match_mac(const char* p, const char* end) {
    const char* q = p;
    for (int part = 0; part < 6; ++part) {
        const char* r = q;
        while (r < end && is_xdigit(*r) && r - q < 2) ++r;
        if (r == q) return 0;
        q = r;
        if (part < 5) {
            if (q >= end || *q != ':') return 0;
            ++q;
        }
    }
    return static_cast<std::size_t>(q - p);
}

// {hexdigit}{1,4}:{hexdigit}{1,4} followed by one of " \t\n:-},".
std::size_t match_classid(const char* p, const char* end) {
    const char* q = p;
    while (q < end && is_xdigit(*q) && q - p < 4) ++q;
    if (q == p || q >= end || *q != ':') return 0;
    const char* r = q + 1;
    const char* s = r;
    while (s < end && is_xdigit(*s) && s - r < 4) ++s;
    if (s == r) return 0;
    if (s < end && std::string_view(" \t\n:-},").find(*s) == std::string_view::npos) return 0;
    return static_cast<std::size_t>(s - p);
}

std::size_t match_quoted(const char* p, const char* end) {
    if (p == end || *p != '"') return 0;
    const char* q = std::find(p + 1, end, '"');
    if (q == end) return 0;
    return static_cast<std::size_t>(q + 1 - p);
}

std::size_t match_bracketed_ipv6(const char* p, const char* end) {
    if (p == end || *p != '[') return 0;
    const std::size_t n = match_ipv6(p + 1, end);
    if (n == 0 || p + 1 + n >= end || p[1 + n] != ']') return 0;
    return n + 2;
}

}  // namespace

namespace {

// The grammar tries many alternatives at one position, each scanning the same word: the
// last scan is remembered. The input text does not change during a parse, and
// reset_scan_cache() is called when a new one starts.
struct scan_cache {
    const char* p = nullptr;
    const char* end = nullptr;
    word_scan result{};
};
thread_local scan_cache last_scan;

word_scan scan_word_uncached(const char* p, const char* end);

}  // namespace

void reset_scan_cache() { last_scan = {}; }

word_scan scan_word(const char* p, const char* end) {
    if (p == last_scan.p && end == last_scan.end) return last_scan.result;
    const word_scan w = scan_word_uncached(p, end);
    last_scan = {p, end, w};
    return w;
}

namespace {

word_scan scan_word_uncached(const char* p, const char* end) {
    // The scanner spells these two ether types out: they start with digits but are words.
    for (std::string_view special : {std::string_view("8021ad"), std::string_view("8021q")}) {
        if (static_cast<std::size_t>(end - p) >= special.size() && std::string_view(p, special.size()) == special &&
            (p + special.size() == end || !is_string_char(p[special.size()]))) {
            return {special.size(), word_class::string};
        }
    }
    // Ether addresses, IPv6 addresses and class ids all contain a colon before the first
    // character none of them can hold: without one they need not be tried (a big speed-up
    // for sets of IPv4 addresses and numbers).
    bool colon = false;
    for (const char* q = p; q < end; ++q) {
        const char ch = *q;
        if (ch == ':') {
            colon = true;
            break;
        }
        if (!is_xdigit(ch) && ch != '.') break;
    }
    // Candidates in the scanner's rule order: on equal length the earlier one wins.
    struct candidate {
        std::size_t len;
        word_class cls;
    };
    const std::array<candidate, 11> c{{
        {colon ? match_mac(p, end) : 0, word_class::mac},
        {match_ipv4(p, end), word_class::ipv4},
        {colon ? match_ipv6(p, end) : 0, word_class::ipv6},
        {match_bracketed_ipv6(p, end), word_class::ipv6_bracketed},
        {match_time(p, end), word_class::time},
        {match_hex(p, end), word_class::hex},
        {match_decimal(p, end), word_class::decimal},
        {colon ? match_classid(p, end) : 0, word_class::classid},
        {match_quoted(p, end), word_class::quoted},
        {match_asterisk(p, end), word_class::asterisk},
        {match_string(p, end), word_class::string},
    }};
    word_scan best;
    for (const auto& k : c) {
        if (k.len > best.len) best = {k.len, k.cls};
    }
    return best;
}

}  // namespace

bool number_word::fits_u64(std::string_view text, word_class cls) {
    const std::string s(text);
    errno = 0;
    char* endp = nullptr;
    const int base = cls == word_class::hex ? 16 : (s.size() > 1 && s[0] == '0' ? 8 : 10);
    (void)std::strtoull(s.c_str(), &endp, base);
    return errno == 0 && endp != nullptr && *endp == '\0';
}

bool is_global_keyword(std::string_view w) {
    // Keywords nft's scanner returns in every state: they cannot be used as plain names or
    // values unless the grammar lists them (keyword_expr) or they are quoted.
    static const std::unordered_set<std::string_view> keywords = {
        "eq", "ne", "le", "lt", "ge", "gt", "lshift", "rshift", "xor", "and", "or", "not", "vmap",
        "include", "define", "redefine", "undefine", "describe", "hook", "device", "devices", "table", "chain",
        "rule", "set", "element", "map", "flowtable", "handle", "ruleset", "socket", "tproxy", "accept", "drop",
        "continue", "jump", "goto", "return", "inet", "netdev", "add", "replace", "update", "create", "insert",
        "delete", "get", "list", "reset", "flush", "rename", "import", "export", "monitor", "destroy", "position",
        "index", "comment", "constant", "interval", "dynamic", "auto-merge", "timeout", "gc-interval", "elements",
        "expires", "policy", "size", "flow", "offload", "meter", "counter", "last", "log", "queue", "limit",
        "quota", "hour", "day", "reject", "snat", "dnat", "masquerade", "redirect", "random", "th", "bridge",
        "ether", "type", "typeof", "vlan", "arp", "ip", "ecn", "time", "icmp", "icmpv6", "igmp", "ip6", "priority",
        "ah", "esp", "comp", "flags", "udp", "udplite", "vxlan", "vni", "geneve", "gre", "gretap", "tcp", "dccp",
        "sctp", "rt", "rt0", "rt2", "srh", "hbh", "frag", "dst", "mh", "meta", "mark", "iif", "iifname", "iiftype",
        "oif", "oifname", "oiftype", "skuid", "skgid", "nftrace", "rtclassid", "ibriport", "ibrname", "obriport",
        "obrname", "pkttype", "cpu", "iifgroup", "oifgroup", "cgroup", "ct", "numgen", "jhash", "symhash", "dup",
        "fwd", "fib", "osf", "synproxy", "tunnel", "notrack", "all", "exists", "missing", "exthdr", "ipsec",
        "secmark", "xt",
    };
    return keywords.count(w) != 0;
}

}  // namespace nfqwall::grammar

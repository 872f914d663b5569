// Parse functions of the built-in datatypes: how a word of the nft language becomes a
// constant of a given type, with nft's error messages. The registry (datatype.cpp) attaches
// them through parser_for().
#include <arpa/inet.h>
#include <grp.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

#include "front/datatype.hpp"

namespace nfqwall::front {

namespace detail {
using parse_fn = parsed_value (*)(std::string_view, const datatype&);
// Defined in datatype.cpp.
parsed_value symbolic_parse(std::string_view text, const datatype& type, const symbol_table& tbl);
const char* misspell_suggest(std::string_view input, const std::vector<std::string_view>& candidates);
}  // namespace detail

namespace {

parsed_value could_not_parse(const datatype& type) { return parsed_value::fail("Could not parse " + type.desc); }

// Numbers the way GMP's mpz_set_str(…, 0) reads them, which is what nft's integer parser
// uses: "0x" hex, "0b" binary, a leading 0 octal, else decimal; white space is ignored.
// Values beyond 128 bits cannot be represented here and fail.
bool parse_gmp_number(std::string_view text, u128& out) {
    std::string s;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)))
            s.push_back(c);
    if (s.empty())
        return false;
    unsigned base = 10;
    size_t i = 0;
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (s.size() >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2;
        i = 2;
    } else if (s[0] == '0') {
        base = 8;
    }
    if (i >= s.size())
        return false;
    u128 v = 0;
    const u128 limit = ~u128{0};
    for (; i < s.size(); ++i) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'z')
            d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'Z')
            d = static_cast<unsigned>(c - 'A' + 10);
        else
            return false;
        if (d >= base || v > (limit - d) / base)
            return false;
        v = v * base + d;
    }
    out = v;
    return true;
}

parsed_value integer_parse(std::string_view text, const datatype& type) {
    u128 v;
    if (!parse_gmp_number(text, v))
        return could_not_parse(type);
    return parsed_value::of(v);
}

// strtoumax() over the whole word, as nft uses for ports and protocol numbers: true if the
// word is a number at all, with `range_error` telling whether it overflowed.
bool parse_c_number(std::string_view text, uintmax_t& out, bool& range_error) {
    std::string s(text);
    char* end = nullptr;
    errno = 0;
    out = std::strtoumax(s.c_str(), &end, 0);
    range_error = errno == ERANGE;
    return end != s.c_str() && *end == '\0';
}

parsed_value string_parse(std::string_view text, const datatype&) {
    if (text.empty())
        return parsed_value::fail("Empty string is not allowed");
    // A constant holds the text and its terminating NUL. The field it is compared with or
    // stored in sets the limit (IFNAMSIZ for interface names, 256 for chain and object
    // names); the evaluator checks it against that.
    auto bytes = static_cast<uint32_t>(text.size() + 1);
    parsed_value r = parsed_value::of(pack_string(text, std::min<uint32_t>(bytes, 16)), bytes * 8);
    r.text = std::string(text);
    return r;
}

parsed_value lladdr_parse(std::string_view text, const datatype&) {
    // Hex bytes separated by any one character ("00:0f:54:0c:11:4"), read with strtoul
    // like nft, so "0x" prefixes and single digits are accepted too.
    std::string s(text);
    const char* p = s.c_str();
    u128 v = 0;
    uint32_t len = 0;
    for (;;) {
        char* end = nullptr;
        unsigned long n = std::strtoul(p, &end, 16);
        if (end == p || n > 0xff || len == 16)
            return parsed_value::fail("Invalid LL address");
        v = (v << 8) | n;
        ++len;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    return parsed_value::of(v, len * 8);
}

// Resolves a host name or numeric address like nft (getaddrinfo, so inet_aton forms such as
// "10.1" and /etc/hosts names work too).
template <int Family>
parsed_value address_parse(std::string_view text, const datatype&) {
    // Plain dotted quads and IPv6 literals need no resolver (and big sets hold millions).
    if (text.size() < INET6_ADDRSTRLEN) {
        char buf[INET6_ADDRSTRLEN];
        std::memcpy(buf, text.data(), text.size());
        buf[text.size()] = '\0';
        if constexpr (Family == AF_INET) {
            in_addr a{};
            if (inet_pton(AF_INET, buf, &a) == 1) return parsed_value::of(ntohl(a.s_addr), 32);
        } else {
            in6_addr a{};
            if (inet_pton(AF_INET6, buf, &a) == 1) {
                u128 v = 0;
                for (unsigned char b : a.s6_addr) v = (v << 8) | b;
                return parsed_value::of(v, 128);
            }
        }
    }
    addrinfo hints{};
    hints.ai_family = Family;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* ai = nullptr;
    std::string host(text);
    int err = getaddrinfo(host.c_str(), nullptr, &hints, &ai);
    if (err != 0)
        return parsed_value::fail(std::string("Could not resolve hostname: ") + gai_strerror(err));
    if (ai->ai_next != nullptr) {
        freeaddrinfo(ai);
        return parsed_value::fail("Hostname resolves to multiple addresses");
    }
    u128 v = 0;
    if constexpr (Family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, ai->ai_addr, sizeof(sin));
        v = ntohl(sin.sin_addr.s_addr);
    } else {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, ai->ai_addr, sizeof(sin6));
        for (unsigned char b : sin6.sin6_addr.s6_addr)
            v = (v << 8) | b;
    }
    freeaddrinfo(ai);
    return parsed_value::of(v, Family == AF_INET ? 32 : 128);
}

parsed_value inet_protocol_parse(std::string_view text, const datatype&) {
    uintmax_t n;
    bool range_error;
    if (parse_c_number(text, n, range_error)) {
        if (range_error || n > UINT8_MAX)
            return parsed_value::fail("Protocol out of range");
        return parsed_value::of(n, 8);
    }
    std::string name(text);
    protoent pe{};
    protoent* res = nullptr;
    char buf[2048];
    if (getprotobyname_r(name.c_str(), &pe, buf, sizeof(buf), &res) == 0 && res != nullptr) {
        if (res->p_proto < 0 || res->p_proto > UINT8_MAX)
            return parsed_value::fail("Could not resolve protocol name");
        return parsed_value::of(static_cast<unsigned>(res->p_proto), 8);
    }
    // nft's grammar turns these protocol keywords into constants itself, so they work even
    // where /etc/protocols lacks them ("icmpv6" and "comp" are never in it).
    static constexpr std::pair<std::string_view, uint8_t> keywords[] = {
        {"tcp", 6},  {"udp", 17}, {"udplite", 136}, {"esp", 50},    {"ah", 51},  {"icmp", 1},
        {"igmp", 2}, {"icmpv6", 58}, {"comp", 108}, {"dccp", 33}, {"sctp", 132},
    };
    for (const auto& [keyword, number] : keywords)
        if (keyword == text)
            return parsed_value::of(number, 8);
    return parsed_value::fail("Could not resolve protocol name");
}

parsed_value inet_service_parse(std::string_view text, const datatype&) {
    uintmax_t n;
    bool range_error;
    if (parse_c_number(text, n, range_error)) {
        if (range_error || n > UINT16_MAX)
            return parsed_value::fail("Service out of range");
        return parsed_value::of(n, 16);
    }
    std::string name(text);
    addrinfo* ai = nullptr;
    int err = getaddrinfo(nullptr, name.c_str(), nullptr, &ai);
    if (err != 0)
        return parsed_value::fail(std::string("Could not resolve service: ") + gai_strerror(err));
    uint16_t port;
    if (ai->ai_addr->sa_family == AF_INET) {
        sockaddr_in sin{};
        std::memcpy(&sin, ai->ai_addr, sizeof(sin));
        port = sin.sin_port;
    } else {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, ai->ai_addr, sizeof(sin6));
        port = sin6.sin6_port;
    }
    freeaddrinfo(ai);
    return parsed_value::of(ntohs(port), 16);
}

parsed_value time_parse(std::string_view text, const datatype&) {
    parsed_value r = parse_time_value(text);
    if (!r.ok())
        return r;
    if (r.value > UINT32_MAX)
        return parsed_value::fail("value too large");
    return parsed_value::of(r.value, 32);
}

parsed_value ifindex_parse(std::string_view text, const datatype&) {
    std::string name(text);
    unsigned index = if_nametoindex(name.c_str());
    if (index == 0) {
        char* end = nullptr;
        errno = 0;
        long n = std::strtol(name.c_str(), &end, 10);
        if (n < 0 || n > INT_MAX || *end != '\0' || errno != 0)
            return parsed_value::fail("Interface does not exist");
        index = static_cast<unsigned>(n);
    }
    return parsed_value::of(index, 32);
}

parsed_value classid_parse(std::string_view text, const datatype& type) {
    // nft's tchandle parser: "root", "none", "MAJOR:MINOR" in hex, or a number in any base.
    // Like nft it ignores trailing junk ("foo" reads as 0, i.e. `none`).
    std::string s(text);
    uint32_t handle;
    if (s == "root") {
        handle = 0xffffffffu;  // TC_H_ROOT
    } else if (s == "none") {
        handle = 0;  // TC_H_UNSPEC
    } else if (auto colon = s.find(':'); colon != std::string::npos) {
        std::string major = s.substr(0, colon);
        errno = 0;
        auto hi = static_cast<uint32_t>(std::strtoull(major.c_str(), nullptr, 16));
        if (errno != 0)
            return could_not_parse(type);
        handle = hi << 16;
        errno = 0;
        auto lo = static_cast<uint32_t>(std::strtoull(s.c_str() + colon + 1, nullptr, 16));
        if (errno != 0)
            return could_not_parse(type);
        handle |= lo;
    } else {
        handle = static_cast<uint32_t>(std::strtoull(s.c_str(), nullptr, 0));
    }
    return parsed_value::of(handle, 32);
}

parsed_value uid_parse(std::string_view text, const datatype&) {
    std::string s(text);
    passwd pw{};
    passwd* res = nullptr;
    std::vector<char> buf(16384);
    if (getpwnam_r(s.c_str(), &pw, buf.data(), buf.size(), &res) == 0 && res != nullptr)
        return parsed_value::of(res->pw_uid, 32);
    char* end = nullptr;
    unsigned long long n = std::strtoull(s.c_str(), &end, 10);
    if (n > UINT32_MAX)
        return parsed_value::fail("Value too large");
    if (*end != '\0')
        return parsed_value::fail("User does not exist");
    return parsed_value::of(n, 32);
}

parsed_value gid_parse(std::string_view text, const datatype&) {
    std::string s(text);
    group gr{};
    group* res = nullptr;
    std::vector<char> buf(16384);
    if (getgrnam_r(s.c_str(), &gr, buf.data(), buf.size(), &res) == 0 && res != nullptr)
        return parsed_value::of(res->gr_gid, 32);
    // nft reads group numbers in any base but user numbers only in decimal.
    char* end = nullptr;
    unsigned long long n = std::strtoull(s.c_str(), &end, 0);
    if (n > UINT32_MAX)
        return parsed_value::fail("Value too large");
    if (*end != '\0')
        return parsed_value::fail("Group does not exist");
    return parsed_value::of(n, 32);
}

// nft names the connlabel.conf of its configuration directory in these messages.
constexpr const char* connlabel_conf = "/etc/connlabel.conf";

parsed_value ct_label_parse(std::string_view text, const datatype& type) {
    uint64_t bit;
    if (const symbol_entry* s = type.symbols != nullptr ? type.symbols->find(text) : nullptr) {
        bit = static_cast<uint64_t>(s->value);
    } else {
        std::string str(text);
        char* end = nullptr;
        errno = 0;
        bit = std::strtoull(str.c_str(), &end, 0);
        if (*end != '\0')
            return parsed_value::fail(std::string(connlabel_conf) + ": could not parse " + type.desc + " \"" + str +
                                      "\"");
        if (errno != 0)
            return parsed_value::fail(std::string(connlabel_conf) + ": could not parse " + type.desc + " \"" + str +
                                      "\": " + std::strerror(errno));
    }
    if (bit >= 128)
        return parsed_value::fail(std::string(text) + ": bit " + std::to_string(bit) + " out of range (128 max)");
    return parsed_value::of(u128{1} << bit, 128);
}

// The offset of local time from UTC now, as nft applies it to hours of the day.
bool current_gmtoff(long& gmtoff) {
    tzset();
    time_t now = std::time(nullptr);
    tm t{};
    if (now == static_cast<time_t>(-1) || localtime_r(&now, &t) == nullptr)
        return false;
    gmtoff = t.tm_gmtoff;
    return true;
}

parsed_value date_parse(std::string_view text, const datatype&) {
    std::string s(text);
    uint64_t seconds;
    tm t{};
    // Like nft, a matching prefix is enough for strptime; the first format that matches wins.
    if (strptime(s.c_str(), "%Y-%m-%d %T", &t) != nullptr || strptime(s.c_str(), "%Y-%m-%d %R", &t) != nullptr ||
        strptime(s.c_str(), "%Y-%m-%d", &t) != nullptr) {
        // The date is local time: take it as UTC, then subtract the zone's offset at that
        // moment (timegm avoids touching TZ).
        tzset();
        time_t ts = timegm(&t);
        tm local{};
        if (ts == static_cast<time_t>(-1) || localtime_r(&ts, &local) == nullptr)
            return parsed_value::fail("Cannot parse date");
        seconds = static_cast<uint64_t>(ts - local.tm_gmtoff);
    } else {
        char* end = nullptr;
        seconds = std::strtoul(s.c_str(), &end, 10);
        if (*end != '\0' || end == s.c_str())
            return parsed_value::fail("Cannot parse date");
    }
    return parsed_value::of(u128{seconds} * 1000000000u, 64);
}

parsed_value hour_parse(std::string_view text, const datatype&) {
    std::string s(text);
    // A plain number is already seconds since midnight UTC.
    char* end = nullptr;
    unsigned long n = std::strtoul(s.c_str(), &end, 10);
    if (*end == '\0' && end != s.c_str())
        return parsed_value::of(static_cast<uint32_t>(n), 32);

    long gmtoff = 0;
    bool has_gmtoff = current_gmtoff(gmtoff);
    uint32_t result = 0;
    tm t{};
    const char* rest = strptime(s.c_str(), "%T", &t);
    if (rest == nullptr || *rest != '\0') {
        rest = strptime(s.c_str(), "%R", &t);
        if (rest == nullptr || *rest != '\0') {
            if (rest != nullptr)
                return parsed_value::fail("Can't parse trailing input: \"" + std::string(rest) + "\"\n");
            parsed_value r = parse_time_value(text);
            if (!r.ok())
                return r;
            result = static_cast<uint32_t>(r.value / 1000);
        }
    }
    if (result == 0)
        result = static_cast<uint32_t>(t.tm_hour * 3600 + t.tm_min * 60 + t.tm_sec);
    // Stored as UTC: subtract the current offset, wrapping around midnight.
    if (has_gmtoff) {
        long r = static_cast<long>(result) - gmtoff;
        r %= 86400;
        if (r < 0)
            r += 86400;
        result = static_cast<uint32_t>(r);
    }
    return parsed_value::of(result, 32);
}

parsed_value day_parse(std::string_view text, const datatype& type) {
    parsed_value r = detail::symbolic_parse(text, type, *type.symbols);
    // nft reports out-of-range days when evaluating `meta day`; every use of the type wants it.
    if (r.ok() && r.value > 6)
        return parsed_value::fail("Value " + u128_to_dec(r.value) + " exceeds valid range 0-6");
    return r;
}

parsed_value cgroupv2_parse(std::string_view text, const datatype&) {
    std::string path = "/sys/fs/cgroup/" + std::string(text);
    struct stat st{};
    if (stat(path.c_str(), &st) < 0)
        return parsed_value::fail(std::string("cgroupv2 path fails: ") + std::strerror(errno));
    return parsed_value::of(static_cast<uint64_t>(st.st_ino), 64);
}

parsed_value boolean_parse(std::string_view text, const datatype& type) {
    // nft 1.1 reads booleans as numbers (non-zero is true); `exists` and `missing` are
    // keywords of its grammar. We accept the two words here as well.
    if (const symbol_entry* s = type.symbols != nullptr ? type.symbols->find(text) : nullptr)
        return parsed_value::of(s->value, 1);
    u128 v;
    if (!parse_gmp_number(text, v))
        return could_not_parse(type);
    return parsed_value::of(v != 0 ? 1 : 0, 1);
}

parsed_value policy_parse(std::string_view text, const datatype&) {
    if (text == "accept")
        return parsed_value::of(1, 32);  // NF_ACCEPT
    if (text == "drop")
        return parsed_value::of(0, 32);  // NF_DROP
    return parsed_value::fail("wrong policy");
}

parsed_value priority_parse(std::string_view text, const datatype&) {
    // nft: a number (read as a C int) or else the name of a standard priority, kept as a
    // string of strlen(text) bytes without NUL. Callers tell them apart by the text.
    std::string s(text);
    bool negative = !s.empty() && s[0] == '-';
    u128 v;
    if (parse_gmp_number(negative ? std::string_view(s).substr(1) : std::string_view(s), v)) {
        auto n = static_cast<uint32_t>(std::atoi(s.c_str()));
        return parsed_value::of(n, 32);
    }
    if (s.empty() || s.size() > 16)
        return parsed_value::fail("Could not parse priority type");
    return parsed_value::of(pack_string(s), static_cast<uint32_t>(s.size() * 8));
}

parsed_value verdict_parse(std::string_view text, const datatype& type) {
    // jump and goto are left out of the suggestions: without a chain name they would not
    // help; the fallback hint is `jump <word>`.
    static const std::vector<std::string_view> verdicts = {"continue", "break", "return", "accept",
                                                            "drop",     "queue", "stolen"};
    if (const char* hint = detail::misspell_suggest(text, verdicts))
        return parsed_value::fail("Could not parse " + type.desc + "; did you mean `" + hint + "'?");
    return parsed_value::fail("Could not parse " + type.desc + "; did you mean `jump " + std::string(text) + "'?");
}

// nft 1.1 still reads code names in `icmp code` matches (backwards compatibility with the
// reject statement) although it prints them as numbers.
template <type_id Table>
parsed_value code_parse(std::string_view text, const datatype& type) {
    return detail::symbolic_parse(text, type, *dt(Table).symbols);
}

}  // namespace

// nft's time_parse: "1d2h3m4s5ms" with each unit at most once and at most 8 digits per
// number; a word without units is a number of seconds.
parsed_value parse_time_value(std::string_view text) {
    constexpr unsigned max_digits = 8;
    enum : unsigned { day = 1, hour = 2, minute = 4, second = 8, msec = 16 };
    uint64_t d = 0, h = 0, m = 0, s = 0, ms = 0;
    unsigned mask = 0;
    size_t k = 0;  // digits seen since the last unit
    // The number in front of a unit; a unit without digits counts as 0.
    auto number_before = [&](size_t i) -> uint64_t {
        uint64_t n = 0;
        for (size_t j = i - k; j < i; ++j)
            n = n * 10 + static_cast<uint64_t>(text[j] - '0');
        return n;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        switch (c) {
        case 'd':
            if (mask & day)
                return parsed_value::fail("Day has been specified twice");
            d = number_before(i);
            k = 0;
            mask |= day;
            break;
        case 'h':
            if (mask & hour)
                return parsed_value::fail("Hour has been specified twice");
            h = number_before(i);
            k = 0;
            mask |= hour;
            break;
        case 'm':
            // Only a trailing "ms" means milliseconds (nft compares the rest of the word).
            if (text.substr(i) == "ms") {
                if (mask & msec)
                    return parsed_value::fail("Millisecond has been specified twice");
                ms = number_before(i);
                ++i;
                k = 0;
                mask |= msec;
                break;
            }
            if (mask & minute)
                return parsed_value::fail("Minute has been specified twice");
            m = number_before(i);
            k = 0;
            mask |= minute;
            break;
        case 's':
            if (mask & second)
                return parsed_value::fail("Second has been specified twice");
            s = number_before(i);
            k = 0;
            mask |= second;
            break;
        default:
            if (!std::isdigit(static_cast<unsigned char>(c)))
                return parsed_value::fail("wrong time format");
            if (k++ >= max_digits)
                return parsed_value::fail("value too large");
            break;
        }
    }
    if (mask == 0)
        return parsed_value::of(u128{number_before(text.size())} * 1000);
    uint64_t total = d * 86400000 + h * 3600000 + m * 60000 + s * 1000 + ms;
    return parsed_value::of(total);
}

std::optional<uint64_t> parse_time_string(std::string_view text) {
    parsed_value r = parse_time_value(text);
    if (!r.ok())
        return std::nullopt;
    return static_cast<uint64_t>(r.value);
}

namespace detail {

parse_fn parser_for(type_id id) {
    switch (id) {
    case type_id::verdict:
        return verdict_parse;
    case type_id::integer:
    case type_id::xinteger:
        return integer_parse;
    case type_id::string:
        return string_parse;
    case type_id::lladdr:
        return lladdr_parse;
    case type_id::ipaddr:
        return address_parse<AF_INET>;
    case type_id::ip6addr:
        return address_parse<AF_INET6>;
    case type_id::inet_protocol:
        return inet_protocol_parse;
    case type_id::inet_service:
        return inet_service_parse;
    case type_id::time:
        return time_parse;
    case type_id::ifindex:
        return ifindex_parse;
    case type_id::classid:
        return classid_parse;
    case type_id::uid:
        return uid_parse;
    case type_id::gid:
        return gid_parse;
    case type_id::ct_label:
        return ct_label_parse;
    case type_id::icmp_code:
        return code_parse<type_id::reject_icmp_code>;
    case type_id::icmpv6_code:
        return code_parse<type_id::reject_icmpv6_code>;
    case type_id::icmpx_code:
        return code_parse<type_id::reject_icmpx_code>;
    case type_id::boolean:
        return boolean_parse;
    case type_id::time_date:
        return date_parse;
    case type_id::time_hour:
        return hour_parse;
    case type_id::time_day:
        return day_parse;
    case type_id::cgroupv2:
        return cgroupv2_parse;
    case type_id::policy:
        return policy_parse;
    case type_id::priority:
        return priority_parse;
    default:
        return nullptr;
    }
}

}  // namespace detail

}  // namespace nfqwall::front

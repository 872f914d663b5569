// The FTP helper's parser: what nf_conntrack_ftp.c accepts and refuses, byte for byte, since
// whether a data connection is RELATED (or the control packet dropped) depends on it.
#include "conntrack/helper_ftp.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace nfqwall::conntrack {

namespace {

constexpr uint64_t ftp_expect_timeout_ns = 300ull * 1'000'000'000;  // the helper policy's 5 minutes

bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
uint8_t lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c + 32) : c; }

// strncasecmp over n bytes of data against a NUL-free pattern.
bool same_prefix(const uint8_t* data, const char* pattern, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (lower(data[i]) != lower(static_cast<uint8_t>(pattern[i]))) return false;
    return true;
}

// What a command carries: an address in the control connection's family and a port.
struct command {
    std::array<uint8_t, 16> addr{};
    uint16_t port = 0;
};

// `count` numbers separated by `sep`, ended by `term` (or, when term is 0, by any other
// character). Returns the length up to the terminator, 0 when malformed or cut short. Like the
// kernel, values are not range-checked: they wrap as 32-bit numbers.
size_t numbers(const uint8_t* data, size_t len, uint32_t* out, size_t count, uint8_t sep, uint8_t term) {
    std::memset(out, 0, count * sizeof *out);
    size_t i = 0;
    for (size_t n = 0; n < len && i < count; ++n) {
        const uint8_t c = data[n];
        if (is_digit(c)) {
            out[i] = out[i] * 10 + (c - '0');
        } else if (c == sep) {
            ++i;
        } else {
            return ((c == term || term == 0) && i == count - 1) ? n : 0;
        }
    }
    return 0;
}

void put_ipv4(command& cmd, const uint32_t* a) {
    const uint32_t ip = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
    cmd.addr = {};
    cmd.addr[0] = static_cast<uint8_t>(ip >> 24);
    cmd.addr[1] = static_cast<uint8_t>(ip >> 16);
    cmd.addr[2] = static_cast<uint8_t>(ip >> 8);
    cmd.addr[3] = static_cast<uint8_t>(ip);
}

// PORT h1,h2,h3,h4,p1,p2 (RFC 959).
size_t rfc959(const uint8_t* data, size_t len, command& cmd, uint8_t term, uint8_t) {
    uint32_t a[6];
    const size_t n = numbers(data, len, a, 6, ',', term);
    if (n == 0) return 0;
    put_ipv4(cmd, a);
    cmd.port = static_cast<uint16_t>((a[4] << 8) | a[5]);
    return n;
}

// 227 replies (RFC 1123: find the first digit, parentheses optional, no terminator needed
// beyond a character that ends the sixth number).
size_t rfc1123(const uint8_t* data, size_t len, command& cmd, uint8_t, uint8_t l3) {
    size_t i = 0;
    while (i < len && !is_digit(data[i])) ++i;
    if (i == len) return 0;
    return rfc959(data + i, len - i, cmd, 0, l3);
}

// The port between `start` and the next delimiter; returns the index after the delimiter.
size_t delimited_port(const uint8_t* data, size_t start, size_t len, uint8_t delim, uint16_t& port) {
    uint16_t p = 0;
    for (size_t i = start; i < len; ++i) {
        if (data[i] == delim) {
            if (p == 0) return 0;
            port = p;
            return i + 1;
        }
        if (!is_digit(data[i])) return 0;
        p = static_cast<uint16_t>(p * 10 + (data[i] - '0'));
    }
    return 0;
}

bool valid_delimiter(uint8_t d) { return !is_digit(d) && d >= 33 && d <= 126; }

// EPRT |1|a.b.c.d|port| or |2|ipv6|port| (RFC 2428); the protocol must be the connection's.
size_t eprt(const uint8_t* data, size_t len, command& cmd, uint8_t, uint8_t l3) {
    if (len <= 3) return 0;
    const uint8_t delim = data[0];
    if (!valid_delimiter(delim) || data[2] != delim) return 0;
    if ((l3 == l3_ipv4 && data[1] != '1') || (l3 == l3_ipv6 && data[1] != '2')) return 0;
    size_t n = 0;
    if (data[1] == '1') {
        uint32_t a[4];
        n = numbers(data + 3, len - 3, a, 4, '.', delim);
        if (n != 0) put_ipv4(cmd, a);
    } else {
        // in6_pton up to the delimiter.
        const uint8_t* end = static_cast<const uint8_t*>(std::memchr(data + 3, delim, len - 3));
        if (end == nullptr) return 0;
        char text[INET6_ADDRSTRLEN + 1];
        const size_t tlen = static_cast<size_t>(end - (data + 3));
        if (tlen == 0 || tlen >= sizeof text) return 0;
        std::memcpy(text, data + 3, tlen);
        text[tlen] = '\0';
        if (inet_pton(AF_INET6, text, cmd.addr.data()) != 1) return 0;
        n = tlen;
    }
    if (n == 0) return 0;
    return delimited_port(data, 3 + n + 1, len, delim, cmd.port);
}

// 229 Entering Extended Passive Mode (|||port|): after the '(' the helper skipped to.
size_t epsv(const uint8_t* data, size_t len, command& cmd, uint8_t, uint8_t) {
    if (len <= 3) return 0;
    const uint8_t delim = data[0];
    if (!valid_delimiter(delim) || data[1] != delim || data[2] != delim) return 0;
    return delimited_port(data, 3, len, delim, cmd.port);
}

struct pattern {
    const char* text;
    size_t length;
    uint8_t skip;  // skipped up to and including this character before the numbers (0: none)
    uint8_t term;
    size_t (*parse)(const uint8_t*, size_t, command&, uint8_t term, uint8_t l3);
};

// search[dir]: what the client sends, what the server answers.
constexpr pattern patterns[2][2] = {
    {{"PORT", 4, ' ', '\r', rfc959}, {"EPRT", 4, ' ', '\r', eprt}},
    {{"227 ", 4, 0, 0, rfc1123}, {"229 ", 4, '(', ')', epsv}},
};

// 1 found, 0 not this command, -1 this command but cut short or malformed.
int find(const uint8_t* data, size_t len, const pattern& p, command& cmd, uint8_t l3) {
    if (len <= p.length) return same_prefix(data, p.text, len) ? -1 : 0;
    if (!same_prefix(data, p.text, p.length)) return 0;
    size_t i = p.length;
    if (p.skip != 0) {
        for (; data[i] != p.skip; ++i)
            if (i == len - 1) return -1;
        ++i;
    }
    return p.parse(data + i, len - i, cmd, p.term, l3) == 0 ? -1 : 1;
}

// Serial-number order (before()/after()).
bool seq_after(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) > 0; }

bool at_line_start(uint32_t seq, const expect_table::ftp_state& st, int dir) {
    for (unsigned i = 0; i < st.seq_aft_nl_num[dir]; ++i)
        if (st.seq_aft_nl[dir][i] == seq) return true;
    return false;
}

// Remembers up to two line starts per direction, replacing the older one with a newer one.
void remember_line_start(uint32_t seq, expect_table::ftp_state& st, int dir) {
    if (at_line_start(seq, st, dir)) return;
    if (st.seq_aft_nl_num[dir] < 2) {
        st.seq_aft_nl[dir][st.seq_aft_nl_num[dir]++] = seq;
        return;
    }
    const int oldest = seq_after(st.seq_aft_nl[dir][1], st.seq_aft_nl[dir][0]) ? 0 : 1;
    if (seq_after(seq, st.seq_aft_nl[dir][oldest])) st.seq_aft_nl[dir][oldest] = seq;
}

}  // namespace

ftp_outcome ftp_parse(std::span<const uint8_t> payload, uint32_t seq, direction dir, const tuple& orig,
                      const tuple& reply, expect_table::ftp_state& st, expectation& exp) {
    if (payload.empty()) return ftp_outcome::accept;
    const int d = static_cast<int>(dir);
    const bool ends_in_nl = payload.back() == '\n';
    const uint32_t next_line = seq + static_cast<uint32_t>(payload.size());
    ftp_outcome outcome = ftp_outcome::accept;
    if (at_line_start(seq, st, d)) {
        const tuple& sender = dir == direction::original ? orig : reply;
        const tuple& other = dir == direction::original ? reply : orig;
        // EPSV names no address: the sender's own is what it means.
        command cmd;
        cmd.addr = sender.ends.src;
        int found = 0;
        for (const pattern& p : patterns[d]) {
            found = find(payload.data(), payload.size(), p, cmd, orig.l3);
            if (found != 0) break;
        }
        // A cut-short command is dropped, and its line is not remembered: the sender will
        // retransmit it whole from the same sequence number.
        if (found < 0) return ftp_outcome::drop;
        // An address other than the sender's (a DMZ host opening holes elsewhere) is not
        // expected; the packet passes (the module's `loose` is off).
        if (found > 0 && cmd.addr == sender.ends.src) {
            exp = expectation{};
            // The data connection comes the other way: from the peer (any port) to the sender.
            exp.t.l3 = orig.l3;
            exp.t.l4 = proto_tcp;
            exp.t.zone = orig.zone;
            exp.t.ends.src = other.ends.src;
            exp.t.ends.dst = other.ends.dst;
            exp.t.ends.dst_id = cmd.port;
            std::memset(exp.mask.src.data(), 0xff, orig.l3 == l3_ipv4 ? 4 : 16);
            exp.helper = helper_id::ftp;
            exp.timeout_ns = ftp_expect_timeout_ns;
            outcome = ftp_outcome::expect;
        }
    }
    if (ends_in_nl) remember_line_start(next_line, st, d);
    return outcome;
}

}  // namespace nfqwall::conntrack

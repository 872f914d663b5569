// The interpreter: one tight loop over a rule's instructions with 64 bytes of registers, and
// the chain walk around it (nft_do_chain in net/netfilter/nf_tables_core.c).
#include "vm/engine.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "front/proto.hpp"
#include "packet/checksum.hpp"
#include "packet/exthdr.hpp"

namespace nfqwall::vm {

using compile::insn;
using compile::opcode;

namespace {

constexpr int32_t nft_continue = -1;
constexpr int32_t nft_break = -2;
constexpr int32_t nft_jump = -3;
constexpr int32_t nft_goto = -4;
constexpr int32_t nft_return = -5;
constexpr uint32_t jump_stack_size = 16;
constexpr uint32_t tcpopt_maxseg = 2;  // TCPOPT_MSS

uint64_t read_host(const uint8_t* p, uint32_t len) {
    uint64_t v = 0;
    std::memcpy(&v, p, std::min<uint32_t>(len, 8));
    return v;  // little-endian host: the low bytes first
}

template <typename T>
T load_word(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// Equality of register bytes: fixed-size loads the compiler inlines for the common sizes
// (a library memcmp call costs more than the whole test).
bool equal_bytes(const uint8_t* a, const uint8_t* b, uint32_t len) {
    switch (len) {
    case 1: return a[0] == b[0];
    case 2: return load_word<uint16_t>(a) == load_word<uint16_t>(b);
    case 4: return load_word<uint32_t>(a) == load_word<uint32_t>(b);
    case 8: return load_word<uint64_t>(a) == load_word<uint64_t>(b);
    case 16:
        return ((load_word<uint64_t>(a) ^ load_word<uint64_t>(b)) | (load_word<uint64_t>(a + 8) ^ load_word<uint64_t>(b + 8))) == 0;
    default: return std::memcmp(a, b, len) == 0;
    }
}

int three_way(uint64_t x, uint64_t y) { return x < y ? -1 : (x > y ? 1 : 0); }

// Order of register bytes: host-order integers numerically, everything else as big-endian
// numbers (byte strings).
int compare(const uint8_t* a, const uint8_t* b, uint32_t len, bool host) {
    if (host) return three_way(read_host(a, len), read_host(b, len));
    switch (len) {
    case 1: return three_way(a[0], b[0]);
    case 2: return three_way(__builtin_bswap16(load_word<uint16_t>(a)), __builtin_bswap16(load_word<uint16_t>(b)));
    case 4: return three_way(__builtin_bswap32(load_word<uint32_t>(a)), __builtin_bswap32(load_word<uint32_t>(b)));
    case 8: return three_way(__builtin_bswap64(load_word<uint64_t>(a)), __builtin_bswap64(load_word<uint64_t>(b)));
    default: return std::memcmp(a, b, len);
    }
}

// Clears a destination register range before a value of `len` bytes is written to it, so
// that its padding reads as zeroes. Up to 16 bytes (NFT_REG_SIZE) this is one fixed-size
// store: the register file has 16 bytes of slack, and the compiler allocates registers in
// increasing order within a statement, so the bytes after a destination hold nothing live.
inline void clear_register(uint8_t* d, uint32_t len) {
    if (len <= 16) {
        std::memset(d, 0, 16);
    } else {
        std::memset(d, 0, (len + 3u) & ~3u);
    }
}

// A bit field of `covering` loaded bytes, `shift` bits into them and `bits` long, as a
// right-aligned big-endian value of `len` register bytes (what a load, a mask and a right
// shift leave).
void right_align_bits(const uint8_t* buf, uint32_t covering, uint32_t shift, uint32_t bits, uint8_t* d, uint32_t len) {
    unsigned __int128 v = 0;
    for (uint32_t k = 0; k < covering; ++k) v = (v << 8) | buf[k];
    v >>= covering * 8 - shift - bits;
    if (bits < 128) v &= (static_cast<unsigned __int128>(1) << bits) - 1;
    clear_register(d, len);
    for (uint32_t k = 0; k < len; ++k) d[len - 1 - k] = static_cast<uint8_t>(v >> (8 * k));
}

bool cmp_holds(uint8_t op, int c) {
    switch (op & compile::cmp_op_mask) {
    case compile::cmp_eq: return c == 0;
    case compile::cmp_neq: return c != 0;
    case compile::cmp_lt: return c < 0;
    case compile::cmp_lte: return c <= 0;
    case compile::cmp_gt: return c > 0;
    case compile::cmp_gte: return c >= 0;
    default: return false;
    }
}

uint16_t ethertype_of(const packet::packet_view& p, front::family f) {
    switch (p.network()) {
    case packet::network_protocol::ipv4: return 0x0800;
    case packet::network_protocol::ipv6: return 0x86dd;
    case packet::network_protocol::arp: return 0x0806;
    default: break;
    }
    if (p.has_link_header()) return p.ethertype();
    if (f == front::family::ipv4) return 0x0800;
    if (f == front::family::ipv6) return 0x86dd;
    return 0;
}

template <typename T>
void put(uint8_t* dst, T v) {
    std::memcpy(dst, &v, sizeof v);
}

uint32_t rol32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

// Bob Jenkins' lookup3 over bytes, as the kernel's jhash().
uint32_t jhash_bytes(const uint8_t* k, uint32_t length, uint32_t initval) {
    uint32_t a = 0xdeadbeef + length + initval, b = a, c = a;
    auto get32 = [](const uint8_t* p) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    };
    while (length > 12) {
        a += get32(k);
        b += get32(k + 4);
        c += get32(k + 8);
        a -= c, a ^= rol32(c, 4), c += b;
        b -= a, b ^= rol32(a, 6), a += c;
        c -= b, c ^= rol32(b, 8), b += a;
        a -= c, a ^= rol32(c, 16), c += b;
        b -= a, b ^= rol32(a, 19), a += c;
        c -= b, c ^= rol32(b, 4), b += a;
        length -= 12;
        k += 12;
    }
    if (length == 0) return c;
    uint8_t tail[12] = {};
    std::memcpy(tail, k, length);
    a += get32(tail);
    b += get32(tail + 4);
    c += get32(tail + 8);
    c ^= b, c -= rol32(b, 14);
    a ^= c, a -= rol32(c, 11);
    b ^= a, b -= rol32(a, 25);
    c ^= b, c -= rol32(b, 16);
    a ^= c, a -= rol32(c, 4);
    b ^= a, b -= rol32(a, 14);
    c ^= b, c -= rol32(b, 24);
    return c;
}

uint32_t word(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

// symhash: the same value for both directions of a flow. The kernel hashes the flow
// dissector's keys with a random seed chosen at boot, so its values cannot be reproduced;
// this one hashes the sorted addresses and ports with jhash (docs/kernel-differences.md).
uint32_t symmetric_hash(const packet::packet_view& p) {
    uint8_t key[40] = {};
    uint32_t alen = 0, src = 0, dst = 0;
    if (p.network() == packet::network_protocol::ipv4) {
        alen = 4, src = 12, dst = 16;
    } else if (p.network() == packet::network_protocol::ipv6) {
        alen = 16, src = 8, dst = 24;
    } else {
        return 0;
    }
    uint8_t a[16], b[16];
    if (!p.load(packet::payload_base::network, src, alen, a) || !p.load(packet::payload_base::network, dst, alen, b)) return 0;
    uint8_t pa[2] = {}, pb[2] = {};
    if (p.has_l4proto() && (p.l4proto() == 6 || p.l4proto() == 17 || p.l4proto() == 132 || p.l4proto() == 33)) {
        (void)p.load(packet::payload_base::transport, 0, 2, pa);
        (void)p.load(packet::payload_base::transport, 2, 2, pb);
    }
    const bool swap = std::memcmp(a, b, alen) > 0 || (std::memcmp(a, b, alen) == 0 && std::memcmp(pa, pb, 2) > 0);
    std::memcpy(key, swap ? b : a, alen);
    std::memcpy(key + alen, swap ? a : b, alen);
    std::memcpy(key + 2 * alen, swap ? pb : pa, 2);
    std::memcpy(key + 2 * alen + 2, swap ? pa : pb, 2);
    key[2 * alen + 4] = p.has_l4proto() ? p.l4proto() : 0;
    return jhash_bytes(key, 2 * alen + 5, 0);
}

// nf_nat_inet_fn: nat chains decide a connection's mapping once, on its first packet (ct
// state new, or related for the first packet of an expected connection); later packets
// reuse the mapping, and packets without a conntrack entry are not NATed at all.
bool nat_chains_run(const services& with) {
    if (with.ct == nullptr) return false;
    uint32_t state = 0;
    if (!with.ct->get(front::CT_STATE, -1, reinterpret_cast<uint8_t*>(&state), 4)) return false;
    constexpr uint32_t related_bit = 4, new_bit = 8;  // NF_CT_STATE_BIT(IP_CT_RELATED), (IP_CT_NEW)
    return state & (related_bit | new_bit);
}

}  // namespace

struct engine::state {
    std::vector<counter_state> counters;
    std::vector<limit_state> limits;
    std::vector<quota_state> quotas;
    std::vector<last_state> lasts;
    std::vector<uint32_t> numgen;  // per numgen slot
    std::vector<counter_state> object_counters;
    std::vector<limit_state> object_limits;
    std::vector<quota_state> object_quotas;
    run_stats stats;
    uint64_t random = 0x9e3779b97f4a7c15ull;  // deterministic, so replays repeat

    // Per packet.
    const compile::program* p = nullptr;
    packet::packet_view* pkt = nullptr;
    packet_meta* meta = nullptr;
    const services* svc = nullptr;
    run_result* out = nullptr;
    // 16 bytes of slack past the last register for clear_register's fixed-size stores.
    alignas(8) std::array<uint8_t, compile::register_bytes + 16> regs{};

    uint8_t* reg(uint8_t r) { return regs.data() + 4 * r; }
    uint32_t next_random() {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        return static_cast<uint32_t>(random);
    }

    bool load_meta(uint16_t key, uint8_t* dst, uint32_t len);
    // nft_set_elem_update_expr: the element's own stateful expressions, in order, on this
    // packet; false when one ends the rule (a limit or quota that does not match).
    bool element_stmts(element_view& view);
    // Runs the rule's instructions. Returns the verdict code, NFT_CONTINUE when it matched
    // without one, NFT_BREAK when a test failed (at `stopped`).
    int32_t run_rule(const compile::rule_code& rule, uint32_t& stopped, uint32_t& target, uint16_t& queue);
};

bool engine::state::load_meta(uint16_t key, uint8_t* dst, uint32_t len) {
    clear_register(dst, len);
    const packet_meta& m = *meta;
    auto iface = [&](const interface_info* i, auto&& field) {
        if (i == nullptr) return false;
        field(*i);
        return true;
    };
    switch (key) {
    case front::META_LEN: put<uint32_t>(dst, pkt->network_length()); return true;
    case front::META_PROTOCOL: {
        const uint16_t t = ethertype_of(*pkt, m.family);
        dst[0] = static_cast<uint8_t>(t >> 8);
        dst[1] = static_cast<uint8_t>(t);
        return true;
    }
    case front::META_NFPROTO: dst[0] = static_cast<uint8_t>(m.family); return true;
    case front::META_L4PROTO:
        if (!pkt->has_l4proto()) return false;
        dst[0] = pkt->l4proto();
        return true;
    case front::META_PRIORITY: put<uint32_t>(dst, m.priority); return true;
    case front::META_MARK: put<uint32_t>(dst, m.mark); return true;
    case front::META_IIF: return iface(m.iif, [&](const interface_info& i) { put<uint32_t>(dst, i.index); });
    case front::META_OIF: return iface(m.oif, [&](const interface_info& i) { put<uint32_t>(dst, i.index); });
    case front::META_IIFNAME:
        return iface(m.iif, [&](const interface_info& i) { std::memcpy(dst, i.name.data(), std::min<uint32_t>(len, 16)); });
    case front::META_OIFNAME:
        return iface(m.oif, [&](const interface_info& i) { std::memcpy(dst, i.name.data(), std::min<uint32_t>(len, 16)); });
    case front::META_IIFTYPE: return iface(m.iif, [&](const interface_info& i) { put<uint16_t>(dst, i.type); });
    case front::META_OIFTYPE: return iface(m.oif, [&](const interface_info& i) { put<uint16_t>(dst, i.type); });
    // nft_meta_get_eval_kind: a device without rtnl_link_ops (here: no known kind) fails.
    case front::META_IIFKIND:
        if (m.iif == nullptr || m.iif->kind[0] == '\0') return false;
        std::memcpy(dst, m.iif->kind.data(), std::min<uint32_t>(len, 16));
        return true;
    case front::META_OIFKIND:
        if (m.oif == nullptr || m.oif->kind[0] == '\0') return false;
        std::memcpy(dst, m.oif->kind.data(), std::min<uint32_t>(len, 16));
        return true;
    case front::META_IIFGROUP: return iface(m.iif, [&](const interface_info& i) { put<uint32_t>(dst, i.group); });
    case front::META_OIFGROUP: return iface(m.oif, [&](const interface_info& i) { put<uint32_t>(dst, i.group); });
    case front::META_SKUID:
        if (!m.has_socket) return false;
        put<uint32_t>(dst, m.skuid);
        return true;
    case front::META_SKGID:
        if (!m.has_socket) return false;
        put<uint32_t>(dst, m.skgid);
        return true;
    case front::META_NFTRACE: dst[0] = m.nftrace ? 1 : 0; return true;
    case front::META_RTCLASSID: put<uint32_t>(dst, m.rtclassid); return true;
    case front::META_SECMARK: put<uint32_t>(dst, m.secmark); return true;
    case front::META_PKTTYPE: dst[0] = static_cast<uint8_t>(m.type); return true;
    case front::META_CPU: put<uint32_t>(dst, m.cpu); return true;
    case front::META_CGROUP: put<uint32_t>(dst, static_cast<uint32_t>(m.cgroup)); return true;
    case front::META_PRANDOM: put<uint32_t>(dst, next_random()); return true;
    case front::META_SECPATH: dst[0] = 0; return true;
    case front::META_TIME_NS: put<uint64_t>(dst, m.wall_time_ns); return true;
    case front::META_TIME_DAY: {
        const int64_t local = static_cast<int64_t>(m.wall_time_ns / 1'000'000'000) + m.utc_offset_s;
        // 1970-01-01 was a Thursday (day 4, Sunday being 0).
        dst[0] = static_cast<uint8_t>(((local / 86400) + 4) % 7);
        return true;
    }
    case front::META_TIME_HOUR: {
        const int64_t local = static_cast<int64_t>(m.wall_time_ns / 1'000'000'000) + m.utc_offset_s;
        put<uint32_t>(dst, static_cast<uint32_t>(((local % 86400) + 86400) % 86400));
        return true;
    }
    default: return false;
    }
}

bool engine::state::element_stmts(element_view& view) {
    const uint32_t bytes = pkt->network_length();
    const std::span<const element_template> stmts = view.stmts;
    for (size_t i = 0; i < stmts.size() && i < view.states.size(); ++i) {
        element_state& s = view.states[i];
        switch (stmts[i].what) {
        case element_template::kind::counter: s.counter.add(bytes); break;
        case element_template::kind::last:
            s.last.used_ns = meta->now_ns;
            s.last.used = true;
            break;
        case element_template::kind::limit:
            if (!limit_eval(stmts[i].limit, s.limit, bytes, meta->now_ns)) return false;
            break;
        case element_template::kind::quota:
            if (!quota_eval(stmts[i].quota, s.quota, bytes)) return false;
            break;
        }
    }
    return true;
}

[[gnu::always_inline]] inline int32_t engine::state::run_rule(const compile::rule_code& rule, uint32_t& stopped, uint32_t& target, uint16_t& queue) {
    const insn* code = p->code.data() + rule.first;
    const uint8_t* data = p->data.data();
    uint32_t i = 0;
    for (; i < rule.count; ++i) {
        const insn& in = code[i];
        switch (in.op) {
        case opcode::payload_load: {
            uint8_t* d = reg(in.dreg);
            // The register's last word is zeroed first, as the kernel does.
            clear_register(d, in.len);
            if (!pkt->load(static_cast<packet::payload_base>(in.a), in.b, in.len, d)) goto broke;
            break;
        }
        case opcode::payload_cmp: {
            alignas(8) uint8_t value[16];
            if (!pkt->load(static_cast<packet::payload_base>(in.flags), in.a, in.len, value)) goto broke;
            if (equal_bytes(value, data + in.b, in.len) != (in.aux == compile::cmp_eq)) goto broke;
            break;
        }
        case opcode::payload_bits: {
            const uint32_t covering = (in.b % 8 + in.aux + 7) / 8;
            uint8_t buf[17] = {};
            if (covering > 16 || !pkt->load(static_cast<packet::payload_base>(in.a), in.b / 8, covering, buf)) goto broke;
            right_align_bits(buf, covering, in.b % 8, in.aux, reg(in.dreg), in.len);
            break;
        }
        case opcode::exthdr_bits: {
            // nft's exthdr load of the covering bytes (failing as the whole load would), then
            // its bitwise mask and shift.
            const uint32_t covering = (in.b % 8 + in.aux + 7) / 8;
            uint8_t buf[17] = {};
            if (covering > 16 || !packet::exthdr_load(*pkt, static_cast<packet::exthdr_op>(in.flags), static_cast<uint8_t>(in.a),
                                                      in.b / 8, covering, buf)) {
                goto broke;
            }
            right_align_bits(buf, covering, in.b % 8, in.aux, reg(in.dreg), in.len);
            break;
        }
        case opcode::exthdr_load: {
            uint8_t* d = reg(in.dreg);
            clear_register(d, in.len);
            const auto op = static_cast<packet::exthdr_op>(in.aux);
            if (in.flags & 1) {
                d[0] = packet::exthdr_present(*pkt, op, static_cast<uint8_t>(in.a)) ? 1 : 0;
                break;
            }
            if (!packet::exthdr_load(*pkt, op, static_cast<uint8_t>(in.a), in.b, in.len, d)) goto broke;
            break;
        }
        case opcode::meta_load:
            if (!load_meta(in.aux, reg(in.dreg), in.len)) goto broke;
            break;
        case opcode::ct_load: {
            uint8_t* d = reg(in.dreg);
            clear_register(d, in.len);
            if (svc->ct == nullptr) {
                // Without a tracker every packet is as the kernel sees an untracked one... no
                // entry: `ct state` reads "invalid", anything else fails.
                if (in.aux != front::CT_STATE) goto broke;
                put<uint32_t>(d, 1);  // NF_CT_STATE_INVALID_BIT
                break;
            }
            if (!svc->ct->get(in.aux, static_cast<int>(in.a) - 1, d, in.len)) goto broke;
            break;
        }
        case opcode::fib_load: {
            if (svc->fib == nullptr) goto broke;
            fib_query query;
            if (!query.from_packet(*pkt, in.a, in.aux)) goto broke;
            uint8_t* d = reg(in.dreg);
            clear_register(d, in.len);
            if (!svc->fib->lookup(*meta, query, d, in.len)) goto broke;
            break;
        }
        case opcode::numgen: {
            const uint32_t modulus = word(data + in.a), offset = word(data + in.a + 4);
            uint32_t v;
            if (in.aux == 0) {
                uint32_t& counter = numgen[in.b];
                v = counter;
                counter = counter + 1 < modulus ? counter + 1 : 0;
            } else {
                v = static_cast<uint32_t>((static_cast<uint64_t>(next_random()) * modulus) >> 32);
            }
            put<uint32_t>(reg(in.dreg), v + offset);
            break;
        }
        case opcode::hash: {
            const uint32_t modulus = word(data + in.a), offset = word(data + in.a + 4), seed = word(data + in.a + 8);
            const uint32_t h = in.aux == 0 ? jhash_bytes(reg(in.sreg), in.len, seed) : symmetric_hash(*pkt);
            put<uint32_t>(reg(in.dreg), static_cast<uint32_t>((static_cast<uint64_t>(h) * modulus) >> 32) + offset);
            break;
        }
        case opcode::immediate: {
            uint8_t* d = reg(in.dreg);
            clear_register(d, in.len);
            std::memcpy(d, data + in.a, in.len);
            break;
        }
        case opcode::cmp: {
            const uint8_t op = in.flags & compile::cmp_op_mask;
            if (op == compile::cmp_eq) {
                if (!equal_bytes(reg(in.sreg), data + in.a, in.len)) goto broke;
            } else if (op == compile::cmp_neq) {
                if (equal_bytes(reg(in.sreg), data + in.a, in.len)) goto broke;
            } else if (!cmp_holds(in.flags, compare(reg(in.sreg), data + in.a, in.len, in.flags & compile::cmp_host))) {
                goto broke;
            }
            break;
        }
        case opcode::range: {
            const bool host = in.flags & compile::cmp_host;
            const bool inside = compare(reg(in.sreg), data + in.a, in.len, host) >= 0 &&
                                compare(reg(in.sreg), data + in.b, in.len, host) <= 0;
            if (inside == ((in.flags & compile::cmp_op_mask) == compile::cmp_neq)) goto broke;
            break;
        }
        case opcode::bitwise: {
            const uint8_t* s = reg(in.sreg);
            uint8_t* d = reg(in.dreg);
            const uint8_t* mask = data + in.a;
            const uint8_t* x = data + in.b;
            for (uint32_t k = 0; k < in.len; ++k) d[k] = static_cast<uint8_t>((s[k] & mask[k]) ^ x[k]);
            break;
        }
        case opcode::bitwise_reg: {
            const uint8_t* s = reg(in.sreg);
            const uint8_t* s2 = reg(static_cast<uint8_t>(in.b));
            uint8_t* d = reg(in.dreg);
            for (uint32_t k = 0; k < in.len; ++k) {
                switch (static_cast<front::op>(in.aux)) {
                case front::op::band: d[k] = s[k] & s2[k]; break;
                case front::op::bor: d[k] = s[k] | s2[k]; break;
                default: d[k] = s[k] ^ s2[k]; break;
                }
            }
            break;
        }
        case opcode::shift: {
            uint8_t* d = reg(in.dreg);
            const bool host = in.flags & compile::shift_host;
            unsigned __int128 v = 0;
            for (uint32_t k = 0; k < in.len; ++k) {
                const uint8_t byte = host ? reg(in.sreg)[in.len - 1 - k] : reg(in.sreg)[k];
                v = (v << 8) | byte;
            }
            v = (in.flags & compile::shift_left) ? (v << in.a) : (v >> in.a);
            for (uint32_t k = 0; k < in.len; ++k) {
                const auto byte = static_cast<uint8_t>(v >> (8 * k));
                if (host) {
                    d[k] = byte;
                } else {
                    d[in.len - 1 - k] = byte;
                }
            }
            break;
        }
        case opcode::byteorder: {
            uint8_t* d = reg(in.dreg);
            const uint8_t* s = reg(in.sreg);
            uint8_t tmp[64];
            std::memcpy(tmp, s, in.len);
            for (uint32_t off = 0; off + in.a <= in.len; off += in.a) std::reverse(tmp + off, tmp + off + in.a);
            std::memcpy(d, tmp, in.len);
            break;
        }
        case opcode::lookup: {
            element_view view;
            const bool found = p->sets[in.aux]->lookup({reg(in.sreg), in.len}, meta->now_ns, view);
            if (found == static_cast<bool>(in.flags & compile::lookup_invert)) goto broke;
            if ((in.flags & compile::lookup_dreg) && found) {
                const auto& d = p->sets[in.aux]->description();
                uint8_t* dst = reg(in.dreg);
                clear_register(dst, d.data_bytes);
                if (view.data) std::memcpy(dst, view.data, d.data_bytes);
            }
            // nft_lookup_eval runs a found element's stateful expressions too: a lookup counts
            // in the element's counter and takes from its limit, and a limit that says no ends
            // the rule as if the key were absent (the lab's meter: `ip saddr @flood` right after
            // the key's first packet spends the second token of `burst 2`).
            if (found && !element_stmts(view)) goto broke;
            break;
        }
        case opcode::verdict_map: {
            element_view view;
            if (!p->sets[in.aux]->lookup({reg(in.sreg), in.len}, meta->now_ns, view) || view.verdict == nullptr) {
                goto broke;
            }
            if (!element_stmts(view)) goto broke;  // nft_lookup_eval, as for a lookup
            target = view.verdict->chain;
            queue = view.verdict->queue_num;
            return view.verdict->code;
        }
        case opcode::verdict:
            target = in.b;
            if (in.flags & 1) {
                out->reject = true;
                out->reject_type = static_cast<uint8_t>(in.aux);
                out->reject_code = static_cast<uint8_t>(in.b);
                target = 0;
            } else {
                queue = in.aux;
            }
            return static_cast<int32_t>(in.a);
        case opcode::counter: counters[in.a].add(pkt->network_length()); break;
        case opcode::limit:
            if (!limit_eval(p->limits[in.a], limits[in.a], pkt->network_length(), meta->now_ns)) goto broke;
            break;
        case opcode::quota:
            if (!quota_eval(p->quotas[in.a], quotas[in.a], pkt->network_length())) goto broke;
            break;
        case opcode::last:
            lasts[in.a].used_ns = meta->now_ns;
            lasts[in.a].used = true;
            break;
        case opcode::objref:
        case opcode::objref_map: {
            uint32_t index = in.a;
            if (in.op == opcode::objref_map) {
                element_view view;
                if (!p->sets[in.aux]->lookup({reg(in.sreg), in.len}, meta->now_ns, view)) goto broke;
                index = view.object;
            }
            const auto& obj = p->objects[index];
            const uint32_t bytes = pkt->network_length();
            switch (obj.type) {
            case front::obj_type::counter: object_counters[index].add(bytes); break;
            case front::obj_type::limit:
                if (!limit_eval(obj.limit, object_limits[index], bytes, meta->now_ns)) goto broke;
                break;
            case front::obj_type::quota:
                if (!quota_eval(obj.quota, object_quotas[index], bytes)) goto broke;
                break;
            default: break;
            }
            break;
        }
        case opcode::log:
            if (svc->log) svc->log->log(p->logs[in.a], *pkt, *meta);
            break;
        case opcode::meta_set: {
            const uint8_t* s = reg(in.sreg);
            switch (in.aux) {
            case front::META_MARK: meta->mark = static_cast<uint32_t>(read_host(s, 4)); break;
            case front::META_PRIORITY: meta->priority = static_cast<uint32_t>(read_host(s, 4)); break;
            case front::META_PKTTYPE: meta->type = static_cast<pkttype>(s[0]); break;
            case front::META_NFTRACE: meta->nftrace = s[0] & 1; break;
            case front::META_SECMARK: meta->secmark = static_cast<uint32_t>(read_host(s, 4)); break;
            default: break;
            }
            break;
        }
        case opcode::ct_set:
            if (svc->ct) svc->ct->set(in.aux, static_cast<int>(in.a) - 1, reg(in.sreg), in.len);
            break;
        case opcode::payload_set:
            if (!packet::payload_set(*pkt, p->payload_writes[in.a], reg(in.sreg))) goto broke;
            out->modified = true;
            break;
        case opcode::payload_set_bits: {
            const packet::payload_write& w = p->payload_writes[in.a];
            uint8_t buf[17] = {};
            if (w.length > 16 || !pkt->load(w.base, w.offset, w.length, buf)) goto broke;
            unsigned __int128 cur = 0, value = 0;
            for (uint32_t k = 0; k < w.length; ++k) cur = (cur << 8) | buf[k];
            const uint8_t* s = reg(in.sreg);
            for (uint32_t k = 0; k < in.len; ++k) value = (value << 8) | s[k];
            const uint32_t bits = in.aux;
            const uint32_t low = w.length * 8 - in.b - bits;  // bits below the field
            const unsigned __int128 field = ((bits < 128 ? (static_cast<unsigned __int128>(1) << bits) : 0) - 1) << low;
            cur = (cur & ~field) | ((value << low) & field);
            for (uint32_t k = 0; k < w.length; ++k) buf[w.length - 1 - k] = static_cast<uint8_t>(cur >> (8 * k));
            if (!packet::payload_set(*pkt, w, buf)) goto broke;
            out->modified = true;
            break;
        }
        case opcode::exthdr_set: {
            // nft_exthdr_tcp_set_eval: an absent option leaves the packet and the rule alone;
            // an unreadable header or an option too short for the field breaks the rule.
            packet::located opt;
            const packet::tcp_option_search found = packet::search_tcp_option(*pkt, static_cast<uint8_t>(in.a), opt);
            if (found == packet::tcp_option_search::absent) break;
            if (found != packet::tcp_option_search::found || in.b + in.len > opt.length) goto broke;
            const uint32_t at = opt.offset + in.b;
            const uint8_t* value = reg(in.sreg);
            bool same = true;
            for (uint32_t k = 0; k < in.len; ++k) same = same && pkt->u8_at(at + k) == value[k];
            if (same) break;
            // The kernel never raises an MSS ("increase can cause connection to stall"): a
            // segment announcing the new size or less keeps its own.
            if (in.a == tcpopt_maxseg && in.len == 2 && pkt->be16_at(at) <= (uint32_t{value[0]} << 8 | value[1])) break;
            packet::payload_write w;
            w.base = packet::payload_base::transport;
            w.offset = at - pkt->transport_offset();
            w.length = in.len;
            w.checksum = packet::checksum_kind::inet;
            w.checksum_offset = 16;  // the TCP checksum
            if (!packet::payload_set(*pkt, w, value)) goto broke;
            out->modified = true;
            break;
        }
        case opcode::dynset: {
            const compile::dynset_record& d = p->dynsets[in.a];
            set_store& set = *p->sets[in.aux];
            const std::span<const uint8_t> key{reg(d.key_reg), d.key_len};
            const std::span<const uint8_t> value{reg(d.data_reg), d.data_len};
            element_view view;
            set_store::update_result r;
            switch (d.op) {
            case 0: r = set.add(key, value, d.timeout_ns, meta->now_ns, &view, d.stmts); break;
            case 1: r = set.update(key, value, d.timeout_ns, meta->now_ns, &view, d.stmts); break;
            default: r = set.remove(key, meta->now_ns); break;
            }
            if (r == set_store::update_result::full) goto broke;
            // nft_dynset_eval runs the element's own expressions (those it was created with),
            // new or not.
            if (d.op != 2 && !element_stmts(view)) goto broke;
            break;
        }
        case opcode::notrack:
            if (svc->ct) svc->ct->untrack();
            break;
        case opcode::unsupported:
            ++stats.unsupported;
            goto broke;
        }
    }
    return nft_continue;
broke:
    stopped = rule.first + i;
    return nft_break;
}

engine::engine(std::unique_ptr<compile::program> program) : program_(std::move(program)), state_(std::make_unique<state>()) {
    const compile::program& p = *program_;
    state_->counters.resize(p.counter_slots);
    state_->limits.resize(p.limits.size());
    state_->quotas.resize(p.quotas.size());
    state_->lasts.resize(p.last_slots);
    state_->numgen.resize(p.numgen_slots);
    state_->object_limits.resize(p.objects.size());
    state_->object_quotas.resize(p.objects.size());
    state_->object_counters.resize(p.objects.size());
    for (size_t i = 0; i < p.objects.size(); ++i) {
        state_->object_counters[i] = p.objects[i].counter;
        state_->object_quotas[i].consumed = p.objects[i].quota_used;
    }
}

engine::~engine() = default;
engine::engine(engine&&) noexcept = default;
engine& engine::operator=(engine&&) noexcept = default;

std::span<const counter_state> engine::counters() const { return state_->counters; }
std::span<const counter_state> engine::object_counters() const { return state_->object_counters; }
std::span<const quota_state> engine::object_quotas() const { return state_->object_quotas; }
const run_stats& engine::stats() const { return state_->stats; }

run_result engine::run(packet::packet_view& packet, packet_meta& meta, const services& with, priority_window window) {
    state& s = *state_;
    run_result result;
    s.p = program_.get();
    s.pkt = &packet;
    s.meta = &meta;
    s.svc = &with;
    s.out = &result;
    if (packet.status() != packet::parse_status::ok) ++s.stats.malformed;

    const compile::program& p = *program_;
    struct frame {
        uint32_t chain;
        uint32_t rule;  // next rule to run in it
    };
    for (const compile::hooked_chain& hc : p.hooked(meta.family, meta.hook)) {
        if (!window.holds(hc.priority)) continue;
        if (p.chains[hc.chain].nat && !nat_chains_run(with)) {
            if (with.trace) with.trace->nat_chain_skipped(hc.chain);
            continue;
        }
        ++result.chains_run;
        std::array<frame, jump_stack_size> stack;
        uint32_t depth = 0;
        uint32_t chain = hc.chain;
        uint32_t next = 0;
        int32_t verdict = nft_continue;
        for (;;) {
            const compile::chain_code& cc = p.chains[chain];
            if (next >= cc.rule_count) {
                // A chain reached by `goto` from the base chain ends with the base chain's policy.
                const int32_t policy = p.chains[hc.chain].policy;
                if (with.trace) with.trace->chain_end(chain, depth == 0, policy);
                if (depth == 0) {
                    verdict = policy;
                    result.by_policy = true;
                    result.decided_chain = hc.chain;
                    result.rule = nullptr;
                    result.rule_index = UINT32_MAX;
                    break;
                }
                --depth;
                chain = stack[depth].chain;
                next = stack[depth].rule;
                continue;
            }
            const uint32_t rule_index = cc.first_rule + next;
            const compile::rule_code& rule = p.rules[rule_index];
            uint32_t stopped = 0, target = 0;
            uint16_t queue = 0;
            const int32_t v = s.run_rule(rule, stopped, target, queue);
            if (with.trace) with.trace->rule(chain, rule_index, v != nft_break, stopped, v);
            ++next;
            if (v == nft_break || v == nft_continue) continue;
            if (v == nft_jump || v == nft_goto) {
                if (v == nft_jump) {
                    if (depth == jump_stack_size) {
                        ++s.stats.stack_overflow;
                        verdict = vm::nf_drop;
                        break;
                    }
                    stack[depth++] = {chain, next};
                }
                chain = target;
                next = 0;
                continue;
            }
            if (v == nft_return) {
                if (depth == 0) {
                    next = cc.rule_count;  // ends the base chain: its policy applies
                    continue;
                }
                --depth;
                chain = stack[depth].chain;
                next = stack[depth].rule;
                continue;
            }
            verdict = v;
            result.rule = &rule;
            result.rule_index = rule_index;
            result.decided_chain = chain;
            result.by_policy = false;
            result.queue_num = queue;
            break;
        }
        result.verdict = verdict;
        // accept ends this base chain only; drop (and queue, stolen) end the hook.
        if (verdict != nf_accept) break;
    }
    return result;
}

}  // namespace nfqwall::vm

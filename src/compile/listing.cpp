// `nfqwall list --bytecode`: the compiled program in the shape of `nft --debug=netlink`, one
// bracketed instruction per line under each rule, with the rule's handle and where it was
// written. Registers are numbered in 4-byte units (0..15); constants are printed as nft
// prints them, 32-bit words in host order.
#include <cstring>

#include <fmt/format.h>

#include "compile/compile.hpp"
#include "front/proto.hpp"

namespace nfqwall::compile {

namespace {

std::string words(const uint8_t* bytes, uint32_t len) {
    std::string out;
    for (uint32_t at = 0; at < len; at += 4) {
        uint32_t w = 0;
        std::memcpy(&w, bytes + at, std::min<uint32_t>(4, len - at));
        if (!out.empty()) out += ' ';
        out += fmt::format("0x{:08x}", w);
    }
    return out;
}

std::string_view base_name(uint32_t base) {
    switch (base) {
    case 0: return "link";
    case 1: return "network";
    case 2: return "transport";
    case 3: return "inner";
    default: return "tunnel";
    }
}

std::string_view cmp_name(uint8_t flags) {
    switch (flags & cmp_op_mask) {
    case cmp_eq: return "eq";
    case cmp_neq: return "neq";
    case cmp_lt: return "lt";
    case cmp_lte: return "lte";
    case cmp_gt: return "gt";
    default: return "gte";
    }
}

std::string_view exthdr_op_name(uint16_t op) {
    switch (op) {
    case 0: return "ipv6";
    case 1: return "tcpopt";
    case 2: return "ipv4";
    case 3: return "sctp";
    default: return "dccp";
    }
}

std::string verdict_text(const program& p, int32_t code, uint32_t chain) {
    switch (code) {
    case 0: return "drop";
    case 1: return "accept";
    case 3: return "queue";
    case -1: return "continue";
    case -2: return "break";
    case -3: return fmt::format("jump {}", p.chains[chain].name);
    case -4: return fmt::format("goto {}", p.chains[chain].name);
    case -5: return "return";
    default: return fmt::format("verdict {}", code);
    }
}

uint32_t data_word(const program& p, uint32_t at) {
    uint32_t w = 0;
    std::memcpy(&w, p.data.data() + at, 4);
    return w;
}

std::string instruction_text(const program& p, const insn& in) {
    const uint8_t* data = p.data.data();
    switch (in.op) {
    case opcode::payload_load:
        return fmt::format("payload load {}b @ {} header + {} => reg {}", in.len, base_name(in.a), in.b, in.dreg);
    case opcode::payload_cmp:
        return fmt::format("payload cmp {} {}b @ {} header + {} {}", in.aux == cmp_eq ? "eq" : "neq", in.len,
                           base_name(in.flags), in.a, words(data + in.b, in.len));
    case opcode::payload_bits:
        return fmt::format("payload load {} bits @ {} header + bit {} => reg {}", in.aux, base_name(in.a), in.b, in.dreg);
    case opcode::exthdr_load:
        if (in.flags & 1) return fmt::format("exthdr {} type {} present => reg {}", exthdr_op_name(in.aux), in.a, in.dreg);
        return fmt::format("exthdr {} type {} load {}b @ {} => reg {}", exthdr_op_name(in.aux), in.a, in.len, in.b, in.dreg);
    case opcode::exthdr_bits:
        return fmt::format("exthdr {} type {} load {} bits @ bit {} => reg {}", exthdr_op_name(in.flags), in.a, in.aux, in.b,
                           in.dreg);
    case opcode::meta_load: {
        const front::meta_template* t = front::meta_lookup(in.aux);
        return fmt::format("meta load {} => reg {}", t ? t->token : "?", in.dreg);
    }
    case opcode::ct_load: {
        const front::ct_template* t = front::ct_lookup(in.aux);
        const char* dir = in.a == 1 ? ", dir original" : (in.a == 2 ? ", dir reply" : "");
        return fmt::format("ct load {}{} => reg {}", t ? t->token : "?", dir, in.dreg);
    }
    case opcode::fib_load: return fmt::format("fib flags 0x{:x} result {} => reg {}", in.a, in.aux, in.dreg);
    case opcode::numgen:
        return fmt::format("numgen {} mod {} offset {} => reg {}", in.aux == 0 ? "inc" : "random", data_word(p, in.a),
                           data_word(p, in.a + 4), in.dreg);
    case opcode::hash:
        if (in.aux != 0) {
            return fmt::format("hash symhash mod {} offset {} => reg {}", data_word(p, in.a), data_word(p, in.a + 4), in.dreg);
        }
        return fmt::format("hash jhash reg {} len {} mod {} seed 0x{:x} offset {} => reg {}", in.sreg, in.len,
                           data_word(p, in.a), data_word(p, in.a + 8), data_word(p, in.a + 4), in.dreg);
    case opcode::immediate: return fmt::format("immediate reg {} {}", in.dreg, words(data + in.a, in.len));
    case opcode::cmp:
        return fmt::format("cmp {}{} reg {} {}", cmp_name(in.flags), (in.flags & cmp_host) ? " host" : "", in.sreg,
                           words(data + in.a, in.len));
    case opcode::range:
        return fmt::format("range {}{} reg {} {} {}", cmp_name(in.flags), (in.flags & cmp_host) ? " host" : "", in.sreg,
                           words(data + in.a, in.len), words(data + in.b, in.len));
    case opcode::lookup: {
        std::string s = fmt::format("lookup reg {} set {}", in.sreg, p.set_names[in.aux]);
        if (in.flags & lookup_dreg) s += fmt::format(" dreg {}", in.dreg);
        if (in.flags & lookup_invert) s += " 0x1";
        return s;
    }
    case opcode::bitwise:
        return fmt::format("bitwise reg {} = ( reg {} & {} ) ^ {}", in.dreg, in.sreg, words(data + in.a, in.len),
                           words(data + in.b, in.len));
    case opcode::bitwise_reg: {
        const char* o = in.aux == static_cast<uint16_t>(front::op::band) ? "&" : (in.aux == static_cast<uint16_t>(front::op::bor) ? "|" : "^");
        return fmt::format("bitwise reg {} = ( reg {} {} reg {} )", in.dreg, in.sreg, o, in.b);
    }
    case opcode::shift:
        return fmt::format("bitwise reg {} = ( reg {} {} 0x{:08x} ){}", in.dreg, in.sreg, (in.flags & shift_left) ? "<<" : ">>",
                           in.a, (in.flags & shift_host) ? " host" : "");
    case opcode::byteorder:
        return fmt::format("byteorder reg {} = {}(reg {}, {}, {})", in.dreg, (in.flags & byteorder_to_big) ? "hton" : "ntoh",
                           in.sreg, in.a, in.len);
    case opcode::verdict:
        if (in.flags & 1) return fmt::format("reject type {} code {}", in.aux - 1, in.b);
        if (static_cast<int32_t>(in.a) == 3) return fmt::format("immediate reg 0 queue num {}", in.aux);
        return fmt::format("immediate reg 0 {}", verdict_text(p, static_cast<int32_t>(in.a), in.b));
    case opcode::verdict_map: return fmt::format("lookup reg {} set {} dreg 0", in.sreg, p.set_names[in.aux]);
    case opcode::counter: return fmt::format("counter slot {}", in.a);
    case opcode::limit: {
        const auto& l = p.limits[in.a];
        return fmt::format("limit rate {}/{}s burst {} type {} flags 0x{:x}", l.rate, l.unit_seconds, l.burst,
                           l.bytes ? "bytes" : "packets", l.over ? 1 : 0);
    }
    case opcode::quota: {
        const auto& q = p.quotas[in.a];
        return fmt::format("quota bytes {} flags {}", q.bytes, q.over ? 1 : 0);
    }
    case opcode::last: return fmt::format("last slot {}", in.a);
    case opcode::objref: {
        const auto& o = p.objects[in.a];
        return fmt::format("objref type {} name {}", static_cast<int>(o.type), o.name);
    }
    case opcode::objref_map: return fmt::format("objref sreg {} set {}", in.sreg, p.set_names[in.aux]);
    case opcode::log: {
        const auto& l = p.logs[in.a];
        if (l.to_group) return fmt::format("log group {} prefix {}", l.group, l.prefix);
        return fmt::format("log prefix {} level {} flags 0x{:x}", l.prefix, l.level, l.flags);
    }
    case opcode::meta_set: {
        const front::meta_template* t = front::meta_lookup(in.aux);
        return fmt::format("meta set {} with reg {}", t ? t->token : "?", in.sreg);
    }
    case opcode::ct_set: {
        const front::ct_template* t = front::ct_lookup(in.aux);
        return fmt::format("ct set {} with reg {}", t ? t->token : "?", in.sreg);
    }
    case opcode::payload_set:
    case opcode::payload_set_bits: {
        const auto& w = p.payload_writes[in.a];
        const char* csum = w.checksum == packet::checksum_kind::inet ? "inet" : (w.checksum == packet::checksum_kind::sctp ? "sctp" : "none");
        std::string s = fmt::format("payload write reg {} => {}b @ {} header + {}", in.sreg, w.length,
                                    base_name(static_cast<uint32_t>(w.base)), w.offset);
        if (in.op == opcode::payload_set_bits) s += fmt::format(" bits {}+{}", in.b, in.aux);
        s += fmt::format(" csum_type {} csum_off {} csum_flags 0x{:x}", csum, w.checksum_offset, w.l4_pseudo_header ? 1 : 0);
        return s;
    }
    case opcode::exthdr_set:
        return fmt::format("exthdr write tcpopt reg {} => {}b @ {} + {}", in.sreg, in.len, in.a, in.b);
    case opcode::dynset: {
        const auto& d = p.dynsets[in.a];
        static constexpr const char* ops[] = {"add", "update", "delete"};
        std::string s = fmt::format("dynset {} reg_key {} set {}", ops[std::min<uint8_t>(d.op, 2)], d.key_reg, p.set_names[in.aux]);
        if (d.data_len) s += fmt::format(" sreg_data {}", d.data_reg);
        if (d.timeout_ns) s += fmt::format(" timeout {}ms", d.timeout_ns / 1'000'000);
        return s;
    }
    case opcode::notrack: return "notrack";
    case opcode::unsupported: {
        const auto& u = p.unsupported[in.a];
        return fmt::format("unsupported: {} (the rule never matches)", u.what);
    }
    }
    return "?";
}

std::string location_text(const location& l) {
    if (!l.valid()) return {};
    const auto [line, col] = l.file->line_col(l.begin);
    return fmt::format(" ({}:{}:{})", l.file->name(), line, col);
}

}  // namespace

std::string bytecode_listing(const program& p) {
    std::string out;
    for (uint32_t c = 0; c < p.chains.size(); ++c) {
        const chain_code& cc = p.chains[c];
        out += fmt::format("{} {} {}", front::family_name(cc.family), cc.table, cc.name);
        if (cc.base) {
            out += fmt::format(" (hook {} priority {} policy {})", front::hook_name(cc.family, cc.hook), cc.priority,
                               cc.policy == 0 ? "drop" : "accept");
        }
        out += '\n';
        for (uint32_t r = cc.first_rule; r < cc.first_rule + cc.rule_count; ++r) {
            const rule_code& rc = p.rules[r];
            out += fmt::format("  rule handle {}{}\n", rc.handle, location_text(rc.loc));
            for (uint32_t i = rc.first; i < rc.first + rc.count; ++i) {
                out += fmt::format("    [ {} ]\n", instruction_text(p, p.code[i]));
            }
        }
    }
    return out;
}

}  // namespace nfqwall::compile

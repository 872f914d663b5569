#include "daemon/eval_explain.hpp"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "front/print.hpp"
#include "front/proto.hpp"
#include "front/rule.hpp"
#include "front/stmt.hpp"
#include "vm/log_format.hpp"
#include "compile/encode.hpp"

namespace nfqwall::eval {

using front::u128;

namespace {

constexpr auto nft_continue = static_cast<int32_t>(front::verdict_code::cont);
constexpr auto nft_jump = static_cast<int32_t>(front::verdict_code::jump);
constexpr auto nft_goto = static_cast<int32_t>(front::verdict_code::go_to);
constexpr auto nft_return = static_cast<int32_t>(front::verdict_code::ret);

std::string place(const location& loc) {
    if (!loc.valid()) return "<unknown>";
    return fmt::format("{}:{}", loc.file->name(), loc.file->line_col(loc.begin).first);
}

// Rules print without counter and quota values: the ruleset's starting values would read as
// the replay's.
const list_options listing{.stateless = true};

// A rule holding an anonymous chain (`jump { ... }`) lists on several lines; a verdict line
// wants one: "jump { counter; accept }".
std::string one_line(const std::string& text) {
    std::string out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        while (!line.empty() && (line.front() == '\t' || line.front() == ' ')) line.remove_prefix(1);
        if (!line.empty()) {
            if (!out.empty()) out += out.back() == '{' || line == "}" ? " " : "; ";
            out += line;
        }
        start = end + 1;
    }
    return out;
}

std::string printed(const front::value_expr& v) {
    front::print_ctx ctx{{}, {}};
    front::print_value(v, ctx);
    return ctx.out;
}

std::string printed(const front::expr& e) {
    front::print_ctx ctx{{}, {}};
    front::print_expr(e, ctx);
    return ctx.out;
}

// `bits` bits at bit `offset` of `bytes`, as a big-endian number (at most 128 bits).
u128 bits_at(std::span<const uint8_t> bytes, uint32_t offset, uint32_t bits) {
    u128 v = 0;
    for (uint32_t k = 0; k < bits; ++k) {
        const uint32_t bit = offset + k;
        v = (v << 1) | ((bytes[bit / 8] >> (7 - bit % 8)) & 1);
    }
    return v;
}

std::string value_text(const front::datatype* type, front::byte_order order, uint32_t bits, u128 value) {
    front::value_expr v(location{}, type, order, bits, value);
    return printed(v);
}

// One header of the frame whose fields a rewrite may have touched.
struct header_span {
    const front::proto_desc* desc = nullptr;
    uint32_t start = 0;  // in the frame
    uint32_t end = 0;
    std::string_view raw_base;  // "ll", "nh", "th" for bytes no field names
};

}  // namespace

// ---- names ----

program_names::program_names(const front::ruleset& rs, const compile::program& p)
    : program_(p), rules_(p.rules.size()), chains_(p.chains.size()), chain_places_(p.chains.size()) {
    for (size_t i = 0; i < p.chains.size(); ++i) {
        const compile::chain_code& c = p.chains[i];
        chains_[i] = fmt::format("{} {} {}", front::family_name(c.family), c.table, c.name.empty() ? "(anonymous)" : c.name);
        const front::table* t = rs.find_table(c.family, c.table);
        const front::chain* declared = t != nullptr ? t->find_chain(c.name) : nullptr;
        chain_places_[i] = declared != nullptr ? place(declared->loc) : "<unknown>";
    }
}

const std::string& program_names::rule(uint32_t index) {
    std::string& text = rules_[index];
    if (text.empty()) {
        const compile::rule_code& r = program_.rules[index];
        text = place(r.loc) + ": " + (r.source != nullptr ? one_line(front::rule_text(*r.source, family_of(index), listing)) : "?");
    }
    return text;
}

const std::string& program_names::chain(uint32_t index) { return chains_[index]; }

front::family program_names::family_of(uint32_t rule_index) const {
    for (const compile::chain_code& c : program_.chains) {
        if (rule_index >= c.first_rule && rule_index < c.first_rule + c.rule_count) return c.family;
    }
    return front::family::unspec;
}

std::string program_names::policy(uint32_t index, int32_t verdict) {
    return fmt::format("{}: chain {} policy {}", chain_places_[index], chains_[index], verdict_name(verdict));
}

const front::stmt* program_names::statement(uint32_t rule_index, uint32_t instruction) const {
    const compile::rule_code& r = program_.rules[rule_index];
    if (r.source == nullptr || instruction >= program_.insn_stmt.size()) return nullptr;
    const uint16_t at = program_.insn_stmt[instruction];
    return at < r.source->stmts.size() ? r.source->stmts[at].get() : nullptr;
}

const std::string& program_names::statement_text(uint32_t rule_index, uint32_t instruction) {
    const front::stmt* s = statement(rule_index, instruction);
    const uint64_t key = uint64_t{rule_index} << 32 | (s != nullptr ? program_.insn_stmt[instruction] : 0xffffu);
    auto [it, fresh] = statements_.try_emplace(key);
    if (!fresh) return it->second;
    if (s == nullptr) {
        it->second = "?";
        return it->second;
    }
    // Printed as the only statement of a rule, through the listing pass, so that it reads as
    // in `nft list` (anonymous sets as their elements); a protocol dependency the listing
    // would hide is printed as it stands.
    front::rule alone;
    alone.stmts.push_back(s->clone());
    std::string text = s->implicit ? std::string() : one_line(front::rule_text(alone, family_of(rule_index), listing));
    if (text.empty()) {
        front::print_ctx ctx{{}, {}};
        front::print_stmt(*s, ctx);
        text = ctx.out;
    }
    it->second = std::move(text);
    return it->second;
}

// ---- verdicts ----

std::string_view verdict_name(int32_t verdict) {
    switch (verdict) {
    case vm::nf_drop: return "drop";
    case vm::nf_accept: return "accept";
    case vm::nf_queue: return "queue";
    case nft_continue: return "continue";
    case nft_jump: return "jump";
    case nft_goto: return "goto";
    case nft_return: return "return";
    default: return "stolen";
    }
}

std::string reject_text(const vm::run_result& r, front::family family) {
    static constexpr std::string_view icmp_codes[] = {"net-unreachable",  "host-unreachable", "prot-unreachable",
                                                      "port-unreachable", "",                 "",
                                                      "",                 "",                 "",
                                                      "net-prohibited",   "host-prohibited",  "",
                                                      "",                 "admin-prohibited"};
    static constexpr std::string_view icmpv6_codes[] = {"no-route",         "admin-prohibited", "",
                                                        "addr-unreachable", "port-unreachable", "policy-fail",
                                                        "reject-route"};
    static constexpr std::string_view icmpx_codes[] = {"no-route", "port-unreachable", "host-unreachable",
                                                       "admin-prohibited"};
    auto named = [&](std::span<const std::string_view> names) {
        return r.reject_code < names.size() && !names[r.reject_code].empty() ? std::string(names[r.reject_code])
                                                                             : std::to_string(r.reject_code);
    };
    switch (r.reject_type) {
    case 1:
        return family == front::family::ipv6 ? "icmpv6 " + named(icmpv6_codes) : "icmp " + named(icmp_codes);
    case 2: return "tcp reset";
    case 3: return "icmpx " + named(icmpx_codes);
    default: return "unknown";
    }
}

// ---- rewrites ----

std::vector<std::string> describe_rewrites(std::span<const uint8_t> before, std::span<const uint8_t> after,
                                           replay::link_kind link, uint32_t network_offset,
                                           packet::network_protocol protocol) {
    std::vector<std::string> out;
    const size_t size = std::min(before.size(), after.size());
    if (size == 0 || std::equal(before.begin(), before.begin() + size, after.begin())) return out;

    // The headers, located in the frame as it was captured.
    std::vector<header_span> headers;
    if (link == replay::link_kind::ethernet && network_offset >= 14) {
        headers.push_back({front::proto_lookup(front::proto_id::eth), 0, 14, "ll"});
    }
    const front::proto_desc* network = nullptr;
    packet::first_header first = packet::first_header::ipv4;
    switch (protocol) {
    case packet::network_protocol::ipv4: network = front::proto_lookup(front::proto_id::ip); break;
    case packet::network_protocol::ipv6:
        network = front::proto_lookup(front::proto_id::ip6);
        first = packet::first_header::ipv6;
        break;
    case packet::network_protocol::arp:
        network = front::proto_lookup(front::proto_id::arp);
        first = packet::first_header::arp;
        break;
    default: break;
    }
    if (network_offset < size && network != nullptr) {
        const packet::packet_view v = packet::parse(before.subspan(network_offset, size - network_offset), {.first = first});
        const uint32_t transport = v.has_transport_header() ? v.transport_offset() : packet::no_offset;
        const uint32_t network_end = transport != packet::no_offset ? transport : v.size();
        headers.push_back({network, network_offset, network_offset + network_end, "nh"});
        if (transport != packet::no_offset && v.has_l4proto()) {
            const front::proto_desc* upper = network->find_upper(v.l4proto());
            headers.push_back({upper, network_offset + transport, static_cast<uint32_t>(size), "th"});
        }
    }

    std::vector<bool> named(size, false);
    for (const header_span& h : headers) {
        if (h.desc == nullptr) continue;
        std::vector<std::pair<uint32_t, uint32_t>> shown;  // fields sharing bits print once
        for (const front::proto_hdr_template& t : h.desc->templates) {
            if (t.meta_key >= 0 || t.len == 0 || t.len > 128 || t.token.empty()) continue;
            const uint64_t first_bit = uint64_t{h.start} * 8 + t.offset;
            if (first_bit + t.len > uint64_t{h.end} * 8 || first_bit + t.len > uint64_t{size} * 8) continue;
            const auto bit = static_cast<uint32_t>(first_bit);
            const u128 old_value = bits_at(before, bit, t.len), new_value = bits_at(after, bit, t.len);
            if (old_value == new_value) continue;
            if (std::find(shown.begin(), shown.end(), std::pair{t.offset, t.len}) != shown.end()) continue;
            shown.emplace_back(t.offset, t.len);
            for (uint32_t b = bit / 8; b <= (bit + t.len - 1) / 8; ++b) named[b] = named[b] || before[b] != after[b];
            out.push_back(fmt::format("{} {} {} -> {}", h.desc->name, t.token, value_text(t.dtype, t.order, t.len, old_value),
                                      value_text(t.dtype, t.order, t.len, new_value)));
        }
    }
    // What no field named: runs of changed bytes, as raw payload expressions of their header.
    for (size_t i = 0; i < size;) {
        if (before[i] == after[i] || named[i]) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < size && before[j] != after[j] && !named[j] && j - i < 16) ++j;
        std::string_view base = "ll";
        uint32_t start = 0;
        for (const header_span& h : headers) {
            if (i >= h.start && i < h.end) base = h.raw_base, start = h.start;
        }
        std::string old_hex, new_hex;
        for (size_t k = i; k < j; ++k) {
            old_hex += fmt::format("{:02x}", before[k]);
            new_hex += fmt::format("{:02x}", after[k]);
        }
        out.push_back(fmt::format("@{},{},{} 0x{} -> 0x{}", base, (i - start) * 8, (j - i) * 8, old_hex, new_hex));
        i = j;
    }
    return out;
}

// ---- what a failed match saw ----

namespace {

struct probed {
    bool ok = false;
    u128 value = 0;
    std::string text;     // a string value (interface names)
    std::string missing;  // why there is no value
};

packet::payload_base base_of(front::proto_base b, bool& ok) {
    ok = true;
    switch (b) {
    case front::proto_base::ll: return packet::payload_base::link;
    case front::proto_base::network: return packet::payload_base::network;
    case front::proto_base::transport: return packet::payload_base::transport;
    default: ok = false; return packet::payload_base::link;
    }
}

probed probe(const front::expr& e, const packet::packet_view& p, const vm::packet_meta& m, vm::fib_oracle* fib,
             vm::conntrack_view* ct) {
    probed r;
    switch (e.kind) {
    case front::expr_kind::fib: {
        const auto& f = e.as<front::fib_expr>();
        vm::fib_query query;
        if (fib == nullptr || !query.from_packet(p, f.fib_flags, f.result)) return r;
        uint8_t answer[16] = {};
        if (!fib->lookup(m, query, answer, compile::value_bytes(e.len))) return r;
        r.ok = true;
        if (e.dtype != nullptr && e.dtype->root()->id == front::type_id::string) {
            r.text.assign(reinterpret_cast<const char*>(answer), strnlen(reinterpret_cast<const char*>(answer), 16));
            r.value = front::pack_string(r.text, 16);
        } else {
            uint32_t v = 0;
            std::memcpy(&v, answer, 4);
            r.value = e.len == 1 || e.len == 8 ? answer[0] : v;
        }
        return r;
    }
    case front::expr_kind::payload: {
        const auto& pl = e.as<front::payload_expr>();
        bool known = false;
        const packet::payload_base base = base_of(pl.base, known);
        const uint32_t covering = (pl.offset % 8 + e.len + 7) / 8;
        if (!known || e.len == 0 || e.len > 128 || covering > 17) return r;
        uint8_t bytes[17] = {};
        if (!p.load(base, pl.offset / 8, covering, bytes)) {
            r.missing = "not in this packet";
            return r;
        }
        r.value = bits_at(bytes, pl.offset % 8, e.len);
        r.ok = true;
        return r;
    }
    case front::expr_kind::meta: {
        const int key = e.as<front::meta_expr>().key;
        const vm::interface_info* iface = nullptr;
        switch (key) {
        case front::META_IIF:
        case front::META_IIFNAME:
        case front::META_IIFTYPE:
        case front::META_IIFKIND: iface = m.iif; break;
        case front::META_OIF:
        case front::META_OIFNAME:
        case front::META_OIFTYPE:
        case front::META_OIFKIND: iface = m.oif; break;
        default: break;
        }
        r.ok = true;
        switch (key) {
        case front::META_MARK: r.value = m.mark; break;
        case front::META_PRIORITY: r.value = m.priority; break;
        case front::META_LEN: r.value = p.network_length(); break;
        case front::META_NFPROTO: r.value = static_cast<uint8_t>(m.family); break;
        case front::META_PKTTYPE: r.value = static_cast<uint8_t>(m.type); break;
        case front::META_PROTOCOL: r.value = p.ethertype(); break;
        case front::META_L4PROTO:
            if (!p.has_l4proto()) {
                r.ok = false;
                r.missing = "no transport protocol known";
            }
            r.value = p.l4proto();
            break;
        case front::META_IIF:
        case front::META_OIF:
        case front::META_IIFNAME:
        case front::META_OIFNAME:
        case front::META_IIFTYPE:
        case front::META_OIFTYPE:
            if (iface == nullptr) {
                r.ok = false;
                r.missing = key == front::META_IIF || key == front::META_IIFNAME || key == front::META_IIFTYPE
                                ? "no input interface here"
                                : "no output interface here";
                return r;
            }
            if (key == front::META_IIF || key == front::META_OIF) {
                // Printed by the replay's name: the index is the replay's, not the host's.
                r.value = iface->index;
                r.text = std::string(iface->name_view());
            }
            if (key == front::META_IIFTYPE || key == front::META_OIFTYPE) r.value = iface->type;
            if (key == front::META_IIFNAME || key == front::META_OIFNAME) {
                r.text = std::string(iface->name_view());
                r.value = front::pack_string(r.text, 16);
            }
            break;
        case front::META_IIFKIND:
        case front::META_OIFKIND:
            if (iface == nullptr) {
                r.ok = false;
                r.missing = key == front::META_IIFKIND ? "no input interface here" : "no output interface here";
                return r;
            }
            if (iface->kind[0] == '\0') {
                r.ok = false;
                r.missing = "no kind known for " + std::string(iface->name_view());
                return r;
            }
            r.text = std::string(iface->kind_view());
            r.value = front::pack_string(r.text, 16);
            break;
        case front::META_SKUID:
        case front::META_SKGID:
            r.ok = false;
            r.missing = "no local socket";
            break;
        default: r.ok = false; break;
        }
        return r;
    }
    case front::expr_kind::ct: {
        const auto& c = e.as<front::ct_expr>();
        const uint32_t len = compile::value_bytes(e.len);
        uint8_t bytes[16] = {};
        if (ct == nullptr) {
            if (c.key != front::CT_STATE) {
                r.missing = "no connection tracker";
                return r;
            }
            r.ok = true;
            r.value = 1;  // invalid, as the kernel reads it without a conntrack entry
            return r;
        }
        if (len == 0 || len > sizeof bytes || !ct->get(c.key, c.direction, bytes, len)) {
            r.missing = "no connection entry";
            return r;
        }
        r.ok = true;
        r.value = 0;
        if (e.order == front::byte_order::big) {
            for (uint32_t i = 0; i < len; ++i) r.value = r.value << 8 | bytes[i];
        } else {
            for (uint32_t i = len; i-- > 0;) r.value = r.value << 8 | bytes[i];  // host order: little-endian here
        }
        return r;
    }
    case front::expr_kind::binop: {
        const auto& b = e.as<front::binop_expr>();
        if (!b.right || !b.right->is(front::expr_kind::value)) return r;
        r = probe(*b.left, p, m, fib, ct);
        if (!r.ok) return r;
        const u128 k = b.right->as<front::value_expr>().value;
        switch (b.oper) {
        case front::op::band: r.value &= k; break;
        case front::op::bor: r.value |= k; break;
        case front::op::bxor: r.value ^= k; break;
        case front::op::lshift: r.value <<= static_cast<uint32_t>(k); break;
        case front::op::rshift: r.value >>= static_cast<uint32_t>(k); break;
        default: r.ok = false; break;
        }
        r.value &= front::mask_bits(e.len);
        return r;
    }
    default: return r;
    }
}

// The expression a statement tests: a match's left side, a map's key.
const front::expr* tested_expr(const front::stmt& s) {
    const front::expr* e = nullptr;
    if (s.is(front::stmt_kind::expr)) e = s.as<front::expr_stmt>().e.get();
    if (s.is(front::stmt_kind::verdict)) e = s.as<front::verdict_stmt>().e.get();
    if (e == nullptr) return nullptr;
    if (e->is(front::expr_kind::relational)) return e->as<front::relational_expr>().left.get();
    if (e->is(front::expr_kind::map)) return e->as<front::map_expr>().key.get();
    return nullptr;
}

std::string value_of(const front::expr& e, const packet::packet_view& p, const vm::packet_meta& m, vm::fib_oracle* fib,
                     vm::conntrack_view* ct) {
    if (e.is(front::expr_kind::concat)) {
        std::string joined;
        for (const auto& part : e.as<front::concat_expr>().items) {
            const std::string one = value_of(*part, p, m, fib, ct);
            if (one.empty()) return {};
            joined += (joined.empty() ? "" : " . ") + one;
        }
        return joined;
    }
    const probed r = probe(e, p, m, fib, ct);
    if (!r.ok) return r.missing.empty() ? std::string() : printed(e) + ": " + r.missing;
    if (e.is(front::expr_kind::meta) && (e.as<front::meta_expr>().key == front::META_IIF ||
                                         e.as<front::meta_expr>().key == front::META_OIF)) {
        return '"' + r.text + '"';
    }
    front::value_expr v(location{}, e.dtype, e.order, e.len, r.value);
    v.str = r.text;
    return printed(v);
}

}  // namespace

std::string tested_value(const front::stmt& failed, const compile::insn& at, const packet::packet_view& packet,
                         const vm::packet_meta& meta, vm::fib_oracle* fib, vm::conntrack_view* ct) {
    switch (at.op) {
    case compile::opcode::limit: return "the limit did not match";
    case compile::opcode::quota: return "the quota did not match";
    case compile::opcode::unsupported: return "not supported by the engine yet";
    case compile::opcode::payload_set:
    case compile::opcode::payload_set_bits:
    case compile::opcode::exthdr_set: return "the rewrite does not fit this packet";
    case compile::opcode::dynset: return "the set is full";
    case compile::opcode::fib_load: return "no fib answer";
    case compile::opcode::ct_load: return "no connection tracker yet";
    default: break;
    }
    const front::expr* e = tested_expr(failed);
    if (e == nullptr) return {};
    const std::string value = value_of(*e, packet, meta, fib, ct);
    if (value.empty()) return {};
    if (value.find(": ") != std::string::npos) return value;  // a reason, not a value
    return printed(*e) + " is " + value;
}

// ---- trace ----

bool packet_explainer::rejects(uint32_t rule) const {
    const front::rule* source = names_.program().rules[rule].source;
    if (source == nullptr) return false;
    return std::any_of(source->stmts.begin(), source->stmts.end(),
                       [](const front::stmt_ptr& s) { return s->is(front::stmt_kind::reject); });
}

void packet_explainer::indent(uint32_t extra) { out_.append(2 * (2 + depth_ + extra), ' '); }

void packet_explainer::hook_begins(const replay::hook_step& step, const packet::packet_view& packet,
                                   const vm::packet_meta& meta) {
    packet_ = &packet;
    meta_ = &meta;
    current_chain_ = UINT32_MAX;
    depth_ = 0;
    if (!trace_) return;
    const bool hooked = !names_.program().hooked(step.family, step.hook).empty();
    out_ += fmt::format("  {} {}:{}\n", front::family_name(step.family), front::hook_name(step.family, step.hook),
                        hooked ? "" : " no chains");
}

void packet_explainer::nat_chain_skipped(uint32_t chain) {
    if (!trace_) return;
    out_ += fmt::format("    chain {} not run: nat chains run only for a connection's first packet\n", names_.chain(chain));
}

void packet_explainer::heading(uint32_t chain) {
    if (chain == current_chain_) return;
    if (names_.program().chains[chain].base) depth_ = 0;
    current_chain_ = chain;
    indent();
    out_ += "chain " + names_.chain(chain) + "\n";
}

void packet_explainer::rule(uint32_t chain, uint32_t rule, bool matched, uint32_t failed_at, int32_t verdict) {
    if (!trace_) return;
    heading(chain);
    indent(1);
    out_ += names_.rule(rule);
    if (matched) {
        std::string_view word = verdict_name(verdict);
        if (verdict == vm::nf_drop && rejects(rule)) word = "reject";
        out_ += verdict == nft_continue ? "  => match" : fmt::format("  => match, {}", word);
        out_ += '\n';
        out_ += pending_logs_;
        pending_logs_.clear();
        if (verdict == nft_jump) {
            ++depth_;
        } else if (verdict == nft_return && depth_ > 0) {
            --depth_;
            current_chain_ = UINT32_MAX;
        }
        return;
    }
    out_ += "  => no match at `" + names_.statement_text(rule, failed_at) + "`";
    const front::stmt* s = names_.statement(rule, failed_at);
    if (s != nullptr && packet_ != nullptr && failed_at < names_.program().code.size()) {
        const std::string why = tested_value(*s, names_.program().code[failed_at], *packet_, *meta_, fib_, ct_ ? ct_() : nullptr);
        if (!why.empty()) out_ += " (" + why + ")";
    }
    out_ += '\n';
    out_ += pending_logs_;
    pending_logs_.clear();
}

void packet_explainer::chain_end(uint32_t chain, bool base, int32_t policy) {
    if (!trace_) return;
    heading(chain);
    indent(1);
    if (base) {
        out_ += fmt::format("policy {}\n", verdict_name(policy));
    } else {
        out_ += "end of chain, return\n";
        if (depth_ > 0) --depth_;
        current_chain_ = UINT32_MAX;
    }
}

void packet_explainer::log(const compile::log_record& record, const packet::packet_view& packet,
                           const vm::packet_meta& meta) {
    static constexpr std::string_view levels[] = {"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"};
    std::string line;
    if (record.to_group) {
        line = fmt::format("log to nflog group {} prefix \"{}\"\n", record.group, record.prefix);
    } else if (record.level >= std::size(levels)) {
        line = fmt::format("log audit prefix \"{}\" (an audit record, not a syslog line)\n", record.prefix);
    } else {
        line = fmt::format("log {}: {}\n", levels[record.level], vm::format_kernel_log(record, packet, meta));
    }
    // In a trace the line follows the rule's own line, which is printed once the rule ends.
    if (trace_) {
        pending_logs_ += std::string(2 * (2 + depth_ + 2), ' ') + line;
    } else {
        out_ += "  " + line;
    }
}

}  // namespace nfqwall::eval

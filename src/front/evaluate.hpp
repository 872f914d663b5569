// The evaluation pass: resolves symbols against the types their context gives, checks types,
// ranges and the placement of statements, adds the protocol dependencies the kernel would get
// (`tcp dport` in an inet table implies `meta l4proto tcp`), and applies each command to the
// ruleset. Modelled on nftables' evaluate.c; every error carries its location.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include "front/proto.hpp"
#include "front/rule.hpp"
#include "nfqwall/diagnostic.hpp"

namespace nfqwall::front {

// What is known about the packet's headers at a point of a rule (nft's proto_ctx): which
// protocol each layer carries, learned from the family and from earlier matches.
struct proto_ctx {
    struct layer {
        const proto_desc* desc = nullptr;
        location loc;
        // More than one protocol is possible (a set of protocols was matched).
        std::vector<const proto_desc*> alternatives;
    };

    family fam = family::unspec;
    std::array<layer, 5> protocol{};
    std::vector<const proto_desc*> stacked_ll;  // vlan headers in front of the network header
    uint8_t icmp_type = 0;                       // the icmp type matched, for icmp fields

    void init(family f, bool inner = false);
    void update(proto_base b, location l, const proto_desc* d);
    layer& at(proto_base b) { return protocol[static_cast<size_t>(b)]; }
    const layer& at(proto_base b) const { return protocol[static_cast<size_t>(b)]; }
    bool ambiguous(proto_base b) const { return at(b).alternatives.size() > 1; }
};

// Learns from `left == right` when left names a protocol (ip protocol, meta l4proto...).
void relational_pctx_update(proto_ctx& pctx, const expr& rel);

// The expression-level context: what type a symbol on the right-hand side should have.
struct expr_ctx {
    const datatype* dtype = nullptr;
    byte_order order = byte_order::invalid;
    uint32_t len = 0;
    uint64_t maxval = 0;
    const expr* key = nullptr;  // concatenation being matched, for per-part types

    void set(const datatype* t, byte_order o, uint32_t l, uint64_t max = 0) {
        dtype = t;
        order = o;
        len = l;
        maxval = max;
        key = nullptr;
    }
};

class evaluator {
public:
    evaluator(ruleset& rs, diagnostics& errors);
    ~evaluator();

    // Checks one command and applies it to the ruleset. False (with diagnostics) on error; the
    // ruleset is then unchanged by this command.
    bool run(cmd& c);
    // The checks the kernel makes when a transaction commits (jump targets, loops, hooks);
    // call once after the last command. False (with diagnostics) when the ruleset is refused.
    bool finish();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace nfqwall::front

// The compiled ruleset: register bytecode in the spirit of nf_tables (payload, meta, ct,
// cmp, range, bitwise, lookup, immediate, verdict, counter, limit, ...), the chains it
// belongs to and the base chains hooked per family and hook in priority order. Made by
// compile.hpp from a checked front::ruleset; run by vm/engine.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "front/rule.hpp"
#include "packet/checksum.hpp"
#include "vm/set_store.hpp"
#include "vm/stateful.hpp"

namespace nfqwall::compile {

// 16 registers of 4 bytes (NFT_REG32_00..15); a value of n bytes takes ceil(n/4) of them.
inline constexpr uint32_t register_count = 16;
inline constexpr uint32_t register_bytes = register_count * 4;

enum class opcode : uint8_t {
    // loads into dreg; a load that fails ends the rule (NFT_BREAK)
    payload_load,    // a: base, b: offset (bytes), len
    payload_cmp,     // a fused payload_load + cmp: flags: base, a: offset, len; aux: cmp_eq or cmp_neq; b: data
    payload_bits,    // a: base, b: bit offset, aux: bit length -> right-aligned big-endian value of len bytes
    exthdr_load,     // aux: op, a: type, b: offset (bytes), len; flags: present test (1 byte boolean)
    exthdr_bits,     // flags: op, a: type, b: bit offset, aux: bit length -> right-aligned big-endian value of len bytes
    meta_load,       // aux: meta key, len
    ct_load,         // aux: ct key, a: direction (+1; 0 none), len
    fib_load,        // a: fib flags, aux: result, sreg..: from the packet, len
    numgen,          // aux: type (0 inc, 1 random); a: data words {modulus, offset}; b: counter slot
    hash,            // aux: 0 jhash (sreg, len: the key), 1 symhash; a: data words {modulus, offset, seed}
    immediate,       // dreg <- data[a, a+len)
    // tests: failure ends the rule
    cmp,             // flags: cmp_op | cmp_host; sreg, len, data at a
    range,           // flags: cmp_op (eq/neq) | cmp_host; sreg, len, low at a, high at b
    lookup,          // aux: set index; sreg key (len bytes); flags: invert | has_dreg; dreg gets map data
    // transforms: sreg -> dreg
    bitwise,         // len; mask at a, xor at b
    bitwise_reg,     // aux: op (and/or/xor); sreg, dreg, b: second register; len
    shift,           // flags: shift_left, shift_host (the register holds a host-order integer); a: bits; len
    byteorder,       // flags: to big (hton) / to host (ntoh); a: element size (2, 4, 8); len
    // verdicts and side effects
    verdict,         // a: code (int32), b: chain index, aux: queue number;
                     // flags & 1: a reject (aux: type + 1, b: icmp code)
    verdict_map,     // aux: set index; sreg key (len): a hit is the element's verdict, a miss ends the rule
    counter,         // a: counter slot
    limit,           // a: limit slot
    quota,           // a: quota slot
    last,            // a: last slot
    objref,          // aux: object type, a: object index
    objref_map,      // aux: set index (object map); sreg key
    log,             // a: log record index
    meta_set,        // aux: meta key; sreg, len
    ct_set,          // aux: ct key, a: direction (+1); sreg, len
    payload_set,     // a: payload write index; sreg, len
    payload_set_bits,// a: payload write index (covering bytes), b: bit offset in them, aux: bit length; sreg
    exthdr_set,      // aux: op, a: type, b: offset; sreg, len
    dynset,          // aux: set index; a: dynset record index
    notrack,
    unsupported,     // a: unsupported record index: the rule is counted and never matches
};

// cmp/range flags.
enum cmp_flags : uint8_t {
    cmp_eq = 0,
    cmp_neq = 1,
    cmp_lt = 2,
    cmp_lte = 3,
    cmp_gt = 4,
    cmp_gte = 5,
    cmp_op_mask = 7,
    cmp_host = 8,  // the register holds a host-order integer (len 1, 2, 4 or 8): compare numerically
};

enum lookup_flags : uint8_t { lookup_invert = 1, lookup_dreg = 2 };
enum shift_flags : uint8_t { shift_left = 1, shift_host = 2 };
enum byteorder_flags : uint8_t { byteorder_to_big = 1 };

struct insn {
    opcode op = opcode::notrack;
    uint8_t dreg = 0;   // register index (4-byte units)
    uint8_t sreg = 0;
    uint8_t len = 0;    // bytes
    uint8_t flags = 0;
    uint16_t aux = 0;
    uint32_t a = 0;
    uint32_t b = 0;
};

struct rule_code {
    uint32_t first = 0;   // index of the first instruction
    uint32_t count = 0;
    uint64_t handle = 0;
    location loc;         // where the rule was written (for verdict lines and traces)
    const front::rule* source = nullptr;  // the evaluated rule (lives in the ruleset the program was made from)
};

struct chain_code {
    std::string name;
    std::string table;
    front::family family = front::family::unspec;
    uint32_t first_rule = 0;
    uint32_t rule_count = 0;
    bool base = false;
    // A nat base chain: the kernel runs it only for a connection's first packet (engine.hpp).
    bool nat = false;
    front::hook hook = front::hook::none;
    int32_t priority = 0;
    int policy = 1;       // NF_ACCEPT, NF_DROP
    std::vector<std::string> devices;  // netdev / inet ingress base chains
};

// A base chain on a hook, in the order the kernel runs them (priority, then registration).
struct hooked_chain {
    uint32_t chain = 0;
    int32_t priority = 0;
};

struct log_record {
    std::string prefix;
    uint32_t level = 4;
    uint32_t flags = 0;       // NF_LOG_* flags
    uint32_t group = 0;
    bool to_group = false;    // nflog group (not syslog)
    uint32_t snaplen = 0;
};

struct dynset_record {
    uint8_t op = 0;           // 0 add, 1 update, 2 delete
    uint8_t key_reg = 0;
    uint8_t key_len = 0;
    uint8_t data_reg = 0;
    uint8_t data_len = 0;
    uint64_t timeout_ns = 0;  // 0: the set's default
    std::vector<vm::element_template> stmts;  // statements applied to the element (limit in a meter...)
    bool has_stmt_match = false;  // a limit/quota among them decides whether the rule goes on
};

struct unsupported_record {
    std::string what;   // "nat statement", "fib expression"...
    location loc;
};

struct named_object {
    front::obj_type type = front::obj_type::none;
    std::string table;
    std::string name;
    vm::counter_state counter;   // the values the ruleset gave (the engine counts from them)
    vm::limit_config limit;
    vm::quota_config quota;
    uint64_t quota_used = 0;
};

struct program {
    std::vector<insn> code;
    // For each instruction, the index of the statement it was compiled from in its rule's
    // source->stmts (traces name the statement that failed).
    std::vector<uint16_t> insn_stmt;
    std::vector<uint8_t> data;   // constants for cmp/range/bitwise/immediate
    std::vector<rule_code> rules;
    std::vector<chain_code> chains;
    // Hooked base chains per (family, hook): index family_slot(f) * hook_slots + hook.
    std::vector<std::vector<hooked_chain>> hooks;

    std::vector<std::unique_ptr<vm::set_store>> sets;
    std::vector<std::string> set_names;       // "family table name", for listings
    uint32_t counter_slots = 0;
    std::vector<vm::limit_config> limits;     // per limit slot
    std::vector<vm::quota_config> quotas;     // per quota slot
    uint32_t last_slots = 0;
    uint32_t numgen_slots = 0;
    std::vector<log_record> logs;
    std::vector<dynset_record> dynsets;
    std::vector<packet::payload_write> payload_writes;
    std::vector<unsupported_record> unsupported;
    std::vector<named_object> objects;

    static constexpr uint32_t hook_slots = 8;
    static uint32_t family_slot(front::family f);
    std::vector<hooked_chain>& hooked(front::family f, front::hook h);
    const std::vector<hooked_chain>& hooked(front::family f, front::hook h) const;
};

}  // namespace nfqwall::compile

// The engine's sets and maps at run time: lookups from the packet path, elements added,
// refreshed and deleted by `add/update/delete @set` statements, element timeouts, and the
// per-element stateful expressions (counters, limits, quotas of `update @m { k limit ... }`).
//
// Keys are the register bytes of the lookup key (compile/encode.hpp): a hash set compares
// them as bytes; an interval set compares them as big-endian numbers, field by field for a
// concatenation (each field padded to 4 bytes). Every set has a fixed capacity chosen when
// it is built (its `size`, or its elements plus the default dynamic size): lookups and
// updates never allocate, and every operation does a bounded amount of work.
//
// The structures (set_hash.cpp, set_interval.cpp): a Robin Hood hash table with
// backward-shift deletion for exact keys; a sorted array with a radix index over the key's
// leading bits for one-field intervals; for concatenated intervals (pipapo), an index on
// the most selective field, or a linear scan when no field separates the elements.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vm/stateful.hpp"

namespace nfqwall::vm {

// What a map element maps to. Verdicts are resolved to chain indexes by the compiler.
struct verdict_data {
    int32_t code = 0;        // NF_DROP 0, NF_ACCEPT 1, NF_QUEUE 3, NFT_CONTINUE -1, NFT_BREAK -2,
                             // NFT_JUMP -3, NFT_GOTO -4, NFT_RETURN -5 (the kernel's numbers)
    uint32_t chain = 0;      // jump/goto target (compiled chain index)
    uint16_t queue_num = 0;  // queue verdicts
};

enum class set_kind : uint8_t {
    hash,             // exact keys (a concatenation of exact fields included)
    interval,         // one field, keys are ranges (prefixes and ranges as [low, high])
    interval_concat,  // several fields, each a range (the kernel's pipapo)
};

// The per-element stateful expressions a set declares (`counter`, `limit rate 10/second`,
// `quota 1 mbytes`, `last`), in order; each element gets its own state for each.
struct element_template {
    enum class kind : uint8_t { counter, limit, quota, last } what = kind::counter;
    limit_config limit{};
    quota_config quota{};
};

struct set_description {
    std::string name;
    set_kind kind = set_kind::hash;
    uint32_t key_bytes = 0;                // register bytes of a key (padded parts)
    std::vector<uint32_t> field_bytes;     // per concatenation part, padded; one entry when not a concatenation
    uint32_t data_bytes = 0;               // map data bytes; 0 for sets and verdict maps
    bool verdict_map = false;
    bool object_map = false;               // data is an object index (uint32_t)
    uint32_t capacity = 0;                 // the most elements it may hold
    uint64_t default_timeout_ns = 0;       // `timeout` of the set; 0 = none
    bool has_timeouts = false;             // NFT_SET_TIMEOUT: elements may expire
    std::vector<element_template> stmts;   // per-element stateful expressions
    // The most statements a packet-path `add`/`update` gives a new element of its own (at most
    // NFT_SET_EXPR_MAX, 2): room for their states is kept in every element.
    uint32_t dynamic_stmt_slots = 0;
};

// The state of one per-element stateful expression; the member its template names is used.
struct element_state {
    counter_state counter;
    limit_state limit;
    quota_state quota;
    last_state last;
};

struct element_init {
    std::vector<uint8_t> low;    // key (hash) or interval low end
    std::vector<uint8_t> high;   // interval high end (== low for a single value); unused for hash
    std::vector<uint8_t> data;   // map data bytes (data_bytes of them)
    verdict_data verdict{};      // verdict maps
    uint32_t object = 0;         // object maps
    uint64_t timeout_ns = 0;     // 0 = the set's default (or none)
    uint64_t expires_ns = 0;     // remaining time at load; 0 = timeout_ns
    bool catchall = false;       // `*`: matches when nothing else does
    std::vector<element_state> states;  // the values the ruleset gave (`counter packets 3 bytes
                                        // 180`, `quota ... used ...`), one per stmts entry; empty: fresh
};

// One element as the engine sees it on a hit.
struct element_view {
    const uint8_t* data = nullptr;  // map data (data_bytes), null for sets
    const verdict_data* verdict = nullptr;
    uint32_t object = 0;
    // The element's own stateful expressions, and their states, one for one: the set's
    // (set_description::stmts), or those of the `add`/`update` statement that created it.
    std::span<const element_template> stmts;
    std::span<element_state> states;
};

class set_store {
public:
    // Builds the set with its initial elements (already deduplicated and merged by the front
    // end); `now_ns` starts the element timeouts. Null when the description cannot be built:
    // more elements than `capacity`, keys or data of the wrong size, overlapping intervals or
    // an interval whose low end is above its high end, a capacity beyond 2^30. A repeated key
    // or catch-all keeps its first element, as `add element` does.
    static std::unique_ptr<set_store> build(const set_description& description, std::span<const element_init> elements,
                                            uint64_t now_ns);
    virtual ~set_store() = default;

    const set_description& description() const { return description_; }

    // The element the key falls in, or the catch-all element, or nothing. Expired elements
    // (now_ns >= their expiry) are not found, and are reclaimed lazily, a bounded amount of
    // work per call. A key of the wrong size is not found (nor the catch-all).
    virtual bool lookup(std::span<const uint8_t> key, uint64_t now_ns, element_view& out) = 0;

    enum class update_result : uint8_t { added, refreshed, existed, full, removed, absent };
    // `add @s { key }`: inserts when absent (existed otherwise). `update @s { key }`: inserts
    // or refreshes the timeout. A new element's statements are `stmts` (the statement's own,
    // which nft_dynset_new clones into the element; they must stay alive as long as the set),
    // or the set's when it gives none; their states start zeroed (limits full). `timeout_ns`
    // is the statement's (0: the set's default). As nft_dynset does, a refresh sets the expiry
    // to now plus that timeout, for elements that have a timeout of their own (others are left
    // alone; one whose statement and set both have none expires at once). A set without
    // timeouts (no `timeout` flag, default or element timeout) ignores them. `data` is copied
    // on insertion only. `out` (may be null) is the new or existing element. Full: capacity is
    // reached with no expired element to reclaim, or the key has the wrong size, or the set
    // is not a hash set (only hash sets are updated from the packet path); the rule breaks.
    virtual update_result add(std::span<const uint8_t> key, std::span<const uint8_t> data, uint64_t timeout_ns,
                              uint64_t now_ns, element_view* out, std::span<const element_template> stmts = {}) = 0;
    virtual update_result update(std::span<const uint8_t> key, std::span<const uint8_t> data, uint64_t timeout_ns,
                                 uint64_t now_ns, element_view* out, std::span<const element_template> stmts = {}) = 0;
    // `delete @s { key }`: removed, or absent (also for an expired element, or a set that is
    // not a hash set).
    virtual update_result remove(std::span<const uint8_t> key, uint64_t now_ns) = 0;

    // The elements not expired at now_ns, without the catch-all (which the kernel never counts
    // against the set's size either). Control plane: may walk the whole set.
    virtual size_t size(uint64_t now_ns) const = 0;

protected:
    explicit set_store(set_description d) : description_(std::move(d)) {}
    set_description description_;
};

}  // namespace nfqwall::vm

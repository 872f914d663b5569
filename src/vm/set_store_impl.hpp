// What the three set structures share: element payloads (map data, verdicts, object indexes,
// per-element states, own timeouts) in flat preallocated arrays indexed by a record number,
// the catch-all element, expiry arithmetic, and the factories set_store::build picks from.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "vm/set_store.hpp"

namespace nfqwall::vm::detail {

constexpr uint64_t never_expires = UINT64_MAX;
// A bound on build-time capacity so that slot and record numbers fit 32 bits with room.
constexpr uint32_t max_capacity = 1u << 30;

// The instant an element with `timeout_ns` left expires; 0 never does.
constexpr uint64_t expiry_after(uint64_t now_ns, uint64_t timeout_ns) {
    if (timeout_ns == 0) return never_expires;
    uint64_t at = 0;
    return __builtin_add_overflow(now_ns, timeout_ns, &at) || at == never_expires ? never_expires - 1 : at;
}
// The kernel's nft_set_elem_expired: expired from the expiry instant on.
constexpr bool expired(uint64_t expires_ns, uint64_t now_ns) { return now_ns >= expires_ns; }

// The timeout an element keeps (for refreshes) and the expiry it starts with.
struct element_timing {
    uint64_t timeout_ns = 0;
    uint64_t expires_ns = never_expires;
};
element_timing timing_of(const set_description& d, const element_init& e, uint64_t now_ns);

// Payloads of `count` elements, numbered 0..count-1; the structure maps keys to numbers.
class element_records {
public:
    element_records(const set_description& d, uint32_t count);

    // An element from the ruleset: its data, verdict, object, given states and timeout.
    void assign(uint32_t record, const element_init& e, uint64_t timeout_ns);
    // An element added from the packet path: `data`, fresh states for `stmts` (the set's
    // own statements when empty).
    void assign_dynamic(uint32_t record, std::span<const uint8_t> data, uint64_t timeout_ns,
                        std::span<const element_template> stmts = {});

    element_view view(uint32_t record);
    uint64_t timeout(uint32_t record) const { return timeouts_[record]; }

private:
    uint32_t data_bytes_;
    uint32_t stmt_count_;  // states kept per element: the set's statements or a statement's own
    std::vector<element_template> declared_;  // the set's statements
    std::vector<std::span<const element_template>> own_;  // per element when updates bring their own; empty: declared_
    std::vector<uint8_t> data_;
    std::vector<verdict_data> verdicts_;
    std::vector<uint32_t> objects_;
    std::vector<element_state> states_;
    std::vector<uint64_t> timeouts_;
};

// The `*` element: found when the key matches nothing else (nft_set_catchall_lookup).
struct catchall_element {
    bool present = false;
    uint64_t expires_ns = never_expires;
    uint32_t record = 0;

    bool live(uint64_t now_ns) const { return present && !expired(expires_ns, now_ns); }
};

// True when the elements fit the description (sizes of keys and data, count, catch-alls).
bool elements_fit(const set_description& d, std::span<const element_init> elements);

std::unique_ptr<set_store> make_hash_set(const set_description& d, std::span<const element_init> elements,
                                         uint64_t now_ns);
std::unique_ptr<set_store> make_interval_set(const set_description& d, std::span<const element_init> elements,
                                             uint64_t now_ns);
std::unique_ptr<set_store> make_interval_concat_set(const set_description& d, std::span<const element_init> elements,
                                                    uint64_t now_ns);

}  // namespace nfqwall::vm::detail

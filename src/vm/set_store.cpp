// set_store::build and what the set structures share (set_store_impl.hpp).
#include "vm/set_store.hpp"

#include <algorithm>
#include <cstring>

#include "vm/set_store_impl.hpp"

namespace nfqwall::vm {

namespace detail {

element_timing timing_of(const set_description& d, const element_init& e, uint64_t now_ns) {
    element_timing t;
    t.timeout_ns = e.timeout_ns != 0 ? e.timeout_ns : d.default_timeout_ns;
    // A listed `expires` is what was left of the timeout when the ruleset was saved.
    t.expires_ns = expiry_after(now_ns, e.expires_ns != 0 ? e.expires_ns : t.timeout_ns);
    return t;
}

element_records::element_records(const set_description& d, uint32_t count)
    : data_bytes_(d.data_bytes),
      stmt_count_(std::max(static_cast<uint32_t>(d.stmts.size()), d.dynamic_stmt_slots)),
      declared_(d.stmts),
      own_(d.dynamic_stmt_slots != 0 ? count : 0),
      data_(size_t{count} * d.data_bytes),
      verdicts_(d.verdict_map ? count : 0),
      objects_(d.object_map ? count : 0),
      states_(size_t{count} * stmt_count_),
      timeouts_(count) {}

void element_records::assign(uint32_t record, const element_init& e, uint64_t timeout_ns) {
    assign_dynamic(record, e.data, timeout_ns);
    if (!verdicts_.empty()) verdicts_[record] = e.verdict;
    if (!objects_.empty()) objects_[record] = e.object;
    if (!e.states.empty() && e.states.size() == declared_.size()) {
        std::copy(e.states.begin(), e.states.end(), states_.begin() + size_t{record} * stmt_count_);
    }
}

void element_records::assign_dynamic(uint32_t record, std::span<const uint8_t> data, uint64_t timeout_ns,
                                     std::span<const element_template> stmts) {
    // nft_dynset_new: the statement's expressions are cloned into the new element; without
    // any, the set's (nft_set_elem_expr_clone of set->exprs).
    if (!own_.empty()) own_[record] = stmts.size() <= stmt_count_ ? stmts : std::span<const element_template>{};
    uint8_t* out = data_.data() + size_t{record} * data_bytes_;
    const size_t copied = std::min<size_t>(data.size(), data_bytes_);
    if (copied != 0) std::memcpy(out, data.data(), copied);
    if (copied < data_bytes_) std::memset(out + copied, 0, data_bytes_ - copied);
    if (!verdicts_.empty()) verdicts_[record] = verdict_data{};
    if (!objects_.empty()) objects_[record] = 0;
    std::fill_n(states_.begin() + size_t{record} * stmt_count_, stmt_count_, element_state{});
    timeouts_[record] = timeout_ns;
}

element_view element_records::view(uint32_t record) {
    element_view v;
    if (data_bytes_ != 0) v.data = data_.data() + size_t{record} * data_bytes_;
    if (!verdicts_.empty()) v.verdict = &verdicts_[record];
    if (!objects_.empty()) v.object = objects_[record];
    v.stmts = !own_.empty() && !own_[record].empty() ? own_[record] : std::span<const element_template>(declared_);
    v.states = std::span<element_state>(states_.data() + size_t{record} * stmt_count_, v.stmts.size());
    return v;
}

bool elements_fit(const set_description& d, std::span<const element_init> elements) {
    if (d.key_bytes == 0 || d.key_bytes > 64 || d.capacity > max_capacity) return false;
    const bool interval = d.kind != set_kind::hash;
    size_t keyed = 0;
    for (const element_init& e : elements) {
        if (d.data_bytes != 0 && e.data.size() != d.data_bytes) return false;
        if (!e.states.empty() && e.states.size() != d.stmts.size()) return false;
        if (e.catchall) continue;
        ++keyed;
        if (e.low.size() != d.key_bytes) return false;
        if (interval && e.high.size() != d.key_bytes) return false;
    }
    return keyed <= std::max<size_t>(d.capacity, interval ? keyed : 0);
}

}  // namespace detail

std::unique_ptr<set_store> set_store::build(const set_description& description, std::span<const element_init> elements,
                                            uint64_t now_ns) {
    if (!detail::elements_fit(description, elements)) return nullptr;
    switch (description.kind) {
    case set_kind::hash: return detail::make_hash_set(description, elements, now_ns);
    case set_kind::interval: return detail::make_interval_set(description, elements, now_ns);
    case set_kind::interval_concat: return detail::make_interval_concat_set(description, elements, now_ns);
    }
    return nullptr;
}

}  // namespace nfqwall::vm

// Interval sets: elements are [low, high] ranges of big-endian keys.
//
// One field (prefixes and ranges of an address, a port, an interface name; never
// overlapping, the front end has merged them): the lows in a sorted flat array of native
// integers, searched without branches, behind a radix index over the leading bits of the
// keys' span (a field wider than 16 bytes is handled as a concatenation of one field). The
// index maps those bits to the few elements whose ranges start in that slice, so a lookup
// is one index load and a search among a handful of lows, O(log n) in the worst case
// (every element in one slice).
//
// Several fields (the kernel's pipapo, `ip saddr . tcp dport` with ranges): per-field bounds
// in a flat array, and an index on the field that best separates the elements. The index
// cuts that field's axis at every element's ends into elementary intervals, and lists for
// each one the elements covering it, in element order. A lookup binary-searches its field
// value, then checks the few listed elements' other fields; the first element listed wins
// where two overlap (pipapo keeps its rules in insertion order too). Cost O(log n + c), c
// the elements listed for that interval. The lists are bounded (16 entries per element plus
// 4096); when no field keeps them under that (every element spans the same wide range in
// every field), or every field is wider than 16 bytes, the set is scanned linearly: n
// elements times the key's 64-bit words, about 0.7 ns per element.
//
// Neither is updated from the packet path (the kernel's rbtree and pipapo have no dynset
// `update`): add and update report `full`, remove `absent`.
#include <algorithm>
#include <bit>
#include <cstring>
#include <numeric>
#include <optional>

#include "vm/set_store_impl.hpp"

namespace nfqwall::vm::detail {

namespace {

using u128 = unsigned __int128;

// Bits of the key's span the radix index resolves: about two slices per element, at most
// 2^16 slices (a 256 KiB index).
constexpr unsigned max_index_bits = 16;

template <class Word>
Word load_big_endian(const uint8_t* p, size_t n) {
    if constexpr (sizeof(Word) == 4) {
        if (n == 4) {
            uint32_t v;
            std::memcpy(&v, p, 4);
            return __builtin_bswap32(v);
        }
    } else if constexpr (sizeof(Word) == 8) {
        if (n == 8) {
            uint64_t v;
            std::memcpy(&v, p, 8);
            return __builtin_bswap64(v);
        }
    }
    Word v = 0;
    for (size_t i = 0; i < n; ++i) v = static_cast<Word>(v << 8 | p[i]);
    return v;
}

template <class Word>
unsigned bit_width_of(Word v) {
    if constexpr (sizeof(Word) == 16) {
        const auto high = static_cast<uint64_t>(v >> 64);
        return high != 0 ? 64 + static_cast<unsigned>(std::bit_width(high))
                         : static_cast<unsigned>(std::bit_width(static_cast<uint64_t>(v)));
    } else {
        return static_cast<unsigned>(std::bit_width(v));
    }
}

bool element_timeouts(const set_description& d, std::span<const element_init> elements) {
    if (d.default_timeout_ns != 0) return true;
    return std::any_of(elements.begin(), elements.end(),
                       [](const element_init& e) { return e.timeout_ns != 0 || e.expires_ns != 0; });
}

// What both interval structures share: static elements numbered in lookup order, each one's
// expiry, the catch-all, and the refusal of packet-path updates.
class static_set : public set_store {
public:
    static_set(const set_description& d, uint32_t count, bool timeouts)
        : set_store(d), records_(d, count + 1), expires_(timeouts ? count : 0), count_(count) {}

    update_result add(std::span<const uint8_t>, std::span<const uint8_t>, uint64_t, uint64_t, element_view*,
                      std::span<const element_template>) override {
        return update_result::full;
    }
    update_result update(std::span<const uint8_t>, std::span<const uint8_t>, uint64_t, uint64_t, element_view*,
                         std::span<const element_template>) override {
        return update_result::full;
    }
    update_result remove(std::span<const uint8_t>, uint64_t) override { return update_result::absent; }

    size_t size(uint64_t now_ns) const override {
        size_t live = 0;
        for (uint32_t i = 0; i < count_; ++i) live += live_at(i, now_ns) ? 1 : 0;
        return live;
    }

protected:
    bool live_at(uint32_t i, uint64_t now_ns) const { return expires_.empty() || !expired(expires_[i], now_ns); }

    void assign(uint32_t i, const element_init& e, uint64_t now_ns) {
        const element_timing t = timing_of(description_, e, now_ns);
        records_.assign(i, e, t.timeout_ns);
        if (!expires_.empty()) expires_[i] = t.expires_ns;
    }

    // The first catch-all of the elements, if any.
    void assign_catchall(std::span<const element_init> elements, uint64_t now_ns) {
        for (const element_init& e : elements) {
            if (!e.catchall) continue;
            const element_timing t = timing_of(description_, e, now_ns);
            records_.assign(count_, e, t.timeout_ns);
            catchall_ = {true, t.expires_ns, count_};
            return;
        }
    }

    bool hit(uint32_t i, uint64_t now_ns, element_view& out) {
        if (!live_at(i, now_ns)) return false;
        out = records_.view(i);
        return true;
    }

    bool catchall(uint64_t now_ns, element_view& out) {
        if (!catchall_.live(now_ns)) return false;
        out = records_.view(catchall_.record);
        return true;
    }

    element_records records_;  // count_ + 1: the last is the catch-all's
    std::vector<uint64_t> expires_;
    uint32_t count_;
    catchall_element catchall_;
};

// The keyed elements, in the order the front end gave them.
std::vector<const element_init*> keyed_elements(std::span<const element_init> elements) {
    std::vector<const element_init*> keyed;
    for (const element_init& e : elements) {
        if (!e.catchall) keyed.push_back(&e);
    }
    return keyed;
}

template <class Word>
class interval_set final : public static_set {
public:
    interval_set(const set_description& d, std::vector<Word> lows, std::vector<Word> highs, bool timeouts)
        : static_set(d, static_cast<uint32_t>(lows.size()), timeouts),
          lows_(std::move(lows)),
          highs_(std::move(highs)) {
        if (lows_.empty()) return;
        min_low_ = lows_.front();
        max_high_ = highs_.back();
        const unsigned span_bits = bit_width_of<Word>(max_high_ - min_low_);
        const unsigned index_bits =
            std::min(max_index_bits, static_cast<unsigned>(std::bit_width(lows_.size())) + 1);
        shift_ = span_bits > index_bits ? span_bits - index_bits : 0;
        const auto slices = static_cast<uint32_t>((max_high_ - min_low_) >> shift_) + 1;
        // first_[v]: the last element starting at or before slice v's first key; the answer
        // for a key in slice v lies between first_[v] and first_[v + 1].
        first_.resize(size_t{slices} + 1);
        uint32_t i = 0;
        for (uint32_t v = 0; v < slices; ++v) {
            const Word start = min_low_ + (static_cast<Word>(v) << shift_);
            while (i + 1 < lows_.size() && lows_[i + 1] <= start) ++i;
            first_[v] = i;
        }
        first_[slices] = static_cast<uint32_t>(lows_.size() - 1);
    }

    void assign_all(std::span<const element_init* const> sorted, std::span<const element_init> elements,
                    uint64_t now_ns) {
        for (uint32_t i = 0; i < sorted.size(); ++i) assign(i, *sorted[i], now_ns);
        assign_catchall(elements, now_ns);
    }

    bool lookup(std::span<const uint8_t> key, uint64_t now_ns, element_view& out) override {
        if (key.size() != description_.key_bytes) return false;
        if (!lows_.empty()) {
            const Word k = load_big_endian<Word>(key.data(), key.size());
            if (k >= min_low_ && k <= max_high_) {
                const auto slice = static_cast<uint32_t>((k - min_low_) >> shift_);
                uint32_t base = first_[slice];
                uint32_t length = first_[slice + 1] - base + 1;
                while (length > 1) {
                    const uint32_t half = length / 2;
                    base = lows_[base + half] <= k ? base + half : base;
                    length -= half;
                }
                if (k <= highs_[base] && hit(base, now_ns, out)) return true;
            }
        }
        return catchall(now_ns, out);
    }

private:
    std::vector<Word> lows_;
    std::vector<Word> highs_;
    std::vector<uint32_t> first_;
    Word min_low_ = 0;
    Word max_high_ = 0;
    unsigned shift_ = 0;
};

// Sorts the elements by low end, drops exact repeats (the first stays), and refuses
// overlaps and inverted ranges.
template <class Word>
std::unique_ptr<set_store> build_interval(const set_description& d, std::span<const element_init> elements,
                                          uint64_t now_ns) {
    std::vector<const element_init*> keyed = keyed_elements(elements);
    const size_t n = d.key_bytes;
    std::vector<Word> lows(keyed.size()), highs(keyed.size());
    std::vector<uint32_t> order(keyed.size());
    for (size_t i = 0; i < keyed.size(); ++i) {
        lows[i] = load_big_endian<Word>(keyed[i]->low.data(), n);
        highs[i] = load_big_endian<Word>(keyed[i]->high.data(), n);
        if (lows[i] > highs[i]) return nullptr;
    }
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return lows[a] < lows[b]; });
    std::vector<const element_init*> sorted;
    std::vector<Word> sorted_lows, sorted_highs;
    for (uint32_t i : order) {
        if (!sorted.empty() && lows[i] <= sorted_highs.back()) {
            if (lows[i] == sorted_lows.back() && highs[i] == sorted_highs.back()) continue;
            return nullptr;
        }
        sorted.push_back(keyed[i]);
        sorted_lows.push_back(lows[i]);
        sorted_highs.push_back(highs[i]);
    }
    auto set = std::make_unique<interval_set<Word>>(d, std::move(sorted_lows), std::move(sorted_highs),
                                                    element_timeouts(d, elements));
    set->assign_all(sorted, elements, now_ns);
    return set;
}

// Candidate lists of the concatenation index may hold this many entries per element (plus
// a constant): enough for nested ranges, never quadratic.
constexpr size_t index_budget_per_element = 16;
constexpr size_t index_budget_base = 4096;

// Several fields, each compared as a big-endian number spread over 64-bit words.
class interval_concat_set final : public static_set {
public:
    struct field {
        uint32_t offset;  // in the key
        uint32_t bytes;
        uint32_t first_word;
        uint32_t words;
    };

    interval_concat_set(const set_description& d, std::vector<field> fields, uint32_t words, uint32_t count,
                        bool timeouts)
        : static_set(d, count, timeouts),
          fields_(std::move(fields)),
          words_(words),
          bounds_(size_t{count} * words * 2) {}

    void to_words(const uint8_t* key, uint64_t* out) const {
        for (const field& f : fields_) {
            // Left-pad the field to whole words, then read them most significant first.
            uint8_t padded[max_field_bytes] = {};
            std::memcpy(padded + f.words * 8 - f.bytes, key + f.offset, f.bytes);
            for (uint32_t w = 0; w < f.words; ++w) out[f.first_word + w] = load_big_endian<uint64_t>(padded + 8 * w, 8);
        }
    }

    void assign_element(uint32_t i, const element_init& e, uint64_t now_ns) {
        to_words(e.low.data(), &bounds_[size_t{i} * words_ * 2]);
        to_words(e.high.data(), &bounds_[size_t{i} * words_ * 2 + words_]);
        assign(i, e, now_ns);
    }

    bool inverted(uint32_t i) const {
        const uint64_t* low = &bounds_[size_t{i} * words_ * 2];
        for (const field& f : fields_) {
            if (less(low + words_ + f.first_word, low + f.first_word, f.words)) return true;
        }
        return false;
    }

    // Indexes the most selective field that fits the budget, then takes the catch-all.
    void finish(std::span<const element_init> elements, uint64_t now_ns) {
        assign_catchall(elements, now_ns);
        const size_t budget = size_t{count_} * index_budget_per_element + index_budget_base;
        size_t best_size = budget + 1;
        for (uint32_t f = 0; f < fields_.size(); ++f) {
            if (fields_[f].words > 2) continue;
            std::optional<field_index> candidate = index_field(f, best_size);
            if (candidate) {
                best_size = candidate->listed.size();
                index_ = std::move(*candidate);
            }
        }
    }

    bool lookup(std::span<const uint8_t> key, uint64_t now_ns, element_view& out) override {
        if (key.size() != description_.key_bytes) return false;
        uint64_t k[max_words];
        to_words(key.data(), k);
        if (index_.starts.empty()) {
            for (uint32_t i = 0; i < count_; ++i) {
                if (contains(i, k) && hit(i, now_ns, out)) return true;
            }
            return catchall(now_ns, out);
        }
        const u128 v = value_of(k, fields_[index_.field]);
        if (v >= index_.starts.front()) {
            // The last elementary interval starting at or before v.
            uint32_t base = 0;
            auto length = static_cast<uint32_t>(index_.starts.size());
            while (length > 1) {
                const uint32_t half = length / 2;
                base = index_.starts[base + half] <= v ? base + half : base;
                length -= half;
            }
            for (uint32_t c = index_.first[base]; c < index_.first[base + 1]; ++c) {
                const uint32_t i = index_.listed[c];
                if (contains(i, k) && hit(i, now_ns, out)) return true;
            }
        }
        return catchall(now_ns, out);
    }

    static constexpr size_t max_field_bytes = 64;
    static constexpr size_t max_words = 16;

private:
    struct field_index {
        uint32_t field = 0;
        std::vector<u128> starts;     // elementary intervals: [starts[j], starts[j + 1])
        std::vector<uint32_t> first;  // elements covering interval j: listed[first[j] .. first[j + 1])
        std::vector<uint32_t> listed;
    };

    static u128 value_of(const uint64_t* words, const field& f) {
        return f.words == 1 ? u128{words[f.first_word]}
                            : u128{words[f.first_word]} << 64 | words[f.first_word + 1];
    }
    u128 low_of(uint32_t i, const field& f) const { return value_of(&bounds_[size_t{i} * words_ * 2], f); }
    u128 high_of(uint32_t i, const field& f) const { return value_of(&bounds_[size_t{i} * words_ * 2 + words_], f); }

    // The index on field f, or nothing when its lists would reach `limit` entries.
    std::optional<field_index> index_field(uint32_t f, size_t limit) const {
        const field& fd = fields_[f];
        const u128 top = fd.words == 1 ? u128{UINT64_MAX} : ~u128{0};
        field_index index;
        index.field = f;
        for (uint32_t i = 0; i < count_; ++i) {
            index.starts.push_back(low_of(i, fd));
            if (high_of(i, fd) != top) index.starts.push_back(high_of(i, fd) + 1);
        }
        std::sort(index.starts.begin(), index.starts.end());
        index.starts.erase(std::unique(index.starts.begin(), index.starts.end()), index.starts.end());
        auto interval_of = [&](u128 v) {
            return static_cast<uint32_t>(std::upper_bound(index.starts.begin(), index.starts.end(), v) -
                                         index.starts.begin() - 1);
        };
        // Count, then fill, so each list comes out in element order.
        index.first.assign(index.starts.size() + 1, 0);
        size_t total = 0;
        for (uint32_t i = 0; i < count_; ++i) {
            const uint32_t from = interval_of(low_of(i, fd)), to = interval_of(high_of(i, fd));
            total += to - from + 1;
            if (total >= limit) return std::nullopt;
            for (uint32_t j = from; j <= to; ++j) ++index.first[j + 1];
        }
        std::partial_sum(index.first.begin(), index.first.end(), index.first.begin());
        index.listed.resize(total);
        std::vector<uint32_t> fill(index.first.begin(), index.first.end() - 1);
        for (uint32_t i = 0; i < count_; ++i) {
            const uint32_t from = interval_of(low_of(i, fd)), to = interval_of(high_of(i, fd));
            for (uint32_t j = from; j <= to; ++j) index.listed[fill[j]++] = i;
        }
        return index;
    }

    static bool less(const uint64_t* a, const uint64_t* b, uint32_t words) {
        for (uint32_t w = 0; w < words; ++w) {
            if (a[w] != b[w]) return a[w] < b[w];
        }
        return false;
    }

    bool contains(uint32_t i, const uint64_t* k) const {
        const uint64_t* low = &bounds_[size_t{i} * words_ * 2];
        const uint64_t* high = low + words_;
        for (const field& f : fields_) {
            const uint32_t at = f.first_word;
            if (f.words == 1) {
                if (k[at] < low[at] || k[at] > high[at]) return false;
            } else if (less(k + at, low + at, f.words) || less(high + at, k + at, f.words)) {
                return false;
            }
        }
        return true;
    }

    std::vector<field> fields_;
    uint32_t words_;
    std::vector<uint64_t> bounds_;  // per element: the low words, then the high words
    field_index index_;             // empty: scan linearly
};

}  // namespace

std::unique_ptr<set_store> make_interval_set(const set_description& d, std::span<const element_init> elements,
                                             uint64_t now_ns) {
    if (d.key_bytes <= 4) return build_interval<uint32_t>(d, elements, now_ns);
    if (d.key_bytes <= 8) return build_interval<uint64_t>(d, elements, now_ns);
    if (d.key_bytes <= 16) return build_interval<u128>(d, elements, now_ns);
    return make_interval_concat_set(d, elements, now_ns);
}

std::unique_ptr<set_store> make_interval_concat_set(const set_description& d, std::span<const element_init> elements,
                                                    uint64_t now_ns) {
    std::vector<uint32_t> sizes = d.field_bytes;
    if (std::accumulate(sizes.begin(), sizes.end(), 0u) != d.key_bytes || d.kind == set_kind::interval) {
        sizes = {d.key_bytes};
    }
    std::vector<interval_concat_set::field> fields;
    uint32_t offset = 0, words = 0;
    for (uint32_t bytes : sizes) {
        if (bytes == 0) return nullptr;
        const uint32_t field_words = (bytes + 7) / 8;
        fields.push_back({offset, bytes, words, field_words});
        offset += bytes;
        words += field_words;
    }
    if (words > interval_concat_set::max_words) return nullptr;
    const std::vector<const element_init*> keyed = keyed_elements(elements);
    auto set = std::make_unique<interval_concat_set>(d, std::move(fields), words, static_cast<uint32_t>(keyed.size()),
                                                     element_timeouts(d, elements));
    for (uint32_t i = 0; i < keyed.size(); ++i) {
        set->assign_element(i, *keyed[i], now_ns);
        if (set->inverted(i)) return nullptr;
    }
    set->finish(elements, now_ns);
    return set;
}

}  // namespace nfqwall::vm::detail

// The set element listing (see postprocess.hpp): what nft's element decoder and segtree.c
// make of a set's contents when it reads them back from the kernel.
#include <algorithm>
#include <string>
#include <vector>

#include "front/postprocess.hpp"
#include "front/postprocess_detail.hpp"

namespace nfqwall::front {

namespace {

using namespace listing_detail;

// Set elements as listed (netlink.c list_setelements, segtree.c interval_map_decompose and
// concat_range_aggregate, mergesort.c).

// The bytes elements sort by: each part's value big-endian, parts in order (what nft's
// listings show: `1.1.1.1 . 80` before `2.2.2.2 . 22`).
std::vector<uint8_t> sort_key_bytes(const expr& key) {
    std::vector<uint8_t> out;
    auto append = [&](const expr& part) {
        const auto* v = part.is(expr_kind::value) ? &part.as<value_expr>() : nullptr;
        const uint32_t n = std::min<uint32_t>((part.len + 7) / 8, 16);
        for (uint32_t i = n; i-- > 0;) out.push_back(v != nullptr ? static_cast<uint8_t>(v->value >> (8 * i)) : 0);
    };
    if (!key.is(expr_kind::concat)) {
        append(key);
        return out;
    }
    for (const auto& i : key.as<concat_expr>().items) {
        const expr* part = i.get();
        if (part->is(expr_kind::range)) part = part->as<range_expr>().left.get();
        if (part->is(expr_kind::prefix)) part = part->as<prefix_expr>().prefix.get();
        append(*part);
    }
    return out;
}

const expr* element_key(const expr& item) {
    const expr* e = &item;
    if (e->is(expr_kind::mapping)) e = e->as<mapping_expr>().left.get();
    if (e->is(expr_kind::set_elem)) e = e->as<set_elem_expr>().key.get();
    return e;
}

set_elem_expr* element_of(expr& item) {
    expr* e = &item;
    if (e->is(expr_kind::mapping)) e = e->as<mapping_expr>().left.get();
    return e->is(expr_kind::set_elem) ? &e->as<set_elem_expr>() : nullptr;
}

bool key_is_catchall(const expr* key) { return key != nullptr && key->is(expr_kind::set_elem_catchall); }

// Numeric sort value of a scalar key (strings by their bytes, as big-endian numbers). Split
// flags sort by their first flag (nft's expr_msort_value follows the left operand).
u128 scalar_value(const expr& key) {
    const expr* e = &key;
    while (e->is(expr_kind::binop)) e = e->as<binop_expr>().left.get();
    if (e->is(expr_kind::range)) e = e->as<range_expr>().left.get();
    if (e->is(expr_kind::prefix)) e = e->as<prefix_expr>().prefix.get();
    if (e->is(expr_kind::value)) return e->as<value_expr>().value;
    return 0;
}

// Only elements without data or options merge (a comment belongs to its own interval).
bool element_is_plain(const expr& item) {
    if (item.is(expr_kind::mapping) || !item.is(expr_kind::set_elem)) return false;
    const auto& el = item.as<set_elem_expr>();
    return el.stmts.empty() && !el.has_comment && el.timeout == 0 && el.expiration == 0 && !el.timeout_never;
}

struct interval {
    u128 lo = 0, hi = 0;
    expr_ptr item;  // the element carrying options and map data
    bool wildcard = false;
};


// One decoded interval as nft prints it: a value, a prefix, a wildcard string or a range.
expr_ptr interval_key(const expr& like, const datatype* t, uint32_t len, u128 lo, u128 hi) {
    auto value = [&](u128 v) {
        return std::make_unique<value_expr>(like.loc, t, t != nullptr ? t->order : byte_order::big, len, v);
    };
    if (lo == hi) return value(lo);
    const u128 span = hi - lo;
    const bool aligned = (span & (span + 1)) == 0 && (lo & span) == 0;
    if (aligned) {
        uint32_t host_bits = 0;
        for (u128 s = span; s != 0; s >>= 1) ++host_bits;
        if (has_prefix_notation(t)) {
            auto p = std::make_unique<prefix_expr>(like.loc, value(lo), len - host_bits);
            p->dtype = t;
            p->len = len;
            return p;
        }
        if (is_string_type(t) && host_bits % 8 == 0 && host_bits < len) {
            const std::string text = unpack_string(lo, (len + 7) / 8);
            const size_t keep = (len - host_bits) / 8;
            if (!text.empty() && text.size() <= keep && keep < (len + 7) / 8) {
                return make_string_value(like.loc, t, text + "*");
            }
        }
    }
    auto r = std::make_unique<range_expr>(like.loc, value(lo), value(hi));
    r->dtype = t;
    r->len = len;
    return r;
}

void sort_elements(std::vector<expr_ptr>& items) {
    std::stable_sort(items.begin(), items.end(), [](const expr_ptr& a, const expr_ptr& b) {
        const expr* ka = element_key(*a);
        const expr* kb = element_key(*b);
        if (key_is_catchall(ka) || key_is_catchall(kb)) return !key_is_catchall(ka) && key_is_catchall(kb);
        if (ka->is(expr_kind::concat) || kb->is(expr_kind::concat)) return sort_key_bytes(*ka) < sort_key_bytes(*kb);
        return scalar_value(*ka) < scalar_value(*kb);
    });
}

// What the element decoder does to each element (netlink_delinearize_setelem): flag keys
// split into `a | b`; queue numbers in map data print as numbers.
void decode_element(expr& item) {
    if (set_elem_expr* el = element_of(item); el != nullptr && el->key) el->key = split_flags(std::move(el->key));
    if (item.is(expr_kind::mapping)) {
        auto& m = item.as<mapping_expr>();
        if (m.right && m.right->dtype != nullptr && m.right->dtype->id == type_id::queue)
            m.right->dtype = &dt(type_id::integer);
        if (m.right) m.right = split_flags(std::move(m.right));
    }
}

// Interval elements of a one-field interval set, decomposed the way the kernel's intervals
// read back (segtree.c interval_map_decompose).
std::vector<expr_ptr> decompose_intervals(std::vector<expr_ptr> items, const set& s) {
    const expr* set_key = s.key.get();
    const datatype* t = set_key != nullptr ? set_key->dtype : nullptr;
    const uint32_t width = set_key != nullptr ? set_key->len : 0;
    std::vector<interval> spans;
    std::vector<expr_ptr> passthrough;  // catch-all and anything not an interval
    for (auto& item : items) {
        const expr* key = element_key(*item);
        interval iv;
        if (key == nullptr || key_is_catchall(key) || !interval_of(*key, width, iv.lo, iv.hi)) {
            passthrough.push_back(std::move(item));
            continue;
        }
        iv.item = std::move(item);
        spans.push_back(std::move(iv));
    }
    std::stable_sort(spans.begin(), spans.end(), [](const interval& a, const interval& b) { return a.lo < b.lo; });
    if (s.automerge) {
        std::vector<interval> merged;
        for (auto& iv : spans) {
            if (!merged.empty() && element_is_plain(*merged.back().item) && element_is_plain(*iv.item) &&
                (merged.back().hi == mask_bits(width) || iv.lo <= merged.back().hi + 1)) {
                merged.back().hi = std::max(merged.back().hi, iv.hi);
                continue;
            }
            merged.push_back(std::move(iv));
        }
        spans = std::move(merged);
    }
    std::vector<expr_ptr> out;
    for (auto& iv : spans) {
        const expr* key = element_key(*iv.item);
        const datatype* kt = t != nullptr ? t : key->dtype;
        const uint32_t len = width != 0 ? width : key->len;
        expr_ptr new_key;
        if (is_string_type(kt) && (key->is(expr_kind::value) || key->is(expr_kind::prefix))) {
            new_key = key->clone();
            string_prefix_to_wildcard(new_key);
        } else {
            new_key = interval_key(*key, kt, len, iv.lo, iv.hi);
        }
        if (set_elem_expr* el = element_of(*iv.item)) el->key = std::move(new_key);
        out.push_back(std::move(iv.item));
    }
    for (auto& p : passthrough) out.push_back(std::move(p));
    return out;
}

// Concatenated interval keys list each part as value, prefix or range (segtree.c
// concat_range_aggregate); the kernel keeps their insertion order.
void aggregate_concat_ranges(std::vector<expr_ptr>& items, const set& s) {
    const expr* set_key = s.key.get();
    for (auto& item : items) {
        set_elem_expr* el = element_of(*item);
        if (el == nullptr || !el->key || !el->key->is(expr_kind::concat)) continue;
        auto& parts = el->key->as<concat_expr>().items;
        for (size_t i = 0; i < parts.size(); ++i) {
            const datatype* t = parts[i]->dtype;
            uint32_t len = parts[i]->len;
            if (set_key != nullptr && set_key->is(expr_kind::concat) && i < set_key->as<concat_expr>().items.size()) {
                t = set_key->as<concat_expr>().items[i]->dtype;
                len = set_key->as<concat_expr>().items[i]->len;
            } else if (set_key != nullptr && set_key->dtype != nullptr && i < set_key->dtype->subtypes.size()) {
                t = set_key->dtype->subtypes[i];
                len = t->size != 0 ? t->size : len;
            }
            if (string_prefix_to_wildcard(parts[i])) continue;
            u128 lo = 0, hi = 0;
            if (is_string_type(t) || !interval_of(*parts[i], len, lo, hi)) continue;
            parts[i] = interval_key(*parts[i], t, len, lo, hi);
        }
    }
}

}  // namespace

expr_ptr listed_elements(const set& s) {
    if (!s.init || !s.init->is(expr_kind::set)) return nullptr;
    const auto& init = s.init->as<set_expr>();
    if (init.items.empty()) return nullptr;
    auto out = std::make_unique<set_expr>(init.loc);
    out->set_flags = s.flags;
    out->dtype = s.key != nullptr ? s.key->dtype : init.dtype;
    std::vector<expr_ptr> items = clone(init.items);
    const bool concat =
        s.key != nullptr && (s.key->is(expr_kind::concat) || (s.key->dtype != nullptr && s.key->dtype->is_concat()));
    if (s.is_interval() && !concat) {
        items = decompose_intervals(std::move(items), s);
        for (auto& item : items) decode_element(*item);
    } else if (s.is_interval()) {
        aggregate_concat_ranges(items, s);
        for (auto& item : items) decode_element(*item);
    } else {
        for (auto& item : items) decode_element(*item);
        sort_elements(items);
    }
    out->items = std::move(items);
    return out;
}

}  // namespace nfqwall::front

// src/vm/set_store: the engine's run-time sets. Keys are register bytes: a hash set compares
// them as bytes, an interval set as big-endian numbers field by field. Hand-written tables
// for the edges (range ends, catch-all precedence, the expiry instant, capacity), then
// random operation sequences checked against a plain std::map model.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "allocation_counter.hpp"
#include "vm/set_store.hpp"
#include "vm/stateful.hpp"

using namespace nfqwall::vm;
using result = set_store::update_result;

namespace {

constexpr uint64_t ms = 1'000'000;
constexpr uint64_t s = 1'000 * ms;

using bytes = std::vector<uint8_t>;

// An IPv4 address as it sits in a register (network order).
bytes ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }
// A big-endian number of `width` bytes.
bytes be(uint64_t v, size_t width = 4) {
    bytes out(width);
    // Widths past 8 bytes are zero-extended: a shift by 64 or more is undefined.
    for (size_t i = 0; i < width && i < 8; ++i) out[width - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
    return out;
}
// A port in a 4-byte register part: two bytes of value, two of padding.
bytes port(uint16_t p) { return {static_cast<uint8_t>(p >> 8), static_cast<uint8_t>(p), 0, 0}; }
bytes cat(const bytes& a, const bytes& b) {
    bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

element_init key(bytes k) {
    element_init e;
    e.low = k;
    e.high = std::move(k);
    return e;
}
element_init range(bytes low, bytes high) {
    element_init e;
    e.low = std::move(low);
    e.high = std::move(high);
    return e;
}
element_init with_data(element_init e, bytes data) {
    e.data = std::move(data);
    return e;
}
element_init with_timeout(element_init e, uint64_t timeout_ns, uint64_t expires_ns = 0) {
    e.timeout_ns = timeout_ns;
    e.expires_ns = expires_ns;
    return e;
}
element_init catchall() {
    element_init e;
    e.catchall = true;
    return e;
}

set_description hash_set(uint32_t key_bytes, uint32_t capacity) {
    set_description d;
    d.name = "h";
    d.kind = set_kind::hash;
    d.key_bytes = key_bytes;
    d.field_bytes = {key_bytes};
    d.capacity = capacity;
    return d;
}
set_description interval_set(uint32_t key_bytes) {
    set_description d = hash_set(key_bytes, 0);
    d.name = "i";
    d.kind = set_kind::interval;
    return d;
}
set_description concat_set(std::vector<uint32_t> fields) {
    set_description d;
    d.name = "c";
    d.kind = set_kind::interval_concat;
    d.field_bytes = fields;
    for (uint32_t f : fields) d.key_bytes += f;
    return d;
}

std::unique_ptr<set_store> build(const set_description& d, const std::vector<element_init>& elements,
                                 uint64_t now_ns = 0) {
    auto set = set_store::build(d, elements, now_ns);
    EXPECT_NE(set, nullptr) << d.name;
    return set;
}

// The map data of the element the key finds, or nullopt when it finds none.
std::optional<bytes> data_of(set_store& set, const bytes& k, uint64_t now_ns = 0) {
    element_view v;
    if (!set.lookup(k, now_ns, v)) return std::nullopt;
    if (v.data == nullptr) return bytes{};
    return bytes(v.data, v.data + set.description().data_bytes);
}
bool has(set_store& set, const bytes& k, uint64_t now_ns = 0) { return data_of(set, k, now_ns).has_value(); }

struct probe {
    bytes key;
    std::optional<bytes> data;  // nullopt: not found
};

void expect_probes(set_store& set, const std::vector<probe>& probes, uint64_t now_ns = 0) {
    for (size_t i = 0; i < probes.size(); ++i) {
        EXPECT_EQ(data_of(set, probes[i].key, now_ns), probes[i].data) << set.description().name << " probe " << i;
    }
}

// ---- hash sets ----

TEST(set_store, hash_map_lookups) {
    set_description d = hash_set(8, 16);
    d.data_bytes = 4;
    d.field_bytes = {4, 4};
    auto set = build(d, {with_data(key(cat(ip(10, 0, 0, 1), port(22))), be(1)),
                         with_data(key(cat(ip(10, 0, 0, 1), port(80))), be(2)),
                         with_data(key(cat(ip(10, 0, 0, 2), port(22))), be(3))});
    expect_probes(*set, {
                            {cat(ip(10, 0, 0, 1), port(22)), be(1)},
                            {cat(ip(10, 0, 0, 1), port(80)), be(2)},
                            {cat(ip(10, 0, 0, 2), port(22)), be(3)},
                            {cat(ip(10, 0, 0, 2), port(80)), std::nullopt},
                            {cat(ip(10, 0, 0, 1), port(23)), std::nullopt},
                            {ip(10, 0, 0, 1), std::nullopt},  // a key of the wrong size
                        });
    EXPECT_EQ(set->size(0), 3u);
}

TEST(set_store, hash_keys_of_every_width) {
    for (uint32_t width : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 12u, 16u, 20u, 36u, 64u}) {
        SCOPED_TRACE(width);
        std::vector<element_init> elements;
        for (uint64_t v = 0; v < 30; ++v) elements.push_back(key(be(v * 7 + 1, width)));
        auto set = build(hash_set(width, 64), elements);
        for (uint64_t v = 0; v < 256; ++v) EXPECT_EQ(has(*set, be(v, width)), v % 7 == 1 && v < 210) << v;
    }
}

TEST(set_store, verdict_and_object_maps) {
    set_description vd = hash_set(4, 4);
    vd.verdict_map = true;
    element_init jump = key(port(22));
    jump.verdict = {-3, 7, 0};
    element_init queue = key(port(80));
    queue.verdict = {3, 0, 5};
    auto vmap = build(vd, {jump, queue});
    element_view v;
    ASSERT_TRUE(vmap->lookup(port(22), 0, v));
    ASSERT_NE(v.verdict, nullptr);
    EXPECT_EQ(v.verdict->code, -3);
    EXPECT_EQ(v.verdict->chain, 7u);
    EXPECT_EQ(v.data, nullptr);
    ASSERT_TRUE(vmap->lookup(port(80), 0, v));
    EXPECT_EQ(v.verdict->code, 3);
    EXPECT_EQ(v.verdict->queue_num, 5);

    set_description od = hash_set(4, 4);
    od.object_map = true;
    element_init counter_2 = key(ip(1, 2, 3, 4));
    counter_2.object = 2;
    auto omap = build(od, {counter_2});
    ASSERT_TRUE(omap->lookup(ip(1, 2, 3, 4), 0, v));
    EXPECT_EQ(v.object, 2u);
    EXPECT_EQ(v.verdict, nullptr);
}

TEST(set_store, catchall_only_when_nothing_else_matches) {
    set_description hd = hash_set(4, 4);
    hd.data_bytes = 4;
    set_description id = interval_set(4);
    id.data_bytes = 4;
    set_description cd = concat_set({4, 4});
    cd.data_bytes = 4;
    const std::vector<std::pair<set_description, std::vector<element_init>>> sets = {
        {hd, {with_data(catchall(), be(99)), with_data(key(ip(10, 0, 0, 1)), be(1))}},
        {id, {with_data(range(ip(10, 0, 0, 0), ip(10, 0, 0, 255)), be(1)), with_data(catchall(), be(99))}},
        {cd, {with_data(range(cat(ip(10, 0, 0, 0), port(0)), cat(ip(10, 0, 0, 255), port(65535))), be(1)),
              with_data(catchall(), be(99))}},
    };
    for (const auto& [d, elements] : sets) {
        auto set = build(d, elements);
        const bytes hit = d.kind == set_kind::interval_concat ? cat(ip(10, 0, 0, 1), port(80)) : ip(10, 0, 0, 1);
        const bytes miss = d.kind == set_kind::interval_concat ? cat(ip(10, 0, 1, 1), port(80)) : ip(10, 0, 1, 1);
        expect_probes(*set, {{hit, be(1)}, {miss, be(99)}, {bytes(3), std::nullopt}});
        EXPECT_EQ(set->size(0), 1u);
    }
    // Only the first catch-all counts, as `add element` keeps the first.
    auto set = build(hd, {with_data(catchall(), be(5)), with_data(catchall(), be(6))});
    EXPECT_EQ(data_of(*set, ip(1, 1, 1, 1)), be(5));
}

TEST(set_store, element_timeouts_expire_at_the_instant) {
    set_description d = hash_set(4, 8);
    d.has_timeouts = true;
    d.default_timeout_ns = 30 * s;
    const uint64_t t0 = 1000 * s;
    auto set = build(d,
                     {key(ip(1, 1, 1, 1)),                                      // the set's 30 s
                      with_timeout(key(ip(2, 2, 2, 2)), 10 * s),                // its own 10 s
                      with_timeout(key(ip(3, 3, 3, 3)), 10 * s, 4 * s),         // 4 s of 10 left
                      with_timeout(catchall(), 20 * s)},
                     t0);
    struct at {
        uint64_t now_ns;
        std::array<bool, 3> found;
        bool catchall;
    };
    const std::vector<at> table = {
        {t0, {true, true, true}, true},
        {t0 + 4 * s - 1, {true, true, true}, true},
        {t0 + 4 * s, {true, true, false}, true},
        {t0 + 10 * s - 1, {true, true, false}, true},
        {t0 + 10 * s, {true, false, false}, true},
        {t0 + 20 * s, {true, false, false}, false},
        {t0 + 30 * s - 1, {true, false, false}, false},
        {t0 + 30 * s, {false, false, false}, false},
    };
    for (const at& row : table) {
        SCOPED_TRACE(row.now_ns - t0);
        // Probe a copy each time, so lazily reclaimed elements do not hide later rows' answers.
        auto fresh = build(d,
                           {key(ip(1, 1, 1, 1)), with_timeout(key(ip(2, 2, 2, 2)), 10 * s),
                            with_timeout(key(ip(3, 3, 3, 3)), 10 * s, 4 * s)},
                           t0);
        EXPECT_EQ(has(*fresh, ip(1, 1, 1, 1), row.now_ns), row.found[0]);
        EXPECT_EQ(has(*fresh, ip(2, 2, 2, 2), row.now_ns), row.found[1]);
        EXPECT_EQ(has(*fresh, ip(3, 3, 3, 3), row.now_ns), row.found[2]);
        EXPECT_EQ(has(*set, ip(9, 9, 9, 9), row.now_ns), row.catchall);
        // The catch-all is not counted, as the kernel does not count it against `size`.
        const size_t live = std::count(row.found.begin(), row.found.end(), true);
        EXPECT_EQ(set->size(row.now_ns), live);
    }
}

TEST(set_store, interval_and_concat_elements_expire_too) {
    set_description id = interval_set(4);
    id.has_timeouts = true;
    auto intervals = build(id, {with_timeout(range(ip(10, 0, 0, 0), ip(10, 255, 255, 255)), 5 * s)}, 100);
    EXPECT_TRUE(has(*intervals, ip(10, 1, 2, 3), 100 + 5 * s - 1));
    EXPECT_FALSE(has(*intervals, ip(10, 1, 2, 3), 100 + 5 * s));

    set_description cd = concat_set({4, 4});
    cd.has_timeouts = true;
    auto concat = build(cd, {with_timeout(range(cat(ip(10, 0, 0, 0), port(1)), cat(ip(10, 0, 0, 9), port(9))), 5 * s),
                             range(cat(ip(10, 0, 0, 0), port(0)), cat(ip(10, 0, 0, 255), port(100)))});
    // The expired element no longer hides the one after it.
    EXPECT_EQ(concat->size(5 * s - 1), 2u);
    EXPECT_TRUE(has(*concat, cat(ip(10, 0, 0, 5), port(5)), 5 * s));
    EXPECT_EQ(concat->size(5 * s), 1u);
}

// One dynamic operation and what it must answer.
struct op {
    enum { add, update, remove, lookup } what;
    bytes key;
    uint64_t now_ns;
    result expected = result::added;  // lookup: added = found, absent = not found
    uint64_t timeout_ns = 0;
};

void run_ops(set_store& set, const std::vector<op>& ops) {
    for (size_t i = 0; i < ops.size(); ++i) {
        const op& o = ops[i];
        element_view v;
        switch (o.what) {
        case op::add: EXPECT_EQ(set.add(o.key, {}, o.timeout_ns, o.now_ns, &v), o.expected) << "op " << i; break;
        case op::update: EXPECT_EQ(set.update(o.key, {}, o.timeout_ns, o.now_ns, &v), o.expected) << "op " << i; break;
        case op::remove: EXPECT_EQ(set.remove(o.key, o.now_ns), o.expected) << "op " << i; break;
        case op::lookup:
            EXPECT_EQ(set.lookup(o.key, o.now_ns, v), o.expected == result::added) << "op " << i;
            break;
        }
    }
}

TEST(set_store, add_update_remove_and_refresh) {
    set_description d = hash_set(4, 8);
    d.has_timeouts = true;
    const bytes a = ip(10, 0, 0, 1), b = ip(10, 0, 0, 2), c = ip(10, 0, 0, 3);
    auto set = build(d, {key(c)});  // from the ruleset, without a timeout
    run_ops(*set, {
                      {op::add, a, 0, result::added, 10 * s},
                      {op::add, a, 1 * s, result::existed, 10 * s},   // add does not refresh
                      {op::lookup, a, 10 * s - 1, result::added},
                      {op::lookup, a, 10 * s, result::absent},
                      {op::add, a, 20 * s, result::added, 10 * s},    // expired: a new element
                      {op::update, a, 25 * s, result::refreshed, 10 * s},
                      {op::lookup, a, 35 * s - 1, result::added},
                      {op::update, a, 35 * s - 1, result::refreshed, 2 * s},  // the statement's 2 s
                      {op::lookup, a, 37 * s - 2, result::added},
                      {op::lookup, a, 37 * s - 1, result::absent},
                      // Refreshed with neither a statement nor a set timeout: now plus 0, as
                      // nft_dynset_eval computes it, so it is gone at once.
                      {op::add, a, 40 * s, result::added, 10 * s},
                      {op::update, a, 41 * s, result::refreshed, 0},
                      {op::lookup, a, 41 * s, result::absent},
                      {op::update, b, 42 * s, result::added, 5 * s},
                      {op::lookup, b, 47 * s - 1, result::added},
                      {op::lookup, b, 47 * s, result::absent},
                      {op::update, c, 50 * s, result::existed, 5 * s},  // no timeout of its own: kept
                      {op::lookup, c, 1000 * s, result::added},
                      {op::remove, c, 1000 * s, result::removed},
                      {op::remove, c, 1000 * s, result::absent},
                      {op::lookup, c, 1000 * s, result::absent},
                      {op::add, c, 1000 * s, result::added, 0},  // 0 and no set default: no timeout
                      {op::lookup, c, 5000 * s, result::added},
                      {op::add, b, 6000 * s, result::added, 1 * s},
                      {op::remove, b, 6001 * s, result::absent},  // expired: not there to remove
                  });
}

TEST(set_store, the_set_default_timeout_applies_to_added_elements) {
    set_description d = hash_set(4, 8);
    d.has_timeouts = true;
    d.default_timeout_ns = 3 * s;
    auto set = build(d, {});
    run_ops(*set, {{op::add, ip(1, 1, 1, 1), 0, result::added, 0},
                   {op::lookup, ip(1, 1, 1, 1), 3 * s - 1, result::added},
                   {op::lookup, ip(1, 1, 1, 1), 3 * s, result::absent},
                   {op::update, ip(2, 2, 2, 2), 0, result::added, 0},
                   {op::update, ip(2, 2, 2, 2), 2 * s, result::refreshed, 0},  // 0: the set's 3 s
                   {op::lookup, ip(2, 2, 2, 2), 5 * s - 1, result::added},
                   {op::lookup, ip(2, 2, 2, 2), 5 * s, result::absent}});
    // An element from the ruleset with its own timeout is refreshed with the set's, too.
    auto listed = build(d, {with_timeout(key(ip(3, 3, 3, 3)), 60 * s)});
    run_ops(*listed, {{op::update, ip(3, 3, 3, 3), 1 * s, result::refreshed, 0},
                      {op::lookup, ip(3, 3, 3, 3), 4 * s - 1, result::added},
                      {op::lookup, ip(3, 3, 3, 3), 4 * s, result::absent}});
}

TEST(set_store, updates_without_timeouts_ignore_them) {
    auto set = build(hash_set(4, 8), {});
    run_ops(*set, {{op::add, ip(1, 1, 1, 1), 0, result::added, 5 * s},
                   {op::update, ip(1, 1, 1, 1), 0, result::existed, 5 * s},
                   {op::lookup, ip(1, 1, 1, 1), 1000 * s, result::added}});
}

TEST(set_store, capacity_is_the_most_live_elements) {
    set_description d = hash_set(4, 3);
    d.has_timeouts = true;
    auto set = build(d, {key(ip(0, 0, 0, 1))});
    run_ops(*set, {
                      {op::add, ip(0, 0, 0, 2), 0, result::added, 10 * s},
                      {op::add, ip(0, 0, 0, 3), 0, result::added, 20 * s},
                      {op::add, ip(0, 0, 0, 4), 0, result::full, 10 * s},
                      {op::update, ip(0, 0, 0, 4), 0, result::full, 10 * s},
                      {op::add, ip(0, 0, 0, 3), 0, result::existed},  // present keys still answer
                      {op::remove, ip(0, 0, 0, 1), 0, result::removed},
                      {op::add, ip(0, 0, 0, 4), 0, result::added, 30 * s},
                      {op::add, ip(0, 0, 0, 5), 5 * s, result::full, 10 * s},
                      // 0.0.0.2 expired at 10 s: an insertion reclaims it.
                      {op::add, ip(0, 0, 0, 5), 10 * s, result::added, 10 * s},
                      {op::lookup, ip(0, 0, 0, 2), 10 * s, result::absent},
                      {op::add, ip(0, 0, 0, 6), 10 * s, result::full, 10 * s},
                  });
    EXPECT_EQ(set->size(10 * s), 3u);
    // A set of capacity 0 (`size 0` never reaches the engine, but it stays defined).
    auto none = build(hash_set(4, 0), {});
    EXPECT_EQ(none->add(ip(1, 1, 1, 1), {}, 0, 0, nullptr), result::full);
}

// nft_dynset_new clones the statement's own expressions into a new element (the set declares
// none here); an element added without any has none; one that exists keeps its own.
TEST(set_store, elements_added_with_their_own_statements_keep_them) {
    set_description d = hash_set(4, 4);
    d.dynamic_stmt_slots = 2;
    const std::vector<element_template> meter = {
        element_template{element_template::kind::limit, {.rate = 1, .unit_seconds = 60, .burst = 2, .over = true}}};
    const std::vector<element_template> two = {element_template{element_template::kind::counter},
                                               element_template{element_template::kind::quota}};
    auto set = build(d, {});
    element_view v;
    ASSERT_EQ(set->add(ip(1, 1, 1, 1), {}, 0, 0, &v, meter), result::added);
    ASSERT_EQ(v.stmts.size(), 1u);
    EXPECT_EQ(v.stmts.data(), meter.data());
    ASSERT_EQ(v.states.size(), 1u);
    v.states[0].limit.tokens = 42;
    ASSERT_EQ(set->update(ip(1, 1, 1, 1), {}, 0, 0, &v, two), result::existed);
    EXPECT_EQ(v.stmts.data(), meter.data());  // the creator's, not this statement's
    EXPECT_EQ(v.states[0].limit.tokens, 42u);
    ASSERT_EQ(set->add(ip(2, 2, 2, 2), {}, 0, 0, &v, two), result::added);
    EXPECT_EQ(v.stmts.size(), 2u);
    EXPECT_EQ(v.states.size(), 2u);
    ASSERT_EQ(set->add(ip(3, 3, 3, 3), {}, 0, 0, &v), result::added);
    EXPECT_TRUE(v.stmts.empty());
    EXPECT_TRUE(v.states.empty());
    ASSERT_TRUE(set->lookup(ip(1, 1, 1, 1), 0, v));
    EXPECT_EQ(v.stmts.data(), meter.data());
    EXPECT_EQ(v.states[0].limit.tokens, 42u);
}

TEST(set_store, added_elements_carry_data_and_fresh_states) {
    set_description d = hash_set(4, 4);
    d.has_timeouts = true;
    d.data_bytes = 4;
    d.stmts = {element_template{element_template::kind::counter},
               element_template{element_template::kind::limit, {.rate = 1, .unit_seconds = 1, .burst = 1}}};
    element_init given = with_data(key(ip(9, 9, 9, 9)), be(7));
    given.states.resize(2);
    given.states[0].counter = {3, 180};
    auto set = build(d, {given});

    element_view v;
    ASSERT_TRUE(set->lookup(ip(9, 9, 9, 9), 0, v));
    ASSERT_EQ(v.states.size(), 2u);
    EXPECT_EQ(v.states[0].counter.packets, 3u);
    EXPECT_EQ(v.states[0].counter.bytes, 180u);

    ASSERT_EQ(set->add(ip(1, 1, 1, 1), be(0xabcdef01), 5 * s, 0, &v), result::added);
    EXPECT_EQ(bytes(v.data, v.data + 4), be(0xabcdef01));
    EXPECT_EQ(v.states[0].counter.packets, 0u);
    EXPECT_FALSE(v.states[1].limit.primed);  // starts full at first use
    v.states[0].counter.add(100);
    EXPECT_TRUE(limit_eval(d.stmts[1].limit, v.states[1].limit, 100, 0));

    // The states live with the element: the next lookup sees them, data is not rewritten.
    ASSERT_EQ(set->update(ip(1, 1, 1, 1), be(5), 0, 1 * s, &v), result::refreshed);
    EXPECT_EQ(bytes(v.data, v.data + 4), be(0xabcdef01));
    EXPECT_EQ(v.states[0].counter.packets, 1u);
    EXPECT_FALSE(limit_eval(d.stmts[1].limit, v.states[1].limit, 100, 0));

    // Expired and added again: a new element.
    ASSERT_EQ(set->add(ip(1, 1, 1, 1), be(8), 5 * s, 6 * s, &v), result::added);
    EXPECT_EQ(bytes(v.data, v.data + 4), be(8));
    EXPECT_EQ(v.states[0].counter.packets, 0u);
    EXPECT_FALSE(v.states[1].limit.primed);

    // Removed and added again: a new element too.
    ASSERT_EQ(set->remove(ip(9, 9, 9, 9), 6 * s), result::removed);
    ASSERT_EQ(set->add(ip(9, 9, 9, 9), be(1), 0, 6 * s, &v), result::added);
    EXPECT_EQ(v.states[0].counter.packets, 0u);
}

// Random adds, updates, removes and lookups against a model, on a small key space so that
// keys come and go many times over: probe chains must stay correct through backward shifts.
TEST(set_store, hash_churn_matches_a_model) {
    for (uint32_t capacity : {1u, 7u, 48u, 1000u}) {
        SCOPED_TRACE(capacity);
        set_description d = hash_set(4, capacity);
        d.has_timeouts = true;
        auto set = build(d, {});
        std::map<uint32_t, uint64_t> model;  // key -> expiry
        std::mt19937_64 random(capacity);
        uint64_t now = 0;
        const uint32_t keys = capacity * 4 + 8;
        for (int step = 0; step < 200'000; ++step) {
            now += random() % (50 * ms);
            const auto k = static_cast<uint32_t>(random() % keys);
            const bytes kb = be(k);
            auto it = model.find(k);
            const bool live = it != model.end() && now < it->second;
            if (it != model.end() && !live) {
                model.erase(it);
                it = model.end();
            }
            auto live_count = [&] {
                size_t n = 0;
                for (const auto& [key, expiry] : model) n += now < expiry ? 1 : 0;
                return n;
            };
            const uint64_t timeout = (1 + random() % 100) * 10 * ms;
            switch (random() % 4) {
            case 0: {
                // With at most 64 records every insertion into a full set examines them all,
                // so `full` means exactly "capacity live elements".
                const result expected = live                                        ? result::existed
                                        : capacity <= 64 && live_count() >= capacity ? result::full
                                                                                    : result::added;
                const result r = set->add(kb, {}, timeout, now, nullptr);
                if (capacity <= 64 || r != result::full) {
                    ASSERT_EQ(r, expected) << step;
                }
                if (r == result::added) model[k] = now + timeout;
                break;
            }
            case 1: {
                const result r = set->update(kb, {}, timeout, now, nullptr);
                if (live) {
                    ASSERT_EQ(r, result::refreshed) << step;
                    model[k] = now + timeout;
                } else if (r == result::added) {
                    model[k] = now + timeout;
                } else {
                    ASSERT_EQ(r, result::full) << step;
                    ASSERT_TRUE(capacity > 64 || live_count() >= capacity) << step;
                }
                break;
            }
            case 2:
                ASSERT_EQ(set->remove(kb, now), live ? result::removed : result::absent) << step;
                model.erase(k);
                break;
            default: {
                element_view v;
                ASSERT_EQ(set->lookup(kb, now, v), live) << step;
                break;
            }
            }
        }
        size_t live_count = 0;
        for (const auto& [key, expiry] : model) live_count += now < expiry ? 1 : 0;
        EXPECT_EQ(set->size(now), live_count);
        for (uint32_t k = 0; k < keys; ++k) {
            const auto it = model.find(k);
            EXPECT_EQ(has(*set, be(k), now), it != model.end() && now < it->second) << k;
        }
    }
}

// Fill to capacity, empty, fill again, many times over: removed slots are reused and the
// set never reports full below its capacity.
TEST(set_store, hash_reuses_slots_under_churn) {
    const uint32_t capacity = 5000;
    auto set = build(hash_set(4, capacity), {});
    for (uint32_t round = 0; round < 20; ++round) {
        const uint32_t base = round * 7919;
        for (uint32_t i = 0; i < capacity; ++i) ASSERT_EQ(set->add(be(base + i), {}, 0, 0, nullptr), result::added);
        ASSERT_EQ(set->add(be(base + capacity), {}, 0, 0, nullptr), result::full);
        ASSERT_EQ(set->size(0), capacity);
        for (uint32_t i = 0; i < capacity; i += 2) ASSERT_EQ(set->remove(be(base + i), 0), result::removed);
        for (uint32_t i = 0; i < capacity; ++i) ASSERT_EQ(has(*set, be(base + i)), i % 2 == 1);
        for (uint32_t i = 1; i < capacity; i += 2) ASSERT_EQ(set->remove(be(base + i), 0), result::removed);
        ASSERT_EQ(set->size(0), 0u);
    }
}

// ---- interval sets ----

TEST(set_store, interval_edges) {
    auto set = build(interval_set(4), {
                                          with_data(range(ip(10, 0, 0, 0), ip(10, 255, 255, 255)), {}),
                                          key(ip(192, 168, 0, 1)),
                                          range(ip(192, 168, 1, 0), ip(192, 168, 1, 255)),
                                          range(ip(192, 168, 2, 0), ip(192, 168, 2, 127)),
                                          key(ip(255, 255, 255, 255)),
                                          key(ip(0, 0, 0, 0)),
                                      });
    const std::vector<std::pair<bytes, bool>> table = {
        {ip(0, 0, 0, 0), true},          {ip(0, 0, 0, 1), false},         {ip(9, 255, 255, 255), false},
        {ip(10, 0, 0, 0), true},         {ip(10, 128, 0, 1), true},       {ip(10, 255, 255, 255), true},
        {ip(11, 0, 0, 0), false},        {ip(192, 168, 0, 0), false},     {ip(192, 168, 0, 1), true},
        {ip(192, 168, 0, 2), false},     {ip(192, 168, 0, 255), false},   {ip(192, 168, 1, 0), true},
        {ip(192, 168, 1, 255), true},    {ip(192, 168, 2, 0), true},      {ip(192, 168, 2, 127), true},
        {ip(192, 168, 2, 128), false},   {ip(255, 255, 255, 254), false}, {ip(255, 255, 255, 255), true},
    };
    for (const auto& [k, found] : table) {
        EXPECT_EQ(has(*set, k), found) << int(k[0]) << "." << int(k[1]) << "." << int(k[2]) << "." << int(k[3]);
    }
    EXPECT_EQ(set->size(0), 6u);
}

TEST(set_store, interval_ports_and_wide_keys) {
    // Ports sit in the first two bytes of their 4-byte part, the padding zero.
    auto ports = build(interval_set(4), {range(port(1), port(1023)), key(port(8080)), range(port(60000), port(65535))});
    expect_probes(*ports, {{port(0), std::nullopt},
                           {port(1), bytes{}},
                           {port(1023), bytes{}},
                           {port(1024), std::nullopt},
                           {port(8079), std::nullopt},
                           {port(8080), bytes{}},
                           {port(8081), std::nullopt},
                           {port(59999), std::nullopt},
                           {port(65535), bytes{}}});

    // 2001:db8::/32 and ::1, as 16-byte keys.
    auto v6 = [](uint64_t high, uint64_t low) { return cat(be(high, 8), be(low, 8)); };
    auto six = build(interval_set(16), {range(v6(0x20010db800000000, 0), v6(0x20010db8ffffffff, UINT64_MAX)),
                                        key(v6(0, 1))});
    expect_probes(*six, {{v6(0x20010db800000000, 0), bytes{}},
                         {v6(0x20010db7ffffffff, UINT64_MAX), std::nullopt},
                         {v6(0x20010db8ffffffff, UINT64_MAX), bytes{}},
                         {v6(0x20010db900000000, 0), std::nullopt},
                         {v6(0, 1), bytes{}},
                         {v6(0, 0), std::nullopt},
                         {v6(0, 2), std::nullopt}});

    // Interface names: `iifname "eth*"` is the range "eth\0..." to "eth\xff...".
    bytes low(16, 0), high(16, 0xff);
    std::memcpy(low.data(), "eth", 3);
    std::memcpy(high.data(), "eth", 3);
    auto names = build(interval_set(16), {range(low, high)});
    bytes eth0(16, 0), et(16, 0), lo(16, 0);
    std::memcpy(eth0.data(), "eth0", 4);
    std::memcpy(et.data(), "et", 2);
    std::memcpy(lo.data(), "lo", 2);
    EXPECT_TRUE(has(*names, eth0));
    EXPECT_TRUE(has(*names, low));
    EXPECT_FALSE(has(*names, et));
    EXPECT_FALSE(has(*names, lo));

    // 12-byte and 20-byte single fields take the generic paths.
    auto twelve = build(interval_set(12), {range(be(100, 12), be(200, 12))});
    expect_probes(*twelve, {{be(99, 12), std::nullopt}, {be(100, 12), bytes{}}, {be(200, 12), bytes{}},
                            {be(201, 12), std::nullopt}});
    auto twenty = build(interval_set(20), {range(be(100, 20), be(200, 20))});
    expect_probes(*twenty, {{be(99, 20), std::nullopt}, {be(150, 20), bytes{}}, {be(201, 20), std::nullopt}});
}

// Random non-overlapping intervals checked against a std::map model, for each key width the
// radix index handles, including sets spanning the whole key space and sets of one slice.
TEST(set_store, interval_matches_a_model) {
    std::mt19937_64 random(7);
    for (uint32_t width : {4u, 8u, 16u}) {
        for (size_t count : {1u, 2u, 10u, 300u, 5000u}) {
            for (int layout = 0; layout < 3; ++layout) {
                SCOPED_TRACE(std::to_string(width) + " bytes, " + std::to_string(count) + " elements, layout " +
                             std::to_string(layout));
                // Layouts: spread over 40 bits, packed into a narrow window, anchored at 0 and max.
                const unsigned bits = std::min<unsigned>(width * 8, 40);
                std::vector<uint64_t> points;
                for (size_t i = 0; i < count * 2; ++i) {
                    const uint64_t v = layout == 1 ? 5000 + random() % (count * 8) : random() % (uint64_t{1} << bits);
                    points.push_back(v);
                }
                std::sort(points.begin(), points.end());
                points.erase(std::unique(points.begin(), points.end()), points.end());
                if (layout == 2) {
                    points.front() = 0;
                    points.back() = width == 4 ? UINT32_MAX : UINT64_MAX;
                }
                std::vector<std::pair<uint64_t, uint64_t>> ranges;
                for (size_t i = 0; i + 1 < points.size(); i += 2) ranges.push_back({points[i], points[i + 1]});
                std::vector<element_init> elements;
                for (size_t i = 0; i < ranges.size(); ++i) {
                    auto [low, high] = ranges[i];
                    if (i % 3 == 0) high = low;  // some single values
                    ranges[i].second = high;
                    elements.push_back(with_data(range(be(low, width), be(high, width)), be(i)));
                }
                set_description d = interval_set(width);
                d.data_bytes = 4;
                auto set = build(d, elements);
                std::map<uint64_t, size_t> by_low;
                for (size_t i = 0; i < ranges.size(); ++i) by_low[ranges[i].first] = i;
                auto expect_at = [&](uint64_t k) {
                    if (width == 4) k &= UINT32_MAX;
                    std::optional<bytes> expected;
                    auto it = by_low.upper_bound(k);
                    if (it != by_low.begin() && k <= ranges[std::prev(it)->second].second) {
                        expected = be(std::prev(it)->second);
                    }
                    ASSERT_EQ(data_of(*set, be(k, width)), expected) << k;
                };
                for (const auto& [low, high] : ranges) {
                    for (uint64_t k : {low - 1, low, low + 1, high - 1, high, high + 1}) expect_at(k);
                }
                for (int i = 0; i < 2000; ++i) expect_at(random() % (uint64_t{1} << bits));
            }
        }
    }
}

// ---- concatenated intervals ----

TEST(set_store, concatenated_ranges) {
    set_description d = concat_set({4, 4});
    d.data_bytes = 4;
    auto set =
        build(d, {
                     with_data(range(cat(ip(10, 0, 0, 0), port(80)), cat(ip(10, 255, 255, 255), port(443))), be(1)),
                     with_data(key(cat(ip(192, 168, 0, 1), port(22))), be(2)),
                     with_data(range(cat(ip(192, 168, 0, 0), port(1)), cat(ip(192, 168, 0, 255), port(21))), be(3)),
                     // Contains the second element: listed later, so it loses there.
                     with_data(range(cat(ip(192, 168, 0, 0), port(22)), cat(ip(192, 168, 0, 255), port(22))), be(4)),
                 });
    expect_probes(*set, {
                            {cat(ip(10, 0, 0, 0), port(80)), be(1)},
                            {cat(ip(10, 255, 255, 255), port(443)), be(1)},
                            {cat(ip(10, 1, 2, 3), port(79)), std::nullopt},
                            {cat(ip(10, 1, 2, 3), port(444)), std::nullopt},
                            {cat(ip(9, 255, 255, 255), port(80)), std::nullopt},
                            {cat(ip(11, 0, 0, 0), port(443)), std::nullopt},
                            {cat(ip(192, 168, 0, 1), port(22)), be(2)},
                            {cat(ip(192, 168, 0, 2), port(22)), be(4)},
                            {cat(ip(192, 168, 0, 1), port(21)), be(3)},
                            {cat(ip(192, 168, 0, 1), port(23)), std::nullopt},
                            {cat(ip(192, 168, 1, 1), port(22)), std::nullopt},
                        });

    // Three fields, one of them 16 bytes wide: ip6 saddr . ip6 daddr-ish . port.
    auto six = build(concat_set({16, 4, 4}), {range(cat(cat(be(0, 16), ip(1, 0, 0, 0)), port(10)),
                                                    cat(cat(be(5, 16), ip(1, 0, 0, 255)), port(20)))});
    EXPECT_TRUE(has(*six, cat(cat(be(3, 16), ip(1, 0, 0, 7)), port(15))));
    EXPECT_TRUE(has(*six, cat(cat(be(5, 16), ip(1, 0, 0, 255)), port(20))));
    EXPECT_FALSE(has(*six, cat(cat(be(6, 16), ip(1, 0, 0, 7)), port(15))));
    EXPECT_FALSE(has(*six, cat(cat(be(3, 16), ip(1, 0, 1, 0)), port(15))));
    EXPECT_FALSE(has(*six, cat(cat(be(3, 16), ip(1, 0, 0, 7)), port(21))));
}

// Random concatenations checked against a linear search (first listed element wins): disjoint
// elements, nested ones that overlap, one field far more selective than the other, a
// 16-byte field, and nested ranges so wide in every field that the index gives up.
TEST(set_store, concatenation_matches_a_linear_search) {
    struct shape {
        std::string name;
        std::vector<uint32_t> fields;
        size_t count;
        int layout;  // 0 random, 1 nested, 2 first field shared, 3 nested in every field
    };
    const std::vector<shape> shapes = {
        {"random", {4, 4}, 300, 0},  {"nested", {4, 4}, 300, 1},     {"shared first field", {4, 4}, 300, 2},
        {"wide", {16, 4}, 200, 0},   {"three fields", {4, 8, 4}, 200, 0}, {"index over budget", {4, 4}, 400, 3},
        {"one element", {4, 4}, 1, 0}, {"no element", {4, 4}, 0, 0},
    };
    std::mt19937_64 random(11);
    for (const shape& sh : shapes) {
        SCOPED_TRACE(sh.name);
        set_description d = concat_set(sh.fields);
        d.data_bytes = 4;
        struct bounds {
            std::vector<uint64_t> low, high;  // per field (values below 2^32 in every field)
        };
        std::vector<bounds> model;
        std::vector<element_init> elements;
        auto encode = [&](const std::vector<uint64_t>& values) {
            bytes k;
            for (size_t f = 0; f < sh.fields.size(); ++f) k = cat(k, be(values[f], sh.fields[f]));
            return k;
        };
        for (size_t i = 0; i < sh.count; ++i) {
            bounds b;
            for (size_t f = 0; f < sh.fields.size(); ++f) {
                uint64_t low = random() % 100000, high = low + random() % 2000;
                if (sh.layout == 1 && i % 4 == 0) low = low / 2, high = low + 50000;
                if (sh.layout == 2 && f == 0) low = 1000, high = 90000;
                if (sh.layout == 3) low = i, high = 200000 - i;
                b.low.push_back(low);
                b.high.push_back(high);
            }
            elements.push_back(with_data(range(encode(b.low), encode(b.high)), be(i)));
            model.push_back(b);
        }
        auto set = build(d, elements);
        ASSERT_NE(set, nullptr);
        auto expect_at = [&](const std::vector<uint64_t>& k) {
            std::optional<bytes> expected;
            for (size_t i = 0; i < model.size() && !expected; ++i) {
                bool in = true;
                for (size_t f = 0; f < k.size(); ++f) in = in && model[i].low[f] <= k[f] && k[f] <= model[i].high[f];
                if (in) expected = be(i);
            }
            ASSERT_EQ(data_of(*set, encode(k)), expected);
        };
        for (size_t i = 0; i < model.size(); ++i) {
            for (int corner = 0; corner < 8; ++corner) {
                std::vector<uint64_t> k;
                for (size_t f = 0; f < sh.fields.size(); ++f) {
                    const uint64_t edge = (corner >> f) & 1 ? model[i].high[f] : model[i].low[f];
                    k.push_back(corner & 4 ? edge + ((corner >> f) & 1 ? 1 : -1) : edge);
                }
                expect_at(k);
            }
        }
        for (int i = 0; i < 3000; ++i) {
            std::vector<uint64_t> k;
            for (size_t f = 0; f < sh.fields.size(); ++f) k.push_back(random() % 210000);
            expect_at(k);
        }
    }
}

TEST(set_store, static_sets_refuse_packet_path_updates) {
    auto intervals = build(interval_set(4), {key(ip(1, 1, 1, 1))});
    auto concat = build(concat_set({4, 4}), {});
    for (set_store* set : {intervals.get(), concat.get()}) {
        const bytes k(set->description().key_bytes, 1);
        EXPECT_EQ(set->add(k, {}, 0, 0, nullptr), result::full);
        EXPECT_EQ(set->update(k, {}, 0, 0, nullptr), result::full);
        EXPECT_EQ(set->remove(k, 0), result::absent);
    }
    EXPECT_TRUE(has(*intervals, ip(1, 1, 1, 1)));
}

TEST(set_store, descriptions_that_cannot_be_built) {
    set_description map4 = hash_set(4, 4);
    map4.data_bytes = 4;
    set_description counted = hash_set(4, 4);
    counted.stmts = {element_template{}};
    element_init two_states = key(ip(1, 1, 1, 1));
    two_states.states.resize(2);
    set_description huge = hash_set(4, (1u << 30) + 1);
    struct refused {
        std::string name;
        set_description d;
        std::vector<element_init> elements;
    };
    const std::vector<refused> cases = {
        {"more elements than capacity", hash_set(4, 1), {key(ip(1, 1, 1, 1)), key(ip(2, 2, 2, 2))}},
        {"key of the wrong size", hash_set(4, 4), {key(be(1, 8))}},
        {"data of the wrong size", map4, {with_data(key(ip(1, 1, 1, 1)), be(1, 2))}},
        {"states not one per template", counted, {two_states}},
        {"capacity beyond 2^30", huge, {}},
        {"zero-byte keys", hash_set(0, 4), {}},
        {"overlapping intervals",
         interval_set(4),
         {range(ip(1, 0, 0, 0), ip(1, 0, 0, 9)), range(ip(1, 0, 0, 9), ip(1, 0, 0, 20))}},
        {"same low, other high",
         interval_set(4),
         {range(ip(1, 0, 0, 0), ip(1, 0, 0, 9)), range(ip(1, 0, 0, 0), ip(1, 0, 0, 8))}},
        {"inverted interval", interval_set(4), {range(ip(1, 0, 0, 9), ip(1, 0, 0, 0))}},
        {"inverted concat field",
         concat_set({4, 4}),
         {range(cat(ip(1, 0, 0, 0), port(9)), cat(ip(1, 0, 0, 9), port(1)))}},
        {"interval high end missing", interval_set(4), {[] {
             element_init e;
             e.low = {1, 2, 3, 4};
             return e;
         }()}},
    };
    for (const refused& c : cases) EXPECT_EQ(set_store::build(c.d, c.elements, 0), nullptr) << c.name;

    // Repeats keep the first element, as `add element` does.
    set_description d = hash_set(4, 4);
    d.data_bytes = 4;
    auto set = build(d, {with_data(key(ip(1, 1, 1, 1)), be(1)), with_data(key(ip(1, 1, 1, 1)), be(2))});
    EXPECT_EQ(data_of(*set, ip(1, 1, 1, 1)), be(1));
    EXPECT_EQ(set->size(0), 1u);
    set_description id = interval_set(4);
    id.data_bytes = 4;
    auto intervals = build(id, {with_data(range(ip(1, 0, 0, 0), ip(1, 0, 0, 9)), be(1)),
                                with_data(range(ip(1, 0, 0, 0), ip(1, 0, 0, 9)), be(2))});
    EXPECT_EQ(data_of(*intervals, ip(1, 0, 0, 5)), be(1));
}

// ---- allocations ----

TEST(set_store, lookups_and_updates_allocate_nothing) {
    set_description hd = hash_set(8, 512);
    hd.has_timeouts = true;
    hd.data_bytes = 4;
    hd.stmts = {element_template{element_template::kind::counter},
                element_template{element_template::kind::limit, {.rate = 10, .unit_seconds = 1}},
                element_template{element_template::kind::quota, {}, {1000, false}}};
    std::vector<element_init> elements;
    for (uint32_t i = 0; i < 100; ++i) elements.push_back(with_data(key(cat(be(i), port(80))), be(i)));
    elements.push_back(with_data(catchall(), be(0)));
    auto hash = build(hd, elements);
    std::vector<element_init> ranges;
    for (uint32_t i = 0; i < 100; ++i) ranges.push_back(range(be(i * 100), be(i * 100 + 50)));
    auto intervals = build(interval_set(4), ranges);
    std::vector<element_init> concat_ranges;
    for (uint32_t i = 0; i < 100; ++i)
        concat_ranges.push_back(range(cat(be(i * 100), port(1)), cat(be(i * 100 + 50), port(1024))));
    auto concat = build(concat_set({4, 4}), concat_ranges);

    std::vector<bytes> keys;
    for (uint32_t i = 0; i < 2000; ++i) keys.push_back(cat(be(i * 37 % 1500), port(80)));
    const bytes data = be(5);

    nfqwall::testing::allocation_scope scope;
    uint64_t found = 0;
    uint64_t now = 0;
    for (int round = 0; round < 20; ++round) {
        for (const bytes& k : keys) {
            now += 3 * ms;
            element_view v;
            found += hash->lookup(k, now, v);
            for (element_state& st : v.states) st.counter.add(60);
            if (!v.states.empty()) found += limit_eval(hd.stmts[1].limit, v.states[1].limit, 60, now);
            if (!v.states.empty()) found += quota_eval(hd.stmts[2].quota, v.states[2].quota, 60);
            found += hash->add(k, data, 2 * s, now, &v) == result::added;
            found += hash->update(k, data, 1 * s, now, &v) == result::refreshed;
            if (k[3] % 3 == 0) found += hash->remove(k, now) == result::removed;
            found += intervals->lookup({k.data(), 4}, now, v);
            found += concat->lookup(k, now, v);
        }
    }
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_GT(found, 0u);
}

}  // namespace

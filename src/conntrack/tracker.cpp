// The table: a preallocated entry pool, a chained bucket index holding both directions of
// every entry, sharded bucket locks plus one lock per entry, early drop, confirmation with
// clash resolution, and amortised expiry. See tracker.hpp and docs/conntrack.md.
#include "conntrack/tracker.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <bit>
#include <new>
#include <random>

#include "conntrack/entry.hpp"

namespace nfqwall::conntrack {

namespace {

void spin_lock(std::atomic<uint8_t>& f) {
    while (f.exchange(1, std::memory_order_acquire) != 0) {
        while (f.load(std::memory_order_relaxed) != 0) __builtin_ia32_pause();
    }
}
void spin_unlock(std::atomic<uint8_t>& f) { f.store(0, std::memory_order_release); }

// Fields read without the entry's lock (expiry checks during chain walks) are accessed
// atomically, so that a concurrent refresh is a benign race rather than undefined behaviour.
uint32_t load_relaxed(const uint32_t& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }
void store_relaxed(uint32_t& v, uint32_t x) { __atomic_store_n(&v, x, __ATOMIC_RELAXED); }
uint16_t load_relaxed16(const uint16_t& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }
slot_state load_slot(const slot_state& s) { return __atomic_load_n(&s, __ATOMIC_ACQUIRE); }
void store_slot(slot_state& s, slot_state v) { __atomic_store_n(&s, v, __ATOMIC_RELEASE); }

constexpr uint32_t eviction_range = 8;       // NF_CT_EVICTION_RANGE
constexpr uint32_t stale_per_scan = 16;      // victims collected per bucket visit
constexpr uint32_t max_repeats = 4;          // reopen / search restarts per packet

proto_verdict dispatch(entry& e, proto_context& c, bool is_new) {
    switch (e.l4) {
    case proto_tcp: return tcp_packet(e, c, is_new);
    case proto_udp: return udp_packet(e, c, is_new);
    case proto_udplite: return udplite_packet(e, c, is_new);
    case proto_icmp:
    case proto_icmpv6:
        if ((e.l4 == proto_icmp) == (e.l3 == l3_ipv4)) return icmp_packet(e, c, is_new);
        return generic_packet(e, c, is_new);
    case proto_gre: return gre_packet(e, c, is_new);
    default: return generic_packet(e, c, is_new);
    }
}

}  // namespace

struct tracker::shard {
    alignas(64) std::atomic<uint8_t> lock{0};
};

struct tracker::pool {
    alignas(64) std::atomic<uint8_t> lock{0};
    uint32_t head = nil;
};

uint32_t ct_state_bits(ctinfo info) {
    switch (info) {
    case ctinfo::invalid: return 1;
    case ctinfo::untracked: return 64;
    default: return 1u << (static_cast<uint32_t>(info) % 3 + 1);
    }
}

const char* to_string(tcp_state s) {
    static const char* const names[] = {"NONE",     "SYN_SENT",   "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
                                        "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2"};
    const auto i = static_cast<size_t>(s);
    return i < std::size(names) ? names[i] : "NONE";
}

hash_key random_hash_key() {
    std::random_device rd;
    hash_key k;
    for (auto& w : k.k) w = (uint64_t{rd()} << 32 | rd()) | 1;
    return k;
}

namespace {

// splitmix64: a fixed seed spread over the key's words.
hash_key seeded_hash_key(uint64_t seed) {
    hash_key k;
    for (auto& w : k.k) {
        seed += 0x9e3779b97f4a7c15ull;
        uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        w = (z ^ (z >> 31)) | 1;
    }
    return k;
}

}  // namespace

namespace {

// Large tables go on transparent huge pages where the kernel allows it: a lookup then costs
// its cache misses without a page walk for each. Falls back to the heap.
void* map_table(size_t bytes, bool& mapped) {
    mapped = false;
    if (bytes >= (4u << 20)) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            madvise(p, bytes, MADV_HUGEPAGE);
            mapped = true;
            return p;
        }
    }
    return ::operator new(bytes, std::align_val_t{64});
}

void unmap_table(void* p, size_t bytes, bool mapped) {
    if (mapped) munmap(p, bytes);
    else ::operator delete(p, std::align_val_t{64});
}

}  // namespace

tracker::tracker(const config& cfg, threading mode)
    : cfg_(cfg), locking_(mode == threading::shared),
      key_(cfg.hash_seed != 0 ? seeded_hash_key(cfg.hash_seed) : random_hash_key()) {
    cfg_.max = std::clamp<uint32_t>(cfg_.max, 1, max_entries);
    cfg_.buckets = std::bit_ceil(std::clamp<uint32_t>(cfg_.buckets, 1, max_entries));
    bucket_mask_ = cfg_.buckets - 1;
    const uint32_t shards = std::min<uint32_t>(cfg_.buckets, 1024);
    shard_mask_ = shards - 1;
    pool_count_ = std::min<uint32_t>(16, std::bit_floor(cfg_.max));
    std::random_device rd;
    const uint32_t chain_draw = cfg_.hash_seed != 0 ? static_cast<uint32_t>(key_.k[0] >> 32) : rd();
    max_chain_ = 50 + chain_draw % 30;  // the kernel's randomised chain limit (50..79)

    buckets_ = static_cast<uint32_t*>(map_table(size_t{cfg_.buckets} * sizeof(uint32_t), buckets_mapped_));
    std::fill_n(buckets_, cfg_.buckets, nil);
    shards_ = std::make_unique<shard[]>(shards);
    pools_ = std::make_unique<pool[]>(pool_count_);
    // A little slack over max: counting lets a few threads overshoot while early drop runs.
    capacity_ = size_t{cfg_.max} + 64;
    entries_bytes_ = capacity_ * sizeof(entry);
    // Constructed (zeroed) now, so the packet path never faults a page in.
    entries_ = new (map_table(entries_bytes_, entries_mapped_)) entry[capacity_]();
    for (size_t i = capacity_; i-- > 0;) {
        entry& e = entries_[i];
        pool& p = pools_[i % pool_count_];
        e.next[0] = p.head;
        p.head = static_cast<uint32_t>(i);
    }
    if (cfg_.acct || cfg_.timestamp) acct_ = std::make_unique<acct_ext[]>(capacity_);
}

tracker::~tracker() {
    std::destroy_n(entries_, capacity_);
    unmap_table(buckets_, size_t{cfg_.buckets} * sizeof(uint32_t), buckets_mapped_);
    unmap_table(entries_, entries_bytes_, entries_mapped_);
}

size_t tracker::bytes_per_entry() const {
    size_t per = sizeof(entry) + (sizeof(uint32_t) * bucket_count() + cfg_.max - 1) / cfg_.max;
    if (acct_) per += sizeof(acct_ext);
    return per;
}

statistics tracker::stats() const {
    auto get = [this](counter c) { return stats_[static_cast<size_t>(c)].load(std::memory_order_relaxed); };
    statistics s;
    s.found = get(counter::found);
    s.invalid = get(counter::invalid);
    s.insert = get(counter::insert);
    s.insert_failed = get(counter::insert_failed);
    s.drop = get(counter::drop);
    s.early_drop = get(counter::early_drop);
    s.error = get(counter::error);
    s.search_restart = get(counter::search_restart);
    s.clash_resolve = get(counter::clash_resolve);
    s.chaintoolong = get(counter::chaintoolong);
    return s;
}

uint32_t tracker::bucket_of(const tuple& t) const { return static_cast<uint32_t>(hash_tuple(t, key_)) & bucket_mask_; }

tuple tracker::tuple_of(const entry& e, direction d) const {
    tuple t;
    t.ends = e.ends[static_cast<int>(d)];
    t.l3 = e.l3;
    t.l4 = e.l4;
    t.zone = e.zone;
    return t;
}

bool tracker::expired(const entry& e, uint32_t now) const {
    return static_cast<int32_t>(load_relaxed(e.expires) - now) <= 0;
}

void tracker::lock_entry(entry& e) const {
    if (locking_) spin_lock(e.lock);
}
void tracker::unlock_entry(entry& e) const {
    if (locking_) spin_unlock(e.lock);
}
void tracker::lock_shard(uint32_t bucket) const {
    if (locking_) spin_lock(shards_[bucket & shard_mask_].lock);
}
void tracker::unlock_shard(uint32_t bucket) const {
    if (locking_) spin_unlock(shards_[bucket & shard_mask_].lock);
}
void tracker::lock_pool(pool& p) const {
    if (locking_) spin_lock(p.lock);
}
void tracker::unlock_pool(pool& p) const {
    if (locking_) spin_unlock(p.lock);
}

void tracker::lock_buckets(uint32_t a, uint32_t b) {
    if (!locking_) return;
    uint32_t sa = a & shard_mask_, sb = b & shard_mask_;
    if (sa > sb) std::swap(sa, sb);
    spin_lock(shards_[sa].lock);
    if (sb != sa) spin_lock(shards_[sb].lock);
}

void tracker::unlock_buckets(uint32_t a, uint32_t b) {
    if (!locking_) return;
    const uint32_t sa = a & shard_mask_, sb = b & shard_mask_;
    spin_unlock(shards_[sa].lock);
    if (sb != sa) spin_unlock(shards_[sb].lock);
}

void tracker::timeout_set(entry& e, uint32_t now, uint32_t timeout_s) {
    if (e.status & ips_fixed_timeout) return;
    const uint32_t ms = timeout_s * 1000u;
    // Unconfirmed entries hold the relative value; confirmation starts the clock.
    store_relaxed(e.expires, (e.status & ips_confirmed) ? now + ms : ms);
}

void tracker::account(uint32_t index, direction d, uint32_t bytes) {
    if (!cfg_.acct || !acct_) return;
    acct_ext& a = acct_[index];
    a.packets[static_cast<int>(d)] += 1;
    a.bytes[static_cast<int>(d)] += bytes;
}

uint32_t tracker::entry_id(const entry& e, uint32_t index) const {
    const uint64_t h = hash_tuple(tuple_of(e, direction::original), key_);
    return static_cast<uint32_t>(hash_mix(h ^ index, (uint64_t{e.generation} << 1 | 1) ^ key_.k[2]));
}

// ---- allocation ---------------------------------------------------------------------------

uint32_t tracker::allocate(uint32_t bucket, uint32_t now) {
    const uint32_t n = count_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n > cfg_.max && !early_drop(bucket, now)) {
        count_.fetch_sub(1, std::memory_order_relaxed);
        gc_early_drop_.store(true, std::memory_order_relaxed);
        return nil;
    }
    const uint32_t first = bucket & (pool_count_ - 1);
    for (uint32_t i = 0; i < pool_count_; ++i) {
        pool& p = pools_[(first + i) & (pool_count_ - 1)];
        lock_pool(p);
        const uint32_t idx = p.head;
        if (idx != nil) p.head = __atomic_load_n(&entries_[idx].next[0], __ATOMIC_RELAXED);
        unlock_pool(p);
        if (idx != nil) return idx;
    }
    count_.fetch_sub(1, std::memory_order_relaxed);
    return nil;
}

void tracker::release(uint32_t index) {
    entry& e = entries_[index];
    if (observer_) observer_->released({index, e.generation}, e.master);
    lock_entry(e);
    ++e.generation;
    store_slot(e.slot, slot_state::free);
    unlock_entry(e);
    pool& p = pools_[index % pool_count_];
    lock_pool(p);
    set_link(e.next[0], p.head);
    p.head = index;
    unlock_pool(p);
    count_.fetch_sub(1, std::memory_order_relaxed);
}

void tracker::unlink_locked(uint32_t index) {
    entry& e = entries_[index];
    const bool reply_only = e.status & ips_nat_clash;
    for (int d = reply_only ? 1 : 0; d < 2; ++d) {
        const uint32_t node = index * 2 + static_cast<uint32_t>(d);
        uint32_t* link = &buckets_[bucket_of(tuple_of(e, static_cast<direction>(d)))];
        while (*link != nil) {
            if (*link == node) {
                set_link(*link, e.next[d]);
                break;
            }
            link = &entries_[*link >> 1].next[*link & 1];
        }
    }
}

bool tracker::kill(entry_ref ref, bool free_slot) {
    entry& e = entries_[ref.index];
    // The buckets come from the tuples, read under the entry's lock while the handle is still
    // good; the chains' locks must be taken before the entry's, so the check is repeated.
    lock_entry(e);
    if (e.generation != ref.generation || load_slot(e.slot) != slot_state::confirmed) {
        unlock_entry(e);
        return false;
    }
    const uint32_t b0 = bucket_of(tuple_of(e, direction::original));
    const uint32_t b1 = bucket_of(tuple_of(e, direction::reply));
    unlock_entry(e);
    lock_buckets(b0, b1);
    lock_entry(e);
    const bool alive = e.generation == ref.generation && load_slot(e.slot) == slot_state::confirmed;
    if (alive) {
        store_slot(e.slot, slot_state::dying);
        add_status(e, ips_dying);
    }
    unlock_entry(e);
    if (alive) unlink_locked(ref.index);
    unlock_buckets(b0, b1);
    if (alive && free_slot) release(ref.index);
    return alive;
}

bool tracker::early_drop(uint32_t bucket, uint32_t now) {
    for (uint32_t i = 0; i < eviction_range; ++i) {
        const uint32_t b = (bucket + i) & bucket_mask_;
        entry_ref victims[stale_per_scan];
        bool is_expired[stale_per_scan];
        uint32_t n = 0;
        lock_shard(b);
        for (uint32_t node = buckets_[b]; node != nil && n < stale_per_scan;) {
            const uint32_t idx = node >> 1;
            const entry& e = entries_[idx];
            const bool seen = std::any_of(victims, victims + n, [&](const entry_ref& v) { return v.index == idx; });
            const bool exp = expired(e, now);
            if (!seen && (exp || !(load_relaxed16(e.status) & ips_assured))) {
                victims[n] = {idx, e.generation};
                is_expired[n++] = exp;
            }
            node = e.next[node & 1];
        }
        unlock_shard(b);
        uint64_t drops = 0;
        for (uint32_t k = 0; k < n; ++k) {
            // Expired entries are reaped on the way but do not count as early drops.
            if (kill(victims[k]) && !is_expired[k]) ++drops;
        }
        if (drops) {
            stat(counter::early_drop, drops);
            return true;
        }
    }
    return false;
}

// ---- lookup and the packet path -----------------------------------------------------------

bool tracker::find(const tuple& t, uint32_t now, entry_ref& ref, direction& dir) {
    const uint32_t b = bucket_of(t);
    entry_ref stale[4];
    uint32_t nstale = 0;
    bool found = false;
    uint32_t shared;
    std::memcpy(&shared, &t.l3, sizeof shared);  // l3, l4 and zone, compared at once
    lock_shard(b);
    for (uint32_t node = buckets_[b]; node != nil;) {
        const uint32_t idx = node >> 1;
        const uint32_t d = node & 1;
        const entry& e = entries_[idx];
        const uint32_t es = uint32_t{e.l3} | uint32_t{e.l4} << 8 | uint32_t{e.zone} << 16;
        if (es == shared && e.ends[d] == t.ends) {
            if (!expired(e, now)) {
                ref = {idx, e.generation};
                dir = static_cast<direction>(d);
                found = true;
                break;
            }
            if (nstale < std::size(stale)) stale[nstale++] = {idx, e.generation};
        }
        node = e.next[d];
    }
    unlock_shard(b);
    for (uint32_t k = 0; k < nstale; ++k) kill(stale[k]);
    return found;
}

bool tracker::prepare(const packet::packet_view& pkt, const in_context& ctx, tuple& t, ct_result& r) {
    r = ct_result{};
    if (ctx.notrack) {
        r.info = ctinfo::untracked;
        return false;
    }
    uint8_t l3;
    if (pkt.network() == packet::network_protocol::ipv4) l3 = l3_ipv4;
    else if (pkt.network() == packet::network_protocol::ipv6) l3 = l3_ipv6;
    else return false;  // not IP: conntrack never sees it
    uint8_t l4;
    uint32_t l4_offset;
    if (packet::network_invalid(pkt.status()) || !pkt.has_l4proto() ||
        (pkt.is_fragment() && pkt.fragment_offset() != 0) || !ct_l4(pkt, l4, l4_offset)) {
        stat(counter::invalid);
        return false;
    }
    if ((l4 == proto_icmp && l3 == l3_ipv4) || (l4 == proto_icmpv6 && l3 == l3_ipv6)) {
        switch (icmp_classify(pkt, cfg_, ctx.hook)) {
        case icmp_class::bad: stat(counter::error); return false;
        case icmp_class::untracked: r.info = ctinfo::untracked; return false;
        case icmp_class::error: {
            tuple outer;
            if (!build_tuple(pkt, l3, pkt.network_offset(), l4, l4_offset, ctx.zone, outer)) {
                stat(counter::error);
                return false;
            }
            r = classify_error(pkt, ctx, now_ms(ctx.now_ns), outer);
            return false;
        }
        case icmp_class::normal: break;
        }
    }
    if (!build_tuple(pkt, l3, pkt.network_offset(), l4, l4_offset, ctx.zone, t)) {
        stat(counter::invalid);
        return false;
    }
    return true;
}

ct_result tracker::track(const packet::packet_view& pkt, const in_context& ctx, const tuple& t) {
    const uint32_t now = now_ms(ctx.now_ns);
    ct_result r;
    for (uint32_t attempt = 0; attempt < max_repeats; ++attempt) {
        entry_ref ref;
        direction dir;
        if (!find(t, now, ref, dir)) return track_new(pkt, ctx, now, t);
        bool repeat = false;
        r = track_existing(pkt, ctx, now, ref, dir, repeat);
        if (!repeat) return r;
    }
    r = ct_result{};
    stat(counter::drop);
    r.drop = true;
    return r;
}

ct_result tracker::in(const packet::packet_view& pkt, const in_context& ctx) {
    tuple t;
    ct_result r;
    if (!prepare(pkt, ctx, t, r)) return r;
    return track(pkt, ctx, t);
}

void tracker::prefetch(std::span<const packet::packet_view* const> packets, std::span<const in_context> contexts) {
    constexpr size_t chunk = 32;
    const size_t n = std::min(packets.size(), contexts.size());
    auto prefetch_entry = [&](uint32_t node) {
        const char* e = reinterpret_cast<const char*>(&entries_[node >> 1]);
        __builtin_prefetch(e);
        __builtin_prefetch(e + 64);
        __builtin_prefetch(e + 128);
    };
    for (size_t base = 0; base < n; base += chunk) {
        const size_t m = std::min(chunk, n - base);
        tuple tuples[chunk];
        uint32_t nodes[chunk];
        // Passes over the chunk, so that the bucket and entry misses of all its packets
        // overlap. The chains are read without their locks: the nodes are hints for
        // prefetching only, checked against the slot count; in() walks the chains properly.
        for (size_t k = 0; k < m; ++k) {
            nodes[k] = nil;
            if (!peek_tuple(*packets[base + k], contexts[base + k], tuples[k])) continue;
            nodes[k] = bucket_of(tuples[k]);
            __builtin_prefetch(&buckets_[nodes[k]]);
        }
        for (size_t k = 0; k < m; ++k) {
            if (nodes[k] == nil) continue;
            nodes[k] = __atomic_load_n(&buckets_[nodes[k]], __ATOMIC_RELAXED);
            if (nodes[k] < 2 * capacity_) prefetch_entry(nodes[k]);
        }
        for (size_t k = 0; k < m; ++k) {
            if (nodes[k] >= 2 * capacity_) continue;
            const entry& e = entries_[nodes[k] >> 1];
            if (e.ends[nodes[k] & 1] == tuples[k].ends) continue;
            const uint32_t next = __atomic_load_n(&e.next[nodes[k] & 1], __ATOMIC_RELAXED);
            if (next < 2 * capacity_) prefetch_entry(next);
        }
    }
}

bool tracker::peek_tuple(const packet::packet_view& pkt, const in_context& ctx, tuple& t) const {
    if (ctx.notrack || pkt.is_fragment() || !pkt.has_l4proto()) return false;
    const uint8_t l3 = pkt.network() == packet::network_protocol::ipv4   ? l3_ipv4
                       : pkt.network() == packet::network_protocol::ipv6 ? l3_ipv6
                                                                         : 0;
    uint8_t l4;
    uint32_t l4_offset;
    return l3 != 0 && ct_l4(pkt, l4, l4_offset) && build_tuple(pkt, l3, pkt.network_offset(), l4, l4_offset, ctx.zone, t);
}

ct_result tracker::classify_error(const packet::packet_view& pkt, const in_context& ctx, uint32_t now,
                                  const tuple& outer) {
    ct_result r;
    tuple inner, inverted;
    entry_ref ref;
    direction dir;
    if (!icmp_inner_tuple(pkt, ctx.zone, inner) || !invert(inner, inverted) || !find(inverted, now, ref, dir)) {
        stat(counter::error);
        return r;
    }
    entry& e = entries_[ref.index];
    lock_entry(e);
    // Anti-spoofing: the error must be addressed to the host that sent the quoted packet.
    const bool same = e.generation == ref.generation &&
                      std::memcmp(e.ends[static_cast<int>(dir)].dst.data(), outer.ends.dst.data(), 16) == 0;
    unlock_entry(e);
    if (!same) {
        stat(counter::error);
        return r;
    }
    r.entry = ref;
    r.info = dir == direction::reply ? ctinfo::related_reply : ctinfo::related;
    return r;
}

ct_result tracker::track_existing(const packet::packet_view& pkt, const in_context& ctx, uint32_t now,
                                  entry_ref ref, direction dir, bool& repeat) {
    ct_result r;
    entry& e = entries_[ref.index];
    lock_entry(e);
    if (e.generation != ref.generation || load_slot(e.slot) != slot_state::confirmed) {
        unlock_entry(e);  // deleted since the lookup: look again
        stat(counter::search_restart);
        repeat = true;
        return r;
    }
    ctinfo info;
    if (dir == direction::reply) info = ctinfo::established_reply;
    else if (e.status & ips_seen_reply) info = ctinfo::established;
    else if (e.status & ips_expected) info = ctinfo::related;
    else info = ctinfo::new_;
    proto_context c{cfg_, pkt, ctx.hook, dir, info, now, true};
    const proto_verdict v = dispatch(e, c, false);
    if (v != proto_verdict::accept) {
        unlock_entry(e);
        if (v == proto_verdict::repeat) {
            kill(ref);
            repeat = true;
        } else {
            stat(counter::invalid);
        }
        return r;
    }
    if (c.refresh || c.kill) {
        if (c.refresh) timeout_set(e, now, c.timeout_s);
        account(ref.index, dir, pkt.network_length());
    }
    if (info == ctinfo::established_reply && !(e.status & ips_seen_reply)) add_status(e, ips_seen_reply);
    unlock_entry(e);
    r.entry = ref;
    r.info = info;
    // The entry is deleted now but this packet still carries it, as an skb holds its ct.
    if (c.kill) r.owns_dying = kill(ref, false);
    return r;
}

ct_result tracker::track_new(const packet::packet_view& pkt, const in_context& ctx, uint32_t now, const tuple& t) {
    ct_result r;
    tuple reply;
    if (!invert(t, reply)) {
        stat(counter::invalid);
        return r;
    }
    const uint32_t idx = allocate(bucket_of(t), now);
    if (idx == nil) {
        stat(counter::drop);
        r.drop = true;
        return r;
    }
    entry& e = entries_[idx];
    // Under its lock although private: a stale handle's kill() may still read the tuples.
    lock_entry(e);
    e.ends[0] = t.ends;
    e.ends[1] = reply.ends;
    set_link(e.next[0], nil);
    set_link(e.next[1], nil);
    set_expires(e, 0);
    e.mark = 0;
    e.master = nil;
    e.zone = t.zone;
    __atomic_store_n(&e.status, uint16_t{0}, __ATOMIC_RELAXED);
    e.l3 = t.l3;
    e.l4 = t.l4;
    e.labels = {};
    e.proto.tcp = tcp_track{};
    unlock_entry(e);
    if (acct_) acct_[idx] = acct_ext{};
    if (observer_ || expect_) {
        const entry_ref master = observer_ ? observer_->expect(t, {idx, e.generation}, ctx.now_ns) : expect_(t, ctx.now_ns);
        if (master.valid() && master.index < capacity_) {
            entry& m = entries_[master.index];
            lock_entry(m);
            if (m.generation == master.generation && load_slot(m.slot) == slot_state::confirmed) {
                add_status(e, ips_expected);
                e.master = master.index;
                e.mark = m.mark;  // copied once; later changes on either side stay apart
            }
            unlock_entry(m);
        }
    }
    const ctinfo info = (e.status & ips_expected) ? ctinfo::related : ctinfo::new_;
    proto_context c{cfg_, pkt, ctx.hook, direction::original, info, now, false};
    if (dispatch(e, c, true) != proto_verdict::accept || c.kill) {
        store_slot(e.slot, slot_state::unconfirmed);
        release(idx);
        stat(counter::invalid);
        return r;
    }
    if (c.refresh) {
        timeout_set(e, now, c.timeout_s);
        account(idx, direction::original, pkt.network_length());
    }
    store_slot(e.slot, slot_state::unconfirmed);
    r.entry = {idx, e.generation};
    r.info = info;
    r.unconfirmed = true;
    // Amortised expiry: a bucket per four new connections (the daemon's timer does the rest).
    if ((idx & 3) == 0) gc(ctx.now_ns, 1);
    // The reply tuple's bucket is needed at confirmation, after the rules ran.
    __builtin_prefetch(&buckets_[bucket_of(reply)]);
    return r;
}

// ---- confirmation -------------------------------------------------------------------------

bool tracker::confirm(ct_result& r, uint64_t now_ns) {
    if (r.owns_dying) {
        release(r.entry.index);
        r.owns_dying = false;
        return true;
    }
    if (!r.unconfirmed) return true;
    const uint32_t idx = r.entry.index;
    entry& e = entries_[idx];
    const uint32_t now = now_ms(now_ns);
    const tuple t0 = tuple_of(e, direction::original), t1 = tuple_of(e, direction::reply);
    const uint32_t b0 = bucket_of(t0), b1 = bucket_of(t1);
    lock_buckets(b0, b1);
    uint32_t clash = nil, len0 = 0, len1 = 0;
    bool orig_clash = false, reply_clash = false;
    for (uint32_t node = buckets_[b0]; node != nil; node = entries_[node >> 1].next[node & 1]) {
        ++len0;
        const entry& o = entries_[node >> 1];
        if (clash == nil && o.ends[node & 1] == t0.ends && o.l3 == t0.l3 && o.l4 == t0.l4 && o.zone == t0.zone &&
            !expired(o, now)) {
            clash = node;
            orig_clash = true;
        }
    }
    for (uint32_t node = buckets_[b1]; node != nil; node = entries_[node >> 1].next[node & 1]) {
        ++len1;
        const entry& o = entries_[node >> 1];
        if (o.ends[node & 1] == t1.ends && o.l3 == t1.l3 && o.l4 == t1.l4 && o.zone == t1.zone && !expired(o, now)) {
            reply_clash = true;
            if (clash == nil) clash = node;
        }
    }
    auto fail = [&](bool too_long) {
        unlock_buckets(b0, b1);
        if (too_long) stat(counter::chaintoolong);
        stat(counter::insert_failed);
        stat(counter::drop);
        release(idx);
        r = ct_result{};
        r.drop = true;
        return false;
    };
    if (len0 >= max_chain_ || len1 >= max_chain_) return fail(true);
    if (clash != nil) {
        if (!allows_clash(e.l4)) return fail(false);
        const uint32_t widx = clash >> 1;
        entry& w = entries_[widx];
        if (load_slot(w.slot) != slot_state::confirmed) return fail(false);
        if (!(w.status & (ips_src_nat_done | ips_dst_nat_done)) || (w.ends[0] == e.ends[0] && w.ends[1] == e.ends[1])) {
            // The same flow won the race: this packet joins it, bringing its bytes along.
            lock_entry(w);
            const entry_ref winner{widx, w.generation};
            if (acct_ && cfg_.acct) {
                const int d = static_cast<int>(r.dir());
                acct_[widx].bytes[d] += acct_[idx].bytes[d];
            }
            unlock_entry(w);
            unlock_buckets(b0, b1);
            release(idx);
            stat(counter::clash_resolve);
            r.entry = winner;
            r.unconfirmed = false;
            return true;
        }
        if (orig_clash && !reply_clash) {
            // Reachable only through its reply tuple, for a second, never ASSURED.
            add_status(e, ips_confirmed | ips_fixed_timeout | ips_nat_clash);
            store_relaxed(e.expires, now + 1000);
            set_link(e.next[1], buckets_[b1]);
            set_link(buckets_[b1], idx * 2 + 1);
            store_slot(e.slot, slot_state::confirmed);
            unlock_buckets(b0, b1);
            stat(counter::clash_resolve);
            r.unconfirmed = false;
            return true;
        }
        return fail(false);
    }
    lock_entry(e);
    add_status(e, ips_confirmed);
    if (!(e.status & ips_fixed_timeout)) store_relaxed(e.expires, now + e.expires);
    if (acct_) acct_[idx].start_ns = now_ns;
    store_slot(e.slot, slot_state::confirmed);
    unlock_entry(e);
    set_link(e.next[0], buckets_[b0]);
    set_link(buckets_[b0], idx * 2);
    set_link(e.next[1], buckets_[b1]);
    set_link(buckets_[b1], idx * 2 + 1);
    unlock_buckets(b0, b1);
    r.unconfirmed = false;
    return true;
}

void tracker::discard(ct_result& r) {
    if (r.unconfirmed || r.owns_dying) release(r.entry.index);
    r = ct_result{};
}

ct_result tracker::related_to(const ct_result& offending) const {
    ct_result r;
    if (!offending.entry.valid()) return r;
    r.entry = offending.entry;
    r.info = is_reply(offending.info) ? ctinfo::related : ctinfo::related_reply;
    return r;
}

void tracker::tcp_reset_sent(const ct_result& offending, uint64_t now_ns) {
    if (!offending.entry.valid() || offending.unconfirmed) return;
    entry& e = entries_[offending.entry.index];
    lock_entry(e);
    if (e.generation == offending.entry.generation && load_slot(e.slot) == slot_state::confirmed &&
        e.l4 == proto_tcp) {
        // nf_conntrack_tcp_set_closing: an entry already in CLOSE keeps its timer.
        const bool was_closed = e.proto.tcp.state == static_cast<uint8_t>(tcp_state::close);
        set_tcp_state(e, static_cast<uint8_t>(tcp_state::close));
        if (!was_closed) timeout_set(e, now_ms(now_ns), cfg_.tcp_timeout_close);
    }
    unlock_entry(e);
}

// ---- expiry, listing, management ----------------------------------------------------------

size_t tracker::gc(uint64_t now_ns, uint32_t buckets) {
    const uint32_t now = now_ms(now_ns);
    const uint64_t max95 = uint64_t{cfg_.max} * 95 / 100;
    bool evict = gc_early_drop_.load(std::memory_order_relaxed);
    if (evict && count() < max95) {
        gc_early_drop_.store(false, std::memory_order_relaxed);
        evict = false;
    }
    size_t removed = 0;
    buckets = std::min(buckets, bucket_count());
    for (uint32_t i = 0; i < buckets; ++i) {
        const uint32_t b = gc_cursor_.fetch_add(1, std::memory_order_relaxed) & bucket_mask_;
        entry_ref victims[stale_per_scan];
        uint32_t n = 0;
        lock_shard(b);
        for (uint32_t node = buckets_[b]; node != nil && n < stale_per_scan;) {
            const entry& e = entries_[node >> 1];
            const uint16_t status = load_relaxed16(e.status);
            // Each entry is judged at its original node (clash losers have only a reply node).
            const bool home = (node & 1) == 0 || (status & ips_nat_clash);
            if (home && (expired(e, now) ||
                         (evict && (!(status & ips_assured) || (e.l4 == proto_tcp && tcp_can_early_drop(e))))))
                victims[n++] = {node >> 1, e.generation};
            node = e.next[node & 1];
        }
        unlock_shard(b);
        for (uint32_t k = 0; k < n; ++k) removed += kill(victims[k]) ? 1 : 0;
        if (n == stale_per_scan) gc_cursor_.fetch_sub(1, std::memory_order_relaxed);  // more may remain here
    }
    return removed;
}

void tracker::fill_info(const entry& e, uint32_t index, uint32_t now, entry_info& out) const {
    out.ref = {index, e.generation};
    out.orig = tuple_of(e, direction::original);
    out.reply = tuple_of(e, direction::reply);
    out.status = e.status;
    out.mark = e.mark;
    out.labels = e.labels;
    out.zone = e.zone;
    out.id = entry_id(e, index);
    out.use = 1;
    out.timeout_ms = (e.status & ips_confirmed) ? std::max<int32_t>(0, static_cast<int32_t>(e.expires - now))
                                                : int64_t{e.expires};
    out.tcp = e.l4 == proto_tcp ? static_cast<tcp_state>(e.proto.tcp.state) : tcp_state::none;
    out.master = e.master;
    out.helper = nullptr;
    if (observer_) observer_->describe(index, out);
    out.has_acct = cfg_.acct && acct_;
    out.has_timestamp = cfg_.timestamp && acct_;
    if (acct_) {
        const acct_ext& a = acct_[index];
        for (int d = 0; d < 2; ++d) {
            out.packets[d] = a.packets[d];
            out.bytes[d] = a.bytes[d];
        }
        out.start_ns = a.start_ns;
    }
}

bool tracker::info(entry_ref ref, uint64_t now_ns, entry_info& out) const {
    if (!ref.valid() || ref.index >= capacity_) return false;
    entry& e = entries_[ref.index];
    lock_entry(e);
    const bool ok = e.generation == ref.generation && load_slot(e.slot) != slot_state::free;
    if (ok) fill_info(e, ref.index, now_ms(now_ns), out);
    unlock_entry(e);
    return ok;
}

void tracker::for_each(uint64_t now_ns, const std::function<bool(const entry_info&)>& fn) {
    const uint32_t now = now_ms(now_ns);
    std::vector<entry_info> batch;
    std::vector<entry_ref> stale;
    for (uint32_t b = 0; b <= bucket_mask_; ++b) {
        batch.clear();
        stale.clear();
        lock_shard(b);
        for (uint32_t node = buckets_[b]; node != nil;) {
            entry& e = entries_[node >> 1];
            if ((node & 1) == 0) {
                if (expired(e, now)) {
                    stale.push_back({node >> 1, e.generation});
                } else {
                    lock_entry(e);
                    fill_info(e, node >> 1, now, batch.emplace_back());
                    unlock_entry(e);
                }
            }
            node = e.next[node & 1];
        }
        unlock_shard(b);
        for (const entry_ref& s : stale) kill(s);
        for (const entry_info& i : batch)
            if (!fn(i)) return;
    }
}

bool tracker::remove(entry_ref ref) { return ref.valid() && ref.index < capacity_ && kill(ref); }

bool tracker::set_mark(entry_ref ref, uint32_t mark) {
    if (!ref.valid() || ref.index >= capacity_) return false;
    entry& e = entries_[ref.index];
    lock_entry(e);
    const bool ok = e.generation == ref.generation && load_slot(e.slot) == slot_state::confirmed;
    if (ok) e.mark = mark;
    unlock_entry(e);
    return ok;
}

void tracker::flush() {
    std::vector<entry_ref> all;
    for (uint32_t b = 0; b <= bucket_mask_; ++b) {
        all.clear();
        lock_shard(b);
        for (uint32_t node = buckets_[b]; node != nil; node = entries_[node >> 1].next[node & 1]) {
            const entry& e = entries_[node >> 1];
            if ((node & 1) == 0 || (e.status & ips_nat_clash)) all.push_back({node >> 1, e.generation});
        }
        unlock_shard(b);
        for (const entry_ref& r : all) kill(r);
    }
}

}  // namespace nfqwall::conntrack

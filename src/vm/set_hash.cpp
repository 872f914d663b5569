// Exact-key sets and maps: one flat open-addressing table allocated at build time.
//
// Robin Hood linear probing at a load factor of at most 1/2 (the table has the next power
// of two above twice the capacity): an entry never sits farther from its home slot than the
// entry it passed, so a miss stops at the first entry closer to its own home, and probe
// lengths stay short and even. Deletion shifts the following entries back one slot instead
// of leaving tombstones, so churn never lengthens probes. The hash is seeded per set from
// the system's random source, so an attacker choosing keys cannot aim at one slot.
//
// A slot holds the key inline (one cache miss per lookup on a large set): a record number
// (empty_slot when free), the 32-bit hash, the expiry when the set has timeouts, then the
// key padded to 8 bytes. The element's payload (data, verdict, states) lives in
// element_records under that number, which never moves while the entry shifts around.
#include <sys/random.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>

#include "vm/set_store_impl.hpp"

namespace nfqwall::vm::detail {

namespace {

constexpr uint32_t empty_slot = UINT32_MAX;
constexpr uint32_t no_slot = UINT32_MAX;
constexpr size_t not_found = SIZE_MAX;
// Records a mutation examines for expired elements to reclaim, and how many more an
// insertion into a full set examines before it reports `full`: bounded work per packet.
constexpr uint32_t reclaim_per_call = 2;
constexpr uint32_t reclaim_when_full = 64;
constexpr size_t max_key_bytes = 64;
constexpr size_t max_stride = 16 + max_key_bytes;

uint64_t load64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
uint32_t load32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
void store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }
// Slots are whole 8-byte words: a word loop beats a memcpy call of unknown size.
void copy_slot(uint8_t* to, const uint8_t* from, size_t stride) {
    for (size_t i = 0; i < stride; i += 8) std::memcpy(to + i, from + i, 8);
}
void store64(uint8_t* p, uint64_t v) { std::memcpy(p, &v, sizeof v); }

// The high and low halves of the 128-bit product folded together: one multiplication
// mixes every input bit into every output bit.
uint64_t fold_multiply(uint64_t a, uint64_t b) {
    const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

uint32_t hash_key(const uint8_t* p, size_t n, uint64_t seed) {
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ull);
    for (; n >= 8; p += 8, n -= 8) h = fold_multiply(h ^ load64(p), 0xa0761d6478bd642full);
    uint64_t tail = 0;
    if (n >= 4) {
        tail = uint64_t{load32(p)} << 32 | load32(p + n - 4);
    } else {
        for (size_t i = 0; i < n; ++i) tail = tail << 8 | p[i];
    }
    h = fold_multiply(h ^ tail, 0xe7037ed1a0b428dbull);
    return static_cast<uint32_t>(h ^ (h >> 32));
}

bool keys_equal(const uint8_t* a, const uint8_t* b, size_t n) {
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        if (load64(a) != load64(b)) return false;
    }
    if (n >= 4) {
        if (load32(a) != load32(b) || load32(a + n - 4) != load32(b + n - 4)) return false;
        return true;
    }
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) return false;
    }
    return true;
}

uint64_t random_seed(const void* salt) {
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof seed)) {
        // Early boot without entropy: still different per process and per set.
        seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               reinterpret_cast<uintptr_t>(salt);
    }
    return seed;
}

bool has_timeouts(const set_description& d, std::span<const element_init> elements) {
    if (d.has_timeouts || d.default_timeout_ns != 0) return true;
    return std::any_of(elements.begin(), elements.end(),
                       [](const element_init& e) { return e.timeout_ns != 0 || e.expires_ns != 0; });
}

class hash_set final : public set_store {
public:
    hash_set(const set_description& d, bool timeouts)
        : set_store(d),
          key_bytes_(d.key_bytes),
          key_offset_(timeouts ? 16 : 8),
          stride_(key_offset_ + (d.key_bytes + 7) / 8 * 8),
          timeouts_(timeouts),
          capacity_(d.capacity),
          seed_(random_seed(this)),
          free_records_(d.capacity),
          slot_of_record_(d.capacity, no_slot),
          records_(d, d.capacity + 1) {
        const size_t slots = std::bit_ceil(std::max<size_t>(size_t{capacity_} * 2, 8));
        mask_ = slots - 1;
        slots_.resize(slots * stride_ / sizeof(uint64_t));
        for (size_t pos = 0; pos < slots; ++pos) store32(slot(pos), empty_slot);
        // A stack popped from its end: records are handed out 0, 1, 2... so the reclaim
        // order below, and with it every result, does not depend on the hash seed.
        for (uint32_t i = 0; i < capacity_; ++i) free_records_[i] = capacity_ - 1 - i;
        free_top_ = capacity_;
    }

    void insert_initial(const element_init& e, uint64_t now_ns) {
        const element_timing t = timing_of(description_, e, now_ns);
        if (e.catchall) {
            if (catchall_.present) return;
            records_.assign(capacity_, e, t.timeout_ns);
            catchall_ = {true, t.expires_ns, capacity_};
            return;
        }
        const uint32_t h = hash_key(e.low.data(), key_bytes_, seed_);
        if (find(e.low.data(), h) != not_found) return;
        const uint32_t record = take_record();
        records_.assign(record, e, t.timeout_ns);
        place(e.low.data(), h, record, timeouts_ ? t.expires_ns : never_expires);
    }

    bool lookup(std::span<const uint8_t> key, uint64_t now_ns, element_view& out) override {
        if (key.size() != key_bytes_) return false;
        const size_t pos = find(key.data(), hash_key(key.data(), key_bytes_, seed_));
        if (pos != not_found) {
            const uint8_t* s = slot(pos);
            if (!timeouts_ || !expired(expires_at(s), now_ns)) {
                out = records_.view(load32(s));
                return true;
            }
            erase_at(pos);
        }
        if (!catchall_.live(now_ns)) return false;
        out = records_.view(catchall_.record);
        return true;
    }

    update_result add(std::span<const uint8_t> key, std::span<const uint8_t> data, uint64_t timeout_ns,
                      uint64_t now_ns, element_view* out, std::span<const element_template> stmts) override {
        return insert(key, data, timeout_ns, now_ns, out, false, stmts);
    }

    update_result update(std::span<const uint8_t> key, std::span<const uint8_t> data, uint64_t timeout_ns,
                         uint64_t now_ns, element_view* out, std::span<const element_template> stmts) override {
        return insert(key, data, timeout_ns, now_ns, out, true, stmts);
    }

    update_result remove(std::span<const uint8_t> key, uint64_t now_ns) override {
        if (key.size() != key_bytes_) return update_result::absent;
        reclaim(reclaim_per_call, now_ns);
        const size_t pos = find(key.data(), hash_key(key.data(), key_bytes_, seed_));
        if (pos == not_found) return update_result::absent;
        const bool was_live = !timeouts_ || !expired(expires_at(slot(pos)), now_ns);
        erase_at(pos);
        return was_live ? update_result::removed : update_result::absent;
    }

    size_t size(uint64_t now_ns) const override {
        size_t live = 0;
        for (uint32_t pos : slot_of_record_) {
            if (pos != no_slot && (!timeouts_ || !expired(expires_at(slot(pos)), now_ns))) ++live;
        }
        return live;
    }

private:
    uint8_t* slot(size_t pos) { return reinterpret_cast<uint8_t*>(slots_.data()) + pos * stride_; }
    const uint8_t* slot(size_t pos) const { return reinterpret_cast<const uint8_t*>(slots_.data()) + pos * stride_; }
    static uint32_t hash_at(const uint8_t* s) { return load32(s + 4); }
    uint64_t expires_at(const uint8_t* s) const { return load64(s + 8); }
    size_t distance(size_t pos, uint32_t hash) const { return (pos - hash) & mask_; }

    size_t find(const uint8_t* key, uint32_t h) const {
        size_t pos = h & mask_;
        for (size_t d = 0; d <= max_distance_; ++d, pos = (pos + 1) & mask_) {
            const uint8_t* s = slot(pos);
            if (load32(s) == empty_slot) return not_found;
            const uint32_t other = hash_at(s);
            if (other == h && keys_equal(s + key_offset_, key, key_bytes_)) return pos;
            if (distance(pos, other) < d) return not_found;
        }
        return not_found;
    }

    uint32_t take_record() {
        ++count_;
        return free_records_[--free_top_];
    }

    // Robin Hood insertion of a key known to be absent: take the slot of any entry nearer
    // its home than we are from ours, and carry that entry on.
    void place(const uint8_t* key, uint32_t h, uint32_t record, uint64_t expires_ns) {
        alignas(8) uint8_t carried[max_stride];
        alignas(8) uint8_t swap[max_stride];
        store32(carried, record);
        store32(carried + 4, h);
        if (timeouts_) store64(carried + 8, expires_ns);
        store64(carried + stride_ - 8, 0);  // the key's padding
        std::memcpy(carried + key_offset_, key, key_bytes_);
        size_t pos = h & mask_;
        for (size_t d = 0;; ++d, pos = (pos + 1) & mask_) {
            uint8_t* s = slot(pos);
            const bool empty = load32(s) == empty_slot;
            const size_t other = empty ? 0 : distance(pos, hash_at(s));
            if (!empty && other >= d) continue;
            if (!empty) copy_slot(swap, s, stride_);
            copy_slot(s, carried, stride_);
            slot_of_record_[load32(s)] = static_cast<uint32_t>(pos);
            max_distance_ = std::max(max_distance_, d);
            if (empty) return;
            copy_slot(carried, swap, stride_);
            d = other;
        }
    }

    // Backward-shift deletion: pull each following displaced entry one slot nearer home.
    void erase_at(size_t pos) {
        const uint32_t record = load32(slot(pos));
        slot_of_record_[record] = no_slot;
        free_records_[free_top_++] = record;
        --count_;
        for (size_t next = (pos + 1) & mask_;; pos = next, next = (next + 1) & mask_) {
            const uint8_t* n = slot(next);
            if (load32(n) == empty_slot || distance(next, hash_at(n)) == 0) break;
            copy_slot(slot(pos), n, stride_);
            slot_of_record_[load32(n)] = static_cast<uint32_t>(pos);
        }
        store32(slot(pos), empty_slot);
    }

    // Examines the next `budget` records in turn and frees those expired.
    void reclaim(uint32_t budget, uint64_t now_ns) {
        if (!timeouts_ || capacity_ == 0) return;
        for (uint32_t i = 0; i < budget && count_ != 0; ++i) {
            const uint32_t record = reclaim_cursor_;
            reclaim_cursor_ = reclaim_cursor_ + 1 == capacity_ ? 0 : reclaim_cursor_ + 1;
            const uint32_t pos = slot_of_record_[record];
            if (pos != no_slot && expired(expires_at(slot(pos)), now_ns)) erase_at(pos);
        }
    }

    update_result insert(std::span<const uint8_t> key, std::span<const uint8_t> data, uint64_t timeout_ns,
                         uint64_t now_ns, element_view* out, bool refresh, std::span<const element_template> stmts) {
        if (key.size() != key_bytes_) return update_result::full;
        reclaim(reclaim_per_call, now_ns);
        // nft_dynset_new: the statement's timeout, else the set's.
        const uint64_t timeout = !timeouts_ ? 0 : timeout_ns != 0 ? timeout_ns : description_.default_timeout_ns;
        const uint32_t h = hash_key(key.data(), key_bytes_, seed_);
        const size_t pos = find(key.data(), h);
        if (pos != not_found) {
            uint8_t* s = slot(pos);
            const uint32_t record = load32(s);
            update_result result = update_result::existed;
            if (timeouts_ && expired(expires_at(s), now_ns)) {
                // The old element is gone; a new one takes its place, with fresh states.
                records_.assign_dynamic(record, data, timeout, stmts);
                store64(s + 8, expiry_after(now_ns, timeout));
                result = update_result::added;
            } else if (refresh && timeouts_ && records_.timeout(record) != 0) {
                // nft_dynset_eval: now plus the statement's or the set's timeout (an element
                // that has its own timeout but neither of those expires at once).
                store64(s + 8, timeout != 0 ? expiry_after(now_ns, timeout) : now_ns);
                result = update_result::refreshed;
            }
            if (out != nullptr) *out = records_.view(record);
            return result;
        }
        if (count_ >= capacity_) {
            reclaim(reclaim_when_full, now_ns);
            if (count_ >= capacity_) return update_result::full;
        }
        const uint32_t record = take_record();
        records_.assign_dynamic(record, data, timeout, stmts);
        place(key.data(), h, record, expiry_after(now_ns, timeout));
        if (out != nullptr) *out = records_.view(record);
        return update_result::added;
    }

    const uint32_t key_bytes_;
    const uint32_t key_offset_;
    const size_t stride_;
    const bool timeouts_;
    const uint32_t capacity_;
    const uint64_t seed_;
    size_t mask_ = 0;
    size_t max_distance_ = 0;  // the farthest any entry was ever placed: a bound on probes
    std::vector<uint64_t> slots_;
    uint32_t count_ = 0;       // records in use, expired ones included until reclaimed
    std::vector<uint32_t> free_records_;
    uint32_t free_top_ = 0;
    std::vector<uint32_t> slot_of_record_;
    uint32_t reclaim_cursor_ = 0;
    element_records records_;  // capacity_ + 1: the last is the catch-all's
    catchall_element catchall_;
};

}  // namespace

std::unique_ptr<set_store> make_hash_set(const set_description& d, std::span<const element_init> elements,
                                         uint64_t now_ns) {
    auto set = std::make_unique<hash_set>(d, has_timeouts(d, elements));
    for (const element_init& e : elements) set->insert_initial(e, now_ns);
    return set;
}

}  // namespace nfqwall::vm::detail

// nfqwall's connection tracker: the kernel's nf_conntrack (net/netfilter/nf_conntrack_core.c
// and the TCP, UDP, ICMP/ICMPv6 and generic protocol trackers) over a bounded, preallocated
// table. ../shared/docs/conntrack.md is the behaviour it follows; docs/conntrack.md has the
// design and each difference from the kernel.
//
// Per packet: in() at the conntrack hook (prerouting or output, priority -200) classifies the
// packet and moves a confirmed entry's state at once; a first packet gets an unconfirmed entry
// of its own. Exactly one of confirm() (the packet left through postrouting or input
// accepted) or discard() (it was dropped) ends the packet's hold on the result. Nothing on
// that path allocates or throws. In the default threading::shared mode threads may call every
// method concurrently: buckets are guarded by sharded spinlocks and each entry by its own, so
// there is no global lock.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "conntrack/config.hpp"
#include "conntrack/tuple.hpp"
#include "packet/packet.hpp"

namespace nfqwall::conntrack {

// enum ip_conntrack_info, plus `invalid` for a packet that leaves with no entry.
enum class ctinfo : uint8_t {
    established = 0,
    related = 1,
    new_ = 2,
    established_reply = 3,
    related_reply = 4,
    untracked = 7,
    invalid = 255,
};
// nft's `ct state` bits: invalid 1, established 2, related 4, new 8, untracked 64.
uint32_t ct_state_bits(ctinfo info);
inline bool is_reply(ctinfo info) { return info == ctinfo::established_reply || info == ctinfo::related_reply; }

// IPS_* status bits (include/uapi/linux/netfilter/nf_conntrack_common.h).
enum status_bit : uint32_t {
    ips_expected = 1u << 0,
    ips_seen_reply = 1u << 1,
    ips_assured = 1u << 2,
    ips_confirmed = 1u << 3,
    ips_src_nat = 1u << 4,
    ips_dst_nat = 1u << 5,
    ips_seq_adjust = 1u << 6,
    ips_src_nat_done = 1u << 7,
    ips_dst_nat_done = 1u << 8,
    ips_dying = 1u << 9,
    ips_fixed_timeout = 1u << 10,
    ips_template = 1u << 11,
    ips_nat_clash = 1u << 12,
    ips_helper = 1u << 13,
    ips_offload = 1u << 14,
    ips_hw_offload = 1u << 15,
};

// enum tcp_conntrack.
enum class tcp_state : uint8_t {
    none, syn_sent, syn_recv, established, fin_wait, close_wait, last_ack, time_wait, close, syn_sent2,
};
const char* to_string(tcp_state s);

// The conntrack hooks: checksums are verified only at prerouting (locally generated packets
// are trusted), as the kernel does.
enum class hook_point : uint8_t { prerouting, output };

struct in_context {
    uint64_t now_ns = 0;  // a monotonic clock; the tracker never reads one itself
    uint16_t zone = 0;    // `ct zone set` in a raw chain, applied before the lookup
    hook_point hook = hook_point::prerouting;
    bool notrack = false;  // `notrack` ran before the conntrack hook
};

inline constexpr uint32_t no_entry = UINT32_MAX;

// An entry as one packet holds it. Handles name a slot and its generation, so a handle that
// outlives its entry (deleted by GC or another thread) is recognised and refused.
struct entry_ref {
    uint32_t index = no_entry;
    uint32_t generation = 0;
    bool valid() const { return index != no_entry; }
};

struct ct_result {
    entry_ref entry;
    ctinfo info = ctinfo::invalid;
    bool unconfirmed = false;  // the packet created the entry; confirm() or discard() decides
    bool drop = false;         // conntrack itself drops the packet (table full, lost clash)
    // The packet's handling killed the entry (a reply-less RST); the slot is freed on release.
    bool owns_dying = false;
    direction dir() const { return is_reply(info) ? direction::reply : direction::original; }
};

// conntrack -S counters (§5.4 of the reference for their modern meanings).
struct statistics {
    uint64_t found = 0, invalid = 0, insert = 0, insert_failed = 0, drop = 0, early_drop = 0, error = 0,
             search_restart = 0, clash_resolve = 0, chaintoolong = 0;
};

// A copy of one entry, for listings and the `ct list/delete/update` commands.
struct entry_info {
    entry_ref ref;
    tuple orig;
    tuple reply;
    uint32_t status = 0;
    uint32_t mark = 0;
    std::array<uint8_t, 16> labels{};  // bit N is byte N / 8, bit N % 8 (the kernel's bitmap)
    uint16_t zone = 0;
    uint32_t id = 0;
    uint32_t use = 1;
    int64_t timeout_ms = 0;  // left before expiry (confirmed), or the full pending timeout
    tcp_state tcp = tcp_state::none;
    bool has_acct = false;
    uint64_t packets[2] = {0, 0};
    uint64_t bytes[2] = {0, 0};
    bool has_timestamp = false;
    uint64_t start_ns = 0;
    uint32_t master = no_entry;  // the master's slot for an expected child
};

class packet_ct;
struct entry;
struct acct_ext;

// Who calls the tracker: several threads (the daemon's workers; every table and entry access
// takes its spinlock), or one thread only (offline replay, tests, a worker that owns its
// table), where the locks are skipped so lookups overlap their cache misses.
enum class threading : uint8_t { shared, single };

class tracker {
public:
    explicit tracker(const config& cfg = {}, threading mode = threading::shared);
    ~tracker();
    tracker(const tracker&) = delete;
    tracker& operator=(const tracker&) = delete;

    // nf_conntrack_in. The packet's bytes must stay unchanged until confirm()/discard().
    ct_result in(const packet::packet_view& pkt, const in_context& ctx);
    // A hint before in() is called on each packet of a burst (an NFQUEUE batch): loads the
    // buckets and entries the burst will look up, overlapping their cache misses. Changes
    // nothing; the packets then go through in() and confirm() one by one as usual.
    void prefetch(std::span<const packet::packet_view* const> packets, std::span<const in_context> contexts);
    // __nf_conntrack_confirm at the last hook. Inserts an unconfirmed entry (resolving a clash
    // as the kernel does, which may re-point `r` at the winner); false when the packet must be
    // dropped (insert_failed). A no-op returning true for confirmed entries.
    bool confirm(ct_result& r, uint64_t now_ns);
    // The packet was dropped: an unconfirmed entry vanishes without a trace.
    void discard(ct_result& r);

    // What a REJECT or a locally generated ICMP error about the packet of `offending` carries:
    // the same entry, RELATED_REPLY (RELATED when the offending packet was a reply).
    ct_result related_to(const ct_result& offending) const;
    // REJECT with tcp reset on a confirmed TCP entry moves it to CLOSE (10 s).
    void tcp_reset_sent(const ct_result& offending, uint64_t now_ns);

    // Amortised expiry: visits up to `buckets` buckets from a rotating cursor, removing
    // expired entries (and, after a table-full drop while the table is at least 95% full,
    // the evictable ones, as the kernel's GC worker does). Returns the entries removed.
    size_t gc(uint64_t now_ns, uint32_t buckets = 64);

    // Calls fn for each confirmed entry in bucket order (as conntrack -L lists, hidden clash
    // entries excepted) until it returns false. Expired entries are removed, not listed.
    void for_each(uint64_t now_ns, const std::function<bool(const entry_info&)>& fn);
    bool info(entry_ref ref, uint64_t now_ns, entry_info& out) const;
    bool remove(entry_ref ref);       // conntrack -D
    bool set_mark(entry_ref ref, uint32_t mark);  // conntrack -U --mark
    void flush();                     // conntrack -F

    statistics stats() const;
    uint32_t count() const { return count_.load(std::memory_order_relaxed); }  // incl. unconfirmed
    const config& settings() const { return cfg_; }
    uint32_t bucket_count() const { return bucket_mask_ + 1; }
    // Bytes of table memory per entry slot: the entry, its share of the bucket index and, when
    // accounting or timestamps are on, their extension.
    size_t bytes_per_entry() const;

    // Seam for the expectation table (helpers): asked only when a new entry is being created;
    // returns the master's handle to make the new entry an expected child (EXPECTED status,
    // master kept, the master's mark copied), or an invalid ref.
    using expectation_lookup = std::function<entry_ref(const tuple& orig, uint64_t now_ns)>;
    void set_expectation_lookup(expectation_lookup fn) { expect_ = std::move(fn); }

private:
    friend class packet_ct;
    struct shard;
    struct pool;

    uint32_t now_ms(uint64_t ns) const { return static_cast<uint32_t>(ns / 1'000'000); }
    uint32_t bucket_of(const tuple& t) const;
    tuple tuple_of(const entry& e, direction d) const;
    bool expired(const entry& e, uint32_t now) const;

    // Lookup under the bucket's shard lock; expired entries met are killed.
    bool find(const tuple& t, uint32_t now, entry_ref& ref, direction& dir);
    bool peek_tuple(const packet::packet_view& pkt, const in_context& ctx, tuple& t) const;
    bool prepare(const packet::packet_view& pkt, const in_context& ctx, tuple& t, ct_result& r);
    ct_result track(const packet::packet_view& pkt, const in_context& ctx, const tuple& t);
    ct_result classify_error(const packet::packet_view& pkt, const in_context& ctx, uint32_t now, const tuple& outer);
    ct_result track_existing(const packet::packet_view& pkt, const in_context& ctx, uint32_t now, entry_ref ref,
                             direction dir, bool& repeat);
    ct_result track_new(const packet::packet_view& pkt, const in_context& ctx, uint32_t now, const tuple& t);

    uint32_t allocate(uint32_t hash_bucket, uint32_t now);
    void release(uint32_t index);
    bool early_drop(uint32_t bucket, uint32_t now);
    // Unlinks (under both bucket locks) and frees a confirmed entry if `ref` still names it.
    bool kill(entry_ref ref, bool free_slot = true);
    void unlink_locked(uint32_t index);
    void timeout_set(entry& e, uint32_t now, uint32_t timeout_s);
    void account(uint32_t index, direction d, uint32_t bytes);
    void fill_info(const entry& e, uint32_t index, uint32_t now, entry_info& out) const;
    uint32_t entry_id(const entry& e, uint32_t index) const;
    void lock_entry(entry& e) const;
    void unlock_entry(entry& e) const;
    void lock_shard(uint32_t bucket) const;
    void unlock_shard(uint32_t bucket) const;
    void lock_pool(pool& p) const;
    void unlock_pool(pool& p) const;
    void lock_buckets(uint32_t a, uint32_t b);
    void unlock_buckets(uint32_t a, uint32_t b);
    enum class counter : uint8_t {
        found, invalid, insert, insert_failed, drop, early_drop, error, search_restart, clash_resolve, chaintoolong,
    };
    void stat(counter c, uint64_t n = 1) { stats_[static_cast<size_t>(c)].fetch_add(n, std::memory_order_relaxed); }

    config cfg_;
    bool locking_ = true;
    hash_key key_;
    uint32_t bucket_mask_ = 0;
    uint32_t shard_mask_ = 0;
    uint32_t max_chain_ = 64;
    uint32_t* buckets_ = nullptr;  // head node of each chain
    bool buckets_mapped_ = false;
    std::unique_ptr<shard[]> shards_;
    std::unique_ptr<pool[]> pools_;
    uint32_t pool_count_ = 1;
    entry* entries_ = nullptr;  // cfg_.max slots plus slack, allocated once
    size_t capacity_ = 0;
    size_t entries_bytes_ = 0;
    bool entries_mapped_ = false;
    std::unique_ptr<acct_ext[]> acct_;
    std::atomic<uint32_t> count_{0};
    std::atomic<uint32_t> gc_cursor_{0};
    std::atomic<bool> gc_early_drop_{false};
    mutable std::array<std::atomic<uint64_t>, 10> stats_{};
    expectation_lookup expect_;
};

}  // namespace nfqwall::conntrack

// Expectations and helpers: the kernel's nf_conntrack_expect.c, nf_conntrack_helper.c and the
// `ct helper` / `ct expectation` objects of nft_ct.c, over preallocated, bounded tables.
// ../shared/docs/conntrack.md §4 is the behaviour followed; docs/conntrack.md lists the
// differences.
//
// An expect_table attaches to a tracker as its entry_observer and keeps, for the entries that
// have a helper, expectations or a master, a record from a bounded pool with what the kernel
// keeps in the conntrack's helper extension (nf_conn_help: the helper, the helper's private
// state, the count of pending expectations) plus the child/master link used for listings (a
// master's use= counts its live children). Other entries cost a 4-byte index. Expectations live in a fixed array
// hashed on their destination, which is exact for every expectation (nf_ct_expect_dst_hash).
//
// Per packet: the tracker asks expect() for each new entry; `ct helper set` and `ct expectation
// set` reach assign_helper() / expect_object() through packet_ct; help() runs the entry's
// helper once the packet is accepted, just before confirmation (the kernel's helper runs at
// the confirm hook). Nothing on these paths allocates. One spinlock guards the table and the
// helpers' state, as the kernel's nf_conntrack_expect_lock and nf_ftp_lock do.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "conntrack/tracker.hpp"
#include "vm/context.hpp"

namespace nfqwall::conntrack {

// The helpers nfqwall implements. The FTP helper's policy: max_expected 1, timeout 300 s.
enum class helper_id : uint8_t { none = 0, ftp = 1 };
const char* helper_name(helper_id h);  // "ftp"; nullptr for none
// nf_conntrack_helper_try_module_get: the helper named `type` for the L4 protocol, or none.
helper_id find_helper(std::string_view type, uint8_t l4proto);

// NF_CT_EXPECT_* flags.
enum expect_flag : uint32_t { expect_permanent = 1u << 0, expect_inactive = 1u << 1, expect_userspace = 1u << 2 };

// One expectation as its creator fills it in (nf_ct_expect_init): the tuple a new connection
// must have in its original direction, compared under `mask` for the source (address, port);
// the destination, protocols and zone must be equal.
struct expectation {
    tuple t;
    endpoints mask;  // src and src_id are used; dst is always exact
    entry_ref master;
    helper_id helper = helper_id::none;  // whose policy limits it (none: a ct expectation object)
    uint8_t cls = 0;
    uint32_t flags = 0;
    uint64_t timeout_ns = 0;  // lifetime; the helper's policy timeout replaces it when it has one
};

// A pending expectation as `conntrack -L expect` shows it.
struct expectation_info {
    expectation e;
    tuple master_orig;
    int64_t timeout_ms = 0;  // left
};

// /proc/net/stat/nf_conntrack's expectation counters.
struct expect_statistics {
    uint64_t expect_new = 0;     // a new connection matched an expectation
    uint64_t expect_create = 0;  // an expectation was inserted
    uint64_t expect_delete = 0;  // one was removed (consumed, expired, evicted, master gone)
};

// nf_ct_expect_related's outcomes.
enum class expect_insert : uint8_t {
    ok,
    already,   // -EALREADY: the same expectation from another master or class
    busy,      // -EBUSY: it overlaps another master's
    too_many,  // -EMFILE: the helper's max_expected (after evicting the oldest) or the table
    no_master, // -ESHUTDOWN: the master has no helper extension or is gone
};

class expect_table final : public entry_observer {
public:
    // max: the global limit (nf_conntrack_expect_max); 0 means the kernel's default of
    // max(1, buckets / 256) * 4. records: how many entries may have a helper extension or a
    // master at once (0: an eighth of the tracker's slots, at least 64); an entry that finds
    // none left gets no helper, as when the kernel's atomic extension allocation fails.
    // Attaches itself to `t` and detaches in the destructor.
    explicit expect_table(tracker& t, uint32_t max = 0, uint32_t records = 0);
    ~expect_table();
    expect_table(const expect_table&) = delete;
    expect_table& operator=(const expect_table&) = delete;

    // `ct helper set` (nft_ct_helper_obj_eval): attaches the helper to an unconfirmed entry
    // of the object's L3/L4 protocol that has none yet. Returns whether it did.
    bool assign_helper(const ct_result& r, const vm::ct_object& o);
    // `ct expectation set` (nft_ct_expect_obj_eval): expects a connection from the packet's
    // peer to its sender's address and the object's port.
    vm::ct_object_result expect_object(const ct_result& r, const vm::ct_object& o, uint64_t now_ns);
    // The entry's own helper (listing), and what `ct helper` reads: the master's helper, for
    // an expected child only (nft_ct_get_eval reads ct->master's).
    helper_id helper_of(entry_ref e) const;
    helper_id master_helper_of(entry_ref e) const;

    // The helper hook: runs the entry's helper on an accepted packet before confirmation.
    // False when the helper drops the packet (a partial command, no room for the expectation).
    bool help(const packet::packet_view& pkt, const ct_result& r, uint64_t now_ns);

    // nf_ct_expect_related. The master must be an entry with a helper extension.
    expect_insert insert(const expectation& e, uint64_t now_ns);
    // Removes expired expectations from up to `slots` table slots (a rotating cursor).
    size_t gc(uint64_t now_ns, uint32_t slots = 64);
    // conntrack -L expect (expired ones are removed, not listed), -F expect.
    void for_each(uint64_t now_ns, const std::function<bool(const expectation_info&)>& fn);
    void flush();

    uint32_t count() const { return count_.load(std::memory_order_relaxed); }
    uint32_t max() const { return max_; }
    uint32_t records_in_use() const;
    expect_statistics stats() const;

    // entry_observer.
    entry_ref expect(const tuple& orig, entry_ref child, uint64_t now_ns) override;
    void released(entry_ref slot, uint32_t master) override;
    void describe(uint32_t index, entry_info& out) const override;

    // The FTP helper's per-connection state (struct nf_ct_ftp_master): the sequence numbers
    // right after the last newlines seen, per direction.
    struct ftp_state {
        uint32_t seq_aft_nl[2][2];
        uint8_t seq_aft_nl_num[2];
    };

private:
    struct slot_ext;
    struct exp_slot;

    slot_ext* ext_of(entry_ref e) const;  // nullptr unless the slot has a record for `e`
    slot_ext* claim_locked(entry_ref e);  // ext_of(e), or a fresh record (nullptr: none left)
    void lock() const;
    void unlock() const;
    uint32_t bucket_of(const tuple& t) const;
    bool matches(const exp_slot& x, const tuple& t) const;
    void unlink_locked(uint32_t index);  // removes an expectation, counts expect_delete
    bool expired_locked(uint32_t index, uint64_t now_ns);  // removes it when expired
    bool master_alive(entry_ref master) const;
    expect_insert insert_locked(const expectation& e, uint64_t now_ns);

    tracker& tracker_;
    uint32_t max_ = 0;
    uint32_t bucket_mask_ = 0;
    // Per tracker slot, the index of its record in ext_ (none_index: no record), so that
    // connections without helpers cost 4 bytes.
    std::unique_ptr<uint32_t[]> slot_record_;
    std::unique_ptr<slot_ext[]> ext_;
    uint32_t records_ = 0;
    uint32_t free_record_ = 0;
    std::unique_ptr<exp_slot[]> slots_;    // max_ expectations
    std::unique_ptr<uint32_t[]> buckets_;  // chain heads
    uint32_t free_head_ = 0;
    uint64_t insert_seq_ = 0;  // insertion order, for evicting a master's oldest
    std::atomic<uint32_t> count_{0};
    uint32_t gc_cursor_ = 0;
    mutable std::atomic<uint8_t> lock_{0};
    expect_statistics stats_{};
};

// conntrack -L expect's line for one expectation (without a newline).
std::string format_expectation(const expectation_info& x);

}  // namespace nfqwall::conntrack

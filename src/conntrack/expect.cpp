// The expectation table and the helper extension (nf_conntrack_expect.c, nf_conntrack_helper.c,
// nft_ct.c's ct helper and ct expectation objects).
#include "conntrack/expect.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "conntrack/entry.hpp"
#include "conntrack/helper_ftp.hpp"

namespace nfqwall::conntrack {

namespace {

constexpr uint32_t none_index = UINT32_MAX;

// A helper's expectation policy (struct nf_conntrack_expect_policy, class 0).
struct policy {
    uint32_t max_expected;
    uint64_t timeout_ns;
};
policy policy_of(helper_id h) {
    switch (h) {
    case helper_id::ftp: return {1, 300ull * 1'000'000'000};
    default: return {0, 0};
    }
}

bool masked_equal(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, const std::array<uint8_t, 16>& m) {
    for (size_t i = 0; i < 16; ++i)
        if ((a[i] & m[i]) != (b[i] & m[i])) return false;
    return true;
}

std::array<uint8_t, 16> and_mask(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b) {
    std::array<uint8_t, 16> r{};
    for (size_t i = 0; i < 16; ++i) r[i] = a[i] & b[i];
    return r;
}

// The destination, protocols and zone are compared exactly; the source under `mask`.
bool tuple_masked_equal(const tuple& a, const tuple& b, const endpoints& mask) {
    return a.l3 == b.l3 && a.l4 == b.l4 && a.zone == b.zone && a.ends.dst == b.ends.dst &&
           a.ends.dst_id == b.ends.dst_id && masked_equal(a.ends.src, b.ends.src, mask.src) &&
           (a.ends.src_id & mask.src_id) == (b.ends.src_id & mask.src_id);
}

}  // namespace

const char* helper_name(helper_id h) {
    switch (h) {
    case helper_id::ftp: return "ftp";
    default: return nullptr;
    }
}

helper_id find_helper(std::string_view type, uint8_t l4proto) {
    if (type == "ftp" && l4proto == proto_tcp) return helper_id::ftp;
    return helper_id::none;
}

// What the kernel keeps in a conntrack's helper extension, plus the child/master link.
struct expect_table::slot_ext {
    bool in_use = false;     // holds data for the entry of `generation`
    bool has_help = false;   // the helper extension exists (added while unconfirmed)
    helper_id helper = helper_id::none;
    helper_id master_helper = helper_id::none;  // a child: its master's helper at creation
    uint32_t generation = 0;
    uint32_t master = none_index;  // a child: its master's slot and generation
    uint32_t master_generation = 0;
    uint32_t children = 0;   // live expected children (each holds a reference: use=)
    uint32_t expecting = 0;  // pending expectations (nf_conn_help.expecting, class 0)
    ftp_state ftp{};
};

struct expect_table::exp_slot {
    expectation e;
    uint64_t expires_ns = 0;
    uint64_t order = 0;  // insertion order: a master's oldest is evicted first
    uint32_t next = none_index;
    bool used = false;
};

expect_table::expect_table(tracker& t, uint32_t max, uint32_t records) : tracker_(t) {
    const uint32_t hsize = std::max<uint32_t>(1, t.bucket_count() / 256);
    max_ = max != 0 ? max : hsize * 4;
    bucket_mask_ = std::bit_ceil(std::max<uint32_t>(1, max_ / 4)) - 1;
    records_ = records != 0 ? records : std::max<uint32_t>(64, t.slot_count() / 8);
    slot_record_ = std::make_unique<uint32_t[]>(t.slot_count());
    std::fill_n(slot_record_.get(), t.slot_count(), none_index);
    ext_ = std::make_unique<slot_ext[]>(records_);
    for (uint32_t i = 0; i < records_; ++i) ext_[i].master = i + 1 < records_ ? i + 1 : none_index;  // free list
    free_record_ = 0;
    slots_ = std::make_unique<exp_slot[]>(max_);
    buckets_ = std::make_unique<uint32_t[]>(bucket_mask_ + 1);
    std::fill_n(buckets_.get(), bucket_mask_ + 1, none_index);
    for (uint32_t i = 0; i < max_; ++i) slots_[i].next = i + 1 < max_ ? i + 1 : none_index;
    free_head_ = 0;
    tracker_.set_observer(this);
}

expect_table::~expect_table() { tracker_.set_observer(nullptr); }

void expect_table::lock() const {
    while (lock_.exchange(1, std::memory_order_acquire) != 0)
        while (lock_.load(std::memory_order_relaxed) != 0) __builtin_ia32_pause();
}
void expect_table::unlock() const { lock_.store(0, std::memory_order_release); }

expect_table::slot_ext* expect_table::ext_of(entry_ref e) const {
    if (!e.valid() || e.index >= tracker_.slot_count()) return nullptr;
    const uint32_t r = slot_record_[e.index];
    if (r == none_index) return nullptr;
    slot_ext& x = ext_[r];
    return x.in_use && x.generation == e.generation ? &x : nullptr;
}

expect_table::slot_ext* expect_table::claim_locked(entry_ref e) {
    if (slot_ext* x = ext_of(e)) return x;
    if (!e.valid() || e.index >= tracker_.slot_count()) return nullptr;
    uint32_t r = slot_record_[e.index];
    if (r == none_index) {  // a record left over from the slot's previous entry is reused
        if (free_record_ == none_index) return nullptr;
        r = free_record_;
        free_record_ = ext_[r].master;
        slot_record_[e.index] = r;
    }
    slot_ext& x = ext_[r];
    x = slot_ext{};
    x.in_use = true;
    x.generation = e.generation;
    return &x;
}

uint32_t expect_table::records_in_use() const {
    lock();
    uint32_t n = 0;
    for (uint32_t r = free_record_; r != none_index; r = ext_[r].master) ++n;
    unlock();
    return records_ - n;
}

uint32_t expect_table::bucket_of(const tuple& t) const {
    // FNV-1a over what every expectation has exact: destination, protocols, zone.
    uint64_t h = 1469598103934665603ull;
    auto mix = [&](const uint8_t* p, size_t n) {
        for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
    };
    mix(t.ends.dst.data(), 16);
    mix(reinterpret_cast<const uint8_t*>(&t.ends.dst_id), 2);
    mix(&t.l3, 1);
    mix(&t.l4, 1);
    mix(reinterpret_cast<const uint8_t*>(&t.zone), 2);
    return static_cast<uint32_t>(h ^ (h >> 32)) & bucket_mask_;
}

bool expect_table::matches(const exp_slot& x, const tuple& t) const {
    return !(x.e.flags & expect_inactive) && tuple_masked_equal(t, x.e.t, x.e.mask);
}

void expect_table::unlink_locked(uint32_t index) {
    exp_slot& x = slots_[index];
    uint32_t* link = &buckets_[bucket_of(x.e.t)];
    while (*link != none_index && *link != index) link = &slots_[*link].next;
    if (*link == index) *link = x.next;
    if (slot_ext* m = ext_of(x.e.master); m != nullptr && m->expecting > 0) --m->expecting;
    x.used = false;
    x.next = free_head_;
    free_head_ = index;
    count_.fetch_sub(1, std::memory_order_relaxed);
    ++stats_.expect_delete;
}

bool expect_table::expired_locked(uint32_t index, uint64_t now_ns) {
    if (slots_[index].expires_ns > now_ns) return false;
    unlink_locked(index);
    return true;
}

bool expect_table::master_alive(entry_ref master) const {
    entry_info m;
    return tracker_.info(master, 0, m) && (m.status & ips_confirmed) && !(m.status & ips_dying);
}

// ---- the tracker's seam ---------------------------------------------------------------------

entry_ref expect_table::expect(const tuple& orig, entry_ref child, uint64_t now_ns) {
    if (count_.load(std::memory_order_relaxed) == 0) return {};
    lock();
    uint32_t found = none_index;
    for (uint32_t i = buckets_[bucket_of(orig)]; i != none_index;) {
        const uint32_t next = slots_[i].next;
        if (!expired_locked(i, now_ns) && matches(slots_[i], orig)) {
            found = i;
            break;
        }
        i = next;
    }
    if (found == none_index) {
        unlock();
        return {};
    }
    const entry_ref master = slots_[found].e.master;
    const uint64_t order = slots_[found].order;
    unlock();
    // A master that is not confirmed yet (its packet has not left) or dying cannot have told
    // anyone about the connection: the expectation stays for later (nf_ct_find_expectation).
    if (!master_alive(master)) return {};
    lock();
    exp_slot& x = slots_[found];
    if (!x.used || x.order != order) {  // removed meanwhile by another thread
        unlock();
        return {};
    }
    if (!(x.e.flags & expect_permanent)) unlink_locked(found);
    ++stats_.expect_new;
    // Without a record left the child is still expected, but its master's use= misses it
    // and `ct helper` on it fails.
    if (slot_ext* c = claim_locked(child)) {
        c->master = master.index;
        c->master_generation = master.generation;
        if (slot_ext* m = ext_of(master)) {
            c->master_helper = m->helper;
            ++m->children;
        }
    }
    unlock();
    return master;
}

void expect_table::released(entry_ref slot, uint32_t) {
    lock();
    slot_ext* x = ext_of(slot);
    if (x != nullptr) {
        if (slot_ext* m = ext_of({x->master, x->master_generation}); m != nullptr && m->children > 0) --m->children;
        // The master's pending expectations die with it (nf_ct_remove_expectations).
        for (uint32_t i = 0; x->expecting > 0 && i < max_; ++i)
            if (slots_[i].used && slots_[i].e.master.index == slot.index && slots_[i].e.master.generation == slot.generation)
                unlink_locked(i);
        *x = slot_ext{};
        x->master = free_record_;
        free_record_ = slot_record_[slot.index];
        slot_record_[slot.index] = none_index;
    }
    unlock();
}

void expect_table::describe(uint32_t, entry_info& out) const {
    lock();
    if (const slot_ext* x = ext_of(out.ref)) {
        out.helper = helper_name(x->helper);
        out.use += x->children;
    }
    unlock();
}

// ---- objects ------------------------------------------------------------------------------

bool expect_table::assign_helper(const ct_result& r, const vm::ct_object& o) {
    // Only before confirmation: the helper's state must see the connection from its start.
    if (!r.entry.valid() || !r.unconfirmed) return false;
    entry_info ct;
    if (!tracker_.info(r.entry, 0, ct) || ct.orig.l4 != o.l4proto) return false;
    // An `ip` object carries only the IPv4 helper, an `ip6` one only the IPv6 helper.
    if ((o.l3proto == l3_ipv4 && ct.orig.l3 != l3_ipv4) || (o.l3proto == l3_ipv6 && ct.orig.l3 != l3_ipv6)) return false;
    const helper_id h = find_helper(o.helper_view(), o.l4proto);
    if (h == helper_id::none) return false;
    lock();
    slot_ext* x = claim_locked(r.entry);
    const bool assigned = x != nullptr && x->helper == helper_id::none;  // IPS_HELPER: the first one stays
    if (assigned) {
        x->helper = h;
        x->has_help = true;
    }
    unlock();
    return assigned;
}

vm::ct_object_result expect_table::expect_object(const ct_result& r, const vm::ct_object& o, uint64_t now_ns) {
    if (!r.entry.valid()) return vm::ct_object_result::stop;
    entry_info ct;
    if (!tracker_.info(r.entry, now_ns, ct)) return vm::ct_object_result::stop;
    const direction dir = r.dir();
    const tuple& other = dir == direction::original ? ct.reply : ct.orig;
    expectation e;
    e.t.l3 = o.l3proto == l3_ipv4 || o.l3proto == l3_ipv6 ? o.l3proto : ct.orig.l3;
    e.t.l4 = o.l4proto;
    e.t.zone = ct.orig.zone;
    e.t.ends.src = other.ends.src;
    e.t.ends.dst = other.ends.dst;
    e.t.ends.dst_id = o.dport;
    std::memset(e.mask.src.data(), 0xff, e.t.l3 == l3_ipv4 ? 4 : 16);
    e.master = r.entry;
    // nft sends the timeout in milliseconds and nft_ct_expect_obj_eval multiplies it by HZ as
    // if it were seconds: `timeout 1m` keeps the expectation 60000 s (the lab's ct_expect case
    // checks it on the kernel). nfqwall does the same, so that rulesets behave alike.
    e.timeout_ns = uint64_t{o.timeout_ms} * 1'000'000'000;
    lock();
    slot_ext* x = ext_of(r.entry);
    // The helper extension can only be added to an unconfirmed entry: later packets of a
    // connection whose first packet did not get one break the rule.
    if ((x == nullptr || !x->has_help) && r.unconfirmed) {
        x = claim_locked(r.entry);
        if (x != nullptr) x->has_help = true;
    }
    if (x == nullptr || !x->has_help || x->expecting >= o.size) {
        unlock();
        return vm::ct_object_result::stop;
    }
    const expect_insert res = insert_locked(e, now_ns);
    unlock();
    return res == expect_insert::ok ? vm::ct_object_result::next : vm::ct_object_result::drop;
}

helper_id expect_table::helper_of(entry_ref e) const {
    lock();
    const slot_ext* x = ext_of(e);
    const helper_id h = x ? x->helper : helper_id::none;
    unlock();
    return h;
}

helper_id expect_table::master_helper_of(entry_ref e) const {
    lock();
    const slot_ext* x = ext_of(e);
    const helper_id h = x ? x->master_helper : helper_id::none;
    unlock();
    return h;
}

// ---- the helper hook ----------------------------------------------------------------------

bool expect_table::help(const packet::packet_view& pkt, const ct_result& r, uint64_t now_ns) {
    // Helpers see established traffic only: never the handshake, never RELATED ICMP.
    if (!r.entry.valid() || (r.info != ctinfo::established && r.info != ctinfo::established_reply)) return true;
    if (helper_of(r.entry) != helper_id::ftp) return true;
    // The TCP header where conntrack found it (behind IPv6 AH too, unlike nft's `th`).
    uint8_t l4 = 0;
    uint32_t th = 0;
    if (!ct_l4(pkt, l4, th) || l4 != proto_tcp) return true;
    const auto bytes = pkt.bytes();
    if (size_t{th} + 20 > bytes.size()) return true;
    const uint32_t data = th + (bytes[th + 12] >> 4) * 4u;
    if (data >= bytes.size()) return true;  // no payload
    const uint32_t seq = uint32_t(bytes[th + 4]) << 24 | uint32_t(bytes[th + 5]) << 16 | uint32_t(bytes[th + 6]) << 8 | bytes[th + 7];
    entry_info ct;
    if (!tracker_.info(r.entry, now_ns, ct)) return true;
    lock();
    slot_ext* x = ext_of(r.entry);
    if (x == nullptr) {
        unlock();
        return true;
    }
    expectation e;
    const ftp_outcome out = ftp_parse(bytes.subspan(data), seq, r.dir(), ct.orig, ct.reply, x->ftp, e);
    bool keep = out != ftp_outcome::drop;
    if (out == ftp_outcome::expect) {
        e.master = r.entry;
        // No room for the data connection's expectation: better to drop the command now.
        keep = insert_locked(e, now_ns) == expect_insert::ok;
    }
    unlock();
    return keep;
}

// ---- the table ----------------------------------------------------------------------------

expect_insert expect_table::insert(const expectation& e, uint64_t now_ns) {
    lock();
    const expect_insert r = insert_locked(e, now_ns);
    unlock();
    return r;
}

expect_insert expect_table::insert_locked(const expectation& e, uint64_t now_ns) {
    slot_ext* m = ext_of(e.master);
    if (m == nullptr || !m->has_help) return expect_insert::no_master;
    for (uint32_t i = buckets_[bucket_of(e.t)]; i != none_index;) {
        const uint32_t next = slots_[i].next;
        if (expired_locked(i, now_ns)) {
            i = next;
            continue;
        }
        const expectation& o = slots_[i].e;
        if (o.master.index == e.master.index && o.master.generation == e.master.generation && o.t == e.t &&
            o.mask == e.mask) {
            // The same expectation again from its master replaces the old one.
            if (o.cls != e.cls) return expect_insert::already;
            unlink_locked(i);
            break;
        }
        endpoints both;
        both.src = and_mask(o.mask.src, e.mask.src);
        both.src_id = o.mask.src_id & e.mask.src_id;
        if (tuple_masked_equal(o.t, e.t, both)) return expect_insert::busy;
        i = next;
    }
    const policy p = policy_of(m->helper);
    if (p.max_expected != 0 && m->expecting >= p.max_expected) {
        // Evict the master's oldest expectation of the class (a helper's new command
        // supersedes its previous one).
        uint32_t oldest = none_index;
        for (uint32_t i = 0; i < max_; ++i) {
            const exp_slot& s = slots_[i];
            if (s.used && s.e.master.index == e.master.index && s.e.master.generation == e.master.generation &&
                s.e.cls == e.cls && (oldest == none_index || s.order < slots_[oldest].order))
                oldest = i;
        }
        if (oldest != none_index) unlink_locked(oldest);
        if (m->expecting >= p.max_expected) return expect_insert::too_many;
    }
    if (free_head_ == none_index) return expect_insert::too_many;  // nf_conntrack_expect_max
    const uint32_t idx = free_head_;
    exp_slot& s = slots_[idx];
    free_head_ = s.next;
    s.e = e;
    s.e.helper = m->helper;  // listings name the master's helper
    s.used = true;
    s.order = ++insert_seq_;
    // The master's helper decides the lifetime (nf_ct_expect_insert); without one, the creator's.
    s.expires_ns = now_ns + (p.timeout_ns != 0 ? p.timeout_ns : e.timeout_ns);
    const uint32_t b = bucket_of(e.t);
    s.next = buckets_[b];
    buckets_[b] = idx;
    ++m->expecting;
    count_.fetch_add(1, std::memory_order_relaxed);
    ++stats_.expect_create;
    return expect_insert::ok;
}

size_t expect_table::gc(uint64_t now_ns, uint32_t slots) {
    if (count_.load(std::memory_order_relaxed) == 0) return 0;
    size_t removed = 0;
    lock();
    for (uint32_t k = 0; k < std::min(slots, max_); ++k) {
        const uint32_t i = gc_cursor_;
        gc_cursor_ = gc_cursor_ + 1 < max_ ? gc_cursor_ + 1 : 0;
        if (slots_[i].used && expired_locked(i, now_ns)) ++removed;
    }
    unlock();
    return removed;
}

void expect_table::for_each(uint64_t now_ns, const std::function<bool(const expectation_info&)>& fn) {
    std::vector<expectation_info> all;
    lock();
    for (uint32_t i = 0; i < max_; ++i) {
        if (!slots_[i].used || expired_locked(i, now_ns)) continue;
        expectation_info& x = all.emplace_back();
        x.e = slots_[i].e;
        x.timeout_ms = static_cast<int64_t>((slots_[i].expires_ns - now_ns) / 1'000'000);
    }
    unlock();
    for (expectation_info& x : all) {
        entry_info m;
        if (tracker_.info(x.e.master, now_ns, m)) x.master_orig = m.orig;
        if (!fn(x)) return;
    }
}

void expect_table::flush() {
    lock();
    for (uint32_t i = 0; i < max_; ++i)
        if (slots_[i].used) unlink_locked(i);
    unlock();
}

expect_statistics expect_table::stats() const {
    lock();
    const expect_statistics s = stats_;
    unlock();
    return s;
}

// ---- listing ------------------------------------------------------------------------------

namespace {

std::string address(const std::array<uint8_t, 16>& a, uint8_t l3) {
    if (l3 == l3_ipv4) return fmt::format("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
    char text[64];
    return inet_ntop(AF_INET6, a.data(), text, sizeof text) ? std::string(text) : std::string();
}

}  // namespace

std::string format_expectation(const expectation_info& x) {
    const tuple& t = x.e.t;
    std::array<uint8_t, 16> dst_mask{};
    std::memset(dst_mask.data(), 0xff, t.l3 == l3_ipv4 ? 4 : 16);
    std::string out = fmt::format("{} proto={} src={} dst={} sport={} dport={}", x.timeout_ms / 1000, t.l4,
                                  address(t.ends.src, t.l3), address(t.ends.dst, t.l3), t.ends.src_id, t.ends.dst_id);
    out += fmt::format(" mask-src={} mask-dst={} sport={} dport=65535", address(x.e.mask.src, t.l3),
                       address(dst_mask, t.l3), x.e.mask.src_id);
    const tuple& m = x.master_orig;
    out += fmt::format(" master-src={} master-dst={} sport={} dport={}", address(m.ends.src, m.l3),
                       address(m.ends.dst, m.l3), m.ends.src_id, m.ends.dst_id);
    if (x.e.flags & expect_permanent) out += " PERMANENT";
    if (x.e.flags & expect_inactive) out += " INACTIVE";
    if (x.e.flags & expect_userspace) out += " USERSPACE";
    out += fmt::format(" class={}", x.e.cls);
    if (const char* h = helper_name(x.e.helper)) out += fmt::format(" helper={}", h);
    return out;
}

}  // namespace nfqwall::conntrack

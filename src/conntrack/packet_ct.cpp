// nft_ct_get_eval / nft_ct_set_eval against nfqwall's tracker (net/netfilter/nft_ct.c).
#include "conntrack/packet_ct.hpp"

#include <algorithm>
#include <cstring>

#include "conntrack/entry.hpp"
#include "front/proto.hpp"

namespace nfqwall::conntrack {

namespace {

template <typename T>
void put(uint8_t* dst, uint32_t len, T v) {
    std::memcpy(dst, &v, std::min<size_t>(len, sizeof v));
}

void put_be16(uint8_t* dst, uint32_t len, uint16_t v) {
    const uint8_t b[2] = {uint8_t(v >> 8), uint8_t(v)};
    std::memcpy(dst, b, std::min<uint32_t>(len, 2));
}

}  // namespace

void packet_ct::untrack() {
    // Ignored once the packet has a ct, as the kernel's nft_notrack_eval does: tracked, or
    // the zone template.
    if (!attached_ && !template_) notrack_ = true;
}

bool packet_ct::get(int key, int dir, uint8_t* dst, uint32_t len) {
    if (key == front::CT_STATE) {
        uint32_t bits;
        // Before the lookup: the zone template is attached as IP_CT_NEW; nft_ct_get_eval
        // reads the state of any ct, templates included (and refuses them every other key).
        if (!attached_)
            bits = template_ ? ct_state_bits(ctinfo::new_)
                   : notrack_ ? ct_state_bits(ctinfo::untracked)
                              : ct_state_bits(ctinfo::invalid);
        else bits = ct_state_bits(result_.info);
        put(dst, len, bits);
        return true;
    }
    if (!attached_ || !result_.entry.valid()) return false;
    if (key == front::CT_DIRECTION) {
        put<uint8_t>(dst, len, static_cast<uint8_t>(result_.dir()));
        return true;
    }
    entry& e = tracker_.entries_[result_.entry.index];
    tracker_.lock_entry(e);
    if (e.generation != result_.entry.generation) {
        tracker_.unlock_entry(e);  // deleted meanwhile (GC, conntrack -D, another thread)
        return false;
    }
    const uint32_t now = tracker_.now_ms(now_ns_);
    const bool has_dir = dir == 0 || dir == 1;
    const endpoints& ends = e.ends[has_dir ? dir : 0];
    const uint8_t alen = e.l3 == l3_ipv4 ? 4 : 16;
    bool ok = true;
    switch (key) {
    case front::CT_STATUS: put<uint32_t>(dst, len, e.status); break;
    case front::CT_MARK: put<uint32_t>(dst, len, e.mark); break;
    case front::CT_SECMARK: put<uint32_t>(dst, len, 0); break;
    case front::CT_EXPIRATION: {
        // nf_ct_expires: the timeout minus the jiffies clock, at least 0. An unconfirmed
        // entry's timeout is still relative (a few seconds against a clock that has run for
        // minutes), so the kernel reads 0 there: so do we, rather than the pending timeout.
        const int64_t ms = (e.status & ips_confirmed) ? static_cast<int32_t>(e.expires - now) : 0;
        put<uint32_t>(dst, len, static_cast<uint32_t>(std::max<int64_t>(ms, 0)));
        break;
    }
    case front::CT_HELPER: {
        // The master's helper: only an expected child answers (nft_ct_get_eval reads
        // ct->master's), so `ct helper "ftp"` matches FTP data connections, not the control one.
        const char* name = expect_ ? helper_name(expect_->master_helper_of(result_.entry)) : nullptr;
        if (name == nullptr) {
            ok = false;
        } else {
            std::memset(dst, 0, len);
            std::memcpy(dst, name, std::min<size_t>(len, std::strlen(name)));
        }
        break;
    }
    case front::CT_L3PROTOCOL: put<uint8_t>(dst, len, e.l3); break;
    case front::CT_PROTOCOL: put<uint8_t>(dst, len, e.l4); break;
    case front::CT_ZONE: put<uint16_t>(dst, len, e.zone); break;
    case front::CT_LABELS: std::memcpy(dst, e.labels.data(), std::min<uint32_t>(len, 16)); break;
    case front::CT_EVENTMASK: put<uint32_t>(dst, len, 0); break;
    case front::CT_ID: {
        const uint32_t id = tracker_.entry_id(e, result_.entry.index);
        const uint8_t b[4] = {uint8_t(id >> 24), uint8_t(id >> 16), uint8_t(id >> 8), uint8_t(id)};
        std::memcpy(dst, b, std::min<uint32_t>(len, 4));
        break;
    }
    case front::CT_PKTS:
    case front::CT_BYTES:
    case front::CT_AVGPKT: {
        uint64_t packets = 0, bytes = 0;
        if (tracker_.acct_ && tracker_.cfg_.acct) {
            const acct_ext& a = tracker_.acct_[result_.entry.index];
            packets = has_dir ? a.packets[dir] : a.packets[0] + a.packets[1];
            bytes = has_dir ? a.bytes[dir] : a.bytes[0] + a.bytes[1];
        }
        uint64_t v = key == front::CT_PKTS ? packets : key == front::CT_BYTES ? bytes : (packets ? bytes / packets : 0);
        put<uint64_t>(dst, len, v);
        break;
    }
    // Tuple keys need a direction (nft refuses them without one).
    case front::CT_SRC:
    case front::CT_DST:
        if (!has_dir) ok = false;
        else std::memcpy(dst, (key == front::CT_SRC ? ends.src : ends.dst).data(), std::min<uint32_t>(len, alen));
        break;
    case front::CT_SRC_IP:
    case front::CT_DST_IP:
        if (!has_dir || e.l3 != l3_ipv4) ok = false;
        else std::memcpy(dst, (key == front::CT_SRC_IP ? ends.src : ends.dst).data(), std::min<uint32_t>(len, 4));
        break;
    case front::CT_SRC_IP6:
    case front::CT_DST_IP6:
        if (!has_dir || e.l3 != l3_ipv6) ok = false;
        else std::memcpy(dst, (key == front::CT_SRC_IP6 ? ends.src : ends.dst).data(), std::min<uint32_t>(len, 16));
        break;
    case front::CT_PROTO_SRC:
    case front::CT_PROTO_DST:
        if (!has_dir) ok = false;
        else put_be16(dst, len, key == front::CT_PROTO_SRC ? ends.src_id : ends.dst_id);
        break;
    default: ok = false; break;
    }
    tracker_.unlock_entry(e);
    return ok;
}

vm::ct_object_result packet_ct::apply_object(const vm::ct_object& o) {
    if (expect_ == nullptr) return vm::ct_object_result::next;
    if (o.type == front::obj_type::ct_helper) {
        if (attached_ && expect_->assign_helper(result_, o)) {
            entry& e = tracker_.entries_[result_.entry.index];
            tracker_.lock_entry(e);
            if (e.generation == result_.entry.generation) e.status |= ips_helper;
            tracker_.unlock_entry(e);
        }
        return vm::ct_object_result::next;
    }
    if (o.type == front::obj_type::ct_expect) {
        if (!attached_) return vm::ct_object_result::stop;
        return expect_->expect_object(result_, o, now_ns_);
    }
    return vm::ct_object_result::next;
}

bool packet_ct::set(int key, int, const uint8_t* src, uint32_t len) {
    if (key == front::CT_ZONE) {
        // A zone is a template for the lookup. nft_ct_set_zone_eval returns when the packet
        // already has a ct (tracked, or an earlier zone template: the first zone set wins),
        // but an untracked packet has none, so the template replaces `notrack`.
        if (!attached_ && !template_) {
            uint16_t z = 0;
            std::memcpy(&z, src, std::min<uint32_t>(len, 2));
            zone_ = z;
            template_ = true;
            notrack_ = false;
        }
        return true;
    }
    if (!attached_ || !result_.entry.valid()) return true;
    entry& e = tracker_.entries_[result_.entry.index];
    tracker_.lock_entry(e);
    if (e.generation == result_.entry.generation) {
        switch (key) {
        case front::CT_MARK: {
            uint32_t m = 0;
            std::memcpy(&m, src, std::min<uint32_t>(len, 4));
            e.mark = m;
            break;
        }
        case front::CT_LABELS:
            // `ct label set N` adds bit N (nf_connlabels_replace with the value as its mask).
            for (uint32_t i = 0; i < std::min<uint32_t>(len, 16); ++i) e.labels[i] |= src[i];
            break;
        case front::CT_EXPIRATION: {
            uint32_t ms = 0;
            std::memcpy(&ms, src, std::min<uint32_t>(len, 4));
            ms = std::min<uint32_t>(ms, max_timeout_seconds * 1000u);
            __atomic_store_n(&e.expires, (e.status & ips_confirmed) ? tracker_.now_ms(now_ns_) + ms : ms, __ATOMIC_RELAXED);
            break;
        }
        default: break;  // secmark, event mask, helper: nothing to hold them yet
        }
    }
    tracker_.unlock_entry(e);
    return true;
}

}  // namespace nfqwall::conntrack

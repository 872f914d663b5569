#include "replay/tracker_stage.hpp"

#include "front/proto.hpp"

namespace nfqwall::replay {

namespace {
// Expiry work per packet: a few buckets, so a replay never stops to scan the table.
constexpr uint32_t gc_buckets_per_packet = 8;
}  // namespace

vm::conntrack_view& tracker_stage::begin(const vm::packet_meta& meta) {
    view_.emplace(tracker_, meta.now_ns, expect_);
    return *view_;
}

bool tracker_stage::lookup(const packet::packet_view& packet, const vm::packet_meta& meta) {
    const auto hook = meta.hook == front::hook::output ? conntrack::hook_point::output : conntrack::hook_point::prerouting;
    view_->attach(tracker_.in(packet, view_->context(hook)));
    if (expect_ != nullptr) packet_ = packet;
    if (keep_lookups_) {
        last_ = {};
        (void)view_->get(front::CT_STATE, -1, reinterpret_cast<uint8_t*>(&last_.state), 4);
        uint8_t id[4];
        if (view_->get(front::CT_ID, -1, id, 4)) {
            last_.has_id = true;
            last_.id = uint32_t(id[0]) << 24 | uint32_t(id[1]) << 16 | uint32_t(id[2]) << 8 | id[3];
        }
    }
    return !view_->result().drop;
}

void tracker_stage::tcp_reset_sent(const vm::packet_meta& meta) {
    // The path calls this only when the RST is sent (packet::why_no_reply: never for a RST).
    if (view_ && view_->attached()) tracker_.tcp_reset_sent(view_->result(), meta.now_ns);
}

bool tracker_stage::end(bool accepted, const vm::packet_meta& meta) {
    bool kept = true;
    helper_dropped_ = false;
    if (view_ && view_->attached()) {
        // The helper runs on an accepted packet at the confirm hook, before confirmation; a
        // helper's drop (a cut-short FTP command) drops the packet and its new entry.
        if (accepted && expect_ != nullptr && packet_ && view_->result().entry.valid() &&
            !expect_->help(*packet_, view_->result(), meta.now_ns)) {
            tracker_.discard(view_->result());
            kept = false;
            helper_dropped_ = true;
        } else if (accepted) {
            kept = tracker_.confirm(view_->result(), meta.now_ns);
        } else {
            tracker_.discard(view_->result());
        }
    }
    view_.reset();
    packet_.reset();
    tracker_.gc(meta.now_ns, gc_buckets_per_packet);
    if (expect_ != nullptr) expect_->gc(meta.now_ns, gc_buckets_per_packet);
    return kept;
}

}  // namespace nfqwall::replay

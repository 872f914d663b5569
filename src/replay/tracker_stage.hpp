// The path's conntrack stage backed by nfqwall's tracker: `ct` expressions of a replayed
// packet see the entry tracker::in gives it, and the end of the path confirms or discards
// it, with a bounded step of expiry per packet.
#pragma once

#include <cstdint>
#include <optional>

#include "conntrack/expect.hpp"
#include "conntrack/packet_ct.hpp"
#include "conntrack/tracker.hpp"
#include "replay/path.hpp"

namespace nfqwall::replay {

class tracker_stage final : public conntrack_stage {
public:
    // `expect`: expectations and helpers (`ct helper set`, FTP); optional.
    explicit tracker_stage(conntrack::tracker& tracker, conntrack::expect_table* expect = nullptr)
        : tracker_(tracker), expect_(expect) {}

    vm::conntrack_view& begin(const vm::packet_meta& meta) override;
    bool lookup(const packet::packet_view& packet, const vm::packet_meta& meta) override;
    bool end(bool accepted, const vm::packet_meta& meta) override;
    bool helper_dropped() const override { return helper_dropped_; }
    void tcp_reset_sent(const vm::packet_meta& meta) override;

    // What the lookup of the packet the path ran last found, for traces: `ct state` bits
    // (0 when the path never looked it up: no hook saw it, or ARP) and `ct id`.
    struct looked_up {
        uint32_t state = 0;
        bool has_id = false;
        uint32_t id = 0;
    };
    // Traces ask for last(): only then does each lookup read the state and id back.
    void keep_lookups(bool on) { keep_lookups_ = on; }
    // Forgets the last packet's answer; call before running the next packet.
    void next_packet() { last_ = {}; }
    const looked_up& last() const { return last_; }
    // The running packet's connection state as its `ct` expressions read it (none outside a
    // packet's path).
    vm::conntrack_view* current() { return view_ ? &*view_ : nullptr; }

private:
    conntrack::tracker& tracker_;
    conntrack::expect_table* expect_;
    // The packet as the lookup saw it, for the helper at the end of the path: the view points
    // into the path's buffer, which outlives the path, so it also sees the path's rewrites.
    std::optional<packet::packet_view> packet_;
    bool helper_dropped_ = false;
    std::optional<conntrack::packet_ct> view_;
    looked_up last_;
    bool keep_lookups_ = false;
};

}  // namespace nfqwall::replay

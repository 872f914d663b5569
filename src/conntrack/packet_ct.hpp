// The conntrack state of one packet as the engine's `ct` expressions and statements see it
// (vm::conntrack_view), bound to the tracker and the packet's ct_result. Before the conntrack
// hook it only collects what raw chains ask for (`ct zone set`, `notrack`); attach() then
// gives it the result of tracker::in.
#pragma once

#include "conntrack/expect.hpp"
#include "conntrack/tracker.hpp"
#include "vm/context.hpp"

namespace nfqwall::conntrack {

class packet_ct final : public vm::conntrack_view {
public:
    // `expect`: the tracker's expectation table and helpers, when `ct helper` / `ct
    // expectation` objects are to work (without it they are ignored).
    packet_ct(tracker& t, uint64_t now_ns, expect_table* expect = nullptr) : tracker_(t), expect_(expect), now_ns_(now_ns) {}

    // What tracker::in needs from the raw chains: the zone and whether `notrack` ran.
    in_context context(hook_point hook) const { return {now_ns_, zone_, hook, notrack_}; }
    void attach(const ct_result& r) {
        result_ = r;
        attached_ = true;
    }
    ct_result& result() { return result_; }
    bool attached() const { return attached_; }
    void set_now(uint64_t now_ns) { now_ns_ = now_ns; }

    bool get(int key, int direction, uint8_t* dst, uint32_t len) override;
    bool set(int key, int direction, const uint8_t* src, uint32_t len) override;
    void untrack() override;
    vm::ct_object_result apply_object(const vm::ct_object& o) override;

private:
    tracker& tracker_;
    expect_table* expect_;
    uint64_t now_ns_;
    ct_result result_{};
    bool attached_ = false;
    bool notrack_ = false;
    // `ct zone set` attached the kernel's zone template (nft_ct_set_zone_eval): it reads as
    // `ct state new`, and later `ct zone set` or `notrack` see a ct and change nothing.
    bool template_ = false;
    uint16_t zone_ = 0;
};

}  // namespace nfqwall::conntrack

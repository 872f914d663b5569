// TCP tracking as the kernel's nf_conntrack_proto_tcp.c (6.12/6.18) does it: flag checks,
// the state table, window tracking per direction (tcp_in_window), RST validity, reopening
// from TIME_WAIT/CLOSE, resynchronisation after ignored packets, mid-stream pickup, and the
// timeout choice. ../shared/docs/conntrack.md §2 states the behaviour; the comments here say
// why the less obvious steps exist.
#include <algorithm>

#include "conntrack/entry.hpp"

namespace nfqwall::conntrack {

namespace {

enum : uint8_t { fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, urg = 0x20, ece = 0x40, cwr = 0x80 };

// Packet classes (the kernel's TCP_*_SET indexes), in the state table's row order.
enum : uint8_t { syn_set, synack_set, fin_set, ack_set, rst_set, none_set };

constexpr uint8_t sNO = 0, sSS = 1, sSR = 2, sES = 3, sFW = 4, sCW = 5, sLA = 6, sTW = 7, sCL = 8, sS2 = 9,
                  sIV = 10, sIG = 11;

// [direction][class][current state], as §2.3 tabulates it.
constexpr uint8_t state_table[2][6][10] = {
    {
        /* syn    */ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
        /* synack */ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
        /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
        /* ack    */ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
        /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
    {
        /* syn    */ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
        /* synack */ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
        /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
        /* ack    */ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
        /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
};

constexpr uint32_t max_ack_window_const = 66000;
constexpr uint8_t max_wscale = 14;

bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
bool after(uint32_t a, uint32_t b) { return before(b, a); }

bool valid_flags(uint8_t f) {
    switch (f) {
    case syn: case syn | urg: case syn | ack: case rst: case rst | ack: case fin | ack: case fin | ack | urg:
    case ack: case ack | urg:
        return true;
    default:
        return false;
    }
}

uint8_t packet_class(uint8_t f) {
    if (f & rst) return rst_set;
    if (f & syn) return (f & ack) ? synack_set : syn_set;
    if (f & fin) return fin_set;
    if (f & ack) return ack_set;
    return none_set;
}

struct segment {
    uint32_t seq, ack, end;
    uint16_t win;
    uint8_t flags, index;
    uint32_t header, options_len;  // where the header starts, bytes of options
};

// Walks the TCP options; fn(kind, offset of the option's data, size) for each whole option.
template <typename Fn>
void for_each_option(const packet::packet_view& p, const segment& s, Fn fn) {
    uint32_t at = s.header + 20;
    uint32_t left = s.options_len;
    while (left > 0) {
        const uint8_t kind = p.u8_at(at);
        if (kind == 0) return;  // end of options
        if (kind == 1) {        // no-op
            ++at;
            --left;
            continue;
        }
        if (left < 2) return;
        const uint8_t size = p.u8_at(at + 1);
        if (size < 2 || size > left) return;  // silly or partial options end the walk
        fn(kind, at + 2, size);
        at += size;
        left -= size;
    }
}

// tcp_options: window scale (capped at 14) and SACK permitted, from a SYN or SYN-ACK.
void read_options(const packet::packet_view& p, const segment& s, uint8_t& flags, uint8_t& scale) {
    for_each_option(p, s, [&](uint8_t kind, uint32_t data, uint8_t size) {
        if (kind == 4 && size == 2) flags |= tcp_flag_sack_perm;
        else if (kind == 3 && size == 3) {
            scale = std::min<uint8_t>(p.u8_at(data), max_wscale);
            flags |= tcp_flag_window_scale;
        }
    });
}

// tcp_sack: the highest right edge of the SACK blocks, when beyond `sack`.
void read_sack(const packet::packet_view& p, const segment& s, uint32_t& sack) {
    for_each_option(p, s, [&](uint8_t kind, uint32_t data, uint8_t size) {
        if (kind != 5 || size < 10 || (size - 2) % 8 != 0) return;
        for (uint32_t i = 0; i < uint32_t(size - 2); i += 8) {
            const uint32_t right = p.be32_at(data + i + 4);
            if (after(right, sack)) sack = right;
        }
    });
}

enum class window_result : uint8_t { accept, ignore, invalid };

// nf_tcp_log_invalid: a liberal sender (or the sysctl) turns every window failure into accept.
window_result window_failure(const tcp_track& t, const config& cfg, int dir, window_result r) {
    if ((t.flags[dir] & tcp_flag_be_liberal) || cfg.tcp_be_liberal) return window_result::accept;
    return r;
}

// tcp_init_sender: a SYN-ACK answering a SYN, or the reply SYN of a simultaneous open.
void init_sender(tcp_track& t, int dir, const packet::packet_view& p, const segment& s) {
    const int other = 1 - dir;
    t.td_end[dir] = t.td_maxend[dir] = s.end;
    t.td_maxwin[dir] = s.win == 0 ? 1 : s.win;
    read_options(p, s, t.flags[dir], t.td_scale[dir]);
    // RFC 1323: both sides must send the option for either direction to scale.
    if (!((t.flags[dir] & tcp_flag_window_scale) && (t.flags[other] & tcp_flag_window_scale))) {
        t.td_scale[dir] = 0;
        t.td_scale[other] = 0;
    }
}

window_result in_window(tcp_track& t, const config& cfg, int dir, const packet::packet_view& p, const segment& s,
                        tcp_state state) {
    const int other = 1 - dir;
    uint32_t seq = s.seq, ackv = s.ack, sack = s.ack, end = s.end, win = s.win;
    if (t.flags[other] & tcp_flag_sack_perm) read_sack(p, s, sack);

    if (t.td_maxwin[dir] == 0) {
        if (s.flags & syn) {
            init_sender(t, dir, p, s);
            if (!(s.flags & ack)) return window_result::accept;  // simultaneous open
        } else {
            // Mid-connection: history lost, take what this packet tells.
            t.td_end[dir] = end;
            const uint32_t swin = win << t.td_scale[dir];
            t.td_maxwin[dir] = swin == 0 ? 1 : swin;
            t.td_maxend[dir] = end + t.td_maxwin[dir];
            if (t.td_maxwin[other] == 0) {
                // Nothing seen the other way yet: let checks III and IV pass until it is.
                t.td_end[other] = t.td_maxend[other] = sack;
            } else if (sack == t.td_end[other] + 1) {
                ++t.td_end[other];  // likely the answer to a keepalive
            }
        }
    } else if ((s.flags & syn) && after(end, t.td_end[dir]) &&
               (state == tcp_state::syn_sent || state == tcp_state::syn_recv)) {
        // A retransmitted SYN or SYN-ACK with a higher end re-initialises this direction.
        init_sender(t, dir, p, s);
        if (dir == 1 && !(s.flags & ack)) return window_result::accept;
    }

    if (!(s.flags & ack)) {
        ackv = sack = t.td_end[other];
    } else if ((s.flags & (ack | rst)) == (ack | rst) && s.ack == 0) {
        ackv = sack = t.td_end[other];  // stacks that send RST+ACK with ack 0
    }
    if ((s.flags & rst) && seq == 0 && state == tcp_state::syn_sent) seq = end = t.td_end[dir];  // RST answering the SYN

    const uint32_t max_ack_window = std::max(t.td_maxwin[dir], max_ack_window_const);
    if (!before(seq, t.td_maxend[dir] + 1)) {
        const uint32_t overshot = end - t.td_maxend[dir] + 1;
        const bool ack_ok = after(sack, t.td_end[other] - max_ack_window - 1);
        const bool in_recv_win = t.td_maxwin[other] != 0 && after(end, t.td_end[dir] - t.td_maxwin[other] - 1);
        if (in_recv_win && ack_ok && overshot <= t.td_maxwin[other] && before(sack, t.td_end[other] + 1)) {
            // A sender overshooting the receive window: let the receiver's ACK of this data
            // pass the ACK check later by recording it.
            t.td_end[dir] = end;
            t.flags[dir] |= tcp_flag_data_unacknowledged;
            return window_failure(t, cfg, dir, window_result::ignore);
        }
        return window_failure(t, cfg, dir, window_result::invalid);  // SEQ over upper bound
    }
    if (!before(sack, t.td_end[other] + 1))
        return window_failure(t, cfg, dir, window_result::invalid);  // ACK of data not seen yet
    if (t.td_maxwin[other] != 0 && !after(end, t.td_end[dir] - t.td_maxwin[other] - 1))
        return window_failure(t, cfg, dir, window_result::ignore);  // old retransmission
    if (!after(sack, t.td_end[other] - max_ack_window - 1))
        return window_failure(t, cfg, dir, window_result::ignore);  // ACK under the lower bound

    if (!(s.flags & syn)) win <<= t.td_scale[dir];
    const uint32_t swin = win + (sack - ackv);
    if (t.td_maxwin[dir] < swin) t.td_maxwin[dir] = swin;
    if (after(end, t.td_end[dir])) {
        t.td_end[dir] = end;
        t.flags[dir] |= tcp_flag_data_unacknowledged;
    }
    if (s.flags & ack) {
        if (!(t.flags[dir] & tcp_flag_maxack_set)) {
            t.td_maxack[dir] = ackv;
            t.flags[dir] |= tcp_flag_maxack_set;
        } else if (after(ackv, t.td_maxack[dir])) {
            t.td_maxack[dir] = ackv;
        }
    }
    if (t.td_maxwin[other] != 0 && after(end, t.td_maxend[dir])) t.td_maxwin[other] += end - t.td_maxend[dir];
    if (after(sack + win, t.td_maxend[other] - 1)) {
        t.td_maxend[other] = sack + win;
        if (win == 0) ++t.td_maxend[other];
    }
    if (ackv == t.td_end[other]) t.flags[other] &= static_cast<uint8_t>(~tcp_flag_data_unacknowledged);

    if (s.index == ack_set) {
        if (t.last_dir == dir && t.last_seq == seq && t.last_ack == ackv && t.last_end == end && t.last_win == s.win) {
            if (t.retrans < 255) ++t.retrans;
        } else {
            t.last_dir = static_cast<uint8_t>(dir);
            t.last_seq = seq;
            t.last_ack = ackv;
            t.last_end = end;
            t.last_win = s.win;
            t.retrans = 0;
        }
    }
    return window_result::accept;
}

// tcp_new: only a SYN (SYN_SENT), or with tcp_loose a bare ACK (ESTABLISHED), opens an entry.
bool tcp_new(tcp_track& t, const config& cfg, const packet::packet_view& p, const segment& s) {
    const uint8_t next = state_table[0][s.index][sNO];
    if (next >= sIV) return false;
    if (next == sSS) {
        t = tcp_track{};
        t.td_end[0] = s.end;
        t.td_maxwin[0] = s.win == 0 ? 1 : s.win;
        t.td_maxend[0] = t.td_end[0];
        read_options(p, s, t.flags[0], t.td_scale[0]);
    } else {
        if (!cfg.tcp_loose) return false;
        t = tcp_track{};
        t.td_end[0] = s.end;
        t.td_maxwin[0] = s.win == 0 ? 1 : s.win;
        t.td_maxend[0] = t.td_end[0] + t.td_maxwin[0];
        // Picked-up flows cannot know the window scale: assume SACK and be liberal.
        t.flags[0] = t.flags[1] = tcp_flag_sack_perm | tcp_flag_be_liberal;
    }
    t.last_index = none_set;
    return true;
}

uint32_t state_timeout(const config& cfg, uint8_t s) {
    switch (s) {
    case sSS: case sS2: return cfg.tcp_timeout_syn_sent;
    case sSR: return cfg.tcp_timeout_syn_recv;
    case sES: return cfg.tcp_timeout_established;
    case sFW: return cfg.tcp_timeout_fin_wait;
    case sCW: return cfg.tcp_timeout_close_wait;
    case sLA: return cfg.tcp_timeout_last_ack;
    case sTW: return cfg.tcp_timeout_time_wait;
    case sCL: return cfg.tcp_timeout_close;
    default: return cfg.tcp_timeout_close;
    }
}

// nf_tcp_handle_invalid: an ASSURED entry that sees out-of-window FIN/RST from both sides is
// probably dead; bring its timeout down to the unacknowledged value.
void handle_invalid(entry& e, proto_context& c, int dir, uint8_t index) {
    tcp_track& t = e.proto.tcp;
    if (!(e.status & ips_assured) || (e.status & ips_fixed_timeout)) return;
    if (index != rst_set && index != fin_set) return;
    if (t.last_dir != dir && (t.last_index == fin_set || t.last_index == rst_set)) {
        const int32_t left = static_cast<int32_t>(e.expires - c.now);
        if (left < 120 * 1000) return;
        if (static_cast<uint32_t>(left) > c.cfg.tcp_timeout_unacknowledged * 1000u)
            set_expires(e, c.now + c.cfg.tcp_timeout_unacknowledged * 1000u);
    } else {
        t.last_index = index;
        t.last_dir = static_cast<uint8_t>(dir);
    }
}

bool established(const entry& e) {
    return e.proto.tcp.state == sES && (e.status & ips_assured);
}

}  // namespace

uint32_t tcp_timeout_for(const config& cfg, tcp_state s) { return state_timeout(cfg, static_cast<uint8_t>(s)); }

bool tcp_can_early_drop(const entry& e) {
    switch (__atomic_load_n(&e.proto.tcp.state, __ATOMIC_RELAXED)) {  // GC reads it unlocked
    case sFW: case sLA: case sTW: case sCL: case sCW: return true;
    default: return false;
    }
}

proto_verdict tcp_packet(entry& e, proto_context& c, bool is_new) {
    const packet::packet_view& p = c.pkt;
    if (!p.has_transport_header()) return proto_verdict::invalid;
    const uint32_t off = ct_l4_offset(p);
    if (!p.contains(off, 20)) return proto_verdict::invalid;
    const uint32_t l4len = p.size() - off;
    const uint32_t doff = uint32_t(p.u8_at(off + 12) >> 4) * 4;
    if (doff < 20 || l4len < doff) return proto_verdict::invalid;  // truncated
    if (c.cfg.checksum && c.hook == hook_point::prerouting && !l4_checksum_ok(p, proto_tcp))
        return proto_verdict::invalid;
    segment s{};
    s.header = off;
    s.options_len = doff - 20;
    s.flags = p.u8_at(off + 13);
    if (!valid_flags(s.flags & static_cast<uint8_t>(~(ece | cwr | psh)))) return proto_verdict::invalid;
    s.seq = p.be32_at(off + 4);
    s.ack = p.be32_at(off + 8);
    s.win = p.be16_at(off + 14);
    s.end = s.seq + (l4len - doff) + ((s.flags & syn) ? 1 : 0) + ((s.flags & fin) ? 1 : 0);
    s.index = packet_class(s.flags);

    tcp_track& t = e.proto.tcp;
    if (is_new && !tcp_new(t, c.cfg, p, s)) return proto_verdict::invalid;

    const int dir = static_cast<int>(c.dir);
    uint8_t old_state = t.state;
    uint8_t new_state = state_table[dir][s.index][old_state];
    bool skip_window = false;

    switch (new_state) {
    case sSS:
        if (old_state < sTW) break;
        // A SYN on a closed or aborted connection: start over with a fresh entry.
        if (((t.flags[0] | t.flags[1]) & tcp_flag_close_init) || (t.last_dir == dir && t.last_index == rst_set))
            return proto_verdict::repeat;
        [[fallthrough]];
    case sIG:
        if (s.index == synack_set && t.last_index == syn_set && t.last_dir != dir && s.ack == t.last_end) {
            // This SYN-ACK answers a SYN we ignored: client and server are in sync and we are
            // not. Resynchronise from the values noted then.
            const int ld = t.last_dir;
            old_state = sSS;
            new_state = sSR;
            t.td_end[ld] = t.last_end;
            t.td_maxend[ld] = t.last_end;
            t.td_maxwin[ld] = t.last_win == 0 ? 1 : t.last_win;
            t.td_scale[ld] = t.last_wscale;
            t.last_flags &= static_cast<uint8_t>(~tcp_exp_challenge_ack);
            t.flags[ld] = t.last_flags;
            t.td_end[dir] = t.td_maxend[dir] = t.td_maxwin[dir] = t.td_maxack[dir] = 0;
            t.td_scale[dir] = 0;
            t.flags[dir] = 0;
            break;
        }
        t.last_index = s.index;
        t.last_dir = static_cast<uint8_t>(dir);
        t.last_seq = s.seq;
        t.last_end = s.end;
        t.last_win = s.win;
        if (s.index == syn_set && dir == 0) {
            // The client may be reconnecting through a stale entry: note its options for
            // the resync above, and the chance of an RFC 5961 challenge ACK in LAST_ACK.
            uint8_t flags = 0, scale = 0;
            read_options(p, s, flags, scale);
            t.last_flags = 0;
            t.last_wscale = 0;
            if (flags & tcp_flag_window_scale) {
                t.last_flags |= tcp_flag_window_scale;
                t.last_wscale = scale;
            }
            if (flags & tcp_flag_sack_perm) t.last_flags |= tcp_flag_sack_perm;
            if (old_state == sLA) t.last_flags |= tcp_exp_challenge_ack;
        }
        if (old_state == sSS && s.index == ack_set && dir == 1) t.last_ack = s.ack;  // maybe a challenge ACK
        return proto_verdict::accept;  // ignored: no state change, no refresh, not counted
    case sIV:
        return proto_verdict::invalid;
    case sTW:
        if (old_state == sLA && s.index == ack_set && t.last_dir != dir && t.last_index == syn_set &&
            (t.last_flags & tcp_exp_challenge_ack)) {
            // The ACK is the peer's challenge ACK to a spurious SYN, not the ACK of the FIN.
            t.last_flags &= static_cast<uint8_t>(~tcp_exp_challenge_ack);
            return proto_verdict::accept;
        }
        break;
    case sS2:
        t.last_flags |= tcp_simopen;
        break;
    case sSR:
        if (dir == 1 && s.index == ack_set && (t.last_flags & tcp_simopen)) new_state = sES;
        break;
    case sCL: {
        if (s.index != rst_set) break;
        // In the closing states the tuple may already be reused: no checks at all.
        if (tcp_can_early_drop(e)) {
            skip_window = true;
            break;
        }
        const int other = 1 - dir;
        if ((t.flags[other] & tcp_flag_maxack_set) && t.last_index != syn_set) {
            if (s.seq == 0 && !established(e)) break;  // answers a SYN we let through
            if (before(s.seq, t.td_maxack[other]) && !c.cfg.tcp_ignore_invalid_rst) return proto_verdict::invalid;
            if (!established(e) || s.seq == t.td_maxack[other]) break;
            if (t.last_index == ack_set && t.last_dir == dir && s.seq == t.last_end) break;  // RST train
            // In window but not exact: keep ESTABLISHED for a possible challenge ACK.
            new_state = old_state;
        }
        if ((((e.status & ips_seen_reply) && t.last_index == syn_set) ||
             (!(e.status & ips_assured) && t.last_index == ack_set)) &&
            s.ack == t.last_end) {
            skip_window = true;  // RST answering a SYN or half-open ACK we let through
            break;
        }
        if (old_state == sSS && t.last_index == ack_set && t.last_dir == 1 && s.seq == t.last_ack) {
            skip_window = true;  // RST answering a challenge ACK
            break;
        }
        break;
    }
    default:
        break;
    }

    if (!skip_window) {
        switch (in_window(t, c.cfg, dir, p, s, static_cast<tcp_state>(t.state))) {
        case window_result::ignore: return proto_verdict::accept;
        case window_result::invalid: handle_invalid(e, c, dir, s.index); return proto_verdict::invalid;
        case window_result::accept: break;
        }
    }

    t.last_index = s.index;
    t.last_dir = static_cast<uint8_t>(dir);
    set_tcp_state(e, new_state);
    if (old_state != new_state && new_state == sFW) t.flags[dir] |= tcp_flag_close_init;

    const config& cfg = c.cfg;
    const uint32_t full = state_timeout(cfg, new_state);
    uint32_t timeout;
    if (t.retrans >= cfg.tcp_max_retrans && full > cfg.tcp_timeout_max_retrans)
        timeout = cfg.tcp_timeout_max_retrans;
    else if (s.index == rst_set)
        // Any RST gets the CLOSE timeout, also one that kept ESTABLISHED (in window, inexact):
        // nf_conntrack_tcp_packet does so, the peer's challenge ACK (if any) renews it.
        timeout = cfg.tcp_timeout_close;
    else if (((t.flags[0] | t.flags[1]) & tcp_flag_data_unacknowledged) && full > cfg.tcp_timeout_unacknowledged)
        timeout = cfg.tcp_timeout_unacknowledged;
    else if (t.last_win == 0 && full > cfg.tcp_timeout_max_retrans)
        timeout = cfg.tcp_timeout_max_retrans;
    else
        timeout = full;

    if (!(e.status & ips_seen_reply)) {
        if (s.flags & rst) {
            // A RST as the only answer: no connection, delete the entry at once.
            c.kill = true;
            return proto_verdict::accept;
        }
        // A SYN retransmit must not renew the timer, or port reuse keeps a dead entry alive.
        if (s.index == syn_set && old_state == sSS) return proto_verdict::accept;
        if (new_state == sES && timeout > cfg.tcp_timeout_unacknowledged) timeout = cfg.tcp_timeout_unacknowledged;
    } else if (!(e.status & ips_assured) && (old_state == sSR || old_state == sES) && new_state == sES) {
        add_status(e, ips_assured);
    }
    c.refresh_with(timeout);
    return proto_verdict::accept;
}

}  // namespace nfqwall::conntrack

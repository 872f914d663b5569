// Protocols without a tracker of their own (nf_conntrack_proto_generic.c): addresses and
// protocol number only, one timeout, never ASSURED. And GRE, which is as simple.
#include "conntrack/entry.hpp"

namespace nfqwall::conntrack {

proto_verdict generic_packet(entry&, proto_context& c, bool) {
    c.refresh_with(c.cfg.generic_timeout);
    return proto_verdict::accept;
}

// nf_conntrack_proto_gre.c: 30 s until both directions were seen, then 180 s and ASSURED.
// Without the PPTP helper's key map the tuple's source key stays 0 (build_tuple).
proto_verdict gre_packet(entry& e, proto_context& c, bool) {
    if (e.status & ips_seen_reply) {
        c.refresh_with(c.cfg.gre_timeout_stream);
        if (!(e.status & ips_nat_clash)) add_status(e, ips_assured);
    } else {
        c.refresh_with(c.cfg.gre_timeout);
    }
    return proto_verdict::accept;
}

}  // namespace nfqwall::conntrack

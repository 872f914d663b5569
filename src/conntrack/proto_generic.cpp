// Protocols without a tracker of their own (nf_conntrack_proto_generic.c): addresses and
// protocol number only, one timeout, never ASSURED.
#include "conntrack/entry.hpp"

namespace nfqwall::conntrack {

proto_verdict generic_packet(entry&, proto_context& c, bool) {
    c.refresh_with(c.cfg.generic_timeout);
    return proto_verdict::accept;
}

}  // namespace nfqwall::conntrack

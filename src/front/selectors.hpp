// Building typed selector expressions (header fields, extension headers, meta, ct...) from the
// protocol and key tables.
#pragma once

#include "front/expr.hpp"
#include "front/proto.hpp"

namespace nfqwall::front {

// A header field of a protocol (`tcp dport`); field is the template index.
std::unique_ptr<payload_expr> make_payload(location l, const proto_desc* desc, int field);
// A raw load `@base,offset,len` (bits).
std::unique_ptr<payload_expr> make_payload_raw(location l, proto_base base, uint32_t offset, uint32_t len);
// An extension header / option field; with `present`, a presence test of the header itself.
std::unique_ptr<exthdr_expr> make_exthdr(location l, exthdr_op op, const exthdr_desc* desc, int field,
                                         bool present);
std::unique_ptr<meta_expr> make_meta(location l, int key);
std::unique_ptr<ct_expr> make_ct(location l, int key, int dir, int nfproto = 0);

// Re-derives dtype/len/order of a selector from its key (after the key or family changed).
void ct_expr_update_type(ct_expr& e, int nfproto);

}  // namespace nfqwall::front

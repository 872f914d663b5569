#include "front/selectors.hpp"

#include "front/rule.hpp"

namespace nfqwall::front {

std::unique_ptr<payload_expr> make_payload(location l, const proto_desc* desc, int field) {
    auto e = std::make_unique<payload_expr>(l);
    e->desc = desc;
    e->field = field;
    e->base = desc->base;
    if (field >= 0 && static_cast<size_t>(field) < desc->templates.size()) {
        const proto_hdr_template& t = desc->templates[static_cast<size_t>(field)];
        e->tmpl = &t;
        e->offset = t.offset;
        e->len = t.len;
        e->dtype = t.dtype;
        e->order = t.order;
    }
    // ip protocol and ip6 nexthdr name the upper protocol too, although dependencies are
    // generated with `meta l4proto` (which sees through IPv6 extension headers).
    if ((desc->protocol_key >= 0 && field == desc->protocol_key) ||
        (desc->id == proto_id::ip && field == IPHDR_PROTOCOL) || (desc->id == proto_id::ip6 && field == IP6HDR_NEXTHDR)) {
        e->flags |= EXPR_F_PROTOCOL;
    }
    return e;
}

std::unique_ptr<payload_expr> make_payload_raw(location l, proto_base base, uint32_t offset, uint32_t len) {
    auto e = std::make_unique<payload_expr>(l);
    e->base = base;
    e->offset = offset;
    e->len = len;
    e->is_raw = true;
    e->dtype = &dt(type_id::xinteger);
    e->order = byte_order::big;
    return e;
}

std::unique_ptr<exthdr_expr> make_exthdr(location l, exthdr_op op, const exthdr_desc* desc, int field, bool present) {
    auto e = std::make_unique<exthdr_expr>(l);
    e->xop = op;
    e->desc = desc;
    e->field = field;
    e->present = present;
    if (desc) e->raw_type = desc->type;
    if (desc && field >= 0 && static_cast<size_t>(field) < desc->templates.size()) {
        const proto_hdr_template& t = desc->templates[static_cast<size_t>(field)];
        e->tmpl = &t;
        e->offset = t.offset;
        e->len = t.len;
        e->dtype = t.dtype;
        e->order = t.order;
    } else {
        e->dtype = &dt(type_id::integer);
        e->order = byte_order::big;
    }
    if (present) {
        // A presence test yields a boolean.
        e->dtype = &dt(type_id::boolean);
        e->len = 1;
        e->order = byte_order::host;
    }
    return e;
}

std::unique_ptr<meta_expr> make_meta(location l, int key) {
    auto e = std::make_unique<meta_expr>(l, key);
    if (const meta_template* t = meta_lookup(key)) {
        e->dtype = t->dtype;
        e->len = t->len;
        e->order = t->order;
    }
    if (key == META_L4PROTO || key == META_NFPROTO || key == META_PROTOCOL || key == META_IIFTYPE) {
        e->flags |= EXPR_F_PROTOCOL;
    }
    return e;
}

void ct_expr_update_type(ct_expr& e, int nfproto) {
    const ct_template* t = ct_lookup(e.key);
    if (t == nullptr) return;
    e.dtype = t->dtype;
    e.len = t->len;
    e.order = t->order;
    // saddr/daddr take their type from the network protocol when it is known.
    if (e.key == CT_SRC || e.key == CT_DST) {
        if (nfproto == static_cast<int>(family::ipv4)) {
            e.dtype = &dt(type_id::ipaddr);
            e.len = 32;
            e.order = byte_order::big;
        } else if (nfproto == static_cast<int>(family::ipv6)) {
            e.dtype = &dt(type_id::ip6addr);
            e.len = 128;
            e.order = byte_order::big;
        }
    }
    e.nfproto = nfproto;
}

std::unique_ptr<ct_expr> make_ct(location l, int key, int dir, int nfproto) {
    auto e = std::make_unique<ct_expr>(l, key, dir);
    ct_expr_update_type(*e, nfproto);
    if (key == CT_PROTOCOL || key == CT_L3PROTOCOL) e->flags |= EXPR_F_PROTOCOL;
    return e;
}

}  // namespace nfqwall::front

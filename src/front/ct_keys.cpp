// The conntrack expression keys (nftables 1.1 src/ct.c ct_templates): token, datatype,
// width and byte order per NFT_CT_* key. Built on first use because the datatypes come from
// the datatype registry.
#include <array>

#include "front/proto.hpp"

namespace nfqwall::front {

namespace {

constexpr uint32_t ct_label_bits = 128;
constexpr uint32_t helper_name_bits = 16 * 8;  // NF_CT_HELPER_NAME_LEN

struct ct_tables {
    std::array<ct_template, CT_MAX> keys{};

    ct_tables() {
        auto set = [this](int key, std::string_view token, const datatype* dtype, byte_order order, uint32_t len) {
            ct_template& c = keys[static_cast<size_t>(key)];
            c.token = token;
            c.dtype = dtype;
            c.order = order;
            c.len = len;
        };
        const byte_order host = byte_order::host;
        const byte_order big = byte_order::big;
        set(CT_STATE, "state", &dt(type_id::ct_state), host, 32);
        set(CT_DIRECTION, "direction", &dt(type_id::ct_dir), host, 8);
        set(CT_STATUS, "status", &dt(type_id::ct_status), host, 32);
        set(CT_MARK, "mark", &dt(type_id::mark), host, 32);
        set(CT_EXPIRATION, "expiration", &dt(type_id::time), host, 32);
        set(CT_HELPER, "helper", &dt(type_id::string), host, helper_name_bits);
        set(CT_L3PROTOCOL, "l3proto", &dt(type_id::nfproto), host, 8);
        // The address family is only known from context (ct ... ip saddr, or a network
        // protocol match), so nft leaves the type invalid and the width 0 until evaluation.
        // datatype_lookup rather than dt(): the invalid type may not be registered.
        set(CT_SRC, "saddr", datatype_lookup(type_id::invalid), big, 0);
        set(CT_DST, "daddr", datatype_lookup(type_id::invalid), big, 0);
        set(CT_PROTOCOL, "protocol", &dt(type_id::inet_protocol), big, 8);
        set(CT_PROTO_SRC, "proto-src", &dt(type_id::inet_service), big, 16);
        set(CT_PROTO_DST, "proto-dst", &dt(type_id::inet_service), big, 16);
        set(CT_LABELS, "label", &dt(type_id::ct_label), host, ct_label_bits);
        set(CT_BYTES, "bytes", &dt(type_id::integer), host, 64);
        set(CT_PKTS, "packets", &dt(type_id::integer), host, 64);
        set(CT_AVGPKT, "avgpkt", &dt(type_id::integer), host, 64);
        set(CT_ZONE, "zone", &dt(type_id::integer), host, 16);
        set(CT_EVENTMASK, "event", &dt(type_id::ct_eventbit), host, 32);
        set(CT_SRC_IP, "ip saddr", &dt(type_id::ipaddr), big, 32);
        set(CT_DST_IP, "ip daddr", &dt(type_id::ipaddr), big, 32);
        set(CT_SRC_IP6, "ip6 saddr", &dt(type_id::ip6addr), big, 128);
        set(CT_DST_IP6, "ip6 daddr", &dt(type_id::ip6addr), big, 128);
        set(CT_SECMARK, "secmark", &dt(type_id::integer), host, 32);
        set(CT_ID, "id", &dt(type_id::integer), big, 32);
    }
    ct_tables(const ct_tables&) = delete;
    ct_tables& operator=(const ct_tables&) = delete;
};

const ct_tables& tables() {
    static const ct_tables t;
    return t;
}

}  // namespace

const ct_template* ct_lookup(int key) {
    if (key < 0 || key >= CT_MAX)
        return nullptr;
    return &tables().keys[static_cast<size_t>(key)];
}

int ct_key_by_name(std::string_view token) {
    const ct_tables& t = tables();
    for (size_t i = 0; i < t.keys.size(); i++) {
        if (!t.keys[i].token.empty() && t.keys[i].token == token)
            return static_cast<int>(i);
    }
    return -1;
}

}  // namespace nfqwall::front

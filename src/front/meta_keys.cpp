// The meta expression keys (nftables 1.1 src/meta.c meta_templates): token, datatype,
// width and byte order per NFT_META_* key. Built on first use because the datatypes come
// from the datatype registry.
#include <array>

#include "front/proto.hpp"

namespace nfqwall::front {

namespace {

constexpr uint32_t ifnamsiz_bits = 16 * 8;

struct meta_tables {
    std::array<meta_template, META_MAX> keys{};

    meta_tables() {
        auto set = [this](int key, std::string_view token, type_id t, uint32_t len, byte_order order) {
            meta_template& m = keys[static_cast<size_t>(key)];
            m.token = token;
            m.dtype = &dt(t);
            m.len = len;
            m.order = order;
            m.unqualified_print = meta_key_is_unqualified(key);
        };
        const byte_order host = byte_order::host;
        const byte_order big = byte_order::big;
        set(META_LEN, "length", type_id::integer, 32, host);
        set(META_PROTOCOL, "protocol", type_id::ethertype, 16, big);
        set(META_NFPROTO, "nfproto", type_id::nfproto, 8, host);
        set(META_L4PROTO, "l4proto", type_id::inet_protocol, 8, host);
        set(META_PRIORITY, "priority", type_id::classid, 32, host);
        set(META_MARK, "mark", type_id::mark, 32, host);
        set(META_IIF, "iif", type_id::ifindex, 32, host);
        set(META_IIFNAME, "iifname", type_id::ifname, ifnamsiz_bits, host);
        set(META_IIFTYPE, "iiftype", type_id::arphrd, 16, host);
        set(META_OIF, "oif", type_id::ifindex, 32, host);
        set(META_OIFNAME, "oifname", type_id::ifname, ifnamsiz_bits, host);
        set(META_OIFTYPE, "oiftype", type_id::arphrd, 16, host);
        set(META_SKUID, "skuid", type_id::uid, 32, host);
        set(META_SKGID, "skgid", type_id::gid, 32, host);
        set(META_NFTRACE, "nftrace", type_id::integer, 1, host);
        set(META_RTCLASSID, "rtclassid", type_id::realm, 32, host);
        set(META_BRI_IIFNAME, "ibrname", type_id::ifname, ifnamsiz_bits, host);
        set(META_BRI_OIFNAME, "obrname", type_id::ifname, ifnamsiz_bits, host);
        set(META_PKTTYPE, "pkttype", type_id::pkttype, 8, host);
        set(META_CPU, "cpu", type_id::integer, 32, host);
        set(META_IIFGROUP, "iifgroup", type_id::devgroup, 32, host);
        set(META_OIFGROUP, "oifgroup", type_id::devgroup, 32, host);
        set(META_CGROUP, "cgroup", type_id::integer, 32, host);
        // A random number has no byte order; nft declares it big endian so that it is
        // never converted.
        set(META_PRANDOM, "random", type_id::integer, 32, big);
        set(META_SECPATH, "ipsec", type_id::boolean, 8, host);
        set(META_IIFKIND, "iifkind", type_id::ifname, ifnamsiz_bits, host);
        set(META_OIFKIND, "oifkind", type_id::ifname, ifnamsiz_bits, host);
        set(META_BRI_IIFPVID, "ibrpvid", type_id::integer, 16, host);
        set(META_BRI_IIFVPROTO, "ibrvproto", type_id::ethertype, 16, big);
        set(META_TIME_NS, "time", type_id::time_date, 64, host);
        set(META_TIME_DAY, "day", type_id::time_day, 8, host);
        set(META_TIME_HOUR, "hour", type_id::time_hour, 32, host);
        set(META_SECMARK, "secmark", type_id::integer, 32, host);
        set(META_SDIF, "sdif", type_id::ifindex, 32, host);
        set(META_SDIFNAME, "sdifname", type_id::ifname, ifnamsiz_bits, host);
        set(META_BRI_BROUTE, "broute", type_id::integer, 1, host);
        set(META_BRI_IIFHWADDR, "ibrhwaddr", type_id::etheraddr, 48, big);
    }
    meta_tables(const meta_tables&) = delete;
    meta_tables& operator=(const meta_tables&) = delete;
};

const meta_tables& tables() {
    static const meta_tables t;
    return t;
}

}  // namespace

bool meta_key_is_unqualified(int key) {
    switch (key) {
    case META_IIF:
    case META_OIF:
    case META_IIFNAME:
    case META_OIFNAME:
    case META_IIFGROUP:
    case META_OIFGROUP:
        return true;
    default:
        return false;
    }
}

const meta_template* meta_lookup(int key) {
    if (key < 0 || key >= META_MAX)
        return nullptr;
    return &tables().keys[static_cast<size_t>(key)];
}

int meta_key_by_name(std::string_view token) {
    const meta_tables& t = tables();
    for (size_t i = 0; i < t.keys.size(); i++) {
        if (!t.keys[i].token.empty() && t.keys[i].token == token)
            return static_cast<int>(i);
    }
    // Names older nft versions used (nft's meta_key_parse keeps accepting them).
    if (token == "ibriport")
        return META_BRI_IIFNAME;
    if (token == "obriport")
        return META_BRI_OIFNAME;
    if (token == "secpath")
        return META_SECPATH;
    return -1;
}

}  // namespace nfqwall::front

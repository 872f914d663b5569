// TEMPORARY: placeholder datatype registry so the protocol tables and their unit tests link
// before the real datatype.cpp exists. Delete this file when merging with the datatype work.
// Each type is a distinct object with nft's id, name, size and byte order; nothing else.
#include <cassert>
#include <vector>

#include "front/datatype.hpp"

namespace nfqwall::front {

namespace {

struct stub_entry {
    type_id id;
    const char* name;
    uint32_t size;
    byte_order order;
};

const std::vector<datatype>& stub_types() {
    static const std::vector<datatype> types = [] {
        const byte_order h = byte_order::host;
        const byte_order b = byte_order::big;
        const byte_order x = byte_order::invalid;
        const stub_entry entries[] = {
            {type_id::invalid, "invalid", 0, x},
            {type_id::verdict, "verdict", 32, x},
            {type_id::nfproto, "nf_proto", 8, h},
            {type_id::bitmask, "bitmask", 0, h},
            {type_id::integer, "integer", 0, h},
            {type_id::string, "string", 0, h},
            {type_id::lladdr, "ll_addr", 0, b},
            {type_id::ipaddr, "ipv4_addr", 32, b},
            {type_id::ip6addr, "ipv6_addr", 128, b},
            {type_id::etheraddr, "ether_addr", 48, b},
            {type_id::ethertype, "ether_type", 16, b},
            {type_id::arpop, "arp_op", 16, b},
            {type_id::inet_protocol, "inet_proto", 8, b},
            {type_id::inet_service, "inet_service", 16, b},
            {type_id::icmp_type, "icmp_type", 8, b},
            {type_id::tcp_flag, "tcp_flag", 8, b},
            {type_id::dccp_pkttype, "dccp_pkttype", 4, x},
            {type_id::mh_type, "mh_type", 8, b},
            {type_id::time, "time", 64, h},
            {type_id::mark, "mark", 32, h},
            {type_id::ifindex, "iface_index", 32, h},
            {type_id::arphrd, "iface_type", 16, h},
            {type_id::realm, "realm", 32, h},
            {type_id::classid, "classid", 32, h},
            {type_id::uid, "uid", 32, h},
            {type_id::gid, "gid", 32, h},
            {type_id::ct_state, "ct_state", 32, h},
            {type_id::ct_dir, "ct_dir", 8, x},
            {type_id::ct_status, "ct_status", 32, h},
            {type_id::icmp6_type, "icmpv6_type", 8, b},
            {type_id::ct_label, "ct_label", 128, h},
            {type_id::pkttype, "pkt_type", 8, h},
            {type_id::icmp_code, "icmp_code", 8, b},
            {type_id::icmpv6_code, "icmpv6_code", 8, b},
            {type_id::devgroup, "devgroup", 32, h},
            {type_id::dscp, "dscp", 6, b},
            {type_id::ecn, "ecn", 2, b},
            {type_id::boolean, "boolean", 1, h},
            {type_id::ct_eventbit, "ct_event", 32, h},
            {type_id::ifname, "ifname", 128, h},
            {type_id::igmp_type, "igmp_type", 8, b},
            {type_id::time_date, "time", 64, h},
            {type_id::time_hour, "hour", 32, h},
            {type_id::time_day, "day", 8, h},
            {type_id::xinteger, "integer", 0, h},
            {type_id::mptcp_subtype, "integer", 4, x},
            {type_id::reject_icmp_code, "icmp_code", 8, b},
            {type_id::reject_icmpv6_code, "icmpv6_code", 8, b},
            {type_id::reject_icmpx_code, "icmpx_code", 8, b},
            {type_id::icmpx_code, "icmpx_code", 8, b},
            {type_id::queue, "queue", 16, h},
            {type_id::policy, "policy", 32, h},
            {type_id::cgroupv2, "cgroupsv2", 64, h},
            {type_id::fib_addr, "fib_addrtype", 32, h},
        };
        std::vector<datatype> v;
        for (const stub_entry& e : entries) {
            datatype d;
            d.id = e.id;
            d.name = e.name;
            d.size = e.size;
            d.order = e.order;
            v.push_back(d);
        }
        return v;
    }();
    return types;
}

}  // namespace

const datatype* datatype_lookup(type_id id) {
    for (const datatype& d : stub_types()) {
        if (d.id == id)
            return &d;
    }
    return nullptr;
}

const datatype* datatype_lookup_byname(std::string_view name) {
    for (const datatype& d : stub_types()) {
        if (d.name == name)
            return &d;
    }
    return nullptr;
}

const datatype& dt(type_id id) {
    const datatype* d = datatype_lookup(id);
    assert(d != nullptr);
    return *d;
}

}  // namespace nfqwall::front

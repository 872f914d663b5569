// TEMPORARY: stand-ins for the datatype and protocol tables until those land; lets the
// parser be built and tested on its own. Delete when datatype.cpp and proto.cpp arrive.
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "front/datatype.hpp"
#include "front/proto.hpp"
#include "front/print.hpp"

namespace nfqwall::front {

const datatype& dt(type_id id) {
    static std::map<type_id, datatype> types;
    auto& t = types[id];
    t.id = id;
    if (t.name.empty()) t.name = "t" + std::to_string(static_cast<int>(id));
    return t;
}
const datatype* datatype_lookup(type_id id) { return &dt(id); }
const datatype* datatype_lookup_byname(std::string_view name) {
    static std::map<std::string, type_id, std::less<>> names = {
        {"ipv4_addr", type_id::ipaddr}, {"ipv6_addr", type_id::ip6addr}, {"inet_service", type_id::inet_service},
        {"inet_proto", type_id::inet_protocol}, {"ether_addr", type_id::etheraddr}, {"mark", type_id::mark},
        {"ifname", type_id::ifname}, {"verdict", type_id::verdict}, {"time", type_id::time},
        {"iface_index", type_id::ifindex}, {"ct_state", type_id::ct_state}, {"integer", type_id::integer},
        {"dscp", type_id::dscp}, {"ecn", type_id::ecn}, {"classid", type_id::classid}, {"string", type_id::string},
        {"ether_type", type_id::ethertype}, {"icmp_type", type_id::icmp_type}, {"icmpv6_type", type_id::icmp6_type},
        {"cgroupsv2", type_id::cgroupv2}, {"ct_label", type_id::ct_label}, {"nf_proto", type_id::nfproto},
    };
    auto it = names.find(name);
    return it == names.end() ? nullptr : &dt(it->second);
}
std::optional<uint64_t> parse_time_string(std::string_view) { return 1000; }

u128 pack_string(std::string_view s) {
    u128 v = 0;
    for (char c : s.substr(0, 16)) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}
std::string unpack_string(u128 v, uint32_t bytes) {
    std::string s(bytes, '\0');
    for (uint32_t i = 0; i < bytes; ++i) s[bytes - 1 - i] = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
}

namespace {
struct stub_proto {
    std::map<std::string, proto_desc, std::less<>> descs;
};
stub_proto& protos() {
    static stub_proto p;
    return p;
}
}  // namespace

int proto_desc::field_index(std::string_view token) const {
    auto* self = const_cast<proto_desc*>(this);
    for (size_t i = 0; i < templates.size(); ++i) {
        if (templates[i].token == token) return static_cast<int>(i);
    }
    static std::deque<std::string> names;
    names.emplace_back(token);
    proto_hdr_template t;
    t.token = names.back();
    t.dtype = &dt(type_id::integer);
    t.len = 8;
    self->templates.push_back(t);
    return static_cast<int>(templates.size() - 1);
}
const proto_desc* proto_lookup(std::string_view keyword) {
    auto& d = protos().descs[std::string(keyword)];
    if (d.name.empty()) {
        static std::deque<std::string> names;
        names.emplace_back(keyword);
        d.name = names.back();
        d.base = proto_base::network;
    }
    return &d;
}
int exthdr_desc::field_index(std::string_view token) const { return token.empty() ? -1 : 0; }
const exthdr_desc* exthdr_lookup(exthdr_op, std::string_view) {
    static exthdr_desc d;
    if (d.templates.empty()) d.templates.push_back({"x", &dt(type_id::integer), byte_order::big, 0, 8, -1});
    return &d;
}
const exthdr_desc* exthdr_lookup(exthdr_op op, uint32_t) { return exthdr_lookup(op, "x"); }
const meta_template* meta_lookup(int) {
    static meta_template t{"m", &dt(type_id::integer), 32, byte_order::host, false};
    return &t;
}
int meta_key_by_name(std::string_view) { return 3; }
const ct_template* ct_lookup(int) {
    static ct_template t{"c", &dt(type_id::integer), 32, byte_order::host};
    return &t;
}
int ct_key_by_name(std::string_view) { return 0; }

}  // namespace nfqwall::front

// The datatype registry: every built-in nft type with its name, description, byte order,
// size, base type and symbol table, plus the generic parse walk (nft's symbol_parse and
// symbolic_constant_parse). Type-specific parse functions live in datatype_parse.cpp and
// print functions in datatype_print.cpp; they are attached here by type id.
#include "front/datatype.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <climits>
#include <cstdlib>
#include <cstdio>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>

namespace nfqwall::front {

namespace detail {
using print_fn = void (*)(const value_expr&, print_ctx&);
using parse_fn = parsed_value (*)(std::string_view, const datatype&);
// Defined in datatype_print.cpp and datatype_parse.cpp.
print_fn printer_for(type_id id);
parse_fn parser_for(type_id id);
}  // namespace detail

// ---------------------------------------------------------------------------------------
// Symbol tables

const symbol_entry* symbol_table::find(std::string_view name) const {
    for (const auto& s : symbols)
        if (s.name == name)
            return &s;
    return nullptr;
}

const symbol_entry* symbol_table::find(u128 value) const {
    // The first entry wins, which is how nft picks "8021q" over its alias "vlan".
    for (const auto& s : symbols)
        if (s.value == value)
            return &s;
    return nullptr;
}

namespace {

// A symbol table read from an iproute2-style file ("0x10 name" or "16 name" per line).
// The names must outlive the string_views in the table, hence the deque.
struct file_symbols {
    symbol_table table;
    std::deque<std::string> names;

    void clear() {
        table.symbols.clear();
        names.clear();
    }
    void add(uint32_t value, std::string name) {
        names.push_back(std::move(name));
        table.symbols.push_back({names.back(), value});
    }
};

// Reads one line's "value name" pair the way nft's rt_symbol_table_init does: hex with a
// literal 0x prefix, or an unsigned decimal, then a whitespace-delimited name. Returns false
// for a malformed line (nft stops reading the file there).
bool parse_symbol_line(const std::string& line, uint32_t& value, std::string& name, bool& hex) {
    unsigned v = 0;
    char buf[512];
    if (std::sscanf(line.c_str(), "0x%x %511s", &v, buf) == 2) {
        hex = true;
    } else if (std::sscanf(line.c_str(), "%u %511s", &v, buf) == 2) {
        hex = false;
    } else {
        return false;
    }
    value = v;
    name = buf;
    return true;
}

bool read_symbol_file(file_symbols& out, const std::string& path) {
    out.clear();
    out.table.base = number_base::decimal;
    std::ifstream in(path);
    if (!in)
        return false;
    std::string line;
    while (std::getline(in, line)) {
        size_t i = line.find_first_not_of(" \t");
        if (i == std::string::npos || line[i] == '#')
            continue;
        uint32_t value;
        std::string name;
        bool hex;
        if (!parse_symbol_line(line.substr(i), value, name, hex))
            break;
        out.table.base = hex ? number_base::hexadecimal : number_base::decimal;
        out.add(value, std::move(name));
    }
    return true;
}

// nft 1.1 looks for iproute2 databases in /etc/iproute2, then /usr/share/iproute2 (where
// iproute2 >= 6.5 installs its defaults). When neither exists we fall back to the entries
// iproute2 ships ("0 default" for groups, "0 cosmos" for realms) so that listings such as
// `iifgroup "default"` do not depend on the host's files.
void load_iproute2_table(file_symbols& out, const std::string& file,
                         std::initializer_list<std::pair<uint32_t, const char*>> fallback) {
    for (const char* dir : {"/etc/iproute2/", "/usr/share/iproute2/"})
        if (read_symbol_file(out, dir + file))
            return;
    out.clear();
    for (const auto& [value, name] : fallback)
        out.add(value, name);
}

struct registry {
    static constexpr size_t max_types = 128;

    std::array<datatype, max_types> types{};
    std::array<bool, max_types> present{};

    // Built-in symbol tables.
    symbol_table nfproto, ethertype, arpop, icmp_type, tcp_flag, dccp_pkttype, mh_type, arphrd,
        ct_state, ct_dir, ct_status, ct_event, icmp6_type, pkttype, icmp_code, icmpv6_code,
        icmpx_code, dscp, ecn, fib_addr, boolean, igmp_type, day, policy, mptcp_subtype,
        sctp_chunk_type;
    // Tables nft reads from files.
    file_symbols marks, devgroups, realms, ct_labels;

    registry();

    datatype& add(type_id id, const char* name, const char* desc, byte_order order, uint32_t size,
                  type_id base) {
        auto& t = types[static_cast<size_t>(id)];
        present[static_cast<size_t>(id)] = true;
        t.id = id;
        t.name = name;
        t.desc = desc;
        t.order = order;
        t.size = size;
        t.basetype = base == type_id::invalid ? nullptr : &types[static_cast<size_t>(base)];
        assert(base == type_id::invalid || present[static_cast<size_t>(base)]);
        return t;
    }
};

symbol_table make_table(number_base base, std::initializer_list<symbol_entry> entries) {
    return symbol_table{base, std::vector<symbol_entry>(entries)};
}

void set_basefmt(datatype& t, uint8_t min_digits) {
    t.has_basefmt = true;
    t.basefmt = {true, min_digits};
}

registry::registry() {
    using T = type_id;
    constexpr auto host = byte_order::host;
    constexpr auto big = byte_order::big;
    constexpr auto none = byte_order::invalid;
    constexpr auto dec = number_base::decimal;
    constexpr auto hex = number_base::hexadecimal;

    nfproto = make_table(dec, {{"ipv4", 2}, {"ipv6", 10}});
    // Values are the logical (host) numbers; nft keeps network-order constants here, which
    // compare equal once exported in the expression's byte order.
    ethertype = make_table(hex, {{"ip", 0x0800},
                                 {"arp", 0x0806},
                                 {"ip6", 0x86dd},
                                 {"8021q", 0x8100},
                                 {"8021ad", 0x88a8},
                                 {"vlan", 0x8100}});  // older spelling, parsed but never printed
    arpop = make_table(hex, {{"request", 1},
                             {"reply", 2},
                             {"rrequest", 3},
                             {"rreply", 4},
                             {"inrequest", 8},
                             {"inreply", 9},
                             {"nak", 10}});
    icmp_type = make_table(dec, {{"echo-reply", 0},
                                 {"destination-unreachable", 3},
                                 {"source-quench", 4},
                                 {"redirect", 5},
                                 {"echo-request", 8},
                                 {"router-advertisement", 9},
                                 {"router-solicitation", 10},
                                 {"time-exceeded", 11},
                                 {"parameter-problem", 12},
                                 {"timestamp-request", 13},
                                 {"timestamp-reply", 14},
                                 {"info-request", 15},
                                 {"info-reply", 16},
                                 {"address-mask-request", 17},
                                 {"address-mask-reply", 18}});
    tcp_flag = make_table(hex, {{"fin", 0x01},
                                {"syn", 0x02},
                                {"rst", 0x04},
                                {"psh", 0x08},
                                {"ack", 0x10},
                                {"urg", 0x20},
                                {"ecn", 0x40},
                                {"cwr", 0x80}});
    dccp_pkttype = make_table(hex, {{"request", 0},
                                    {"response", 1},
                                    {"data", 2},
                                    {"ack", 3},
                                    {"dataack", 4},
                                    {"closereq", 5},
                                    {"close", 6},
                                    {"reset", 7},
                                    {"sync", 8},
                                    {"syncack", 9}});
    mh_type = make_table(dec, {{"binding-refresh-request", 0},
                               {"home-test-init", 1},
                               {"careof-test-init", 2},
                               {"home-test", 3},
                               {"careof-test", 4},
                               {"binding-update", 5},
                               {"binding-acknowledgement", 6},
                               {"binding-error", 7},
                               {"fast-binding-update", 8},
                               {"fast-binding-acknowledgement", 9},
                               {"fast-binding-advertisement", 10},
                               {"experimental-mobility-header", 11},
                               {"home-agent-switch-message", 12}});
    // ARPHRD_* values from <net/if_arp.h>.
    arphrd = make_table(hex, {{"ether", 1},
                              {"ppp", 512},
                              {"ipip", 768},
                              {"ipip6", 769},
                              {"loopback", 772},
                              {"sit", 776},
                              {"ipgre", 778}});
    // NF_CT_STATE_INVALID_BIT, NF_CT_STATE_BIT(IP_CT_*), NF_CT_STATE_UNTRACKED_BIT.
    ct_state = make_table(hex, {{"invalid", 1}, {"new", 8}, {"established", 2}, {"related", 4}, {"untracked", 64}});
    ct_dir = make_table(dec, {{"original", 0}, {"reply", 1}});
    // IPS_* status bits; nft lists only those that make sense for filtering.
    ct_status = make_table(hex, {{"expected", 1},
                                 {"seen-reply", 2},
                                 {"assured", 4},
                                 {"confirmed", 8},
                                 {"snat", 16},
                                 {"dnat", 32},
                                 {"dying", 512}});
    // 1 << IPCT_* event numbers.
    ct_event = make_table(hex, {{"new", 1 << 0},
                                {"related", 1 << 1},
                                {"destroy", 1 << 2},
                                {"reply", 1 << 3},
                                {"assured", 1 << 4},
                                {"protoinfo", 1 << 5},
                                {"helper", 1 << 6},
                                {"mark", 1 << 7},
                                {"seqadj", 1 << 8},
                                {"secmark", 1 << 9},
                                {"label", 1 << 10}});
    icmp6_type = make_table(dec, {{"destination-unreachable", 1},
                                  {"packet-too-big", 2},
                                  {"time-exceeded", 3},
                                  {"parameter-problem", 4},
                                  {"echo-request", 128},
                                  {"echo-reply", 129},
                                  {"mld-listener-query", 130},
                                  {"mld-listener-report", 131},
                                  {"mld-listener-done", 132},
                                  {"mld-listener-reduction", 132},
                                  {"nd-router-solicit", 133},
                                  {"nd-router-advert", 134},
                                  {"nd-neighbor-solicit", 135},
                                  {"nd-neighbor-advert", 136},
                                  {"nd-redirect", 137},
                                  {"router-renumbering", 138},
                                  {"ind-neighbor-solicit", 141},
                                  {"ind-neighbor-advert", 142},
                                  {"mld2-listener-report", 143}});
    // PACKET_* from <linux/if_packet.h>; "unicast" is kept for backwards compatibility.
    pkttype = make_table(dec, {{"host", 0}, {"unicast", 0}, {"broadcast", 1}, {"multicast", 2}, {"other", 3}});
    icmp_code = make_table(dec, {{"net-unreachable", 0},
                                 {"host-unreachable", 1},
                                 {"prot-unreachable", 2},
                                 {"port-unreachable", 3},
                                 {"net-prohibited", 9},
                                 {"host-prohibited", 10},
                                 {"admin-prohibited", 13},
                                 {"frag-needed", 4}});
    icmpv6_code = make_table(dec, {{"no-route", 0},
                                   {"admin-prohibited", 1},
                                   {"addr-unreachable", 3},
                                   {"port-unreachable", 4},
                                   {"policy-fail", 5},
                                   {"reject-route", 6}});
    // NFT_REJECT_ICMPX_* codes.
    icmpx_code = make_table(dec, {{"port-unreachable", 1},
                                  {"admin-prohibited", 3},
                                  {"no-route", 0},
                                  {"host-unreachable", 2}});
    dscp = make_table(hex, {{"cs0", 0x00},  {"cs1", 0x08},  {"cs2", 0x10},  {"cs3", 0x18},  {"cs4", 0x20},
                            {"cs5", 0x28},  {"cs6", 0x30},  {"cs7", 0x38},  {"df", 0x00},   {"be", 0x00},
                            {"lephb", 0x01}, {"af11", 0x0a}, {"af12", 0x0c}, {"af13", 0x0e}, {"af21", 0x12},
                            {"af22", 0x14}, {"af23", 0x16}, {"af31", 0x1a}, {"af32", 0x1c}, {"af33", 0x1e},
                            {"af41", 0x22}, {"af42", 0x24}, {"af43", 0x26}, {"va", 0x2c},   {"ef", 0x2e}});
    ecn = make_table(hex, {{"not-ect", 0}, {"ect1", 1}, {"ect0", 2}, {"ce", 3}});
    // RTN_* route types.
    fib_addr = make_table(dec, {{"unspec", 0},
                                {"unicast", 1},
                                {"local", 2},
                                {"broadcast", 3},
                                {"anycast", 4},
                                {"multicast", 5},
                                {"blackhole", 6},
                                {"unreachable", 7},
                                {"prohibit", 8}});
    boolean = make_table(dec, {{"exists", 1}, {"missing", 0}});
    igmp_type = make_table(dec, {{"membership-query", 0x11},
                                 {"membership-report-v1", 0x12},
                                 {"membership-report-v2", 0x16},
                                 {"membership-report-v3", 0x22},
                                 {"leave-group", 0x17}});
    day = make_table(dec, {{"Sunday", 0},
                           {"Monday", 1},
                           {"Tuesday", 2},
                           {"Wednesday", 3},
                           {"Thursday", 4},
                           {"Friday", 5},
                           {"Saturday", 6}});
    // NF_ACCEPT / NF_DROP.
    policy = make_table(dec, {{"accept", 1}, {"drop", 0}});
    mptcp_subtype = make_table(dec, {{"mp-capable", 0},
                                     {"mp-join", 1},
                                     {"dss", 2},
                                     {"add-addr", 3},
                                     {"remove-addr", 4},
                                     {"mp-prio", 5},
                                     {"mp-fail", 6},
                                     {"mp-fastclose", 7},
                                     {"mp-tcprst", 8}});
    // SCTP chunk type numbers (RFC 9260 and extensions), named as nft's `sctp chunk` keywords.
    sctp_chunk_type = make_table(dec, {{"data", 0},
                                       {"init", 1},
                                       {"init-ack", 2},
                                       {"sack", 3},
                                       {"heartbeat", 4},
                                       {"heartbeat-ack", 5},
                                       {"abort", 6},
                                       {"shutdown", 7},
                                       {"shutdown-ack", 8},
                                       {"error", 9},
                                       {"cookie-echo", 10},
                                       {"cookie-ack", 11},
                                       {"ecne", 12},
                                       {"cwr", 13},
                                       {"shutdown-complete", 14},
                                       {"asconf-ack", 128},
                                       {"forward-tsn", 192},
                                       {"asconf", 193}});

    load_iproute2_table(marks, "rt_marks", {});
    load_iproute2_table(devgroups, "group", {{0, "default"}});
    load_iproute2_table(realms, "rt_realms", {{0, "cosmos"}});
    if (!read_symbol_file(ct_labels, "/etc/connlabel.conf"))
        read_symbol_file(ct_labels, "/etc/xtables/connlabel.conf");

    // Base types first: `add` links to them by address.
    add(T::invalid, "invalid", "invalid", none, 0, T::invalid);
    add(T::verdict, "verdict", "netfilter verdict", none, 0, T::invalid);
    add(T::integer, "integer", "integer", none, 0, T::invalid);
    set_basefmt(add(T::bitmask, "bitmask", "bitmask", none, 0, T::integer), 0);
    add(T::string, "string", "string", host, 0, T::invalid);
    add(T::lladdr, "ll_addr", "link layer address", big, 0, T::integer);

    add(T::nfproto, "nf_proto", "netfilter protocol", none, 8, T::integer).symbols = &nfproto;
    add(T::ipaddr, "ipv4_addr", "IPv4 address", big, 32, T::integer).flags = DTYPE_F_PREFIX;
    add(T::ip6addr, "ipv6_addr", "IPv6 address", big, 128, T::integer).flags = DTYPE_F_PREFIX;
    add(T::etheraddr, "ether_addr", "Ethernet address", big, 48, T::lladdr);
    {
        auto& t = add(T::ethertype, "ether_type", "Ethernet protocol", big, 16, T::integer);
        t.symbols = &ethertype;
        set_basefmt(t, 4);
    }
    add(T::arpop, "arp_op", "ARP operation", big, 16, T::integer).symbols = &arpop;
    add(T::inet_protocol, "inet_proto", "Internet protocol", none, 8, T::integer);
    add(T::inet_service, "inet_service", "internet network service", big, 16, T::integer);
    add(T::icmp_type, "icmp_type", "ICMP type", big, 8, T::integer).symbols = &icmp_type;
    add(T::tcp_flag, "tcp_flag", "TCP flag", big, 8, T::bitmask).symbols = &tcp_flag;
    add(T::dccp_pkttype, "dccp_pkttype", "DCCP packet type", none, 4, T::integer).symbols = &dccp_pkttype;
    add(T::mh_type, "mh_type", "Mobility Header Type", big, 8, T::integer).symbols = &mh_type;
    add(T::time, "time", "relative time", host, 32, T::integer);
    {
        auto& t = add(T::mark, "mark", "packet mark", host, 32, T::integer);
        t.symbols = &marks.table;
        set_basefmt(t, 8);
    }
    add(T::ifindex, "iface_index", "network interface index", host, 32, T::integer);
    add(T::arphrd, "iface_type", "network interface type", host, 16, T::integer).symbols = &arphrd;
    add(T::realm, "realm", "routing realm", host, 32, T::integer).symbols = &realms.table;
    add(T::classid, "classid", "TC classid", host, 32, T::integer);
    add(T::uid, "uid", "user ID", host, 32, T::integer);
    add(T::gid, "gid", "group ID", host, 32, T::integer);
    add(T::ct_state, "ct_state", "conntrack state", host, 32, T::bitmask).symbols = &ct_state;
    add(T::ct_dir, "ct_dir", "conntrack direction", none, 8, T::integer).symbols = &ct_dir;
    add(T::ct_status, "ct_status", "conntrack status", host, 32, T::bitmask).symbols = &ct_status;
    add(T::icmp6_type, "icmpv6_type", "ICMPv6 type", big, 8, T::integer).symbols = &icmp6_type;
    add(T::ct_label, "ct_label", "conntrack label", host, 128, T::bitmask).symbols = &ct_labels.table;
    add(T::pkttype, "pkt_type", "packet type", host, 8, T::integer).symbols = &pkttype;
    // nft 1.1 parses code names for icmp/icmpv6/icmpx code matches but prints them as
    // numbers (`icmp code 3`): the names live only in the reject_* types' tables.
    add(T::icmp_code, "icmp_code", "icmp code", big, 8, T::integer);
    add(T::icmpv6_code, "icmpv6_code", "icmpv6 code", big, 8, T::integer);
    add(T::icmpx_code, "icmpx_code", "icmpx code", big, 8, T::integer);
    add(T::devgroup, "devgroup", "devgroup name", host, 32, T::integer).symbols = &devgroups.table;
    {
        auto& t = add(T::dscp, "dscp", "Differentiated Services Code Point", big, 6, T::integer);
        t.symbols = &dscp;
        set_basefmt(t, 2);
    }
    {
        auto& t = add(T::ecn, "ecn", "Explicit Congestion Notification", big, 2, T::integer);
        t.symbols = &ecn;
        set_basefmt(t, 1);
    }
    add(T::fib_addr, "fib_addrtype", "fib address type", host, 32, T::integer).symbols = &fib_addr;
    add(T::boolean, "boolean", "boolean type", none, 1, T::integer).symbols = &boolean;
    add(T::ct_eventbit, "ct_event", "conntrack event bits", host, 32, T::bitmask).symbols = &ct_event;
    add(T::ifname, "ifname", "network interface name", host, 128, T::string);
    add(T::igmp_type, "igmp_type", "IGMP type", big, 8, T::integer).symbols = &igmp_type;
    add(T::time_date, "time", "Relative time of packet reception", host, 64, T::integer);
    add(T::time_hour, "hour", "Hour of day of packet reception", host, 32, T::integer);
    add(T::time_day, "day", "Day of week of packet reception", host, 8, T::integer).symbols = &day;
    add(T::cgroupv2, "cgroupsv2", "cgroupsv2 path", host, 64, T::integer);

    // Internal types. Most are nft's TYPE_INTEGER/TYPE_STRING aliases and keep nft's names
    // so that messages read the same ("datatype mismatch, expected integer").
    add(T::xinteger, "integer", "integer", none, 0, T::integer);
    add(T::policy, "policy", "policy type", host, 32, T::integer).symbols = &policy;
    add(T::queue, "queue", "queue", none, 0, T::integer);
    add(T::reject_icmp_code, "icmp_code", "reject icmp code", big, 8, T::integer).symbols = &icmp_code;
    add(T::reject_icmpv6_code, "icmpv6_code", "reject icmpv6 code", big, 8, T::integer).symbols = &icmpv6_code;
    add(T::reject_icmpx_code, "icmpx_code", "reject icmpx code", big, 8, T::integer).symbols = &icmpx_code;
    add(T::priority, "priority", "priority type", host, 32, T::invalid);
    add(T::mptcp_subtype, "integer", "mptcp option subtype", none, 4, T::integer).symbols = &mptcp_subtype;
    add(T::sctp_chunk_type, "integer", "sctp chunk type", none, 8, T::integer).symbols = &sctp_chunk_type;
    add(T::boolean_exists, "boolean", "boolean type", none, 1, T::boolean);
    add(T::ct_helper, "string", "string", host, 128, T::string);
    add(T::ct_id, "integer", "integer", big, 32, T::integer);
    add(T::ct_zone, "integer", "integer", host, 16, T::integer);
    add(T::socket_cgroup, "cgroupsv2", "cgroupsv2 path", host, 64, T::cgroupv2);
    add(T::osf_name, "string", "string", host, 128, T::string);
    add(T::secmark_name, "string", "string", host, 0, T::string);
    add(T::tunnel_id, "integer", "integer", host, 32, T::integer);

    for (size_t i = 0; i < max_types; ++i) {
        if (!present[i])
            continue;
        types[i].print = detail::printer_for(types[i].id);
        types[i].parse = detail::parser_for(types[i].id);
    }
}

registry& reg() {
    // Built on first use so that other translation units may call dt() from their own
    // static initialisers.
    static registry r;
    return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Lookups

const datatype* datatype_lookup(type_id id) {
    auto i = static_cast<size_t>(id);
    if (i >= registry::max_types || !reg().present[i])
        return nullptr;
    return &reg().types[i];
}

const datatype* datatype_lookup_byname(std::string_view name) {
    // Only nft's registered types are found by name (TYPE_INVALID..TYPE_CGROUPV2), as in nft:
    // the aliases share names with the types they alias.
    auto& r = reg();
    for (size_t i = 0; i <= static_cast<size_t>(type_id::cgroupv2); ++i)
        if (r.present[i] && r.types[i].name == name)
            return &r.types[i];
    return nullptr;
}

const datatype& dt(type_id id) {
    const datatype* t = datatype_lookup(id);
    // A missing built-in type is a programming error; fail loudly in release builds too.
    if (t == nullptr) {
        std::fprintf(stderr, "nfqwall: no datatype with id %u\n", static_cast<unsigned>(id));
        std::abort();
    }
    return *t;
}

bool datatype::derives_from(type_id t) const {
    for (const datatype* d = this; d != nullptr; d = d->basetype)
        if (d->id == t)
            return true;
    return false;
}

const datatype* datatype::root() const {
    const datatype* d = this;
    while (d->basetype != nullptr)
        d = d->basetype;
    return d;
}

type_id nft_type(const datatype& t) {
    switch (t.id) {
    case type_id::xinteger:
    case type_id::queue:
    case type_id::mptcp_subtype:
    case type_id::sctp_chunk_type:
    case type_id::ct_id:
    case type_id::ct_zone:
    case type_id::tunnel_id:
        return type_id::integer;
    // nft's priority and policy types claim TYPE_STRING; its reject code types set no type
    // at all (TYPE_INVALID).
    case type_id::policy:
    case type_id::priority:
    case type_id::ct_helper:
    case type_id::osf_name:
    case type_id::secmark_name:
        return type_id::string;
    case type_id::reject_icmp_code:
    case type_id::reject_icmpv6_code:
    case type_id::reject_icmpx_code:
        return type_id::invalid;
    case type_id::boolean_exists:
        return type_id::boolean;
    case type_id::socket_cgroup:
        return type_id::cgroupv2;
    default:
        return t.id;
    }
}

bool datatype_equal(const datatype& a, const datatype& b) {
    if (&a == &b)
        return true;
    if (a.is_concat() || b.is_concat()) {
        if (!a.is_concat() || !b.is_concat() || a.subtypes.size() != b.subtypes.size())
            return false;
        for (size_t i = 0; i < a.subtypes.size(); ++i)
            if (!datatype_equal(*a.subtypes[i], *b.subtypes[i]))
                return false;
        return true;
    }
    return nft_type(a) == nft_type(b);
}

bool load_symbol_file(type_id id, const std::string& path) {
    auto& r = reg();
    switch (id) {
    case type_id::mark:
        return read_symbol_file(r.marks, path);
    case type_id::devgroup:
        return read_symbol_file(r.devgroups, path);
    case type_id::realm:
        return read_symbol_file(r.realms, path);
    case type_id::ct_label:
        return read_symbol_file(r.ct_labels, path);
    default:
        return false;
    }
}

// ---------------------------------------------------------------------------------------
// Concatenations

namespace {

parsed_value concat_parse(std::string_view, const datatype& type) {
    return parsed_value::fail("invalid data type, expected " + type.desc);
}

// Each part of a concatenation occupies a whole number of 32-bit registers
// (nft's netlink_padded_len).
uint32_t padded_bits(uint32_t bits) { return (bits + 31) / 32 * 32; }

}  // namespace

const datatype* concat_type(const std::vector<const datatype*>& parts) {
    static std::mutex lock;
    static std::map<std::vector<const datatype*>, std::unique_ptr<datatype>> interned;

    std::lock_guard<std::mutex> guard(lock);
    auto& slot = interned[parts];
    if (!slot) {
        auto t = std::make_unique<datatype>();
        t->id = type_id::concat;
        t->subtypes = parts;
        t->desc = "concatenation of (";
        for (size_t i = 0; i < parts.size(); ++i) {
            if (i != 0) {
                t->name += " . ";
                t->desc += ", ";
            }
            t->name += parts[i]->name;
            t->desc += parts[i]->desc;
            t->size += padded_bits(parts[i]->size);
        }
        t->desc += ")";
        t->parse = concat_parse;
        t->print = detail::printer_for(type_id::concat);
        slot = std::move(t);
    }
    return slot.get();
}

// ---------------------------------------------------------------------------------------
// Parsing

namespace detail {

// nft's spelling-suggestion distance (misspell.c). It is a Damerau-Levenshtein variant with
// two quirks we keep so that suggestions match nft's: characters are compared one position
// to the right (a[i] with b[j] for 1-based i, j, so the terminating NUL takes part), and
// rows are laid out `len_b` wide although they hold `len_b + 1` cells, so each row's last
// cell is also the next row's first.
unsigned misspell_distance(const std::string& a, const std::string& b) {
    const size_t la = a.size(), lb = b.size();
    std::vector<unsigned> d((la + 1) * (lb + 1), 0);
    auto at = [&](size_t i, size_t j) -> unsigned& { return d[i * lb + j]; };
    for (size_t i = 0; i <= la; ++i)
        at(i, 0) = static_cast<unsigned>(i);
    for (size_t j = 0; j <= lb; ++j)
        at(0, j) = static_cast<unsigned>(j);
    for (size_t i = 1; i <= la; ++i) {
        for (size_t j = 1; j <= lb; ++j) {
            unsigned sub = a[i] == b[j] ? 0 : 1;
            unsigned best = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + sub});
            at(i, j) = best;
            if (i > 1 && j > 1 && a[i] == b[j - 1] && a[i - 1] == b[j])
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + sub);
        }
    }
    return at(la, lb);
}

// The closest candidate nft would suggest for `input`, or nullptr.
const char* misspell_suggest(std::string_view input, const std::vector<std::string_view>& candidates) {
    std::string a(input);
    unsigned min_distance = UINT_MAX;
    const char* best = nullptr;
    for (std::string_view c : candidates) {
        std::string b(c);
        size_t max_len = std::max(a.size(), b.size());
        size_t min_len = std::min(a.size(), b.size());
        if (max_len <= 1)
            continue;
        size_t threshold = max_len - min_len <= 1 ? std::max<size_t>((max_len + 2) / 3, 1) : (max_len + 4) / 3;
        unsigned distance = misspell_distance(a, b);
        if (distance > threshold)
            continue;
        if (distance < min_distance) {
            min_distance = distance;
            best = c.data();
        }
    }
    return best;
}

// nft's symbolic_constant_parse: a symbol of `tbl`, else the nearest base type's parser
// (its error turned into a spelling suggestion when a symbol is close enough).
parsed_value symbolic_parse(std::string_view text, const datatype& type, const symbol_table& tbl) {
    if (const symbol_entry* s = tbl.find(text))
        return parsed_value::of(s->value);
    for (const datatype* d = &type; d != nullptr; d = d->basetype) {
        if (d->basetype == nullptr || d->basetype->parse == nullptr)
            continue;
        parsed_value r = d->basetype->parse(text, type);
        if (r.ok())
            return r;
        std::vector<std::string_view> names;
        for (const auto& e : tbl.symbols)
            names.push_back(e.name);
        // Symbol names are string literals or deque-held strings, so data() is NUL-terminated.
        if (const char* hint = misspell_suggest(text, names))
            return parsed_value::fail("Could not parse " + type.desc + " expression; did you you mean `" + hint +
                                      "`?");
        return r;
    }
    return parsed_value::fail("Could not parse " + type.desc);
}

}  // namespace detail

parsed_value datatype_parse(const datatype& type, std::string_view text) {
    for (const datatype* d = &type; d != nullptr; d = d->basetype) {
        if (d->parse != nullptr)
            return d->parse(text, type);
        if (d->symbols != nullptr)
            return detail::symbolic_parse(text, type, *d->symbols);
    }
    return parsed_value::fail("Could not parse symbolic " + type.desc + " expression");
}

}  // namespace nfqwall::front

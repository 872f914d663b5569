// The nft datatype system: registry facts, and parse and print of every built-in type.
// Expected texts come from nft (1.0.6 on this host checked in a network namespace, and the
// 1.1.x conformance corpus where they differ).
#include <gtest/gtest.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "front/datatype.hpp"
#include "front/print.hpp"
#include "front/stmt.hpp"

namespace nfqwall::front {
namespace {

std::string show(const datatype& t, u128 v, uint32_t len = 0, list_options opts = {}) {
    value_expr e({}, &t, t.order, len != 0 ? len : t.size, v);
    print_ctx ctx;
    ctx.opts = opts;
    print_value(e, ctx);
    return ctx.out;
}

std::string show(type_id id, u128 v, uint32_t len = 0, list_options opts = {}) { return show(dt(id), v, len, opts); }

parsed_value parse(type_id id, std::string_view text) { return datatype_parse(dt(id), text); }

// Parse then print, as a listing shows what was written; errors come back as "error: ...".
std::string round_trip(type_id id, std::string_view text) {
    parsed_value r = parse(id, text);
    if (!r.ok())
        return "error: " + r.error;
    return show(id, r.value, r.len);
}

// Value of a successful parse (fails the test otherwise).
u128 value_of(type_id id, std::string_view text) {
    parsed_value r = parse(id, text);
    EXPECT_TRUE(r.ok()) << text << ": " << r.error;
    return r.value;
}

std::string error_of(type_id id, std::string_view text) {
    parsed_value r = parse(id, text);
    EXPECT_FALSE(r.ok()) << text << " parsed as " << u128_to_dec(r.value);
    return r.error;
}

// The conformance corpus is run with TZ=UTC-2 (local time two hours ahead of UTC).
class local_time : public ::testing::Test {
protected:
    void SetUp() override {
        const char* old = std::getenv("TZ");
        had_tz_ = old != nullptr;
        if (had_tz_)
            old_tz_ = old;
        setenv("TZ", "UTC-2", 1);
        tzset();
    }
    void TearDown() override {
        if (had_tz_)
            setenv("TZ", old_tz_.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

private:
    bool had_tz_ = false;
    std::string old_tz_;
};

// A temporary file, removed at the end of the test.
class temp_file {
public:
    explicit temp_file(const std::string& text) {
        char name[] = "/tmp/nfqwall-dt-XXXXXX";
        int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        close(fd);
        path_ = name;
        std::ofstream(path_) << text;
    }
    ~temp_file() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// ---------------------------------------------------------------------------------------
// Registry

struct type_fact {
    type_id id;
    const char* name;
    const char* desc;
    uint32_t bits;
    byte_order order;
    type_id base;  // invalid: none
};

// nft's built-in types, as `nft describe` reports them.
const type_fact nft_types[] = {
    {type_id::invalid, "invalid", "invalid", 0, byte_order::invalid, type_id::invalid},
    {type_id::verdict, "verdict", "netfilter verdict", 0, byte_order::invalid, type_id::invalid},
    {type_id::nfproto, "nf_proto", "netfilter protocol", 8, byte_order::invalid, type_id::integer},
    {type_id::bitmask, "bitmask", "bitmask", 0, byte_order::invalid, type_id::integer},
    {type_id::integer, "integer", "integer", 0, byte_order::invalid, type_id::invalid},
    {type_id::string, "string", "string", 0, byte_order::host, type_id::invalid},
    {type_id::lladdr, "ll_addr", "link layer address", 0, byte_order::big, type_id::integer},
    {type_id::ipaddr, "ipv4_addr", "IPv4 address", 32, byte_order::big, type_id::integer},
    {type_id::ip6addr, "ipv6_addr", "IPv6 address", 128, byte_order::big, type_id::integer},
    {type_id::etheraddr, "ether_addr", "Ethernet address", 48, byte_order::big, type_id::lladdr},
    {type_id::ethertype, "ether_type", "Ethernet protocol", 16, byte_order::big, type_id::integer},
    {type_id::arpop, "arp_op", "ARP operation", 16, byte_order::big, type_id::integer},
    {type_id::inet_protocol, "inet_proto", "Internet protocol", 8, byte_order::invalid, type_id::integer},
    {type_id::inet_service, "inet_service", "internet network service", 16, byte_order::big, type_id::integer},
    {type_id::icmp_type, "icmp_type", "ICMP type", 8, byte_order::big, type_id::integer},
    {type_id::tcp_flag, "tcp_flag", "TCP flag", 8, byte_order::big, type_id::bitmask},
    {type_id::dccp_pkttype, "dccp_pkttype", "DCCP packet type", 4, byte_order::invalid, type_id::integer},
    {type_id::mh_type, "mh_type", "Mobility Header Type", 8, byte_order::big, type_id::integer},
    {type_id::time, "time", "relative time", 32, byte_order::host, type_id::integer},
    {type_id::mark, "mark", "packet mark", 32, byte_order::host, type_id::integer},
    {type_id::ifindex, "iface_index", "network interface index", 32, byte_order::host, type_id::integer},
    {type_id::arphrd, "iface_type", "network interface type", 16, byte_order::host, type_id::integer},
    {type_id::realm, "realm", "routing realm", 32, byte_order::host, type_id::integer},
    {type_id::classid, "classid", "TC classid", 32, byte_order::host, type_id::integer},
    {type_id::uid, "uid", "user ID", 32, byte_order::host, type_id::integer},
    {type_id::gid, "gid", "group ID", 32, byte_order::host, type_id::integer},
    {type_id::ct_state, "ct_state", "conntrack state", 32, byte_order::host, type_id::bitmask},
    {type_id::ct_dir, "ct_dir", "conntrack direction", 8, byte_order::invalid, type_id::integer},
    {type_id::ct_status, "ct_status", "conntrack status", 32, byte_order::host, type_id::bitmask},
    {type_id::icmp6_type, "icmpv6_type", "ICMPv6 type", 8, byte_order::big, type_id::integer},
    {type_id::ct_label, "ct_label", "conntrack label", 128, byte_order::host, type_id::bitmask},
    {type_id::pkttype, "pkt_type", "packet type", 8, byte_order::host, type_id::integer},
    {type_id::icmp_code, "icmp_code", "icmp code", 8, byte_order::big, type_id::integer},
    {type_id::icmpv6_code, "icmpv6_code", "icmpv6 code", 8, byte_order::big, type_id::integer},
    {type_id::icmpx_code, "icmpx_code", "icmpx code", 8, byte_order::big, type_id::integer},
    {type_id::devgroup, "devgroup", "devgroup name", 32, byte_order::host, type_id::integer},
    {type_id::dscp, "dscp", "Differentiated Services Code Point", 6, byte_order::big, type_id::integer},
    {type_id::ecn, "ecn", "Explicit Congestion Notification", 2, byte_order::big, type_id::integer},
    {type_id::fib_addr, "fib_addrtype", "fib address type", 32, byte_order::host, type_id::integer},
    {type_id::boolean, "boolean", "boolean type", 1, byte_order::invalid, type_id::integer},
    {type_id::ct_eventbit, "ct_event", "conntrack event bits", 32, byte_order::host, type_id::bitmask},
    {type_id::ifname, "ifname", "network interface name", 128, byte_order::host, type_id::string},
    {type_id::igmp_type, "igmp_type", "IGMP type", 8, byte_order::big, type_id::integer},
    {type_id::time_date, "time", "Relative time of packet reception", 64, byte_order::host, type_id::integer},
    {type_id::time_hour, "hour", "Hour of day of packet reception", 32, byte_order::host, type_id::integer},
    {type_id::time_day, "day", "Day of week of packet reception", 8, byte_order::host, type_id::integer},
    {type_id::cgroupv2, "cgroupsv2", "cgroupsv2 path", 64, byte_order::host, type_id::integer},
};

TEST(DatatypeRegistry, NftTypesHaveNftNamesSizesAndBases) {
    for (const auto& f : nft_types) {
        const datatype* t = datatype_lookup(f.id);
        ASSERT_NE(t, nullptr) << f.name;
        EXPECT_EQ(t->id, f.id) << f.name;
        EXPECT_EQ(t->name, f.name);
        EXPECT_EQ(t->desc, f.desc) << f.name;
        EXPECT_EQ(t->size, f.bits) << f.name;
        EXPECT_EQ(t->order, f.order) << f.name;
        if (f.base == type_id::invalid)
            EXPECT_EQ(t->basetype, nullptr) << f.name;
        else
            EXPECT_EQ(t->basetype, &dt(f.base)) << f.name;
        EXPECT_EQ(&dt(f.id), t);
    }
}

TEST(DatatypeRegistry, LookupByName) {
    EXPECT_EQ(datatype_lookup_byname("ipv4_addr"), &dt(type_id::ipaddr));
    EXPECT_EQ(datatype_lookup_byname("inet_service"), &dt(type_id::inet_service));
    EXPECT_EQ(datatype_lookup_byname("mark"), &dt(type_id::mark));
    EXPECT_EQ(datatype_lookup_byname("ifname"), &dt(type_id::ifname));
    EXPECT_EQ(datatype_lookup_byname("ct_state"), &dt(type_id::ct_state));
    EXPECT_EQ(datatype_lookup_byname("cgroupsv2"), &dt(type_id::cgroupv2));
    // Two nft types are called "time"; like nft, the lower type number wins.
    EXPECT_EQ(datatype_lookup_byname("time"), &dt(type_id::time));
    // Aliases share names with the type they alias and are never found by name.
    EXPECT_EQ(datatype_lookup_byname("integer"), &dt(type_id::integer));
    EXPECT_EQ(datatype_lookup_byname("icmp_code"), &dt(type_id::icmp_code));
    EXPECT_EQ(datatype_lookup_byname("queue"), nullptr);
    EXPECT_EQ(datatype_lookup_byname("ipv4_address"), nullptr);
    EXPECT_EQ(datatype_lookup_byname(""), nullptr);
    EXPECT_EQ(datatype_lookup(static_cast<type_id>(99)), nullptr);
    EXPECT_EQ(datatype_lookup(static_cast<type_id>(1000)), nullptr);
}

TEST(DatatypeRegistry, InternalTypes) {
    EXPECT_EQ(dt(type_id::xinteger).name, "integer");
    EXPECT_EQ(dt(type_id::xinteger).basetype, &dt(type_id::integer));
    EXPECT_EQ(dt(type_id::queue).name, "queue");
    EXPECT_EQ(dt(type_id::policy).name, "policy");
    EXPECT_EQ(dt(type_id::priority).name, "priority");
    EXPECT_EQ(dt(type_id::reject_icmp_code).desc, "reject icmp code");
    EXPECT_EQ(dt(type_id::reject_icmpv6_code).desc, "reject icmpv6 code");
    EXPECT_EQ(dt(type_id::reject_icmpx_code).desc, "reject icmpx code");
    EXPECT_EQ(dt(type_id::mptcp_subtype).desc, "mptcp option subtype");
    EXPECT_EQ(dt(type_id::mptcp_subtype).size, 4u);
    EXPECT_EQ(dt(type_id::ct_helper).size, 128u);
    EXPECT_EQ(dt(type_id::ct_id).order, byte_order::big);
    EXPECT_EQ(dt(type_id::ct_zone).size, 16u);
    EXPECT_TRUE(dt(type_id::socket_cgroup).derives_from(type_id::cgroupv2));
    EXPECT_TRUE(dt(type_id::boolean_exists).derives_from(type_id::boolean));
    EXPECT_TRUE(dt(type_id::osf_name).derives_from(type_id::string));
    EXPECT_TRUE(dt(type_id::secmark_name).derives_from(type_id::string));
    EXPECT_EQ(dt(type_id::tunnel_id).size, 32u);
    EXPECT_NE(datatype_lookup(type_id::sctp_chunk_type), nullptr);
}

TEST(DatatypeRegistry, DerivationAndRoot) {
    const datatype& flag = dt(type_id::tcp_flag);
    EXPECT_TRUE(flag.derives_from(type_id::tcp_flag));
    EXPECT_TRUE(flag.derives_from(type_id::bitmask));
    EXPECT_TRUE(flag.derives_from(type_id::integer));
    EXPECT_FALSE(flag.derives_from(type_id::string));
    EXPECT_EQ(flag.root(), &dt(type_id::integer));
    EXPECT_TRUE(dt(type_id::etheraddr).derives_from(type_id::lladdr));
    EXPECT_EQ(dt(type_id::ifname).root(), &dt(type_id::string));
    EXPECT_EQ(dt(type_id::integer).root(), &dt(type_id::integer));
    EXPECT_TRUE(dt(type_id::ipaddr).flags & DTYPE_F_PREFIX);
    EXPECT_TRUE(dt(type_id::ip6addr).flags & DTYPE_F_PREFIX);
    EXPECT_FALSE(dt(type_id::mark).flags & DTYPE_F_PREFIX);
}

TEST(DatatypeRegistry, Equality) {
    EXPECT_TRUE(datatype_equal(dt(type_id::xinteger), dt(type_id::integer)));
    EXPECT_TRUE(datatype_equal(dt(type_id::mptcp_subtype), dt(type_id::integer)));
    EXPECT_TRUE(datatype_equal(dt(type_id::ct_helper), dt(type_id::string)));
    EXPECT_FALSE(datatype_equal(dt(type_id::ifname), dt(type_id::string)));
    EXPECT_FALSE(datatype_equal(dt(type_id::mark), dt(type_id::integer)));
    EXPECT_EQ(nft_type(dt(type_id::ct_zone)), type_id::integer);
    EXPECT_EQ(nft_type(dt(type_id::mark)), type_id::mark);
    const datatype* a = concat_type({&dt(type_id::ipaddr), &dt(type_id::inet_service)});
    const datatype* b = concat_type({&dt(type_id::ipaddr), &dt(type_id::xinteger)});
    EXPECT_TRUE(datatype_equal(*a, *a));
    EXPECT_FALSE(datatype_equal(*a, *b));
    EXPECT_FALSE(datatype_equal(*a, dt(type_id::ipaddr)));
}

TEST(DatatypeRegistry, SymbolTableFind) {
    const symbol_table& tbl = *dt(type_id::ethertype).symbols;
    EXPECT_EQ(tbl.base, number_base::hexadecimal);
    ASSERT_NE(tbl.find("vlan"), nullptr);
    EXPECT_EQ(tbl.find("vlan")->value, u128{0x8100});
    // First entry wins: 8021q, not its alias vlan.
    EXPECT_EQ(tbl.find(u128{0x8100})->name, "8021q");
    EXPECT_EQ(tbl.find("VLAN"), nullptr);
    EXPECT_EQ(tbl.find(u128{0x1234}), nullptr);
    EXPECT_EQ(dt(type_id::icmp_type).symbols->base, number_base::decimal);
}

TEST(DatatypeConcat, NameDescSizeAndInterning) {
    const datatype* c = concat_type({&dt(type_id::ipaddr), &dt(type_id::inet_service)});
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->is_concat());
    EXPECT_EQ(c->name, "ipv4_addr . inet_service");
    EXPECT_EQ(c->desc, "concatenation of (IPv4 address, internet network service)");
    // Every part takes whole 32-bit registers.
    EXPECT_EQ(c->size, 64u);
    ASSERT_EQ(c->subtypes.size(), 2u);
    EXPECT_EQ(c->subtypes[1], &dt(type_id::inet_service));
    EXPECT_EQ(concat_type({&dt(type_id::ipaddr), &dt(type_id::inet_service)}), c);
    EXPECT_NE(concat_type({&dt(type_id::inet_service), &dt(type_id::ipaddr)}), c);

    const datatype* d = concat_type({&dt(type_id::ifname), &dt(type_id::mark), &dt(type_id::ct_state)});
    EXPECT_EQ(d->size, 128u + 32u + 32u);
    EXPECT_EQ(d->name, "ifname . mark . ct_state");
    EXPECT_EQ(concat_type({&dt(type_id::ip6addr), &dt(type_id::dscp)})->size, 160u);

    EXPECT_EQ(datatype_parse(*c, "1.2.3.4").error,
              "invalid data type, expected concatenation of (IPv4 address, internet network service)");
}

TEST(DatatypeConcat, PrintSplitsPaddedParts) {
    const datatype* c = concat_type({&dt(type_id::ipaddr), &dt(type_id::inet_service)});
    // 10.0.0.1 in the first register, port 22 at the top of the second.
    u128 v = (u128{0x0a000001} << 32) | (u128{22} << 16);
    EXPECT_EQ(show(*c, v), "10.0.0.1 . 22");
    const datatype* d = concat_type({&dt(type_id::mark), &dt(type_id::ct_dir)});
    EXPECT_EQ(show(*d, (u128{0x10} << 32) | (u128{1} << 24)), "0x00000010 . reply");
}

// ---------------------------------------------------------------------------------------
// Generic parse walk

TEST(DatatypeParse, TypesWithoutParserOrSymbols) {
    EXPECT_EQ(error_of(type_id::invalid, "x"), "Could not parse symbolic invalid expression");
}

TEST(DatatypeParse, SymbolTypesFallBackToIntegers) {
    EXPECT_EQ(value_of(type_id::icmp_type, "echo-request"), 8u);
    EXPECT_EQ(value_of(type_id::icmp_type, "200"), 200u);
    EXPECT_EQ(value_of(type_id::icmp_type, "0x10"), 16u);
    EXPECT_EQ(error_of(type_id::icmp_type, "ping"), "Could not parse ICMP type");
    // The symbol's value comes with the type's own size.
    EXPECT_EQ(parse(type_id::icmp_type, "echo-request").len, 0u);
}

TEST(DatatypeParse, MisspelledSymbolsGetASuggestion) {
    EXPECT_EQ(error_of(type_id::ct_state, "establised"),
              "Could not parse conntrack state expression; did you you mean `established`?");
    EXPECT_EQ(error_of(type_id::pkttype, "broadcastttt"),
              "Could not parse packet type expression; did you you mean `broadcast`?");
    EXPECT_EQ(error_of(type_id::time_day, "Satturday"),
              "Could not parse Day of week of packet reception expression; did you you mean `Saturday`?");
    // Too far from every symbol: the base type's error.
    EXPECT_EQ(error_of(type_id::ct_state, "xxx"), "Could not parse conntrack state");
    EXPECT_EQ(error_of(type_id::mark, "foo"), "Could not parse packet mark");
}

// ---------------------------------------------------------------------------------------
// Types, one by one

TEST(DatatypeInvalidVerdict, Print) {
    EXPECT_EQ(show(type_id::invalid, 0x10, 8), "0x10 [invalid type]");
    EXPECT_EQ(show(type_id::verdict, 1, 32), "accept");
    EXPECT_EQ(show(type_id::verdict, 0, 32), "drop");
    EXPECT_EQ(show(type_id::verdict, 0xffffffffu, 32), "continue");
    EXPECT_EQ(show(type_id::verdict, 0xfffffffbu, 32), "return");
}

TEST(DatatypeInvalidVerdict, ParseSuggestsVerdicts) {
    EXPECT_EQ(error_of(type_id::verdict, "accpet"), "Could not parse netfilter verdict; did you mean `accept'?");
    EXPECT_EQ(error_of(type_id::verdict, "mychain"), "Could not parse netfilter verdict; did you mean `jump mychain'?");
}

TEST(DatatypeInteger, Parse) {
    EXPECT_EQ(value_of(type_id::integer, "42"), 42u);
    EXPECT_EQ(value_of(type_id::integer, "0x10"), 16u);
    EXPECT_EQ(value_of(type_id::integer, "010"), 8u);
    EXPECT_EQ(value_of(type_id::integer, "0b101"), 5u);
    EXPECT_EQ(value_of(type_id::integer, "0"), 0u);
    EXPECT_EQ(value_of(type_id::integer, "340282366920938463463374607431768211455"), ~u128{0});
    EXPECT_EQ(error_of(type_id::integer, "foo"), "Could not parse integer");
    EXPECT_EQ(error_of(type_id::integer, "08"), "Could not parse integer");
    EXPECT_EQ(error_of(type_id::integer, "0x"), "Could not parse integer");
    EXPECT_EQ(error_of(type_id::integer, ""), "Could not parse integer");
    EXPECT_EQ(error_of(type_id::integer, "-1"), "Could not parse integer");
}

TEST(DatatypeInteger, PrintWithBaseFormats) {
    EXPECT_EQ(show(type_id::integer, 42, 32), "42");
    EXPECT_EQ(show(type_id::integer, 0, 32), "0");
    EXPECT_EQ(show(type_id::bitmask, 0x10, 32), "0x10");
    EXPECT_EQ(show(type_id::xinteger, 255, 8), "0xff");
    EXPECT_EQ(show(type_id::xinteger, 0, 8), "0x0");
    EXPECT_EQ(value_of(type_id::xinteger, "0xff"), 255u);
    EXPECT_EQ(show(type_id::integer, ~u128{0}, 128), "340282366920938463463374607431768211455");
}

TEST(DatatypeString, ParseAndPrint) {
    parsed_value r = parse(type_id::string, "ftp");
    ASSERT_TRUE(r.ok());
    // The text and its NUL, first byte most significant.
    EXPECT_EQ(r.len, 32u);
    EXPECT_EQ(r.value, pack_string("ftp", 4));
    EXPECT_EQ(show(type_id::string, r.value, r.len), "\"ftp\"");
    EXPECT_EQ(show(type_id::string, pack_string("ftp", 16), 128), "\"ftp\"");
    EXPECT_EQ(round_trip(type_id::string, "with space"), "\"with space\"");
    EXPECT_EQ(error_of(type_id::string, ""), "Empty string is not allowed");
    // Any length parses; the field a string goes into sets its limit (checked by the
    // evaluator: 16 bytes for interface names, 256 for chain names).
    parsed_value long_name = parse(type_id::string, "a_chain_name_longer_than_sixteen");
    ASSERT_TRUE(long_name.ok());
    EXPECT_EQ(long_name.text, "a_chain_name_longer_than_sixteen");
    EXPECT_EQ(long_name.len, 33u * 8);
}

TEST(DatatypeString, Ifname) {
    parsed_value r = parse(type_id::ifname, "eth0");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.len, 40u);
    EXPECT_EQ(show(type_id::ifname, pack_string("eth0", 16)), "\"eth0\"");
    EXPECT_EQ(round_trip(type_id::ifname, "abcdefghijklmno"), "\"abcdefghijklmno\"");
    EXPECT_EQ(round_trip(type_id::ifname, "eth*"), "\"eth*\"");
    // nft: `iifname "abcdefghijklmnop"` -> "String exceeds maximum length of 16", an error of
    // the evaluator (the type parses any length; see evaluate_test.cpp).
    EXPECT_EQ(error_of(type_id::ifname, ""), "Empty string is not allowed");
    EXPECT_EQ(round_trip(type_id::ct_helper, "ftp"), "\"ftp\"");
    EXPECT_EQ(round_trip(type_id::osf_name, "Linux"), "\"Linux\"");
}

TEST(DatatypeLladdr, ParseAndPrint) {
    parsed_value r = parse(type_id::etheraddr, "00:0f:54:0c:11:4");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.len, 48u);
    EXPECT_EQ(r.value, u128{0x000f540c1104});
    EXPECT_EQ(show(type_id::etheraddr, r.value), "00:0f:54:0c:11:04");
    EXPECT_EQ(round_trip(type_id::etheraddr, "aa:bb:cc:dd:ee:ff"), "aa:bb:cc:dd:ee:ff");
    EXPECT_EQ(round_trip(type_id::etheraddr, "0:1:2:3:4:5"), "00:01:02:03:04:05");
    EXPECT_EQ(show(type_id::lladdr, 0xabcd, 16), "ab:cd");
    EXPECT_EQ(error_of(type_id::etheraddr, "zz:00"), "Invalid LL address");
    EXPECT_EQ(error_of(type_id::etheraddr, "00:100"), "Invalid LL address");
    EXPECT_EQ(error_of(type_id::etheraddr, ""), "Invalid LL address");
}

TEST(DatatypeAddress, Ipv4) {
    EXPECT_EQ(value_of(type_id::ipaddr, "192.168.0.1"), u128{0xc0a80001});
    EXPECT_EQ(parse(type_id::ipaddr, "192.168.0.1").len, 32u);
    // getaddrinfo accepts inet_aton's short forms, as nft does.
    EXPECT_EQ(value_of(type_id::ipaddr, "10.1"), u128{0x0a000001});
    EXPECT_EQ(value_of(type_id::ipaddr, "localhost"), u128{0x7f000001});
    EXPECT_EQ(show(type_id::ipaddr, 0x0a000001), "10.0.0.1");
    EXPECT_EQ(show(type_id::ipaddr, 0), "0.0.0.0");
    EXPECT_EQ(show(type_id::ipaddr, 0xffffffffu), "255.255.255.255");
    EXPECT_EQ(round_trip(type_id::ipaddr, "1.2.3.4"), "1.2.3.4");
    EXPECT_EQ(error_of(type_id::ipaddr, "::1").rfind("Could not resolve hostname: ", 0), 0u);
}

TEST(DatatypeAddress, Ipv6) {
    EXPECT_EQ(value_of(type_id::ip6addr, "::1"), u128{1});
    EXPECT_EQ(parse(type_id::ip6addr, "::1").len, 128u);
    EXPECT_EQ(value_of(type_id::ip6addr, "2001:db8::1"), (u128{0x20010db8} << 96) | 1);
    EXPECT_EQ(show(type_id::ip6addr, 0), "::");
    EXPECT_EQ(round_trip(type_id::ip6addr, "2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
    EXPECT_EQ(round_trip(type_id::ip6addr, "0:0::1"), "::1");
    EXPECT_EQ(round_trip(type_id::ip6addr, "FE80::AB"), "fe80::ab");
    EXPECT_EQ(round_trip(type_id::ip6addr, "::ffff:1.2.3.4"), "::ffff:1.2.3.4");
    EXPECT_EQ(error_of(type_id::ip6addr, "1.2.3.4").rfind("Could not resolve hostname: ", 0), 0u);
}

TEST(DatatypeNfproto, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::nfproto, "ipv4"), 2u);
    EXPECT_EQ(value_of(type_id::nfproto, "ipv6"), 10u);
    EXPECT_EQ(show(type_id::nfproto, 10), "ipv6");
    EXPECT_EQ(show(type_id::nfproto, 3), "3");
    EXPECT_EQ(error_of(type_id::nfproto, "ipv5"),
              "Could not parse netfilter protocol expression; did you you mean `ipv4`?");
}

TEST(DatatypeEthertype, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::ethertype, "ip"), 0x0800u);
    EXPECT_EQ(value_of(type_id::ethertype, "ip6"), 0x86ddu);
    EXPECT_EQ(value_of(type_id::ethertype, "vlan"), 0x8100u);
    EXPECT_EQ(value_of(type_id::ethertype, "8021ad"), 0x88a8u);
    EXPECT_EQ(value_of(type_id::ethertype, "0x0800"), 0x0800u);
    EXPECT_EQ(show(type_id::ethertype, 0x0800), "ip");
    EXPECT_EQ(show(type_id::ethertype, 0x0806), "arp");
    // nft 1.1 prints 0x8100 as 8021q (corpus: `meta protocol { ip6, ip, 8021q, arp}`).
    EXPECT_EQ(show(type_id::ethertype, 0x8100), "8021q");
    EXPECT_EQ(show(type_id::ethertype, 0x88a8), "8021ad");
    EXPECT_EQ(show(type_id::ethertype, 0x1234), "0x1234");
    EXPECT_EQ(show(type_id::ethertype, 0x12), "0x0012");
    // The protocol-number option does not affect ether types.
    EXPECT_EQ(show(type_id::ethertype, 0x0800, 0, list_options{true, false, false}), "ip");
}

TEST(DatatypeArpop, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::arpop, "request"), 1u);
    EXPECT_EQ(value_of(type_id::arpop, "nak"), 10u);
    EXPECT_EQ(show(type_id::arpop, 2), "reply");
    EXPECT_EQ(show(type_id::arpop, 9), "inreply");
    EXPECT_EQ(show(type_id::arpop, 5), "5");
}

TEST(DatatypeInetProto, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::inet_protocol, "tcp"), 6u);
    EXPECT_EQ(value_of(type_id::inet_protocol, "udp"), 17u);
    EXPECT_EQ(value_of(type_id::inet_protocol, "6"), 6u);
    EXPECT_EQ(value_of(type_id::inet_protocol, "0x11"), 17u);
    // Keywords of nft's grammar that /etc/protocols spells differently.
    EXPECT_EQ(value_of(type_id::inet_protocol, "icmpv6"), 58u);
    EXPECT_EQ(value_of(type_id::inet_protocol, "comp"), 108u);
    EXPECT_EQ(parse(type_id::inet_protocol, "tcp").len, 8u);
    EXPECT_EQ(error_of(type_id::inet_protocol, "256"), "Protocol out of range");
    EXPECT_EQ(error_of(type_id::inet_protocol, "nosuchproto"), "Could not resolve protocol name");
    EXPECT_EQ(show(type_id::inet_protocol, 6), "tcp");
    EXPECT_EQ(show(type_id::inet_protocol, 58), "ipv6-icmp");
    EXPECT_EQ(show(type_id::inet_protocol, 200), "200");
    list_options numeric;
    numeric.numeric_proto = true;
    EXPECT_EQ(show(type_id::inet_protocol, 6, 0, numeric), "6");
}

TEST(DatatypeInetService, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::inet_service, "22"), 22u);
    EXPECT_EQ(value_of(type_id::inet_service, "ssh"), 22u);
    EXPECT_EQ(value_of(type_id::inet_service, "http"), 80u);
    EXPECT_EQ(value_of(type_id::inet_service, "0x50"), 80u);
    EXPECT_EQ(parse(type_id::inet_service, "ssh").len, 16u);
    EXPECT_EQ(error_of(type_id::inet_service, "65536"), "Service out of range");
    EXPECT_EQ(error_of(type_id::inet_service, "nosuchservice").rfind("Could not resolve service: ", 0), 0u);
    // nft 1.x prints ports as numbers unless asked for service names.
    EXPECT_EQ(show(type_id::inet_service, 22), "22");
    EXPECT_EQ(round_trip(type_id::inet_service, "https"), "443");
}

TEST(DatatypeSymbolic, IcmpTypes) {
    EXPECT_EQ(show(type_id::icmp_type, 0), "echo-reply");
    EXPECT_EQ(show(type_id::icmp_type, 18), "address-mask-reply");
    EXPECT_EQ(show(type_id::icmp_type, 200), "200");
    EXPECT_EQ(value_of(type_id::icmp6_type, "nd-neighbor-solicit"), 135u);
    EXPECT_EQ(value_of(type_id::icmp6_type, "mld-listener-reduction"), 132u);
    EXPECT_EQ(show(type_id::icmp6_type, 132), "mld-listener-done");
    EXPECT_EQ(show(type_id::icmp6_type, 143), "mld2-listener-report");
    EXPECT_EQ(value_of(type_id::igmp_type, "leave-group"), 0x17u);
    EXPECT_EQ(show(type_id::igmp_type, 0x22), "membership-report-v3");
    EXPECT_EQ(value_of(type_id::mh_type, "binding-update"), 5u);
    EXPECT_EQ(show(type_id::mh_type, 12), "home-agent-switch-message");
    EXPECT_EQ(value_of(type_id::dccp_pkttype, "reset"), 7u);
    EXPECT_EQ(show(type_id::dccp_pkttype, 9), "syncack");
}

TEST(DatatypeSymbolic, IcmpCodesParseNamesButPrintNumbers) {
    // Corpus: `icmp code != { prot-unreachable, frag-needed, 33 }` lists as `{ 2, 4, 33 }`.
    EXPECT_EQ(value_of(type_id::icmp_code, "prot-unreachable"), 2u);
    EXPECT_EQ(value_of(type_id::icmp_code, "frag-needed"), 4u);
    EXPECT_EQ(value_of(type_id::icmp_code, "admin-prohibited"), 13u);
    EXPECT_EQ(show(type_id::icmp_code, 3), "3");
    EXPECT_EQ(value_of(type_id::icmpv6_code, "policy-fail"), 5u);
    EXPECT_EQ(value_of(type_id::icmpv6_code, "reject-route"), 6u);
    EXPECT_EQ(show(type_id::icmpv6_code, 5), "5");
    EXPECT_EQ(value_of(type_id::icmpx_code, "admin-prohibited"), 3u);
    EXPECT_EQ(show(type_id::icmpx_code, 3), "3");
    EXPECT_EQ(error_of(type_id::icmp_code, "nonsense"), "Could not parse icmp code");
}

TEST(DatatypeSymbolic, RejectCodesPrintNames) {
    EXPECT_EQ(show(type_id::reject_icmp_code, 3), "port-unreachable");
    EXPECT_EQ(show(type_id::reject_icmp_code, 10), "host-prohibited");
    EXPECT_EQ(show(type_id::reject_icmpv6_code, 0), "no-route");
    EXPECT_EQ(show(type_id::reject_icmpv6_code, 4), "port-unreachable");
    EXPECT_EQ(show(type_id::reject_icmpx_code, 3), "admin-prohibited");
    EXPECT_EQ(show(type_id::reject_icmpx_code, 1), "port-unreachable");
    EXPECT_EQ(show(type_id::reject_icmpx_code, 7), "7");
    EXPECT_EQ(value_of(type_id::reject_icmpx_code, "no-route"), 0u);
}

TEST(DatatypeBitmask, FlagsAndStates) {
    EXPECT_EQ(value_of(type_id::tcp_flag, "syn"), 2u);
    EXPECT_EQ(value_of(type_id::tcp_flag, "cwr"), 0x80u);
    EXPECT_EQ(show(type_id::tcp_flag, 0x10), "ack");
    // A combination has no symbol: the bitmask base prints hex (nft splits such values
    // into `syn | ack` or `syn,ack` before printing).
    EXPECT_EQ(show(type_id::tcp_flag, 0x12), "0x12");
    EXPECT_EQ(value_of(type_id::ct_state, "established"), 2u);
    EXPECT_EQ(value_of(type_id::ct_state, "untracked"), 64u);
    EXPECT_EQ(show(type_id::ct_state, 8), "new");  // corpus: `ct state 8` -> `ct state new`
    EXPECT_EQ(show(type_id::ct_state, 1), "invalid");
    EXPECT_EQ(value_of(type_id::ct_status, "dying"), 512u);
    EXPECT_EQ(show(type_id::ct_status, 0x200), "dying");
    EXPECT_EQ(show(type_id::ct_status, 16), "snat");
    EXPECT_EQ(value_of(type_id::ct_eventbit, "label"), 1024u);
    EXPECT_EQ(show(type_id::ct_eventbit, 1), "new");
    EXPECT_EQ(value_of(type_id::ct_dir, "reply"), 1u);
    EXPECT_EQ(show(type_id::ct_dir, 0), "original");
}

TEST(DatatypeTime, ParseTimeString) {
    EXPECT_EQ(parse_time_string("1d2h3m4s5ms"), 93784005u);
    EXPECT_EQ(parse_time_string("1m7s"), 67000u);
    EXPECT_EQ(parse_time_string("5ms"), 5u);
    EXPECT_EQ(parse_time_string("2h"), 7200000u);
    // A bare number is seconds.
    EXPECT_EQ(parse_time_string("30"), 30000u);
    EXPECT_EQ(parse_time_string(""), 0u);
    EXPECT_EQ(parse_time_string("1.5s"), std::nullopt);
    EXPECT_EQ(parse_time_value("1d1d").error, "Day has been specified twice");
    EXPECT_EQ(parse_time_value("1h2h").error, "Hour has been specified twice");
    EXPECT_EQ(parse_time_value("1m2m").error, "Minute has been specified twice");
    EXPECT_EQ(parse_time_value("1s2s").error, "Second has been specified twice");
    EXPECT_EQ(parse_time_value("1x").error, "wrong time format");
    EXPECT_EQ(parse_time_value("-1s").error, "wrong time format");
    EXPECT_EQ(parse_time_value("123456789").error, "value too large");
    EXPECT_EQ(parse_time_value("12345678s").value, u128{12345678000});
}

TEST(DatatypeNumericPrint, RangeEndsPrintNumbers) {
    auto numeric = [](type_id id, u128 v) {
        const datatype& t = dt(id);
        value_expr e({}, &t, t.order, t.size, v);
        print_ctx ctx;
        print_value_numeric(e, ctx);
        return ctx.out;
    };
    // Corpus: `arp operation 1-2` and `ct expiration 1m-1h` -> `ct expiration 60s-3600s`.
    EXPECT_EQ(numeric(type_id::arpop, 1), "1");
    EXPECT_EQ(numeric(type_id::time, 60000), "60s");
    EXPECT_EQ(numeric(type_id::time, 3600500), "3600s");
    EXPECT_EQ(numeric(type_id::inet_protocol, 6), "6");
    EXPECT_EQ(numeric(type_id::ethertype, 0x0800), "0x0800");
    EXPECT_EQ(numeric(type_id::mark, 0x10), "0x00000010");
    EXPECT_EQ(numeric(type_id::devgroup, 0), "0");
    EXPECT_EQ(numeric(type_id::time_day, 3), "3");
    // Printers that ignore nft's numeric options.
    EXPECT_EQ(numeric(type_id::classid, 0xbcaddada), "bcad:dada");
    EXPECT_EQ(numeric(type_id::ipaddr, 0x0a000001), "10.0.0.1");
    // Only the range's own print is numeric.
    EXPECT_EQ(show(type_id::arpop, 1), "request");
    EXPECT_EQ(show(type_id::time, 60000), "1m");
}

TEST(DatatypeTime, FormatLikeNft) {
    EXPECT_EQ(format_time_ms(67000), "1m7s");
    EXPECT_EQ(format_time_ms(90000000), "1d1h");
    EXPECT_EQ(format_time_ms(93784005), "1d2h3m4s5ms");
    EXPECT_EQ(format_time_ms(5), "5ms");
    EXPECT_EQ(format_time_ms(0), "0s");
    EXPECT_EQ(format_time_ms(86400000ull * 400), "400d");
}

TEST(DatatypeTime, RelativeTimeType) {
    // nft: `ct expiration 67` lists as `ct expiration 1m7s`.
    EXPECT_EQ(round_trip(type_id::time, "67"), "1m7s");
    EXPECT_EQ(round_trip(type_id::time, "1m7s"), "1m7s");
    EXPECT_EQ(round_trip(type_id::time, "90000"), "1d1h");
    EXPECT_EQ(round_trip(type_id::time, "5ms"), "5ms");
    EXPECT_EQ(parse(type_id::time, "1m").len, 32u);
    EXPECT_EQ(show(type_id::time, 0), "0s");
    // Only 32 bits of milliseconds fit.
    EXPECT_EQ(error_of(type_id::time, "4294968s"), "value too large");
    EXPECT_EQ(error_of(type_id::time, "123456789"), "value too large");
    EXPECT_EQ(error_of(type_id::time, "1d1d"), "Day has been specified twice");
}

TEST(DatatypeMark, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::mark, "0x32"), 0x32u);
    EXPECT_EQ(value_of(type_id::mark, "12345"), 12345u);
    EXPECT_EQ(show(type_id::mark, 0x32), "0x00000032");
    EXPECT_EQ(show(type_id::mark, 0x80000000u), "0x80000000");
    EXPECT_EQ(round_trip(type_id::mark, "12345"), "0x00003039");
}

TEST(DatatypeMark, NamesFromRtMarks) {
    temp_file f("# marks\n0x10 web\n  32\tbulk # trailing comment\nbroken line\n0x40 unread\n");
    ASSERT_TRUE(load_symbol_file(type_id::mark, f.path()));
    EXPECT_EQ(value_of(type_id::mark, "web"), 16u);
    EXPECT_EQ(value_of(type_id::mark, "bulk"), 32u);
    EXPECT_EQ(show(type_id::mark, 16), "\"web\"");
    // nft stops reading at a malformed line.
    EXPECT_EQ(error_of(type_id::mark, "unread"), "Could not parse packet mark");
    EXPECT_EQ(show(type_id::mark, 0x40), "0x00000040");
    EXPECT_FALSE(load_symbol_file(type_id::mark, "/nonexistent/rt_marks"));
    EXPECT_EQ(show(type_id::mark, 16), "0x00000010");
    EXPECT_FALSE(load_symbol_file(type_id::integer, f.path()));
}

TEST(DatatypeIface, Index) {
    unsigned lo = if_nametoindex("lo");
    if (lo == 0)
        GTEST_SKIP() << "no loopback interface";
    EXPECT_EQ(value_of(type_id::ifindex, "lo"), u128{lo});
    EXPECT_EQ(parse(type_id::ifindex, "lo").len, 32u);
    EXPECT_EQ(show(type_id::ifindex, lo), "\"lo\"");
    EXPECT_EQ(round_trip(type_id::ifindex, std::to_string(lo)), "\"lo\"");
    EXPECT_EQ(round_trip(type_id::ifindex, "123456"), "123456");
    EXPECT_EQ(error_of(type_id::ifindex, "nosuchiface0"), "Interface does not exist");
    EXPECT_EQ(error_of(type_id::ifindex, "-1"), "Interface does not exist");
}

TEST(DatatypeIface, Type) {
    EXPECT_EQ(value_of(type_id::arphrd, "ether"), 1u);
    EXPECT_EQ(value_of(type_id::arphrd, "ipgre"), 778u);
    EXPECT_EQ(show(type_id::arphrd, 772), "loopback");
    EXPECT_EQ(show(type_id::arphrd, 5), "5");
}

TEST(DatatypeIface, Devgroup) {
    // "default" is group 0 (from /etc/iproute2/group, or built in when it is missing).
    EXPECT_EQ(value_of(type_id::devgroup, "default"), 0u);
    EXPECT_EQ(show(type_id::devgroup, 0), "\"default\"");
    EXPECT_EQ(round_trip(type_id::devgroup, "0"), "\"default\"");
    EXPECT_EQ(round_trip(type_id::devgroup, "11"), "11");
    EXPECT_EQ(error_of(type_id::devgroup, "nosuchgroup"), "Could not parse devgroup name");
}

TEST(DatatypeRealm, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::realm, "cosmos"), 0u);
    EXPECT_EQ(show(type_id::realm, 0), "\"cosmos\"");
    EXPECT_EQ(show(type_id::realm, 5), "5");
    temp_file f("0x1 one\n2 two\n");
    ASSERT_TRUE(load_symbol_file(type_id::realm, f.path()));
    EXPECT_EQ(value_of(type_id::realm, "two"), 2u);
    EXPECT_EQ(show(type_id::realm, 1), "\"one\"");
    EXPECT_EQ(dt(type_id::realm).symbols->base, number_base::decimal);
    temp_file back("0 cosmos\n");
    ASSERT_TRUE(load_symbol_file(type_id::realm, back.path()));
}

TEST(DatatypeClassid, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::classid, "root"), 0xffffffffu);
    EXPECT_EQ(value_of(type_id::classid, "none"), 0u);
    EXPECT_EQ(value_of(type_id::classid, "8765:4321"), 0x87654321u);
    EXPECT_EQ(show(type_id::classid, 0xffffffffu), "root");
    EXPECT_EQ(show(type_id::classid, 0), "none");
    // Corpus: `meta priority 0x87654321` and `2271560481` list as `8765:4321`.
    EXPECT_EQ(round_trip(type_id::classid, "0x87654321"), "8765:4321");
    EXPECT_EQ(round_trip(type_id::classid, "2271560481"), "8765:4321");
    EXPECT_EQ(round_trip(type_id::classid, "1:1234"), "1:1234");
    EXPECT_EQ(round_trip(type_id::classid, "aabb:0"), "aabb:0");
    EXPECT_EQ(round_trip(type_id::classid, "bcad:dadc"), "bcad:dadc");
    EXPECT_EQ(round_trip(type_id::classid, "0x10"), "0:10");
    // nft ignores junk here: `meta priority foo` lists as `meta priority none`.
    EXPECT_EQ(round_trip(type_id::classid, "foo"), "none");
}

TEST(DatatypeOwner, UidGid) {
    EXPECT_EQ(value_of(type_id::uid, "root"), 0u);
    EXPECT_EQ(value_of(type_id::uid, "3000"), 3000u);
    EXPECT_EQ(parse(type_id::uid, "root").len, 32u);
    EXPECT_EQ(show(type_id::uid, 0), "0");  // corpus: `meta skuid "root"` -> `meta skuid 0`
    EXPECT_EQ(show(type_id::uid, 3000), "3000");
    EXPECT_EQ(error_of(type_id::uid, "4294967296"), "Value too large");
    EXPECT_EQ(error_of(type_id::uid, "nosuchuser"), "User does not exist");
    EXPECT_EQ(error_of(type_id::uid, "0x10"), "User does not exist");
    EXPECT_EQ(value_of(type_id::gid, "root"), 0u);
    EXPECT_EQ(value_of(type_id::gid, "0x10"), 16u);  // nft: `meta skgid 0x10` -> `meta skgid 16`
    EXPECT_EQ(show(type_id::gid, 16), "16");
    EXPECT_EQ(error_of(type_id::gid, "4294967296"), "Value too large");
    EXPECT_EQ(error_of(type_id::gid, "nosuchgroup"), "Group does not exist");
}

TEST(DatatypeCtLabel, BitsAndNames) {
    parsed_value r = parse(type_id::ct_label, "127");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value, u128{1} << 127);
    EXPECT_EQ(r.len, 128u);
    EXPECT_EQ(show(type_id::ct_label, u128{1} << 127), "127");
    EXPECT_EQ(round_trip(type_id::ct_label, "0"), "0");
    EXPECT_EQ(error_of(type_id::ct_label, "128"), "128: bit 128 out of range (128 max)");
    EXPECT_EQ(error_of(type_id::ct_label, "foo"), "/etc/connlabel.conf: could not parse conntrack label \"foo\"");

    temp_file f("0 eth0-in\n1 eth1-in\n");
    ASSERT_TRUE(load_symbol_file(type_id::ct_label, f.path()));
    EXPECT_EQ(value_of(type_id::ct_label, "eth1-in"), 2u);
    EXPECT_EQ(show(type_id::ct_label, 2), "\"eth1-in\"");
    EXPECT_EQ(show(type_id::ct_label, 4), "2");
    EXPECT_FALSE(load_symbol_file(type_id::ct_label, "/nonexistent/connlabel.conf"));
    EXPECT_EQ(show(type_id::ct_label, 2), "1");
}

TEST(DatatypeMeta, PkttypeFibBoolean) {
    EXPECT_EQ(value_of(type_id::pkttype, "host"), 0u);
    EXPECT_EQ(value_of(type_id::pkttype, "unicast"), 0u);
    EXPECT_EQ(show(type_id::pkttype, 0), "host");
    EXPECT_EQ(show(type_id::pkttype, 3), "other");
    EXPECT_EQ(show(type_id::pkttype, 7), "7");
    EXPECT_EQ(value_of(type_id::fib_addr, "local"), 2u);
    EXPECT_EQ(show(type_id::fib_addr, 6), "blackhole");
    EXPECT_EQ(show(type_id::fib_addr, 9), "9");
    EXPECT_EQ(value_of(type_id::boolean, "exists"), 1u);
    EXPECT_EQ(value_of(type_id::boolean, "missing"), 0u);
    EXPECT_EQ(value_of(type_id::boolean, "5"), 1u);
    EXPECT_EQ(parse(type_id::boolean, "5").len, 1u);
    EXPECT_EQ(show(type_id::boolean, 1), "exists");
    EXPECT_EQ(show(type_id::boolean, 0), "missing");
    EXPECT_EQ(show(type_id::boolean_exists, 1), "exists");
    EXPECT_EQ(error_of(type_id::boolean, "maybe"), "Could not parse boolean type");
}

TEST(DatatypeDscpEcn, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::dscp, "ef"), 0x2eu);
    EXPECT_EQ(value_of(type_id::dscp, "cs0"), 0u);
    EXPECT_EQ(value_of(type_id::dscp, "af41"), 0x22u);
    EXPECT_EQ(show(type_id::dscp, 0), "cs0");
    EXPECT_EQ(show(type_id::dscp, 1), "lephb");
    EXPECT_EQ(show(type_id::dscp, 0x2c), "va");
    EXPECT_EQ(show(type_id::dscp, 0x3f), "0x3f");
    EXPECT_EQ(show(type_id::dscp, 0x03), "0x03");
    EXPECT_EQ(value_of(type_id::ecn, "ce"), 3u);
    EXPECT_EQ(show(type_id::ecn, 2), "ect0");
    EXPECT_EQ(show(type_id::ecn, 0), "not-ect");
}

TEST_F(local_time, DateType) {
    // Corpus (TZ=UTC-2): `meta time 12341234` lists as `meta time "1970-05-23 22:07:14"`.
    parsed_value r = parse(type_id::time_date, "12341234");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value, u128{12341234} * 1000000000u);
    EXPECT_EQ(r.len, 64u);
    EXPECT_EQ(show(type_id::time_date, r.value), "\"1970-05-23 22:07:14\"");
    // Dates are local time: 21:07:14 at UTC+2 is 19:07:14 UTC.
    EXPECT_EQ(value_of(type_id::time_date, "1970-05-23 21:07:14"), u128{12337634} * 1000000000u);
    EXPECT_EQ(round_trip(type_id::time_date, "1970-05-23 21:07:14"), "\"1970-05-23 21:07:14\"");
    EXPECT_EQ(round_trip(type_id::time_date, "2019-06-21 17:00:00"), "\"2019-06-21 17:00:00\"");
    EXPECT_EQ(round_trip(type_id::time_date, "2019-07-01 00:01"), "\"2019-07-01 00:01:00\"");
    EXPECT_EQ(round_trip(type_id::time_date, "2022-07-01"), "\"2022-07-01 00:00:00\"");
    EXPECT_EQ(error_of(type_id::time_date, "meh"), "Cannot parse date");
    EXPECT_EQ(error_of(type_id::time_date, ""), "Cannot parse date");
}

TEST_F(local_time, HourType) {
    // 17:00 at UTC+2 is stored as 15:00 UTC.
    EXPECT_EQ(value_of(type_id::time_hour, "17:00"), u128{15 * 3600});
    EXPECT_EQ(parse(type_id::time_hour, "17:00").len, 32u);
    EXPECT_EQ(round_trip(type_id::time_hour, "17:00"), "\"17:00\"");
    EXPECT_EQ(round_trip(type_id::time_hour, "17:00:00"), "\"17:00\"");
    EXPECT_EQ(round_trip(type_id::time_hour, "17:00:01"), "\"17:00:01\"");
    EXPECT_EQ(round_trip(type_id::time_hour, "00:00"), "\"00:00\"");
    EXPECT_EQ(round_trip(type_id::time_hour, "01:01"), "\"01:01\"");
    EXPECT_EQ(round_trip(type_id::time_hour, "23:59:60"), "\"00:00\"");
    // A plain number is seconds since midnight UTC (nft: `meta hour 3600` -> "03:00").
    EXPECT_EQ(value_of(type_id::time_hour, "3600"), 3600u);
    EXPECT_EQ(round_trip(type_id::time_hour, "3600"), "\"03:00\"");
    EXPECT_EQ(round_trip(type_id::time_hour, "1h"), "\"01:00\"");
    EXPECT_EQ(error_of(type_id::time_hour, "24:00"), "wrong time format");
    EXPECT_EQ(error_of(type_id::time_hour, "17:00x"), "Can't parse trailing input: \"x\"\n");
}

TEST(DatatypeDay, ParseAndPrint) {
    EXPECT_EQ(value_of(type_id::time_day, "Saturday"), 6u);
    EXPECT_EQ(value_of(type_id::time_day, "Sunday"), 0u);
    EXPECT_EQ(value_of(type_id::time_day, "6"), 6u);
    EXPECT_EQ(show(type_id::time_day, 6), "\"Saturday\"");  // corpus: `meta day 6` -> "Saturday"
    EXPECT_EQ(show(type_id::time_day, 3), "\"Wednesday\"");
    EXPECT_EQ(error_of(type_id::time_day, "7"), "Value 7 exceeds valid range 0-6");
}

TEST(DatatypeCgroup, ParseAndPrint) {
    EXPECT_EQ(error_of(type_id::cgroupv2, "no/such/cgroup"), "cgroupv2 path fails: No such file or directory");
    EXPECT_EQ(show(type_id::cgroupv2, 0xfffffffffffull), "17592186044415");
    struct stat st{};
    if (stat("/sys/fs/cgroup", &st) != 0)
        GTEST_SKIP() << "no cgroup file system";
    parsed_value r = parse(type_id::cgroupv2, ".");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.value, u128{st.st_ino});
    EXPECT_EQ(r.len, 64u);
}

TEST(DatatypeChain, PolicyPriorityQueue) {
    EXPECT_EQ(value_of(type_id::policy, "accept"), 1u);
    EXPECT_EQ(value_of(type_id::policy, "drop"), 0u);
    EXPECT_EQ(error_of(type_id::policy, "reject"), "wrong policy");
    EXPECT_EQ(show(type_id::policy, 1), "accept");
    EXPECT_EQ(show(type_id::policy, 0), "drop");
    EXPECT_EQ(value_of(type_id::priority, "-150"), u128{0xffffff6au});
    EXPECT_EQ(show(type_id::priority, 0xffffff6au), "-150");
    EXPECT_EQ(value_of(type_id::priority, "10"), 10u);
    parsed_value name = parse(type_id::priority, "filter");
    ASSERT_TRUE(name.ok());
    EXPECT_EQ(name.value, pack_string("filter"));
    EXPECT_EQ(name.len, 48u);
    EXPECT_EQ(show(type_id::queue, 3), "queue");
}

TEST(DatatypeOptions, MptcpAndSctp) {
    EXPECT_EQ(value_of(type_id::mptcp_subtype, "mp-join"), 1u);
    EXPECT_EQ(value_of(type_id::mptcp_subtype, "mp-tcprst"), 8u);
    // Corpus: `tcp option mptcp subtype 1` lists as `... subtype mp-join`.
    EXPECT_EQ(round_trip(type_id::mptcp_subtype, "1"), "mp-join");
    EXPECT_EQ(show(type_id::mptcp_subtype, 15), "15");
    EXPECT_EQ(value_of(type_id::sctp_chunk_type, "forward-tsn"), 192u);
    EXPECT_EQ(show(type_id::sctp_chunk_type, 0), "data");
}

TEST(DatatypeConntrack, IdZoneHelper) {
    EXPECT_EQ(round_trip(type_id::ct_id, "12345"), "12345");
    EXPECT_EQ(round_trip(type_id::ct_zone, "23"), "23");
    EXPECT_EQ(round_trip(type_id::tunnel_id, "42"), "42");
    EXPECT_EQ(round_trip(type_id::ct_helper, "ftp"), "\"ftp\"");
    EXPECT_EQ(error_of(type_id::ct_helper, ""), "Empty string is not allowed");
}

TEST(DatatypeRegistry, UsableFromStaticInitialisers) {
    // Other translation units may call dt() while they are being initialised; the registry
    // is built on first use, so this is just a repeated, consistent lookup.
    static const datatype* early = &dt(type_id::mark);
    EXPECT_EQ(early, datatype_lookup(type_id::mark));
}

}  // namespace
}  // namespace nfqwall::front

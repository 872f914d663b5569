// The nft type system: every constant, selector and set key has a datatype that knows its
// width, byte order, symbolic names and how to parse and print its values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "front/value.hpp"

namespace nfqwall::front {

enum class byte_order : uint8_t { invalid, host, big };

// Type ids follow nft's `enum datatypes` for the first 47 entries; the rest are internal.
enum class type_id : uint16_t {
    invalid = 0,
    verdict,
    nfproto,
    bitmask,
    integer,
    string,
    lladdr,
    ipaddr,
    ip6addr,
    etheraddr,
    ethertype,
    arpop,
    inet_protocol,
    inet_service,
    icmp_type,
    tcp_flag,
    dccp_pkttype,
    mh_type,
    time,
    mark,
    ifindex,
    arphrd,
    realm,
    classid,
    uid,
    gid,
    ct_state,
    ct_dir,
    ct_status,
    icmp6_type,
    ct_label,
    pkttype,
    icmp_code,
    icmpv6_code,
    icmpx_code,
    devgroup,
    dscp,
    ecn,
    fib_addr,
    boolean,
    ct_eventbit,
    ifname,
    igmp_type,
    time_date,
    time_hour,
    time_day,
    cgroupv2,
    // internal types (no kernel type number)
    concat = 100,
    xinteger,         // integer printed in hex (raw payload)
    policy,           // chain policy: accept | drop
    queue,            // typeof ... : queue
    reject_icmp_code,     // icmp_code printed/parsed for `reject with icmp`
    reject_icmpv6_code,
    reject_icmpx_code,
    priority,         // chain priority spec
    mptcp_subtype,
    sctp_chunk_type,
    boolean_exists,   // exists/missing printed for exthdr/option presence
    ct_helper,        // ct helper name (string)
    ct_id,
    ct_zone,
    socket_cgroup,
    osf_name,
    secmark_name,
    tunnel_id,
};

struct symbol_entry {
    std::string_view name;
    u128 value;
};

enum class number_base : uint8_t { decimal, hexadecimal };

struct symbol_table {
    number_base base = number_base::decimal;
    std::vector<symbol_entry> symbols;

    const symbol_entry* find(std::string_view name) const;
    const symbol_entry* find(u128 value) const;
};

// How an integer of a type prints when no symbol applies (nft's basefmt):
// decimal, or hex with a minimum number of digits ("0x%.8x" for marks is {true, 8}).
struct integer_format {
    bool hex = false;
    uint8_t min_digits = 0;
};

struct print_ctx;
class value_expr;

// What parsing a symbol of a datatype gave: a value, or an error message
// (the caller attaches the symbol's location).
struct parsed_value {
    u128 value = 0;
    uint32_t len = 0;  // bits; 0 = the type's own size
    std::string error;
    std::string text;  // string types: the whole text (value holds at most its first 16 bytes)
    bool ok() const { return error.empty(); }
    static parsed_value of(u128 v, uint32_t bits = 0) { return {v, bits, {}, {}}; }
    static parsed_value fail(std::string msg) { return {0, 0, std::move(msg), {}}; }
};

enum dtype_flags : uint32_t {
    DTYPE_F_PREFIX = 1u << 0,  // values may be written as prefixes (addresses)
};

struct datatype {
    type_id id = type_id::invalid;
    std::string name;  // nft's type name: "ipv4_addr"
    std::string desc;  // nft's description: "IPv4 address"
    byte_order order = byte_order::invalid;
    uint32_t size = 0;  // bits; 0 = variable length
    const datatype* basetype = nullptr;
    integer_format basefmt{};
    bool has_basefmt = false;
    const symbol_table* symbols = nullptr;
    uint32_t flags = 0;
    // Print a constant of this type; nullptr: symbols, then the base type.
    void (*print)(const value_expr& e, print_ctx& ctx) = nullptr;
    // Parse an unquoted or quoted word as a value of this type; nullptr: symbols, then the
    // base type.
    parsed_value (*parse)(std::string_view text, const datatype& type) = nullptr;
    // For concatenations: the parts, in order.
    std::vector<const datatype*> subtypes;

    bool is(type_id t) const { return id == t; }
    // True if this type is `t` or derives from it.
    bool derives_from(type_id t) const;
    // The deepest base type (integer, string, lladdr, bitmask...).
    const datatype* root() const;
    bool is_concat() const { return id == type_id::concat; }
};

// The built-in types by id or by nft name; nullptr if unknown.
const datatype* datatype_lookup(type_id id);
const datatype* datatype_lookup_byname(std::string_view name);
const datatype& dt(type_id id);  // asserts the type exists

// Prints a constant the way nft prints the ends of a range (range_expr_print turns on all of
// nft's numeric output options): symbols as numbers (`arp operation 1-2`), protocols as
// numbers, relative times in seconds (`ct expiration 60s-3600s`). Types whose printers
// ignore those options (addresses, dates, hours, tc handles, interface indexes) print as
// print_value does. Range printers call this for both ends.
void print_value_numeric(const value_expr& e, print_ctx& ctx);

// The interned concatenation of several types (`ipv4_addr . inet_service`).
const datatype* concat_type(const std::vector<const datatype*>& parts);

// Parse a word as a value of `type` the way nft does (symbols, then base types).
parsed_value datatype_parse(const datatype& type, std::string_view text);

// Time values (milliseconds) in nft's "1d2h3m4s5ms" notation.
std::optional<uint64_t> parse_time_string(std::string_view text);
std::string format_time_ms(uint64_t ms);

// The same as parse_time_string with nft's error messages ("wrong time format", "value too
// large", "Day has been specified twice"...). Like nft, a bare number is seconds: "30" is
// 30000 ms, and the empty string is 0.
parsed_value parse_time_value(std::string_view text);

// nft's type equality (datatype_equal compares nft type numbers): the internal aliases count
// as the type they alias (xinteger, queue, mptcp subtypes, ct id... are integers; ct helper
// and osf names are strings; socket cgroups are cgroupsv2). Concatenations compare by parts.
bool datatype_equal(const datatype& a, const datatype& b);
// The nft type number behind `t`: its own id for nft's types, the aliased id for internal ones.
type_id nft_type(const datatype& t);

// Re-reads a file-backed symbol table (mark: rt_marks, devgroup: group, realm: rt_realms,
// ct_label: connlabel.conf) from `path`, replacing what was loaded from nft's default
// locations; false if the file cannot be read (the table is then empty). For tests and
// embedders; not meant to be called while other threads parse or print.
bool load_symbol_file(type_id id, const std::string& path);

}  // namespace nfqwall::front

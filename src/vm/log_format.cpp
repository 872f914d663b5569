#include "vm/log_format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>

#include "front/stmt.hpp"

// Kernel reference: net/netfilter/nf_log_syslog.c (Linux 6.18; earlier kernels split it into
// nf_log_ipv4.c, nf_log_ipv6.c, nf_log_arp.c and nf_log_common.c with the same text), the
// prefix handling of nf_log_packet and the buffer of nf_log_buf_add (net/netfilter/nf_log.c).
// Comments name the kernel function each part follows, so the two can be read side by side.

namespace nfqwall::vm {

namespace {

using front::NF_LOG_IPOPT;
using front::NF_LOG_MACDECODE;
using front::NF_LOG_TCPOPT;
using front::NF_LOG_TCPSEQ;
using front::NF_LOG_UID;

enum : uint8_t {
    ipproto_hopopts = 0,
    ipproto_icmp = 1,
    ipproto_tcp = 6,
    ipproto_udp = 17,
    ipproto_routing = 43,
    ipproto_fragment = 44,
    ipproto_esp = 50,
    ipproto_ah = 51,
    ipproto_icmpv6 = 58,
    ipproto_dstopts = 60,
    ipproto_udplite = 136,
};

constexpr uint16_t arphrd_ether = 1;
constexpr uint16_t ethertype_ipv4 = 0x0800;
constexpr uint16_t ethertype_arp = 0x0806;
constexpr uint16_t ethertype_rarp = 0x8035;
constexpr uint16_t ethertype_ipv6 = 0x86dd;
constexpr size_t prefix_max_length = 127;  // NF_LOG_PREFIXLEN - 1
constexpr uint32_t ethernet_header_length = 14;

// Appends to a fixed buffer and silently drops what does not fit, as nf_log_buf_add does once
// its buffer is full.
class line_writer {
public:
    explicit line_writer(std::span<char> out)
        : out_(out.data()), capacity_(std::min(out.size(), kernel_log_max_length)) {}

    size_t size() const { return size_; }

    line_writer& text(std::string_view s) {
        const size_t n = std::min(s.size(), capacity_ - size_);
        if (n != 0) std::memcpy(out_ + size_, s.data(), n);
        size_ += n;
        return *this;
    }
    line_writer& decimal(uint64_t value) {
        std::array<char, 20> digits;
        const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
        return text({digits.data(), static_cast<size_t>(end - digits.data())});
    }
    // printf's %0<width>x (or %X): at least `width` digits.
    line_writer& hex(uint64_t value, size_t width = 1, bool upper = false) {
        std::array<char, 16> digits;
        const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value, 16).ptr;
        const auto length = static_cast<size_t>(end - digits.data());
        if (upper) {
            std::transform(digits.data(), end, digits.data(), [](char c) { return c >= 'a' ? char(c - 'a' + 'A') : c; });
        }
        for (size_t i = length; i < width; ++i) text("0");
        return text({digits.data(), length});
    }
    // %pI4
    line_writer& ipv4(const uint8_t* address) {
        for (int i = 0; i < 4; ++i) {
            if (i != 0) text(".");
            decimal(address[i]);
        }
        return *this;
    }
    // %pI6: eight groups of four lower-case digits, never shortened (that would be %pI6c).
    line_writer& ipv6(const uint8_t* address) {
        for (int i = 0; i < 16; i += 2) {
            if (i != 0) text(":");
            hex(address[i], 2).hex(address[i + 1], 2);
        }
        return *this;
    }
    // %pM, and the MAC= dump: lower-case bytes joined by colons.
    line_writer& bytes_with_colons(const uint8_t* bytes, size_t length) {
        for (size_t i = 0; i < length; ++i) {
            if (i != 0) text(":");
            hex(bytes[i], 2);
        }
        return *this;
    }
    // IP and TCP options: upper-case bytes, no separator.
    line_writer& bytes_upper(const uint8_t* bytes, size_t length) {
        for (size_t i = 0; i < length; ++i) hex(bytes[i], 2, true);
        return *this;
    }

private:
    char* out_;
    size_t capacity_;
    size_t size_ = 0;
};

// What skb_header_pointer reads in the logger: the packet from its network header on. At every
// hook that logs (ip, ip6, inet, arp, bridge, netdev) skb->data points at the network header,
// so the kernel's offsets start there and skb->len counts from there.
class network_bytes {
public:
    explicit network_bytes(std::span<const uint8_t> bytes) : bytes_(bytes) {}

    // skb->len; the kernel's "INCOMPLETE [n bytes]" subtracts from it in unsigned arithmetic.
    uint32_t length() const { return static_cast<uint32_t>(bytes_.size()); }
    bool has(uint64_t offset, uint64_t count) const { return offset + count <= bytes_.size(); }
    // Callers check has() first.
    const uint8_t* at(uint32_t offset) const { return bytes_.data() + offset; }
    uint8_t u8(uint32_t offset) const { return bytes_[offset]; }
    uint16_t be16(uint32_t offset) const { return uint16_t(bytes_[offset] << 8 | bytes_[offset + 1]); }
    uint32_t be32(uint32_t offset) const { return uint32_t{be16(offset)} << 16 | be16(offset + 2); }

private:
    std::span<const uint8_t> bytes_;
};

// The Ethernet header as the kernel keeps it at the hooks: an offloaded (or, on receive,
// pulled out) outer VLAN tag lives beside the 14-byte header in skb->vlan_tci, and the header's
// protocol is then the one after that tag.
struct link_header {
    std::array<uint8_t, 14> bytes{};  // destination, source, protocol
    bool has_vlan = false;
    packet::vlan_tag vlan{};

    const uint8_t* destination() const { return bytes.data(); }
    const uint8_t* source() const { return bytes.data() + 6; }
    uint16_t protocol() const { return uint16_t(bytes[12] << 8 | bytes[13]); }
};

std::optional<link_header> read_link_header(const packet::packet_view& packet) {
    if (!packet.has_link_header() || packet.link_header_length() < ethernet_header_length) return std::nullopt;
    link_header header;
    const bool tagged = packet.vlan_count() != 0;
    const uint32_t protocol_offset = tagged ? 16 : 12;
    if (!packet.load(packet::payload_base::link, 0, 12, header.bytes.data()) ||
        !packet.load(packet::payload_base::link, protocol_offset, 2, header.bytes.data() + 12)) {
        return std::nullopt;
    }
    if (tagged) {
        header.has_vlan = true;
        header.vlan = packet.vlan(0);
    }
    return header;
}

struct log_context {
    line_writer& out;
    network_bytes packet;
    std::optional<link_header> link;
    uint32_t flags;
    const packet_meta& meta;

    bool flag(uint32_t f) const { return (flags & f) != 0; }
};

// The device skb->dev names: the input device where there is one, else the output device.
const interface_info* packet_device(const packet_meta& meta) { return meta.iif != nullptr ? meta.iif : meta.oif; }

// nf_log_dump_vlan + the MACSRC/MACDST/MACPROTO of dump_mac_header and dump_arp_packet.
void write_decoded_mac(log_context& c, const link_header& link) {
    c.out.text("MACSRC=").bytes_with_colons(link.source(), 6);
    c.out.text(" MACDST=").bytes_with_colons(link.destination(), 6).text(" ");
    if (link.has_vlan) {
        // skb_vlan_tag_get() is the whole TCI: VID= includes the priority bits.
        c.out.text("VPROTO=").hex(link.vlan.tpid, 4).text(" VID=").decimal(link.vlan.tci).text(" ");
    }
    c.out.text("MACPROTO=").hex(link.protocol(), 4).text(" ");
}

// dump_mac_header. The kernel prints dev->hard_header_len bytes from the mac header; nfqwall
// prints the Ethernet header it has, or nothing when the packet came without one (the
// kernel's case of a device without a hard header, such as a tun device).
void write_mac_header(log_context& c, const interface_info* device) {
    const uint16_t device_type = device != nullptr ? device->type : arphrd_ether;
    if (c.flag(NF_LOG_MACDECODE) && device_type == arphrd_ether) {
        if (c.link) write_decoded_mac(c, *c.link);
        return;
    }
    c.out.text("MAC=");
    if (c.link) c.out.bytes_with_colons(c.link->bytes.data(), c.link->bytes.size());
    c.out.text(" ");
}

// What belongs to the packet rather than to its headers, never printed for a quoted one: the
// owner of its local socket (nf_log_dump_sk_uid_gid, only when there is one) and the mark.
void write_owner_and_mark(log_context& c) {
    if (c.flag(NF_LOG_UID) && c.meta.has_socket) {
        c.out.text("UID=").decimal(c.meta.skuid).text(" GID=").decimal(c.meta.skgid).text(" ");
    }
    if (c.meta.mark != 0) c.out.text("MARK=0x").hex(c.meta.mark).text(" ");
}

void write_incomplete(log_context& c, uint32_t bytes_left) {
    c.out.text("INCOMPLETE [").decimal(bytes_left).text(" bytes] ");
}

// nf_log_dump_tcp_header. False when the header is cut short: the caller then stops the line.
bool write_tcp(log_context& c, bool fragment, uint32_t offset) {
    auto& out = c.out;
    const auto& p = c.packet;
    out.text("PROTO=TCP ");
    if (fragment) return true;
    if (!p.has(offset, 20)) {
        write_incomplete(c, p.length() - offset);
        return false;
    }
    out.text("SPT=").decimal(p.be16(offset)).text(" DPT=").decimal(p.be16(offset + 2)).text(" ");
    if (c.flag(NF_LOG_TCPSEQ)) {
        out.text("SEQ=").decimal(p.be32(offset + 4)).text(" ACK=").decimal(p.be32(offset + 8)).text(" ");
    }
    out.text("WINDOW=").decimal(p.be16(offset + 14)).text(" ");

    const uint8_t offset_byte = p.u8(offset + 12);  // data offset, reserved bits, AE
    const uint8_t flag_byte = p.u8(offset + 13);
    // TCP_RESERVED_BITS shifted down by 22: the three bits between the data offset and AE.
    // (Kernels without the AccECN changes, which 6.18 has, count AE as reserved: RES=0x04.)
    out.text("RES=0x").hex((offset_byte & 0x0e) << 2, 2).text(" ");
    struct named_flag {
        bool set;
        std::string_view name;
    };
    const named_flag flags[] = {
        {(offset_byte & 0x01) != 0, "AE "},  {(flag_byte & 0x80) != 0, "CWR "}, {(flag_byte & 0x40) != 0, "ECE "},
        {(flag_byte & 0x20) != 0, "URG "},   {(flag_byte & 0x10) != 0, "ACK "}, {(flag_byte & 0x08) != 0, "PSH "},
        {(flag_byte & 0x04) != 0, "RST "},   {(flag_byte & 0x02) != 0, "SYN "}, {(flag_byte & 0x01) != 0, "FIN "},
    };
    for (const auto& f : flags) {
        if (f.set) out.text(f.name);
    }
    out.text("URGP=").decimal(p.be16(offset + 18)).text(" ");

    const uint32_t header_length = (uint32_t{offset_byte} >> 4) * 4;  // data offset in 32-bit words
    if (c.flag(NF_LOG_TCPOPT) && header_length > 20) {
        const uint32_t options_length = header_length - 20;
        if (!p.has(uint64_t{offset} + 20, options_length)) {
            out.text("OPT (TRUNCATED)");
            return false;
        }
        out.text("OPT (").bytes_upper(p.at(offset + 20), options_length).text(") ");
    }
    return true;
}

// nf_log_dump_udp_header (UDP and UDP-Lite).
bool write_udp(log_context& c, uint8_t protocol, bool fragment, uint32_t offset) {
    const auto& p = c.packet;
    c.out.text(protocol == ipproto_udp ? "PROTO=UDP " : "PROTO=UDPLITE ");
    if (fragment) return true;
    if (!p.has(offset, 8)) {
        write_incomplete(c, p.length() - offset);
        return false;
    }
    c.out.text("SPT=").decimal(p.be16(offset)).text(" DPT=").decimal(p.be16(offset + 2));
    c.out.text(" LEN=").decimal(p.be16(offset + 4)).text(" ");
    return true;
}

// The bytes an ICMP message of each type needs before the kernel decodes it further (its
// table is indexed by type up to NR_ICMP_TYPES, 18).
uint32_t icmp_required_length(uint8_t type) {
    switch (type) {
    case 0:   // echo reply
    case 8:   // echo request
        return 4;
    case 3:   // destination unreachable
    case 4:   // source quench
    case 5:   // redirect
    case 11:  // time exceeded
    case 12:  // parameter problem
        return 8 + 20;
    case 13:  // timestamp
    case 14:  // timestamp reply
        return 20;
    case 17:  // address mask request
    case 18:  // address mask reply
        return 12;
    default:
        return 0;
    }
}

void write_ipv4(log_context& c, uint32_t header_offset);

void write_icmp(log_context& c, uint32_t header_offset, uint32_t icmp_offset, bool fragment) {
    auto& out = c.out;
    const auto& p = c.packet;
    out.text("PROTO=ICMP ");
    if (fragment) return;
    const uint32_t bytes_left = p.length() - icmp_offset;
    if (!p.has(icmp_offset, 8)) {
        write_incomplete(c, bytes_left);
        return;
    }
    const uint8_t type = p.u8(icmp_offset);
    const uint8_t code = p.u8(icmp_offset + 1);
    out.text("TYPE=").decimal(type).text(" CODE=").decimal(code).text(" ");
    const uint32_t required = icmp_required_length(type);
    if (required != 0 && bytes_left < required) {
        write_incomplete(c, bytes_left);
        return;
    }
    switch (type) {
    case 0:
    case 8:
        out.text("ID=").decimal(p.be16(icmp_offset + 4)).text(" SEQ=").decimal(p.be16(icmp_offset + 6)).text(" ");
        return;
    case 12:
        out.text("PARAMETER=").decimal(p.u8(icmp_offset + 4)).text(" ");
        return;
    case 5:
        out.text("GATEWAY=").ipv4(p.at(icmp_offset + 4)).text(" ");
        [[fallthrough]];
    case 3:
    case 4:
    case 11:
        // The quoted packet is decoded once: the kernel recurses only from the outer header.
        if (header_offset == 0) {
            out.text("[");
            write_ipv4(c, icmp_offset + 8);
            out.text("] ");
        }
        if (type == 3 && code == 4) out.text("MTU=").decimal(p.be16(icmp_offset + 6)).text(" ");
        return;
    default:
        return;
    }
}

// dump_ipv4_packet. header_offset is 0 for the packet, and points into an ICMP error for the
// packet it quotes.
void write_ipv4(log_context& c, uint32_t header_offset) {
    auto& out = c.out;
    const auto& p = c.packet;
    if (!p.has(header_offset, 20)) {
        out.text("TRUNCATED");
        return;
    }
    const uint8_t* header = p.at(header_offset);
    out.text("SRC=").ipv4(header + 12).text(" DST=").ipv4(header + 16).text(" ");
    const uint8_t tos = header[1];
    // iph_totlen: BIG TCP's tot_len 0 would mean skb->len; NFQUEUE hands nfqwall no GSO
    // packets that large, so the field is printed as it is.
    out.text("LEN=").decimal(p.be16(header_offset + 2));
    out.text(" TOS=0x").hex(tos & 0x1e, 2, true).text(" PREC=0x").hex(tos & 0xe0, 2, true);
    out.text(" TTL=").decimal(header[8]).text(" ID=").decimal(p.be16(header_offset + 4)).text(" ");

    const uint16_t fragment_field = p.be16(header_offset + 6);
    if (fragment_field & 0x8000) out.text("CE ");
    if (fragment_field & 0x4000) out.text("DF ");
    if (fragment_field & 0x2000) out.text("MF ");
    const uint16_t fragment_offset = fragment_field & 0x1fff;  // in 8-byte units, as printed
    if (fragment_offset != 0) out.text("FRAG:").decimal(fragment_offset).text(" ");

    const uint32_t header_length = uint32_t{header[0] & 0x0fu} * 4;
    if (c.flag(NF_LOG_IPOPT) && header_length > 20) {
        const uint32_t options_length = header_length - 20;
        if (!p.has(uint64_t{header_offset} + 20, options_length)) {
            out.text("TRUNCATED");
            return;
        }
        out.text("OPT (").bytes_upper(p.at(header_offset + 20), options_length).text(") ");
    }

    const uint8_t protocol = header[9];
    const bool fragment = fragment_offset != 0;
    const uint32_t transport = header_offset + header_length;
    switch (protocol) {
    case ipproto_tcp:
        if (!write_tcp(c, fragment, transport)) return;
        break;
    case ipproto_udp:
    case ipproto_udplite:
        if (!write_udp(c, protocol, fragment, transport)) return;
        break;
    case ipproto_icmp:
        write_icmp(c, header_offset, transport, fragment);
        break;
    case ipproto_ah:
        // Unlike ESP, a non-first AH fragment prints no protocol at all.
        if (fragment) break;
        out.text("PROTO=AH ");
        if (!p.has(transport, 12)) {
            write_incomplete(c, p.length() - transport);
            break;
        }
        out.text("SPI=0x").hex(p.be32(transport + 4)).text(" ");
        break;
    case ipproto_esp:
        out.text("PROTO=ESP ");
        if (fragment) break;
        if (!p.has(transport, 8)) {
            write_incomplete(c, p.length() - transport);
            break;
        }
        out.text("SPI=0x").hex(p.be32(transport)).text(" ");
        break;
    default:
        out.text("PROTO=").decimal(protocol).text(" ");
        break;
    }

    if (header_offset == 0) write_owner_and_mark(c);
}

// nf_ip6_ext_hdr without NEXTHDR_NONE: the headers the logger walks.
bool walked_extension_header(uint8_t next_header) {
    switch (next_header) {
    case ipproto_hopopts:
    case ipproto_routing:
    case ipproto_fragment:
    case ipproto_esp:
    case ipproto_ah:
    case ipproto_dstopts:
        return true;
    default:
        return false;
    }
}

void write_ipv6(log_context& c, uint32_t header_offset, bool outer);

void write_icmpv6(log_context& c, uint32_t offset, bool outer) {
    auto& out = c.out;
    const auto& p = c.packet;
    const uint8_t type = p.u8(offset);
    out.text("TYPE=").decimal(type).text(" CODE=").decimal(p.u8(offset + 1)).text(" ");
    switch (type) {
    case 128:  // echo request
    case 129:  // echo reply
        out.text("ID=").decimal(p.be16(offset + 4)).text(" SEQ=").decimal(p.be16(offset + 6)).text(" ");
        return;
    case 4:  // parameter problem
        out.text("POINTER=").hex(p.be32(offset + 4), 8).text(" ");
        [[fallthrough]];
    case 1:  // destination unreachable
    case 2:  // packet too big
    case 3:  // time exceeded
        if (outer) {
            out.text("[");
            write_ipv6(c, offset + 8, false);
            out.text("] ");
        }
        if (type == 2) out.text("MTU=").decimal(p.be32(offset + 4)).text(" ");
        return;
    default:  // MLD messages (130-132) and the rest: type and code only
        return;
    }
}

// An AH or ESP header in the IPv6 walk's "OPT ( ... )": its name and SPI, or why the SPI
// cannot be read, which ends the line.
bool write_ipsec_option(log_context& c, std::string_view name, bool fragment, uint32_t offset, uint32_t header_size,
                        uint32_t spi_offset) {
    c.out.text(name);
    if (fragment) {
        c.out.text(")");
        return false;
    }
    if (!c.packet.has(offset, header_size)) {
        c.out.text("INCOMPLETE [").decimal(c.packet.length() - offset).text(" bytes] )");
        return false;
    }
    c.out.text("SPI=0x").hex(c.packet.be32(offset + spi_offset));
    return true;
}

// dump_ipv6_packet. `outer` is false for the packet an ICMPv6 error quotes.
void write_ipv6(log_context& c, uint32_t header_offset, bool outer) {
    auto& out = c.out;
    const auto& p = c.packet;
    const bool options = c.flag(NF_LOG_IPOPT);
    if (!p.has(header_offset, 40)) {
        out.text("TRUNCATED");
        return;
    }
    out.text("SRC=").ipv6(p.at(header_offset + 8)).text(" DST=").ipv6(p.at(header_offset + 24)).text(" ");
    const uint32_t first_word = p.be32(header_offset);
    out.text("LEN=").decimal(uint32_t{p.be16(header_offset + 4)} + 40);
    out.text(" TC=").decimal((first_word & 0x0ff00000) >> 20);
    out.text(" HOPLIMIT=").decimal(p.u8(header_offset + 7));
    out.text(" FLOWLBL=").decimal(first_word & 0x000fffff).text(" ");

    bool fragment = false;  // a non-first fragment: nothing after its fragment header is decoded
    uint32_t offset = header_offset + 40;
    uint8_t next_header = p.u8(header_offset + 6);
    while (walked_extension_header(next_header)) {
        if (!p.has(offset, 2)) {
            out.text("TRUNCATED");
            return;
        }
        if (options) out.text("OPT ( ");
        uint32_t header_length = 0;
        switch (next_header) {
        case ipproto_fragment: {
            out.text("FRAG:");
            if (!p.has(offset, 8)) {
                out.text("TRUNCATED ");
                return;
            }
            const uint16_t fragment_field = p.be16(offset + 2);
            out.decimal(fragment_field & 0xfff8).text(" ");  // the offset in bytes
            if (fragment_field & 0x0001) out.text("INCOMPLETE ");
            out.text("ID:").hex(p.be32(offset + 4), 8).text(" ");
            if (fragment_field & 0xfff8) fragment = true;
            header_length = 8;
            break;
        }
        case ipproto_dstopts:
        case ipproto_routing:
        case ipproto_hopopts:
            if (fragment) {
                if (options) out.text(")");
                return;
            }
            header_length = (uint32_t{p.u8(offset + 1)} + 1) * 8;
            break;
        case ipproto_ah:
            if (options) {
                if (!write_ipsec_option(c, "AH ", fragment, offset, 12, 4)) return;
                out.text(" ");
            }
            header_length = (uint32_t{p.u8(offset + 1)} + 2) * 4;
            break;
        case ipproto_esp:
            // Nothing after ESP can be read, and the line ends here (no UID or MARK either).
            if (options && write_ipsec_option(c, "ESP ", fragment, offset, 8, 0)) out.text(" )");
            return;
        }
        if (options) out.text(") ");
        next_header = p.u8(offset);
        offset += header_length;
    }

    switch (next_header) {
    case ipproto_tcp:
        if (!write_tcp(c, fragment, offset)) return;
        break;
    case ipproto_udp:
    case ipproto_udplite:
        if (!write_udp(c, next_header, fragment, offset)) return;
        break;
    case ipproto_icmpv6:
        out.text("PROTO=ICMPv6 ");
        if (fragment) break;
        if (!p.has(offset, 8)) {
            // Unlike IPv4's ICMP, a cut ICMPv6 header ends the line before UID and MARK.
            write_incomplete(c, p.length() - offset);
            return;
        }
        write_icmpv6(c, offset, outer);
        break;
    default:
        out.text("PROTO=").decimal(next_header).text(" ");
        break;
    }

    if (outer) write_owner_and_mark(c);
}

// dump_arp_packet. Its last field has no trailing space, unlike every other line.
void write_arp(log_context& c) {
    auto& out = c.out;
    const auto& p = c.packet;
    if (!p.has(0, 8)) {
        out.text("TRUNCATED");
        return;
    }
    const interface_info* device = packet_device(c.meta);
    const uint16_t device_type = device != nullptr ? device->type : arphrd_ether;
    if (c.flag(NF_LOG_MACDECODE) && device_type == arphrd_ether && c.link) write_decoded_mac(c, *c.link);

    const uint16_t hardware_type = p.be16(0);
    out.text("ARP HTYPE=").decimal(hardware_type);
    out.text(" PTYPE=0x").hex(p.be16(2), 4);
    out.text(" OPCODE=").decimal(p.be16(6));
    // Only Ethernet/IPv4 ARP has its addresses decoded.
    if (hardware_type != arphrd_ether || p.u8(4) != 6 || p.u8(5) != 4) return;
    if (!p.has(8, 20)) {
        out.text(" INCOMPLETE [").decimal(p.length() - 8).text(" bytes]");
        return;
    }
    out.text(" MACSRC=").bytes_with_colons(p.at(8), 6).text(" IPSRC=").ipv4(p.at(14));
    out.text(" MACDST=").bytes_with_colons(p.at(18), 6).text(" IPDST=").ipv4(p.at(24));
}

// nf_log_ip_packet and nf_log_ip6_packet: the MAC header only where there is an input device
// (not at output and postrouting).
void write_ip_packet(log_context& c, bool ipv6) {
    if (c.meta.iif != nullptr) write_mac_header(c, c.meta.iif);
    if (ipv6) {
        write_ipv6(c, 0, true);
    } else {
        write_ipv4(c, 0);
    }
}

// nf_log_packet picks the logger by the hook's protocol family; the bridge and netdev
// loggers (nf_log_netdev_packet) pick again by skb->protocol.
void write_packet(log_context& c, const packet::packet_view& packet) {
    switch (c.meta.family) {
    case front::family::ipv4:
        write_ip_packet(c, false);
        return;
    case front::family::ipv6:
        write_ip_packet(c, true);
        return;
    case front::family::inet:
        // The inet hooks run with the packet's own family (NFPROTO_IPV4 or NFPROTO_IPV6).
        write_ip_packet(c, packet.network() == packet::network_protocol::ipv6);
        return;
    case front::family::arp:
        write_arp(c);
        return;
    case front::family::bridge:
    case front::family::netdev:
    case front::family::unspec:
        break;
    }
    // skb->protocol: the kernel takes only the outer VLAN tag out of the frame, so behind a
    // second tag the protocol is that tag's.
    const uint16_t protocol = packet.vlan_count() >= 2 ? packet.vlan(1).tpid : packet.ethertype();
    switch (protocol) {
    case ethertype_ipv4:
        write_ip_packet(c, false);
        return;
    case ethertype_ipv6:
        write_ip_packet(c, true);
        return;
    case ethertype_arp:
    case ethertype_rarp:
        write_arp(c);
        return;
    default:
        // nf_log_unknown_packet: the MAC header even without an input device.
        write_mac_header(c, packet_device(c.meta));
        return;
    }
}

}  // namespace

size_t format_kernel_log(const compile::log_record& record, const packet::packet_view& packet,
                         const packet_meta& meta, std::span<char> out) {
    line_writer writer(out);

    // nft_log_init copies the prefix up to its first NUL; nf_log_packet formats it into
    // NF_LOG_PREFIXLEN bytes.
    std::string_view prefix = record.prefix;
    prefix = prefix.substr(0, std::min({prefix.find('\0'), prefix.size(), prefix_max_length}));
    writer.text(prefix);
    // nf_log_dump_packet_common. PHYSIN=/PHYSOUT= need br_netfilter, which nft's bridge
    // family does not use.
    writer.text("IN=").text(meta.iif != nullptr ? meta.iif->name_view() : std::string_view{});
    writer.text(" OUT=").text(meta.oif != nullptr ? meta.oif->name_view() : std::string_view{}).text(" ");

    std::span<const uint8_t> network;
    if (packet.has_network_header() && packet.network_offset() <= packet.size()) {
        network = packet.bytes().subspan(packet.network_offset());
    }
    log_context context{writer, network_bytes(network), read_link_header(packet), record.flags, meta};
    write_packet(context, packet);
    return writer.size();
}

std::string format_kernel_log(const compile::log_record& record, const packet::packet_view& packet,
                              const packet_meta& meta) {
    std::array<char, kernel_log_max_length> line;
    const size_t length = format_kernel_log(record, packet, meta, line);
    return std::string(line.data(), length);
}

}  // namespace nfqwall::vm

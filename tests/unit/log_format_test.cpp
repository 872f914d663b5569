// vm::format_kernel_log: the kernel's own lines for real packets (log_format_kernel_cases.inc,
// recorded by integration/log_format_vs_kernel.sh), then what the kernel comparison cannot
// reach (VLAN tags, device types, the prefix and line limits, a missing socket), the fixed
// buffer's truncation and allocation-free path, and a fuzz loop for ASan/UBSan.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "allocation_counter.hpp"
#include "packet_samples.hpp"
#include "compile/program.hpp"
#include "packet/packet.hpp"
#include "vm/context.hpp"
#include "vm/log_format.hpp"

namespace {

using namespace nfqwall;
using nfqwall::testing::from_hex;

constexpr uint32_t tcp_sequence = 0x01, tcp_options = 0x02, ip_options = 0x04, socket_owner = 0x08,
                   ether = 0x20, all_flags = 0x2f;

struct kernel_case {
    std::string_view family, hook, iif, oif;
    uint32_t mark, flags;
    std::string_view socket, first;
    bool trim;
    std::string_view hex, expected;
};

const kernel_case kernel_cases[] = {
#include "log_format_kernel_cases.inc"
};

front::family family_named(std::string_view name) {
    if (name == "ip") return front::family::ipv4;
    if (name == "ip6") return front::family::ipv6;
    if (name == "inet") return front::family::inet;
    if (name == "arp") return front::family::arp;
    if (name == "bridge") return front::family::bridge;
    return front::family::netdev;
}

// A packet with the hook state the kernel had: owns the bytes, the interfaces and the view.
struct logged_packet {
    logged_packet(std::vector<uint8_t> packet_bytes, packet::first_header first, bool trim = false)
        : bytes(std::move(packet_bytes)) {
        packet::parse_options options;
        options.first = first;
        options.trim_to_ip_length = trim;
        view = packet::parse(std::span<const uint8_t>(bytes), options);
    }
    logged_packet(const logged_packet&) = delete;

    void input(std::string_view name, uint16_t type = 1) {
        in = vm::interface_info::named(name, 1);
        in.type = type;
        meta.iif = &in;
    }
    void output(std::string_view name) {
        out = vm::interface_info::named(name, 2);
        meta.oif = &out;
    }
    std::string format(const compile::log_record& record) const { return vm::format_kernel_log(record, view, meta); }
    std::string format(uint32_t flags, std::string_view prefix = "") const {
        compile::log_record record;
        record.flags = flags;
        record.prefix = prefix;
        return format(record);
    }

    std::vector<uint8_t> bytes;
    packet::packet_view view;
    vm::interface_info in, out;
    vm::packet_meta meta;
};

std::string prefix_of(std::string_view line) { return std::string(line.substr(0, line.find("IN="))); }

TEST(LogFormat, KernelLines) {
    for (const auto& c : kernel_cases) {
        logged_packet p(from_hex(c.hex), nfqwall::testing::first_header_of(c.first), c.trim);
        p.meta.family = family_named(c.family);
        p.meta.hook = *front::hook_lookup(p.meta.family, c.hook);
        if (c.iif != "-") p.input(c.iif);
        if (c.oif != "-") p.output(c.oif);
        p.meta.mark = c.mark;
        if (c.socket != "-") {
            p.meta.has_socket = true;
            p.meta.skuid = p.meta.skgid = 65534;
            ASSERT_EQ(c.socket, "65534:65534");
        }
        EXPECT_EQ(p.format(c.flags, prefix_of(c.expected)), c.expected) << c.hex;
    }
}

// The kernel cases cover each flag; here one packet shows what each flag adds on its own.
TEST(LogFormat, EachFlagAddsItsFields) {
    const auto& syn = kernel_cases[0];  // TCP SYN with options, received on lfb0
    logged_packet p(from_hex(syn.hex), packet::first_header::ethernet, true);
    p.input("eth0");
    p.meta.has_socket = true;
    p.meta.skuid = 1000;
    p.meta.skgid = 100;
    const std::string head = "IN=eth0 OUT= ";
    const std::string mac = "MAC=02:00:00:00:77:02:02:00:00:00:77:01:08:00 ";
    const std::string ip = "SRC=10.77.0.1 DST=10.77.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=4001 DF ";
    const std::string ports = "PROTO=TCP SPT=40000 DPT=22 ";
    const std::string tcp = "WINDOW=64240 RES=0x00 SYN URGP=0 ";
    EXPECT_EQ(p.format(0), head + mac + ip + ports + tcp);
    EXPECT_EQ(p.format(tcp_sequence), head + mac + ip + ports + "SEQ=1000 ACK=0 " + tcp);
    EXPECT_EQ(p.format(tcp_options), head + mac + ip + ports + tcp + "OPT (020405B40402080A000030390000000001030307) ");
    EXPECT_EQ(p.format(ip_options), head + mac + ip + ports + tcp);  // no options to show
    EXPECT_EQ(p.format(socket_owner), head + mac + ip + ports + tcp + "UID=1000 GID=100 ");
    EXPECT_EQ(p.format(ether),
              head + "MACSRC=02:00:00:00:77:01 MACDST=02:00:00:00:77:02 MACPROTO=0800 " + ip + ports + tcp);
    p.meta.mark = 0xdeadbeef;
    EXPECT_EQ(p.format(0), head + mac + ip + ports + tcp + "MARK=0xdeadbeef ");
}

TEST(LogFormat, OutputHasNoMacHeader) {
    const auto& syn = kernel_cases[0];
    logged_packet p(from_hex(syn.hex.substr(28)), packet::first_header::ipv4);
    p.output("wan0");
    EXPECT_EQ(p.format(0), "IN= OUT=wan0 SRC=10.77.0.1 DST=10.77.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=4001 DF "
                           "PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ");
    // Forwarded packets have both devices and the input device's MAC header.
    logged_packet forwarded(from_hex(syn.hex), packet::first_header::ethernet, true);
    forwarded.input("lan0");
    forwarded.output("wan0");
    EXPECT_EQ(forwarded.format(0).substr(0, 31), "IN=lan0 OUT=wan0 MAC=02:00:00:0");
}

TEST(LogFormat, SocketOwnerNeedsASocket) {
    const auto& syn = kernel_cases[0];
    logged_packet p(from_hex(syn.hex), packet::first_header::ethernet, true);
    p.input("eth0");
    EXPECT_EQ(p.format(socket_owner).find("UID="), std::string::npos);
}

// What the MAC header looks like depends on the device (dump_mac_header): the decoded form
// only for Ethernet devices, the raw bytes otherwise, nothing decoded without a header.
TEST(LogFormat, MacHeaderByDevice) {
    const auto& syn = kernel_cases[0];
    logged_packet loopback(from_hex(syn.hex), packet::first_header::ethernet, true);
    loopback.input("lo", 772);  // ARPHRD_LOOPBACK
    EXPECT_NE(loopback.format(ether).find("OUT= MAC=02:00:00:00:77:02:02:00:00:00:77:01:08:00 SRC="),
              std::string::npos);

    logged_packet tun(from_hex(syn.hex.substr(28)), packet::first_header::ipv4);
    tun.input("tun0", 65534);  // ARPHRD_NONE: no hard header
    EXPECT_EQ(tun.format(ether).substr(0, 25), "IN=tun0 OUT= MAC= SRC=10.");

    // An Ethernet device, but the packet came without its link header.
    logged_packet headerless(from_hex(syn.hex.substr(28)), packet::first_header::ipv4);
    headerless.input("eth0");
    EXPECT_EQ(headerless.format(0).substr(0, 25), "IN=eth0 OUT= MAC= SRC=10.");
    EXPECT_EQ(headerless.format(ether).substr(0, 21), "IN=eth0 OUT= SRC=10.7");
}

// A tag the kernel holds beside the header (skb->vlan_tci) shows as VPROTO/VID with the
// Ethernet decoding, with the whole TCI (priority bits too); MAC= shows the header without it.
TEST(LogFormat, VlanTagInBridgeFamily) {
    // 802.1Q, priority 5, VLAN 100, then IPv4 ICMP echo.
    const std::string hex = "0200000077020200000077018100a0640800"
                            "45000020000100004001a6cd0a4d00010a4d0002"
                            "0800ef3a42420007"
                            "70696e67";
    logged_packet p(from_hex(hex), packet::first_header::ethernet);
    p.meta.family = front::family::bridge;
    p.meta.hook = front::hook::input;
    p.input("br0p1");
    const std::string ip = "SRC=10.77.0.1 DST=10.77.0.2 LEN=32 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=ICMP TYPE=8 "
                           "CODE=0 ID=16962 SEQ=7 ";
    EXPECT_EQ(p.format(ether), "IN=br0p1 OUT= MACSRC=02:00:00:00:77:01 MACDST=02:00:00:00:77:02 VPROTO=8100 "
                               "VID=41060 MACPROTO=0800 " + ip);
    EXPECT_EQ(p.format(0), "IN=br0p1 OUT= MAC=02:00:00:00:77:02:02:00:00:00:77:01:08:00 " + ip);
}

TEST(LogFormat, NetdevUnknownProtocolShowsOnlyTheMacHeader) {
    // An LLDP frame (ethertype 0x88cc).
    logged_packet p(from_hex("0180c200000e02000000770188cc" "0207040200000077" "0000"), packet::first_header::ethernet);
    p.meta.family = front::family::netdev;
    p.meta.hook = front::hook::ingress;
    p.input("eth0");
    EXPECT_EQ(p.format(0), "IN=eth0 OUT= MAC=01:80:c2:00:00:0e:02:00:00:00:77:01:88:cc ");
    EXPECT_EQ(p.format(ether), "IN=eth0 OUT= MACSRC=02:00:00:00:77:01 MACDST=01:80:c2:00:00:0e MACPROTO=88cc ");
}

TEST(LogFormat, TruncatedNetworkHeaders) {
    logged_packet ipv4(from_hex("4500003c0fa1400040"), packet::first_header::ipv4);
    EXPECT_EQ(ipv4.format(0), "IN= OUT= TRUNCATED");
    logged_packet ipv6(from_hex("6000000000000000"), packet::first_header::ipv6);
    ipv6.meta.family = front::family::ipv6;
    EXPECT_EQ(ipv6.format(0), "IN= OUT= TRUNCATED");
    logged_packet arp(from_hex("000108000604"), packet::first_header::arp);
    arp.meta.family = front::family::arp;
    EXPECT_EQ(arp.format(0), "IN= OUT= TRUNCATED");
    // IPv4 options cut short, only noticed when the flag asks for them (ihl 15, 24 bytes).
    logged_packet options(from_hex("4f000018000100004006000001020304050607080101"), packet::first_header::ipv4);
    EXPECT_EQ(options.format(ip_options),
              "IN= OUT= SRC=1.2.3.4 DST=5.6.7.8 LEN=24 TOS=0x00 PREC=0x00 TTL=64 ID=1 TRUNCATED");
    // An IPv6 extension header cut short.
    logged_packet ext(from_hex("6000000000023c40"
                               "20010db8000000000000000000000001"
                               "20010db8000000000000000000000002"
                               "11"),
                      packet::first_header::ipv6);
    ext.meta.family = front::family::ipv6;
    EXPECT_TRUE(ext.format(0).ends_with(" HOPLIMIT=64 FLOWLBL=0 TRUNCATED")) << ext.format(0);
}

TEST(LogFormat, PrefixStopsAtNulAndAt127Characters) {
    const auto& syn = kernel_cases[0];
    logged_packet p(from_hex(syn.hex.substr(28)), packet::first_header::ipv4);
    compile::log_record record;
    record.prefix = std::string("abc\0def ", 8);
    EXPECT_EQ(p.format(record).substr(0, 12), "abcIN= OUT= ");
    record.prefix = std::string(200, 'x');
    EXPECT_EQ(p.format(record).substr(0, 131), std::string(127, 'x') + "IN= ");
}

// An ICMPv6 error quoting a packet with a long chain of destination-options headers, each
// "OPT ( ) " with `flags ip options`: longer than the kernel's buffer.
std::vector<uint8_t> long_line_packet() {
    constexpr int headers = 100;
    const auto addresses = from_hex("20010db800000000000000000000000120010db8000000000000000000000002");
    const auto quoted_addresses = from_hex("20010db800000000000000000000000220010db8000000000000000000000001");
    const uint16_t quoted_payload = headers * 8;
    std::vector<uint8_t> quoted{0x60, 0, 0, 0, uint8_t(quoted_payload >> 8), uint8_t(quoted_payload), 60, 64};
    quoted.insert(quoted.end(), quoted_addresses.begin(), quoted_addresses.end());
    for (int i = 0; i < headers; ++i) {
        const uint8_t next = i + 1 < headers ? 60 : 59;
        quoted.insert(quoted.end(), {next, 0, 1, 4, 0, 0, 0, 0});  // PadN
    }
    const uint16_t payload = uint16_t(8 + quoted.size());
    std::vector<uint8_t> packet{0x60, 0, 0, 0, uint8_t(payload >> 8), uint8_t(payload), 58, 64};
    packet.insert(packet.end(), addresses.begin(), addresses.end());
    packet.insert(packet.end(), {1, 0, 0, 0, 0, 0, 0, 0});  // destination unreachable
    packet.insert(packet.end(), quoted.begin(), quoted.end());
    return packet;
}

TEST(LogFormat, LongLinesAreCutLikeTheKernelsBuffer) {
    logged_packet p(long_line_packet(), packet::first_header::ipv6);
    p.meta.family = front::family::ipv6;
    const std::string line = p.format(ip_options);
    EXPECT_EQ(line.size(), vm::kernel_log_max_length);
    EXPECT_EQ(line.substr(0, 60), "IN= OUT= SRC=2001:0db8:0000:0000:0000:0000:0000:0001 DST=200");
    EXPECT_NE(line.find("PROTO=ICMPv6 TYPE=1 CODE=0 [SRC=2001:0db8:"), std::string::npos);
    EXPECT_EQ(line.find("PROTO=59"), std::string::npos);  // cut before the end of the chain

    compile::log_record record;
    record.flags = ip_options;
    std::array<char, 4096> big{};
    EXPECT_EQ(vm::format_kernel_log(record, p.view, p.meta, big), vm::kernel_log_max_length);
}

TEST(LogFormat, BufferVariantTruncatesWithoutOverflow) {
    for (const auto& c : kernel_cases) {
        logged_packet p(from_hex(c.hex), nfqwall::testing::first_header_of(c.first), c.trim);
        p.meta.family = family_named(c.family);
        if (c.iif != "-") p.input(c.iif);
        if (c.oif != "-") p.output(c.oif);
        compile::log_record record;
        record.flags = c.flags;
        const std::string full = p.format(record);
        std::array<char, 1200> buffer;
        for (size_t size = 0; size <= full.size() + 1; size += (size < 40 ? 1 : 37)) {
            buffer.fill('#');
            const size_t written = vm::format_kernel_log(record, p.view, p.meta, std::span<char>(buffer.data(), size));
            ASSERT_EQ(written, std::min(size, full.size()));
            EXPECT_EQ(std::string_view(buffer.data(), written), std::string_view(full).substr(0, written));
            EXPECT_EQ(buffer[size], '#') << "wrote past the end of a " << size << "-byte buffer";
        }
    }
}

TEST(LogFormat, BufferVariantDoesNotAllocate) {
    std::vector<std::unique_ptr<logged_packet>> packets;
    for (const auto& c : kernel_cases) {
        const auto first = nfqwall::testing::first_header_of(c.first);
        packets.push_back(std::make_unique<logged_packet>(from_hex(c.hex), first, c.trim));
        auto& p = *packets.back();
        p.meta.family = family_named(c.family);
        if (c.iif != "-") p.input(c.iif);
        if (c.oif != "-") p.output(c.oif);
        p.meta.has_socket = true;
        p.meta.mark = 1;
    }
    compile::log_record record;
    record.prefix = "a prefix long enough to be kept on the heap by std::string: ";
    record.flags = all_flags;
    std::array<char, vm::kernel_log_max_length> line;
    size_t total = 0;
    nfqwall::testing::allocation_scope scope;
    for (const auto& p : packets) total += vm::format_kernel_log(record, p->view, p->meta, line);
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_GT(total, 0u);
}

// Random bytes as every family's packet, and the kernel cases with random bytes flipped: no
// crash, no read out of bounds (ASan), no line longer than the kernel's.
TEST(LogFormat, Fuzz) {
    std::mt19937 random(20240607);
    const front::family families[] = {front::family::ipv4, front::family::ipv6, front::family::inet,
                                      front::family::arp,  front::family::bridge, front::family::netdev};
    const packet::first_header firsts[] = {packet::first_header::ethernet, packet::first_header::ipv4,
                                           packet::first_header::ipv6, packet::first_header::ip,
                                           packet::first_header::arp};
    std::array<char, vm::kernel_log_max_length> line;
    compile::log_record record;
    record.flags = all_flags;
    for (int round = 0; round < 20000; ++round) {
        std::vector<uint8_t> bytes;
        if (round % 2 == 0) {
            bytes = from_hex(kernel_cases[random() % std::size(kernel_cases)].hex);
            for (int flips = 1 + random() % 4; flips > 0; --flips) bytes[random() % bytes.size()] = uint8_t(random());
            bytes.resize(random() % (bytes.size() + 1));
        } else {
            bytes.resize(random() % 160);
            for (auto& b : bytes) b = uint8_t(random());
            if (bytes.size() > 14 && random() % 2) bytes[14] = uint8_t(0x45 + (random() % 2) * 0x20);
        }
        // An exact-size heap copy, so that ASan catches a read one past the end.
        logged_packet p(bytes, firsts[random() % std::size(firsts)], random() % 2);
        p.meta.family = families[random() % std::size(families)];
        if (random() % 2) p.input("eth0", random() % 4 ? 1 : 772);
        if (random() % 2) p.output("eth1");
        p.meta.mark = random() % 2;
        p.meta.has_socket = random() % 2;
        const size_t written = vm::format_kernel_log(record, p.view, p.meta, line);
        ASSERT_LE(written, line.size());
    }
}

}  // namespace

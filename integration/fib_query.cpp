// nfqwall_fib_query: asks hostroute::kernel_fib the `fib` questions on stdin, so that
// integration/fib_vs_kernel.py can hold its answers against the kernel's own nft for the same
// packets. Run it inside the namespace whose routes it should read. One request a line, fields
// separated by spaces:
//
//   ID HOOK IIF OIF MARK FLAGS RESULT TOS SADDR DADDR
//
//   HOOK     prerouting, input, forward, output or postrouting
//   IIF/OIF  an interface name (its index and type are read from the namespace), or -
//   MARK     meta mark;  FLAGS  NFTA_FIB_F_*;  RESULT  1 oif, 2 oifname, 3 type
//   TOS      the IPv4 TOS / IPv6 traffic class of the packet
//   SADDR/DADDR  the packet's addresses (IPv4 or IPv6)
//
// The packet (a UDP header behind an IPv4 or IPv6 one) goes through vm::fib_query::from_packet
// as the engine's does. Prints "ID VALUE": the type or ifindex as a decimal number, the name
// in double quotes, the presence byte as 0/1; "ID FAIL errno" when the lookup failed;
// "ID ERROR text" for a bad request. The last line, "ALLOCATIONS n", counts heap allocations
// made during the lookups (there must be none).
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "front/rule.hpp"
#include "hostroute/kernel_fib.hpp"
#include "packet/packet.hpp"
#include "vm/context.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<uint64_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace nfqwall;

bool interface_named(const std::string& name, vm::interface_info& out) {
    if (name == "-") return false;
    out = vm::interface_info::named(name, if_nametoindex(name.c_str()));
    const int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (fd >= 0 && ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) out.type = ifr.ifr_hwaddr.sa_family;
    if (fd >= 0) close(fd);
    return out.index != 0;
}

bool hook_named(const std::string& name, front::hook& hook) {
    static const char* const names[] = {"prerouting", "input", "forward", "output", "postrouting"};
    for (int i = 0; i < 5; ++i) {
        if (name == names[i]) {
            hook = static_cast<front::hook>(i);
            return true;
        }
    }
    return false;
}

// An IPv4 or IPv6 header (with `tos`) and an 8-byte UDP header.
bool build_packet(const std::string& saddr, const std::string& daddr, uint8_t tos, std::vector<uint8_t>& bytes) {
    uint8_t s[16], d[16];
    if (inet_pton(AF_INET, saddr.c_str(), s) == 1 && inet_pton(AF_INET, daddr.c_str(), d) == 1) {
        bytes.assign(28, 0);
        bytes[0] = 0x45;
        bytes[1] = tos;
        bytes[3] = 28;
        bytes[8] = 64;
        bytes[9] = 17;
        std::memcpy(&bytes[12], s, 4);
        std::memcpy(&bytes[16], d, 4);
        bytes[24 + 1] = 8;  // UDP length
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2) sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        bytes[10] = static_cast<uint8_t>(~sum >> 8);
        bytes[11] = static_cast<uint8_t>(~sum);
        bytes[20] = 0x30;
        bytes[22] = 0x30;
        return true;
    }
    if (inet_pton(AF_INET6, saddr.c_str(), s) == 1 && inet_pton(AF_INET6, daddr.c_str(), d) == 1) {
        bytes.assign(48, 0);
        bytes[0] = static_cast<uint8_t>(0x60 | tos >> 4);
        bytes[1] = static_cast<uint8_t>(tos << 4);
        bytes[5] = 8;   // payload length
        bytes[6] = 17;  // UDP
        bytes[7] = 64;
        std::memcpy(&bytes[8], s, 16);
        std::memcpy(&bytes[24], d, 16);
        bytes[40] = 0x30;
        bytes[42] = 0x30;
        bytes[45] = 8;
        return true;
    }
    return false;
}

std::string answer(hostroute::kernel_fib& fib, const std::string& line) {
    std::istringstream in(line);
    std::string id, hook_name, iif_name, oif_name, mark, flags, result, tos, saddr, daddr;
    if (!(in >> id >> hook_name >> iif_name >> oif_name >> mark >> flags >> result >> tos >> saddr >> daddr)) {
        return id + " ERROR expected ID HOOK IIF OIF MARK FLAGS RESULT TOS SADDR DADDR";
    }
    vm::interface_info iif, oif;
    vm::packet_meta meta;
    if (!hook_named(hook_name, meta.hook)) return id + " ERROR unknown hook " + hook_name;
    if (interface_named(iif_name, iif)) meta.iif = &iif;
    if (interface_named(oif_name, oif)) meta.oif = &oif;
    if (iif_name != "-" && meta.iif == nullptr) return id + " ERROR no interface " + iif_name;
    if (oif_name != "-" && meta.oif == nullptr) return id + " ERROR no interface " + oif_name;
    meta.mark = static_cast<uint32_t>(std::stoul(mark, nullptr, 0));
    const auto fib_flags = static_cast<uint32_t>(std::stoul(flags, nullptr, 0));
    const auto fib_result = static_cast<uint32_t>(std::stoul(result, nullptr, 0));
    std::vector<uint8_t> bytes;
    if (!build_packet(saddr, daddr, static_cast<uint8_t>(std::stoul(tos, nullptr, 0)), bytes)) {
        return id + " ERROR bad addresses";
    }
    packet::parse_options options;
    options.first = packet::first_header::ip;
    const packet::packet_view view = packet::parse(std::span<const uint8_t>(bytes), options);
    vm::fib_query query;
    if (!query.from_packet(view, fib_flags, fib_result)) return id + " ERROR the packet does not parse";

    uint8_t reg[16];
    std::memset(reg, 0, sizeof reg);  // the engine clears the destination register
    counting = true;
    const bool ok = fib.lookup(meta, query, reg, fib_result == 2 && !(fib_flags & 32) ? 16 : 4);
    counting = false;
    if (!ok) return id + " FAIL " + std::to_string(fib.last_error());
    if (fib_flags & 32) return id + " " + std::to_string(reg[0]);
    if (fib_result == 2) {
        char name[17] = {};
        std::memcpy(name, reg, 16);
        return id + " \"" + name + "\"";
    }
    uint32_t value;
    std::memcpy(&value, reg, 4);
    return id + " " + std::to_string(value);
}

}  // namespace

int main() {
    std::string error;
    auto fib = hostroute::kernel_fib::open(error);
    if (!fib) {
        std::cerr << "nfqwall_fib_query: " << error << '\n';
        return 1;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.empty() || line[0] == '#') continue;
        try {
            std::cout << answer(*fib, line) << '\n';
        } catch (const std::exception& e) {  // std::stoul on a malformed number
            std::cout << "ERROR " << e.what() << '\n';
        }
    }
    std::cout << "ALLOCATIONS " << allocations.load() << '\n';
    return 0;
}

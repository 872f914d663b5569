// nfqwall_log_format_replay: prints vm::format_kernel_log's line for each request on stdin, so
// that integration/log_format_vs_kernel.py can hold captured packets against the lines the
// kernel logged for them. One request a line, fields separated by single spaces:
//
//   FAMILY HOOK IIF OIF MARK FLAGS SOCKET FIRST TRIM PACKET PREFIX
//
//   FAMILY  ip, ip6, inet, arp, bridge or netdev     HOOK  prerouting, input, ..., ingress
//   IIF/OIF an interface name, or - for none        MARK  meta mark (decimal or 0x hex)
//   FLAGS   the NF_LOG_* flags (decimal or 0x hex)
//   SOCKET  UID:GID of the local socket, or - for none
//   FIRST   ethernet, ipv4, ipv6, ip or arp: what PACKET starts with
//   TRIM    1 to trim to the IP length (the ip, ip6 and inet hooks), else 0
//   PACKET  the bytes in hex                        PREFIX  the log prefix in hex (- for none)
//
// Prints one line per request (the formatted text), or "ERROR: ..." for a bad request.
#include <cstdint>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "compile/program.hpp"
#include "packet/packet.hpp"
#include "vm/context.hpp"
#include "vm/log_format.hpp"

namespace {

using namespace nfqwall;

std::optional<std::vector<uint8_t>> from_hex(const std::string& hex) {
    if (hex == "-") return std::vector<uint8_t>{};
    if (hex.size() % 2 != 0) return std::nullopt;
    std::vector<uint8_t> bytes;
    for (size_t i = 0; i < hex.size(); i += 2) {
        unsigned value = 0;
        std::istringstream digits(hex.substr(i, 2));
        if (!(digits >> std::hex >> value)) return std::nullopt;
        bytes.push_back(static_cast<uint8_t>(value));
    }
    return bytes;
}

std::optional<front::family> family_named(const std::string& name) {
    if (name == "ip") return front::family::ipv4;
    if (name == "ip6") return front::family::ipv6;
    if (name == "inet") return front::family::inet;
    if (name == "arp") return front::family::arp;
    if (name == "bridge") return front::family::bridge;
    if (name == "netdev") return front::family::netdev;
    return std::nullopt;
}

std::optional<packet::first_header> first_header_named(const std::string& name) {
    if (name == "ethernet") return packet::first_header::ethernet;
    if (name == "ipv4") return packet::first_header::ipv4;
    if (name == "ipv6") return packet::first_header::ipv6;
    if (name == "ip") return packet::first_header::ip;
    if (name == "arp") return packet::first_header::arp;
    return std::nullopt;
}

std::string replay(const std::string& request) {
    std::istringstream fields(request);
    std::string family, hook, iif, oif, mark, flags, socket, first, trim, hex, prefix_hex;
    if (!(fields >> family >> hook >> iif >> oif >> mark >> flags >> socket >> first >> trim >> hex >> prefix_hex)) {
        return "ERROR: expected 11 fields";
    }
    const auto hook_family = family_named(family);
    const auto first_header = first_header_named(first);
    const auto bytes = from_hex(hex);
    const auto prefix = from_hex(prefix_hex);
    if (!hook_family || !first_header || !bytes || !prefix) return "ERROR: bad family, first header or hex";
    const auto hook_number = front::hook_lookup(*hook_family, hook);
    if (!hook_number) return "ERROR: unknown hook " + hook;

    vm::packet_meta meta;
    meta.family = *hook_family;
    meta.hook = *hook_number;
    const vm::interface_info input = vm::interface_info::named(iif, 1);
    const vm::interface_info output = vm::interface_info::named(oif, 2);
    if (iif != "-") meta.iif = &input;
    if (oif != "-") meta.oif = &output;
    meta.mark = static_cast<uint32_t>(std::stoul(mark, nullptr, 0));
    if (socket != "-") {
        const size_t colon = socket.find(':');
        if (colon == std::string::npos) return "ERROR: SOCKET is UID:GID or -";
        meta.has_socket = true;
        meta.skuid = static_cast<uint32_t>(std::stoul(socket.substr(0, colon)));
        meta.skgid = static_cast<uint32_t>(std::stoul(socket.substr(colon + 1)));
    }

    compile::log_record record;
    record.prefix.assign(prefix->begin(), prefix->end());
    record.flags = static_cast<uint32_t>(std::stoul(flags, nullptr, 0));

    packet::parse_options options;
    options.first = *first_header;
    options.trim_to_ip_length = trim == "1";
    const packet::packet_view view = packet::parse(std::span<const uint8_t>(*bytes), options);
    return vm::format_kernel_log(record, view, meta);
}

}  // namespace

int main() {
    std::string request;
    while (std::getline(std::cin, request)) {
        if (request.empty()) continue;
        try {
            std::cout << replay(request) << '\n';
        } catch (const std::exception& e) {  // std::stoul on a malformed number
            std::cout << "ERROR: " << e.what() << '\n';
        }
    }
    return 0;
}

// The text of nft's `log` statement (without `group`), as the Linux kernel's syslog logger
// writes it (net/netfilter/nf_log_syslog.c, reached through nft_log_eval and nf_log_packet):
//
//   PREFIX IN=veth0 OUT= MAC=… SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64
//   ID=54321 DF PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0
//
// field for field, including the kernel's quirks: trailing spaces, "INCOMPLETE [n bytes]" for
// cut headers, the one level of recursion into the packet an ICMP error quotes, the IPv6
// extension-header walk, ARP's format, and the 1 KiB line buffer (nf_log_buf) that cuts long
// lines. The text is what dmesg shows after the timestamp: no `<level>` marker, no newline.
//
// Nothing here allocates except the std::string overload; nothing throws. docs/kernel-differences.md
// lists what nfqwall cannot know and prints differently (section "The log statement's text").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "compile/program.hpp"
#include "packet/packet.hpp"
#include "vm/context.hpp"

namespace nfqwall::vm {

// The longest line the kernel writes: nf_log_buf holds 1019 bytes including the two-byte
// level marker and the terminating NUL, so at most 1016 characters of text survive.
inline constexpr size_t kernel_log_max_length = 1016;

// `log level audit` (nft's NFT_LOGLEVEL_AUDIT): the kernel writes an audit record instead of a
// syslog line, so the text below is never printed for it.
inline constexpr uint32_t kernel_log_level_audit = 8;

// The line the kernel logs for `packet` at the hook `meta` describes.
std::string format_kernel_log(const compile::log_record& record, const packet::packet_view& packet,
                              const packet_meta& meta);

// The same line written into `out` (no terminating NUL), for the daemon's packet path: never
// allocates, and cuts the line at out.size() (or at kernel_log_max_length, as the kernel
// does). Returns the number of characters written.
size_t format_kernel_log(const compile::log_record& record, const packet::packet_view& packet,
                         const packet_meta& meta, std::span<char> out);

}  // namespace nfqwall::vm

// Which interface each packet of a pcapng capture arrived on.
//
// libpcap reads pcapng files but its pcap_pkthdr has no interface id, and `nfqwall eval`
// takes a packet's input interface from its pcapng interface block (the if_name option). So
// the file is walked a second time, beside libpcap, block by block, keeping only what libpcap
// drops: the interface names of each section and the interface id of each packet block. It
// reads nothing else and trusts nothing: every length is checked against its block and every
// block against a size limit; on the first inconsistency the walk stops and the remaining
// packets have no known interface.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace nfqwall::replay {

class pcapng_interface_walker {
public:
    pcapng_interface_walker() = default;
    ~pcapng_interface_walker();
    pcapng_interface_walker(const pcapng_interface_walker&) = delete;
    pcapng_interface_walker& operator=(const pcapng_interface_walker&) = delete;

    // False when the file cannot be opened or does not start with a pcapng section header
    // (a classic pcap file): next_packet() then always answers nullptr.
    bool open(const std::string& path);

    // The interface name of the next packet block in file order (enhanced, simple and
    // obsolete packet blocks, the order libpcap returns them in); nullptr when its interface
    // has no if_name option, or the walk ended or found the file inconsistent.
    const std::string* next_packet();

    // The interfaces of the current section, in block order (empty names where if_name is
    // missing).
    const std::vector<std::string>& interfaces() const { return names_; }

private:
    bool read_block();  // the next block into body_; false at the end or on damage
    uint32_t u32(size_t offset) const;
    uint16_t u16(size_t offset) const;
    void read_interface_block();
    void stop();

    std::FILE* file_ = nullptr;
    bool swapped_ = false;  // the section's byte order differs from the host's
    uint32_t block_type_ = 0;
    std::vector<uint8_t> body_;
    std::vector<std::string> names_;
};

}  // namespace nfqwall::replay

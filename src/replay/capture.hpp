// Captures in and out: pcap and pcapng read with libpcap (with nanosecond timestamps, so
// replayed clocks are exact), each packet's interface name from its pcapng interface block,
// and the passing packets written back as pcap in the input's link type.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "replay/pcapng_interfaces.hpp"

struct pcap;
struct pcap_dumper;

namespace nfqwall::replay {

// How a capture's frames start, for the link types eval understands.
enum class link_kind : uint8_t {
    ethernet,    // DLT_EN10MB
    raw_ip,      // DLT_RAW, DLT_IPV4, DLT_IPV6: the network header first
    linux_sll,   // DLT_LINUX_SLL: a 16-byte cooked header, the protocol at offset 14
    linux_sll2,  // DLT_LINUX_SLL2: a 20-byte cooked header, the protocol at offset 0
};

struct captured_packet {
    uint64_t time_ns = 0;  // since the epoch
    std::span<const uint8_t> bytes;  // the captured bytes; valid until the next read
    uint32_t wire_length = 0;        // the length on the wire (more than bytes when snapped)
    const std::string* interface_name = nullptr;  // pcapng if_name, when the capture has one
};

class capture_reader {
public:
    ~capture_reader();
    capture_reader(const capture_reader&) = delete;
    capture_reader& operator=(const capture_reader&) = delete;

    // nullptr with `error` set when the file cannot be read as a capture, or its link type
    // is not one eval understands.
    static std::unique_ptr<capture_reader> open(const std::string& path, std::string& error);

    link_kind link() const { return link_; }
    int datalink() const;  // the DLT_ number, for writing the same link type back
    uint32_t snaplen() const;

    enum class read_status : uint8_t { packet, end, error };
    // The next packet; on error, `error()` says why.
    read_status next(captured_packet& out);
    const std::string& error() const { return error_; }

private:
    capture_reader() = default;
    pcap* handle_ = nullptr;
    link_kind link_ = link_kind::ethernet;
    pcapng_interface_walker interfaces_;
    std::string error_;
};

class capture_writer {
public:
    ~capture_writer();
    capture_writer(const capture_writer&) = delete;
    capture_writer& operator=(const capture_writer&) = delete;

    // A pcap file (nanosecond timestamps) of link type `datalink`; nullptr with `error` set
    // when it cannot be created.
    static std::unique_ptr<capture_writer> create(const std::string& path, int datalink, uint32_t snaplen,
                                                  std::string& error);

    void write(uint64_t time_ns, std::span<const uint8_t> bytes, uint32_t wire_length);
    // Flushes and closes; false when the data could not be written.
    bool close();

private:
    capture_writer() = default;
    pcap* dead_ = nullptr;
    pcap_dumper* dumper_ = nullptr;
};

}  // namespace nfqwall::replay

#include "replay/capture.hpp"

#include <pcap/pcap.h>

namespace nfqwall::replay {

namespace {

constexpr uint64_t ns_per_s = 1'000'000'000;

bool link_of(int datalink, link_kind& out) {
    switch (datalink) {
    case DLT_EN10MB: out = link_kind::ethernet; return true;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6: out = link_kind::raw_ip; return true;
    case DLT_LINUX_SLL: out = link_kind::linux_sll; return true;
    case DLT_LINUX_SLL2: out = link_kind::linux_sll2; return true;
    default: return false;
    }
}

}  // namespace

capture_reader::~capture_reader() {
    if (handle_ != nullptr) pcap_close(handle_);
}

std::unique_ptr<capture_reader> capture_reader::open(const std::string& path, std::string& error) {
    char message[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, message);
    if (handle == nullptr) {
        error = message;
        return nullptr;
    }
    std::unique_ptr<capture_reader> reader(new capture_reader());
    reader->handle_ = handle;
    const int datalink = pcap_datalink(handle);
    if (!link_of(datalink, reader->link_)) {
        const char* name = pcap_datalink_val_to_name(datalink);
        error = path + ": link type " + (name ? std::string(name) : std::to_string(datalink)) +
                " is not supported (Ethernet, raw IP and Linux cooked captures are)";
        return nullptr;
    }
    // A classic pcap file is simply not walked: its packets have no interface.
    (void)reader->interfaces_.open(path);
    return reader;
}

int capture_reader::datalink() const { return pcap_datalink(handle_); }
uint32_t capture_reader::snaplen() const { return static_cast<uint32_t>(pcap_snapshot(handle_)); }

capture_reader::read_status capture_reader::next(captured_packet& out) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int r = pcap_next_ex(handle_, &header, &data);
    if (r == PCAP_ERROR_BREAK) return read_status::end;
    if (r != 1) {
        error_ = pcap_geterr(handle_);
        return read_status::error;
    }
    // With nanosecond precision libpcap puts nanoseconds in tv_usec.
    out.time_ns = static_cast<uint64_t>(header->ts.tv_sec) * ns_per_s + static_cast<uint64_t>(header->ts.tv_usec);
    out.bytes = {data, header->caplen};
    out.wire_length = header->len < header->caplen ? header->caplen : header->len;
    out.interface_name = interfaces_.next_packet();
    return read_status::packet;
}

capture_writer::~capture_writer() { (void)close(); }

std::unique_ptr<capture_writer> capture_writer::create(const std::string& path, int datalink, uint32_t snaplen,
                                                       std::string& error) {
    std::unique_ptr<capture_writer> writer(new capture_writer());
    writer->dead_ = pcap_open_dead_with_tstamp_precision(datalink, static_cast<int>(snaplen), PCAP_TSTAMP_PRECISION_NANO);
    if (writer->dead_ == nullptr) {
        error = "cannot describe the output capture";
        return nullptr;
    }
    writer->dumper_ = pcap_dump_open(writer->dead_, path.c_str());
    if (writer->dumper_ == nullptr) {
        error = pcap_geterr(writer->dead_);
        return nullptr;
    }
    return writer;
}

void capture_writer::write(uint64_t time_ns, std::span<const uint8_t> bytes, uint32_t wire_length) {
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(time_ns / ns_per_s);
    header.ts.tv_usec = static_cast<suseconds_t>(time_ns % ns_per_s);
    header.caplen = static_cast<bpf_u_int32>(bytes.size());
    header.len = wire_length;
    pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, bytes.data());
}

bool capture_writer::close() {
    bool ok = true;
    if (dumper_ != nullptr) {
        ok = pcap_dump_flush(dumper_) == 0;
        pcap_dump_close(dumper_);
        dumper_ = nullptr;
    }
    if (dead_ != nullptr) {
        pcap_close(dead_);
        dead_ = nullptr;
    }
    return ok;
}

}  // namespace nfqwall::replay

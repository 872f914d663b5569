#include "replay/pcapng_interfaces.hpp"

#include <cstring>

namespace nfqwall::replay {

namespace {

constexpr uint32_t section_header_block = 0x0A0D0D0A;
constexpr uint32_t interface_block = 1;
constexpr uint32_t obsolete_packet_block = 2;
constexpr uint32_t simple_packet_block = 3;
constexpr uint32_t enhanced_packet_block = 6;
constexpr uint32_t byte_order_magic = 0x1A2B3C4D;
// libpcap refuses larger blocks too (its maximum block size); a bigger length is damage.
constexpr uint32_t max_block_length = 16 * 1024 * 1024;
constexpr uint16_t option_end = 0;
constexpr uint16_t option_if_name = 2;

uint32_t swap32(uint32_t v) { return __builtin_bswap32(v); }
uint16_t swap16(uint16_t v) { return __builtin_bswap16(v); }

}  // namespace

pcapng_interface_walker::~pcapng_interface_walker() { stop(); }

void pcapng_interface_walker::stop() {
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
}

bool pcapng_interface_walker::open(const std::string& path) {
    stop();
    names_.clear();
    file_ = std::fopen(path.c_str(), "rb");
    if (file_ == nullptr) return false;
    uint32_t first = 0;
    if (std::fread(&first, 4, 1, file_) != 1 || first != section_header_block) {
        stop();
        return false;
    }
    std::rewind(file_);
    return true;
}

uint32_t pcapng_interface_walker::u32(size_t offset) const {
    uint32_t v;
    std::memcpy(&v, body_.data() + offset, 4);
    return swapped_ ? swap32(v) : v;
}

uint16_t pcapng_interface_walker::u16(size_t offset) const {
    uint16_t v;
    std::memcpy(&v, body_.data() + offset, 2);
    return swapped_ ? swap16(v) : v;
}

bool pcapng_interface_walker::read_block() {
    if (file_ == nullptr) return false;
    uint32_t header[2];
    if (std::fread(header, 4, 2, file_) != 2) {
        stop();
        return false;
    }
    uint32_t type = header[0];
    uint32_t magic = 0;
    if (type == section_header_block) {
        // A section fixes its own byte order: the magic after the length tells which.
        if (std::fread(&magic, 4, 1, file_) != 1) {
            stop();
            return false;
        }
        if (magic == byte_order_magic) {
            swapped_ = false;
        } else if (magic == swap32(byte_order_magic)) {
            swapped_ = true;
        } else {
            stop();
            return false;
        }
    } else if (swapped_) {
        type = swap32(type);
    }
    const uint32_t total = swapped_ ? swap32(header[1]) : header[1];
    const uint32_t already = type == section_header_block ? 4 : 0;
    if (total < 12 + already || total % 4 != 0 || total > max_block_length) {
        stop();
        return false;
    }
    body_.resize(total - 12);
    if (already != 0) std::memcpy(body_.data(), &magic, 4);
    uint32_t trailer = 0;
    if (std::fread(body_.data() + already, 1, body_.size() - already, file_) != body_.size() - already ||
        std::fread(&trailer, 4, 1, file_) != 1 || (swapped_ ? swap32(trailer) : trailer) != total) {
        stop();
        return false;
    }
    block_type_ = type;
    return true;
}

void pcapng_interface_walker::read_interface_block() {
    // linktype (2), reserved (2), snaplen (4), then options: code (2), length (2), value
    // padded to 4 bytes.
    std::string name;
    size_t at = 8;
    while (at + 4 <= body_.size()) {
        const uint16_t code = u16(at);
        const uint16_t length = u16(at + 2);
        at += 4;
        if (code == option_end || length > body_.size() - at) break;
        if (code == option_if_name) {
            const char* text = reinterpret_cast<const char*>(body_.data() + at);
            name.assign(text, strnlen(text, length));
        }
        at += (static_cast<size_t>(length) + 3) & ~size_t{3};
    }
    names_.push_back(std::move(name));
}

const std::string* pcapng_interface_walker::next_packet() {
    while (read_block()) {
        uint32_t id = 0;
        switch (block_type_) {
        case section_header_block: names_.clear(); continue;
        case interface_block: read_interface_block(); continue;
        case enhanced_packet_block:
            if (body_.size() < 4) return nullptr;
            id = u32(0);
            break;
        case obsolete_packet_block:
            if (body_.size() < 2) return nullptr;
            id = u16(0);
            break;
        case simple_packet_block: id = 0; break;  // always the section's first interface
        default: continue;                         // statistics, name resolution, custom...
        }
        if (id >= names_.size() || names_[id].empty()) return nullptr;
        return &names_[id];
    }
    return nullptr;
}

}  // namespace nfqwall::replay

// TEMPORARY: stand-ins for the datatype and protocol tables until those land; lets the
// parser be built and tested on its own. Delete when datatype.cpp and proto.cpp arrive.
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "front/datatype.hpp"
#include "front/proto.hpp"
#include "front/print.hpp"

namespace nfqwall::front {

std::optional<uint64_t> parse_time_string(std::string_view) { return 1000; }

u128 pack_string(std::string_view s) {
    u128 v = 0;
    for (char c : s.substr(0, 16)) v = (v << 8) | static_cast<unsigned char>(c);
    return v;
}
std::string unpack_string(u128 v, uint32_t bytes) {
    std::string s(bytes, '\0');
    for (uint32_t i = 0; i < bytes; ++i) s[bytes - 1 - i] = static_cast<char>(static_cast<uint8_t>(v >> (8 * i)));
    while (!s.empty() && s.back() == '\0') s.pop_back();
    return s;
}

}  // namespace nfqwall::front

#include "vm/context.hpp"

#include <algorithm>
#include <cstring>

namespace nfqwall::vm {

std::string_view interface_info::name_view() const {
    const auto* end = std::find(name.begin(), name.end(), '\0');
    return {name.data(), static_cast<size_t>(end - name.begin())};
}

interface_info interface_info::named(std::string_view n, uint32_t index) {
    interface_info i;
    i.index = index;
    std::memcpy(i.name.data(), n.data(), std::min(n.size(), i.name.size() - 1));
    return i;
}

}  // namespace nfqwall::vm

#include "replay/interfaces.hpp"

namespace nfqwall::replay {

interface_table::interface_table() {
    vm::interface_info& lo = entries_.emplace_back(vm::interface_info::named("lo", 1));
    lo.type = arphrd_loopback;
}

const vm::interface_info* interface_table::find(std::string_view name) const {
    const vm::interface_info probe = vm::interface_info::named(name, 0);
    for (const auto& i : entries_) {
        if (i.name == probe.name) return &i;
    }
    return nullptr;
}

const vm::interface_info& interface_table::get(std::string_view name) {
    if (const vm::interface_info* known = find(name)) return *known;
    vm::interface_info& added = entries_.emplace_back(vm::interface_info::named(name, static_cast<uint32_t>(entries_.size() + 1)));
    for (const vm::interface_info& k : kinds_) {
        if (k.name == added.name) added.kind = k.kind;
    }
    return added;
}

void interface_table::set_kind(std::string_view name, std::string_view kind) {
    vm::interface_info entry = vm::interface_info::named(name, 0);
    entry.set_kind(kind);
    for (vm::interface_info& i : entries_) {
        if (i.name == entry.name) i.kind = entry.kind;
    }
    for (vm::interface_info& k : kinds_) {
        if (k.name == entry.name) {
            k.kind = entry.kind;
            return;
        }
    }
    kinds_.push_back(entry);
}

}  // namespace nfqwall::replay

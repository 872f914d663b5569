// Printing constants the way `nft list ruleset` does: nft's datatype_print walk (the type's
// own printer, else its symbol table, else its base type) and the print function of every
// built-in type. The registry (datatype.cpp) attaches them through printer_for().
#include <arpa/inet.h>
#include <dirent.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "front/datatype.hpp"
#include "front/expr.hpp"
#include "front/print.hpp"
// expr.hpp needs stmt complete: set elements own statements.
#include "front/stmt.hpp"

namespace nfqwall::front {

namespace detail {
using print_fn = void (*)(const value_expr&, print_ctx&);
}  // namespace detail

namespace {

// How deep we are inside print_value_numeric. nft switches its numeric output flags on for
// the duration of a range's print; a thread-local depth does the same without widening
// print_ctx, and keeps nested prints (concatenation parts) numeric too.
thread_local int numeric_depth = 0;

bool numeric_output() { return numeric_depth > 0; }

uint32_t byte_len(const value_expr& e) { return (e.len + 7) / 8; }

// nft's integer_type_print: the first basefmt found from the value's type down to its base
// types, else decimal.
void integer_print(const value_expr& e, print_ctx& ctx) {
    for (const datatype* d = e.dtype; d != nullptr; d = d->basetype) {
        if (d->has_basefmt) {
            if (d->basefmt.hex) {
                ctx.put("0x");
                ctx.put(u128_to_hex(e.value, d->basefmt.min_digits));
            } else {
                ctx.put(u128_to_dec(e.value));
            }
            return;
        }
    }
    ctx.put(u128_to_dec(e.value));
}

// What nft does when a symbolic type has no name for a value: print it through the deepest
// base type (integer for all symbolic types), which still honours the basefmt of the value's
// own type.
void basetype_print(const value_expr& e, print_ctx& ctx) {
    const datatype* root = e.dtype != nullptr ? e.dtype->root() : nullptr;
    if (root != nullptr && root->print != nullptr)
        root->print(e, ctx);
    else
        integer_print(e, ctx);
}

void symbolic_print(const symbol_table* tbl, const value_expr& e, bool quotes, print_ctx& ctx) {
    const symbol_entry* s = tbl != nullptr && !numeric_output() ? tbl->find(e.value) : nullptr;
    if (s == nullptr) {
        basetype_print(e, ctx);
        return;
    }
    if (quotes)
        ctx.put('"');
    ctx.put(s->name);
    if (quotes)
        ctx.put('"');
}

void invalid_print(const value_expr& e, print_ctx& ctx) {
    ctx.put("0x");
    ctx.put(u128_to_hex(e.value));
    ctx.put(" [invalid type]");
}

void verdict_print(const value_expr& e, print_ctx& ctx) {
    // Verdicts are verdict_exprs; this covers a verdict code held as a plain constant.
    auto code = static_cast<int32_t>(static_cast<uint32_t>(e.value));
    switch (code) {
    case -1:
        ctx.put("continue");
        return;
    case -2:
        ctx.put("break");
        return;
    case -5:
        ctx.put("return");
        return;
    default:
        break;
    }
    switch (static_cast<uint32_t>(code) & 0xffff) {  // NF_VERDICT_MASK
    case 0:
        ctx.put("drop");
        break;
    case 1:
        ctx.put("accept");
        break;
    case 2:
        ctx.put("stolen");
        break;
    case 3:
        ctx.put("queue");
        break;
    default:
        ctx.put("unknown verdict value " + std::to_string(static_cast<uint32_t>(code)));
        break;
    }
}

void xinteger_print(const value_expr& e, print_ctx& ctx) {
    ctx.put("0x");
    ctx.put(u128_to_hex(e.value));
}

void string_print(const value_expr& e, print_ctx& ctx) {
    std::string s = value_string(e);
    // The value is a C string to nft: it ends at the first NUL.
    s.resize(std::strlen(s.c_str()));
    ctx.put('"');
    ctx.put(s);
    ctx.put('"');
}

void lladdr_print(const value_expr& e, print_ctx& ctx) {
    uint32_t n = std::min<uint32_t>(byte_len(e), 16);
    for (uint32_t i = 0; i < n; ++i) {
        if (i != 0)
            ctx.put(':');
        auto b = static_cast<unsigned>(static_cast<uint8_t>(e.value >> (8 * (n - 1 - i))));
        ctx.put(u128_to_hex(b, 2));
    }
}

void ipaddr_print(const value_expr& e, print_ctx& ctx) {
    in_addr a{};
    a.s_addr = htonl(static_cast<uint32_t>(e.value));
    char buf[INET_ADDRSTRLEN];
    ctx.put(inet_ntop(AF_INET, &a, buf, sizeof(buf)));
}

void ip6addr_print(const value_expr& e, print_ctx& ctx) {
    in6_addr a{};
    for (int i = 0; i < 16; ++i)
        a.s6_addr[i] = static_cast<uint8_t>(e.value >> (8 * (15 - i)));
    char buf[INET6_ADDRSTRLEN];
    ctx.put(inet_ntop(AF_INET6, &a, buf, sizeof(buf)));
}

void inet_protocol_print(const value_expr& e, print_ctx& ctx) {
    if (!ctx.opts.numeric_proto && !numeric_output() && e.value <= UINT8_MAX) {
        protoent pe{};
        protoent* res = nullptr;
        char buf[1024];
        if (getprotobynumber_r(static_cast<int>(e.value), &pe, buf, sizeof(buf), &res) == 0 && res != nullptr) {
            ctx.put(res->p_name);
            return;
        }
    }
    integer_print(e, ctx);
}

void mark_print(const value_expr& e, print_ctx& ctx) { symbolic_print(dt(type_id::mark).symbols, e, true, ctx); }
void devgroup_print(const value_expr& e, print_ctx& ctx) {
    symbolic_print(dt(type_id::devgroup).symbols, e, true, ctx);
}
void realm_print(const value_expr& e, print_ctx& ctx) { symbolic_print(dt(type_id::realm).symbols, e, true, ctx); }
void day_print(const value_expr& e, print_ctx& ctx) { symbolic_print(dt(type_id::time_day).symbols, e, true, ctx); }

void time_print(const value_expr& e, print_ctx& ctx) {
    auto ms = static_cast<uint64_t>(e.value);
    // nft's numeric time output: whole seconds.
    if (numeric_output())
        ctx.put(std::to_string(ms / 1000) + "s");
    else
        ctx.put(format_time_ms(ms));
}

void ifindex_print(const value_expr& e, print_ctx& ctx) {
    auto index = static_cast<uint32_t>(e.value);
    char name[IF_NAMESIZE];
    if (index != 0 && if_indextoname(index, name) != nullptr) {
        ctx.put('"');
        ctx.put(name);
        ctx.put('"');
        return;
    }
    ctx.put(std::to_string(static_cast<int32_t>(index)));
}

void classid_print(const value_expr& e, print_ctx& ctx) {
    auto handle = static_cast<uint32_t>(e.value);
    if (handle == 0xffffffffu) {  // TC_H_ROOT
        ctx.put("root");
    } else if (handle == 0) {  // TC_H_UNSPEC
        ctx.put("none");
    } else {
        ctx.put(u128_to_hex(handle >> 16));
        ctx.put(':');
        ctx.put(u128_to_hex(handle & 0xffff));
    }
}

void ct_label_print(const value_expr& e, print_ctx& ctx) {
    // The lowest set bit; GMP's scan of zero yields ULONG_MAX, which nft then prints.
    uint64_t bit = UINT64_MAX;
    for (uint64_t i = 0; i < 128; ++i) {
        if ((e.value >> i) & 1) {
            bit = i;
            break;
        }
    }
    const symbol_table* tbl = dt(type_id::ct_label).symbols;
    if (const symbol_entry* s = tbl != nullptr ? tbl->find(bit) : nullptr) {
        ctx.put('"');
        ctx.put(s->name);
        ctx.put('"');
        return;
    }
    ctx.put(std::to_string(bit));
}

void date_print(const value_expr& e, print_ctx& ctx) {
    // Nanoseconds since the epoch, shown in local time.
    auto seconds = static_cast<int64_t>(static_cast<uint64_t>(e.value) / 1000000000u);
    tzset();
    auto ts = static_cast<time_t>(seconds);
    tm t{};
    if (localtime_r(&ts, &t) != nullptr)
        ts += t.tm_gmtoff;
    char buf[32];
    if (gmtime_r(&ts, &t) != nullptr && std::strftime(buf, sizeof(buf), "%Y-%m-%d %T", &t) != 0) {
        ctx.put('"');
        ctx.put(buf);
        ctx.put('"');
    } else {
        ctx.put("Error converting timestamp to printed time");
    }
}

void hour_print(const value_expr& e, print_ctx& ctx) {
    // Seconds since midnight UTC, shown in the current local time zone; ":SS" only when
    // it is not zero.
    auto seconds = static_cast<long>(static_cast<uint32_t>(e.value));
    tzset();
    time_t now = std::time(nullptr);
    tm t{};
    if (now != static_cast<time_t>(-1) && localtime_r(&now, &t) != nullptr) {
        seconds = (seconds + t.tm_gmtoff) % 86400;
        if (seconds < 0)
            seconds += 86400;
    }
    char buf[32];
    std::snprintf(buf, sizeof(buf), "\"%02ld:%02ld", seconds / 3600, seconds / 60 % 60);
    ctx.put(buf);
    if (seconds % 60 != 0) {
        std::snprintf(buf, sizeof(buf), ":%02ld", seconds % 60);
        ctx.put(buf);
    }
    ctx.put('"');
}

// Searches the cgroup v2 tree for the directory entry with inode `id` (nft walks it in
// readdir order and returns the first match).
bool find_cgroup(const std::string& dir, uint64_t id, std::string& found) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr)
        return false;
    bool ok = false;
    while (dirent* ent = readdir(d)) {
        if (std::strcmp(ent->d_name, ".") == 0 || std::strcmp(ent->d_name, "..") == 0)
            continue;
        std::string path = dir + "/" + ent->d_name;
        if (ent->d_ino == id) {
            found = path;
            ok = true;
            break;
        }
        struct stat st{};
        if (stat(path.c_str(), &st) >= 0 && S_ISDIR(st.st_mode) && find_cgroup(path, id, found)) {
            ok = true;
            break;
        }
    }
    closedir(d);
    return ok;
}

void cgroupv2_print(const value_expr& e, print_ctx& ctx) {
    static const std::string root = "/sys/fs/cgroup";
    auto id = static_cast<uint64_t>(e.value);
    std::string path;
    if (find_cgroup(root, id, path)) {
        ctx.put('"');
        ctx.put(path.substr(root.size() + 1));
        ctx.put('"');
        return;
    }
    ctx.put(std::to_string(id));
}

void queue_print(const value_expr&, print_ctx& ctx) { ctx.put("queue"); }

void priority_print(const value_expr& e, print_ctx& ctx) {
    ctx.put(std::to_string(static_cast<int32_t>(static_cast<uint32_t>(e.value))));
}

// A concatenation held in one constant: each part sits at the top of its 32-bit-padded
// slot, the first part most significant (the byte layout of nft's concatenated data).
void concat_print(const value_expr& e, print_ctx& ctx) {
    const auto& parts = e.dtype->subtypes;
    uint32_t total = 0;
    for (const datatype* p : parts)
        total += (p->size + 31) / 32 * 32;
    uint32_t offset = 0;
    for (size_t i = 0; i < parts.size(); ++i) {
        const datatype* p = parts[i];
        uint32_t slot = (p->size + 31) / 32 * 32;
        offset += slot;
        uint32_t shift = total - offset + (slot - p->size);
        u128 v = shift >= 128 ? 0 : (e.value >> shift) & mask_bits(p->size);
        if (i != 0)
            ctx.put(" . ");
        value_expr part(e.loc, p, p->order, p->size, v);
        print_value(part, ctx);
    }
}

}  // namespace

std::string format_time_ms(uint64_t ms) {
    uint64_t days = ms / 86400000;
    ms %= 86400000;
    uint64_t hours = ms / 3600000;
    ms %= 3600000;
    uint64_t minutes = ms / 60000;
    ms %= 60000;
    uint64_t seconds = ms / 1000;
    ms %= 1000;
    std::string out;
    if (days > 0)
        out += std::to_string(days) + "d";
    if (hours > 0)
        out += std::to_string(hours) + "h";
    if (minutes > 0)
        out += std::to_string(minutes) + "m";
    if (seconds > 0)
        out += std::to_string(seconds) + "s";
    if (ms > 0)
        out += std::to_string(ms) + "ms";
    // nft >= 1.1 prints a zero duration as "0s" (older versions printed nothing).
    if (out.empty())
        out = "0s";
    return out;
}

void print_value(const value_expr& e, print_ctx& ctx) {
    for (const datatype* d = e.dtype; d != nullptr; d = d->basetype) {
        if (d->print != nullptr) {
            d->print(e, ctx);
            return;
        }
        if (d->symbols != nullptr) {
            symbolic_print(d->symbols, e, false, ctx);
            return;
        }
    }
    // Untyped constant (nft would hit a BUG() here): print the number.
    integer_print(e, ctx);
}

void print_value_numeric(const value_expr& e, print_ctx& ctx) {
    struct scope {
        scope() { ++numeric_depth; }
        ~scope() { --numeric_depth; }
    } numeric;
    print_value(e, ctx);
}

namespace detail {

print_fn printer_for(type_id id) {
    switch (id) {
    case type_id::invalid:
        return invalid_print;
    case type_id::verdict:
        return verdict_print;
    case type_id::integer:
        return integer_print;
    case type_id::xinteger:
        return xinteger_print;
    case type_id::string:
        return string_print;
    case type_id::lladdr:
        return lladdr_print;
    case type_id::ipaddr:
        return ipaddr_print;
    case type_id::ip6addr:
        return ip6addr_print;
    case type_id::inet_protocol:
        return inet_protocol_print;
    case type_id::time:
        return time_print;
    case type_id::mark:
        return mark_print;
    case type_id::ifindex:
        return ifindex_print;
    case type_id::realm:
        return realm_print;
    case type_id::classid:
        return classid_print;
    case type_id::ct_label:
        return ct_label_print;
    case type_id::devgroup:
        return devgroup_print;
    case type_id::time_date:
        return date_print;
    case type_id::time_hour:
        return hour_print;
    case type_id::time_day:
        return day_print;
    case type_id::cgroupv2:
        return cgroupv2_print;
    case type_id::queue:
        return queue_print;
    case type_id::priority:
        return priority_print;
    case type_id::concat:
        return concat_print;
    default:
        return nullptr;
    }
}

}  // namespace detail

}  // namespace nfqwall::front

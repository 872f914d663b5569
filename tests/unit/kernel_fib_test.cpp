// hostroute::kernel_fib without assuming any host route: the answers the kernel's fib gives
// before (or without) a FIB lookup, the register layouts, and that a real RTM_GETROUTE round
// trip allocates nothing. The answers that need routes are held against the kernel by
// integration/fib_vs_kernel.sh, in a namespace it builds.
#include "hostroute/kernel_fib.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "allocation_counter.hpp"

namespace {

using nfqwall::hostroute::kernel_fib;
using namespace nfqwall;

constexpr uint32_t f_saddr = 1, f_daddr = 2, f_iif = 8, f_present = 32;
constexpr uint32_t r_oif = 1, r_oifname = 2, r_type = 3;

// A Linux host always has NETLINK_ROUTE; a sandbox that forbids it skips these tests loudly.
#define OPEN_OR_SKIP(fib)                                                        \
    std::string open_error;                                                      \
    auto fib = kernel_fib::open(open_error);                                     \
    if (!fib) GTEST_SKIP() << "kernel_fib::open: " << open_error

vm::fib_query query4(const char* saddr, const char* daddr, uint32_t flags, uint32_t result) {
    vm::fib_query q;
    q.address_len = 4;
    q.flags = flags;
    q.result = result;
    const bool by_daddr = (flags & f_daddr) != 0;
    inet_pton(AF_INET, by_daddr ? daddr : saddr, q.address);
    inet_pton(AF_INET, by_daddr ? saddr : daddr, q.other);
    return q;
}

uint32_t u32(const uint8_t* reg) {
    uint32_t v;
    std::memcpy(&v, reg, 4);
    return v;
}

TEST(KernelFib, AddressTypesDecidedWithoutALookup) {
    OPEN_OR_SKIP(fib);
    vm::packet_meta meta;
    uint8_t reg[4] = {};
    // inet_dev_addr_type: zeronet and limited broadcast are broadcast, 224/4 multicast.
    ASSERT_TRUE(fib->lookup(meta, query4("10.0.0.1", "255.255.255.255", f_daddr, r_type), reg, 4));
    EXPECT_EQ(u32(reg), 3u);
    ASSERT_TRUE(fib->lookup(meta, query4("0.0.0.0", "10.0.0.1", f_saddr, r_type), reg, 4));
    EXPECT_EQ(u32(reg), 3u);
    ASSERT_TRUE(fib->lookup(meta, query4("10.0.0.1", "239.1.2.3", f_daddr, r_type), reg, 4));
    EXPECT_EQ(u32(reg), 5u);
}

TEST(KernelFib, LoopbackInPreroutingIsItsOwnRoute) {
    OPEN_OR_SKIP(fib);
    vm::interface_info lo = vm::interface_info::named("lo", 1);
    lo.type = 772;  // ARPHRD_LOOPBACK
    vm::packet_meta meta;
    meta.hook = front::hook::prerouting;
    meta.iif = &lo;
    uint8_t reg[16];
    std::memset(reg, 0xaa, sizeof reg);
    ASSERT_TRUE(fib->lookup(meta, query4("127.0.0.1", "127.0.0.1", f_saddr | f_iif, r_oif), reg, 4));
    EXPECT_EQ(u32(reg), 1u);
    std::memset(reg, 0xaa, sizeof reg);
    ASSERT_TRUE(fib->lookup(meta, query4("127.0.0.1", "127.0.0.1", f_daddr, r_oifname), reg, 16));
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(reg), 3), std::string("lo\0", 3));
    for (int i = 3; i < 16; ++i) EXPECT_EQ(reg[i], 0) << i;  // NUL-padded like strscpy_pad
    // The present flag: one byte in a cleared word.
    std::memset(reg, 0xaa, sizeof reg);
    ASSERT_TRUE(fib->lookup(meta, query4("127.0.0.1", "127.0.0.1", f_saddr | f_iif | f_present, r_oif), reg, 4));
    EXPECT_EQ(u32(reg), 1u);
}

TEST(KernelFib, UnconfiguredSenderToBroadcastGetsThePacketsDevice) {
    OPEN_OR_SKIP(fib);
    vm::interface_info eth = vm::interface_info::named("eth7", 7);
    vm::packet_meta meta;
    meta.hook = front::hook::prerouting;
    meta.iif = &eth;
    uint8_t reg[16] = {};
    ASSERT_TRUE(fib->lookup(meta, query4("0.0.0.0", "255.255.255.255", f_saddr | f_iif, r_oif), reg, 4));
    EXPECT_EQ(u32(reg), 7u);
    ASSERT_TRUE(fib->lookup(meta, query4("0.0.0.0", "224.0.0.22", f_saddr | f_iif, r_oifname), reg, 16));
    EXPECT_STREQ(reinterpret_cast<const char*>(reg), "eth7");
}

TEST(KernelFib, ALookupAllocatesNothing) {
    OPEN_OR_SKIP(fib);
    vm::packet_meta meta;
    meta.hook = front::hook::prerouting;
    uint8_t reg[16] = {};
    // Whatever the host's routes say (a route or none), the kernel answers, and the round
    // trip (request, reply, parse, naming the device) stays off the heap.
    const vm::fib_query oifname = query4("192.0.2.1", "198.51.100.1", f_daddr, r_oifname);
    const vm::fib_query type = query4("192.0.2.1", "198.51.100.1", f_daddr, r_type);
    nfqwall::testing::allocation_scope scope;
    EXPECT_TRUE(fib->lookup(meta, oifname, reg, 16));
    EXPECT_TRUE(fib->lookup(meta, type, reg, 4));
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(fib->failures(), 0u) << "errno " << fib->last_error();
}

}  // namespace

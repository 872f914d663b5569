// The offline replay: pcapng interface names, the route table and its fib answers, the hook
// path (metadata across hooks, interfaces per hook, the output path without a link header),
// and `nfqwall eval` end to end with --out read back. The golden cases of tests/golden cover
// the printed output over scapy-made captures.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "allocation_counter.hpp"
#include "compile/compile.hpp"
#include "daemon/eval_command.hpp"
#include "nfqwall/ruleset.hpp"
#include "packet/checksum.hpp"
#include "replay/capture.hpp"
#include "front/proto.hpp"
#include "replay/interfaces.hpp"
#include "replay/path.hpp"
#include "replay/pcapng_interfaces.hpp"
#include "replay/routes.hpp"

namespace {

using namespace nfqwall;
using front::hook;

// ---- bytes ----

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v >> 8);
    b[at + 1] = static_cast<uint8_t>(v);
}

// Ethernet + IPv4 + TCP (with `payload`), checksums right.
std::vector<uint8_t> tcp_frame(std::array<uint8_t, 4> src, std::array<uint8_t, 4> dst, uint16_t dport,
                               std::string_view payload = {}) {
    std::vector<uint8_t> f(14 + 20 + 20 + payload.size(), 0);
    const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    std::memcpy(f.data(), macs, 12);
    put16(f, 12, 0x0800);
    uint8_t* ip = f.data() + 14;
    ip[0] = 0x45;
    put16(f, 16, static_cast<uint16_t>(40 + payload.size()));
    ip[8] = 64;
    ip[9] = 6;
    std::memcpy(ip + 12, src.data(), 4);
    std::memcpy(ip + 16, dst.data(), 4);
    put16(f, 24, packet::checksum_fold(packet::checksum_add_bytes({ip, 20})));
    uint8_t* tcp = ip + 20;
    put16(f, 34, 40000);
    put16(f, 36, dport);
    tcp[12] = 0x50;
    tcp[13] = 0x02;
    put16(f, 48, 65535);
    if (!payload.empty()) std::memcpy(tcp + 20, payload.data(), payload.size());
    uint8_t pseudo[12] = {};
    std::memcpy(pseudo, ip + 12, 8);
    pseudo[9] = 6;
    pseudo[10] = static_cast<uint8_t>((20 + payload.size()) >> 8);
    pseudo[11] = static_cast<uint8_t>(20 + payload.size());
    const uint32_t sum = packet::checksum_add_bytes({tcp, 20 + payload.size()}, packet::checksum_add_bytes(pseudo));
    put16(f, 50, packet::checksum_fold(sum));
    return f;
}

bool tcp_checksum_ok(std::span<const uint8_t> frame) {
    const uint8_t* ip = frame.data() + 14;
    const size_t tcp_length = frame.size() - 34;
    uint8_t pseudo[12] = {};
    std::memcpy(pseudo, ip + 12, 8);
    pseudo[9] = 6;
    pseudo[10] = static_cast<uint8_t>(tcp_length >> 8);
    pseudo[11] = static_cast<uint8_t>(tcp_length);
    const uint32_t sum = packet::checksum_add_bytes(frame.subspan(34), packet::checksum_add_bytes(pseudo));
    return packet::checksum_fold(sum) == 0;
}

// A pcapng file built block by block, little- or big-endian.
class pcapng_builder {
public:
    explicit pcapng_builder(bool big_endian) : big_(big_endian) {}

    void section() {
        std::vector<uint8_t> body;
        u32(body, 0x1A2B3C4D);
        u16(body, 1);
        u16(body, 0);
        for (int i = 0; i < 8; ++i) body.push_back(0xff);
        block(0x0A0D0D0A, body);
    }
    void interface(std::string_view name) {
        std::vector<uint8_t> body;
        u16(body, 1);
        u16(body, 0);
        u32(body, 0);
        if (!name.empty()) {
            u16(body, 2);
            u16(body, static_cast<uint16_t>(name.size()));
            body.insert(body.end(), name.begin(), name.end());
            while (body.size() % 4) body.push_back(0);
        }
        u16(body, 0);
        u16(body, 0);
        block(1, body);
    }
    void packet(uint32_t interface_id, std::span<const uint8_t> data) {
        std::vector<uint8_t> body;
        u32(body, interface_id);
        u32(body, 0);
        u32(body, 1'000'000);
        u32(body, static_cast<uint32_t>(data.size()));
        u32(body, static_cast<uint32_t>(data.size()));
        body.insert(body.end(), data.begin(), data.end());
        while (body.size() % 4) body.push_back(0);
        block(6, body);
    }
    void simple_packet(std::span<const uint8_t> data) {
        std::vector<uint8_t> body;
        u32(body, static_cast<uint32_t>(data.size()));
        body.insert(body.end(), data.begin(), data.end());
        while (body.size() % 4) body.push_back(0);
        block(3, body);
    }
    std::vector<uint8_t>& bytes() { return out_; }

    std::string write(const std::string& name) const {
        const std::string path = (std::filesystem::temp_directory_path() / name).string();
        FILE* f = std::fopen(path.c_str(), "wb");
        if (!out_.empty()) std::fwrite(out_.data(), 1, out_.size(), f);
        std::fclose(f);
        return path;
    }

private:
    void u16(std::vector<uint8_t>& b, uint16_t v) const {
        if (big_) {
            b.push_back(static_cast<uint8_t>(v >> 8));
            b.push_back(static_cast<uint8_t>(v));
        } else {
            b.push_back(static_cast<uint8_t>(v));
            b.push_back(static_cast<uint8_t>(v >> 8));
        }
    }
    void u32(std::vector<uint8_t>& b, uint32_t v) const {
        if (big_) {
            u16(b, static_cast<uint16_t>(v >> 16));
            u16(b, static_cast<uint16_t>(v));
        } else {
            u16(b, static_cast<uint16_t>(v));
            u16(b, static_cast<uint16_t>(v >> 16));
        }
    }
    void block(uint32_t type, const std::vector<uint8_t>& body) {
        const auto length = static_cast<uint32_t>(body.size() + 12);
        u32(out_, type);
        u32(out_, length);
        out_.insert(out_.end(), body.begin(), body.end());
        u32(out_, length);
    }
    bool big_;
    std::vector<uint8_t> out_;
};

std::vector<std::string> interfaces_of(const std::string& path) {
    replay::pcapng_interface_walker walker;
    std::vector<std::string> names;
    if (!walker.open(path)) return names;
    for (int i = 0; i < 16; ++i) {
        const std::string* name = walker.next_packet();
        names.push_back(name ? *name : "-");
    }
    while (!names.empty() && names.back() == "-") names.pop_back();
    return names;
}

// ---- pcapng interfaces ----

TEST(eval_pcapng, names_each_packets_interface_in_both_byte_orders) {
    for (bool big : {false, true}) {
        pcapng_builder b(big);
        const auto frame = tcp_frame({10, 0, 0, 1}, {10, 0, 0, 2}, 22);
        b.section();
        b.interface("eth0");
        b.interface("");  // no if_name option
        b.interface("wlan0");
        b.packet(0, frame);
        b.packet(2, frame);
        b.packet(1, frame);
        b.simple_packet(frame);  // always the first interface
        b.packet(7, frame);      // no such interface
        b.packet(2, frame);
        EXPECT_EQ(interfaces_of(b.write(big ? "eval-be.pcapng" : "eval-le.pcapng")),
                  (std::vector<std::string>{"eth0", "wlan0", "-", "eth0", "-", "wlan0"}))
            << (big ? "big-endian" : "little-endian");
    }
}

TEST(eval_pcapng, a_new_section_starts_a_new_interface_list) {
    pcapng_builder b(false);
    const auto frame = tcp_frame({10, 0, 0, 1}, {10, 0, 0, 2}, 22);
    b.section();
    b.interface("eth0");
    b.packet(0, frame);
    b.section();
    b.interface("eth9");
    b.packet(0, frame);
    EXPECT_EQ(interfaces_of(b.write("eval-sections.pcapng")), (std::vector<std::string>{"eth0", "eth9"}));
}

TEST(eval_pcapng, damaged_files_end_the_walk_without_harm) {
    const auto frame = tcp_frame({10, 0, 0, 1}, {10, 0, 0, 2}, 22);
    pcapng_builder good(false);
    good.section();
    good.interface("eth0");
    good.packet(0, frame);
    good.packet(0, frame);
    const std::vector<uint8_t> whole = good.bytes();
    // Every truncation, and every single corrupted byte, must be walked safely (ASan watches).
    for (size_t cut = 0; cut < whole.size(); cut += 3) {
        pcapng_builder b(false);
        b.bytes().assign(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
        (void)interfaces_of(b.write("eval-cut.pcapng"));
    }
    for (size_t at = 0; at < whole.size(); ++at) {
        pcapng_builder b(false);
        b.bytes() = whole;
        b.bytes()[at] ^= 0xa5;
        (void)interfaces_of(b.write("eval-flip.pcapng"));
    }
    // A block length past the limit stops the walk.
    pcapng_builder b(false);
    b.bytes() = whole;
    const uint32_t huge = 0x7ffffff0;
    std::memcpy(b.bytes().data() + 4, &huge, 4);
    EXPECT_TRUE(interfaces_of(b.write("eval-huge.pcapng")).empty());
}

TEST(eval_pcapng, classic_pcap_files_have_no_interfaces) {
    replay::pcapng_interface_walker walker;
    pcapng_builder b(false);
    b.bytes() = {0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0};
    EXPECT_FALSE(walker.open(b.write("eval-classic.pcap")));
    EXPECT_EQ(walker.next_packet(), nullptr);
}

// ---- interfaces and routes ----

TEST(eval_interfaces, lo_is_one_and_the_rest_count_from_two_in_first_seen_order) {
    replay::interface_table t;
    EXPECT_EQ(t.get("eth1").index, 2u);
    EXPECT_EQ(t.get("lo").index, 1u);
    EXPECT_EQ(t.get("eth0").index, 3u);
    EXPECT_EQ(t.get("eth1").index, 2u);
    EXPECT_EQ(t.get("a-very-long-interface-name").name_view(), "a-very-long-int");
    EXPECT_EQ(t.find("nope"), nullptr);
    EXPECT_EQ(t.find("lo")->type, replay::arphrd_loopback);
}

// Kinds are attached by name and never register one: the indexes keep their documented order.
TEST(eval_interfaces, kinds_attach_by_name_before_or_after_registration) {
    replay::interface_table t;
    t.set_kind("ra0", "veth");
    EXPECT_EQ(t.find("ra0"), nullptr);
    EXPECT_EQ(t.get("eth0").index, 2u);
    EXPECT_EQ(t.get("eth0").kind_view(), "");
    t.set_kind("eth0", "bridge");
    EXPECT_EQ(t.get("eth0").kind_view(), "bridge");
    EXPECT_EQ(t.get("ra0").index, 3u);
    EXPECT_EQ(t.get("ra0").kind_view(), "veth");
    t.set_kind("ra0", "a-very-long-kind-name");
    EXPECT_EQ(t.get("ra0").kind_view(), "a-very-long-kin");
    EXPECT_EQ(t.get("lo").kind_view(), "");  // the loopback has no rtnl_link_ops
}

TEST(eval_routes, first_match_in_command_line_order) {
    replay::interface_table ifs;
    replay::route_table routes(ifs);
    std::string error;
    ASSERT_TRUE(routes.add("10.0.0.0/8=eth1", error));
    ASSERT_TRUE(routes.add("10.1.0.0/16=eth2", error));  // never chosen: the /8 comes first
    ASSERT_TRUE(routes.add("2001:db8::/32=eth3", error));
    ASSERT_TRUE(routes.add("192.0.2.1=lo", error));
    ASSERT_TRUE(routes.add("default=eth0", error));
    const uint8_t a[4] = {10, 1, 2, 3}, b[4] = {8, 8, 8, 8}, local[4] = {192, 0, 2, 1};
    uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
    EXPECT_EQ(routes.route(a, 4)->name_view(), "eth1");
    EXPECT_EQ(routes.route(b, 4)->name_view(), "eth0");
    EXPECT_EQ(routes.route(v6, 16)->name_view(), "eth3");
    v6[0] = 0x30;
    EXPECT_EQ(routes.route(v6, 16)->name_view(), "eth0");
    EXPECT_EQ(routes.type_of(local, 4), replay::address_type::local);
    EXPECT_EQ(routes.type_of(a, 4), replay::address_type::unicast);
    const uint8_t bcast[4] = {255, 255, 255, 255}, mcast[4] = {224, 0, 0, 1}, loopback[4] = {127, 0, 0, 1};
    EXPECT_EQ(routes.type_of(bcast, 4), replay::address_type::broadcast);
    EXPECT_EQ(routes.type_of(mcast, 4), replay::address_type::multicast);
    EXPECT_EQ(routes.type_of(loopback, 4), replay::address_type::local);
}

TEST(eval_routes, bad_specs_are_refused) {
    replay::interface_table ifs;
    replay::route_table routes(ifs);
    for (const char* bad : {"10.0.0.0/8", "=eth0", "10.0.0.0/8=", "10.0.0.0/33=eth0", "10.0.0.300/8=eth0",
                            "2001:db8::/129=eth0", "10.0.0.0/x=eth0", "default=averyveryverylongname"}) {
        std::string error;
        EXPECT_FALSE(routes.add(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
    EXPECT_TRUE(routes.empty());
}

TEST(eval_routes, fib_answers_oif_oifname_type_and_the_reverse_path_check) {
    replay::interface_table ifs;
    replay::route_table routes(ifs);
    std::string error;
    ASSERT_TRUE(routes.add("10.0.0.0/8=lan0", error));
    ASSERT_TRUE(routes.add("default=wan0", error));
    vm::packet_meta meta;
    meta.iif = &ifs.get("lan0");
    const uint8_t from_lan[4] = {10, 0, 0, 5}, from_internet[4] = {8, 8, 8, 8};
    constexpr uint32_t saddr = 1, iif = 8, present = 32, oif_result = 1, oifname_result = 2, type_result = 3;

    auto ask = [&](const uint8_t* address, uint32_t flags, uint32_t result, uint8_t* out, uint32_t len) {
        vm::fib_query q;
        std::memcpy(q.address, address, 4);
        q.address_len = 4;
        q.flags = flags;
        q.result = result;
        return routes.lookup(meta, q, out, len);
    };
    uint8_t out[16] = {};
    ASSERT_TRUE(ask(from_lan, saddr, oif_result, out, 4));
    uint32_t index;
    std::memcpy(&index, out, 4);
    EXPECT_EQ(index, ifs.get("lan0").index);

    std::memset(out, 0, sizeof out);
    ASSERT_TRUE(ask(from_internet, saddr, oifname_result, out, 16));
    EXPECT_STREQ(reinterpret_cast<const char*>(out), "wan0");

    // fib saddr . iif oif exists: a packet from the internet arriving on lan0 fails it.
    std::memset(out, 0, sizeof out);
    ASSERT_TRUE(ask(from_lan, saddr | iif | present, oif_result, out, 1));
    EXPECT_EQ(out[0], 1);
    ASSERT_TRUE(ask(from_internet, saddr | iif | present, oif_result, out, 1));
    EXPECT_EQ(out[0], 0);

    std::memset(out, 0, sizeof out);
    ASSERT_TRUE(ask(from_lan, 2, type_result, out, 4));
    EXPECT_EQ(out[0], static_cast<uint8_t>(replay::address_type::unicast));
}

// ---- the hook path ----

TEST(eval_path, hooks_parse_in_order_and_refuse_unknown_or_repeated_names) {
    std::vector<hook> hooks;
    std::string error;
    ASSERT_TRUE(replay::parse_hooks("output,postrouting", hooks, error));
    EXPECT_EQ(hooks, (std::vector<hook>{hook::output, hook::postrouting}));
    ASSERT_TRUE(replay::parse_hooks("prerouting,input", hooks, error));
    EXPECT_EQ(hooks, (std::vector<hook>{hook::prerouting, hook::input}));
    EXPECT_FALSE(replay::parse_hooks("input,input", hooks, error));
    EXPECT_FALSE(replay::parse_hooks("ingress", hooks, error));
    EXPECT_FALSE(replay::parse_hooks("", hooks, error));
    EXPECT_FALSE(replay::parse_hooks("input,", hooks, error));
}

struct compiled {
    ruleset_session session;
    std::unique_ptr<vm::engine> engine;
};

std::unique_ptr<compiled> compile_text(std::string_view text) {
    auto c = std::make_unique<compiled>();
    auto loaded = c->session.run_text(text);
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : format_diagnostics(loaded.errors()));
    if (!loaded) return nullptr;
    auto program = compile::compile_ruleset(c->session.state(), {});
    EXPECT_TRUE(program.ok());
    if (!program) return nullptr;
    c->engine = std::make_unique<vm::engine>(std::move(program.value()));
    return c;
}

TEST(eval_path, the_mark_set_in_prerouting_is_seen_in_forward_and_interfaces_appear_per_hook) {
    auto c = compile_text(R"(
table ip t {
	chain pre {
		type filter hook prerouting priority 0;
		iifname "lan0" meta mark set 0x5
		oifname "wan0" drop
	}
	chain forward_chain {
		type filter hook forward priority 0; policy drop;
		meta mark 0x5 oifname "wan0" iifname "lan0" accept
	}
	chain post {
		type filter hook postrouting priority 0;
		iifname "lan0" oifname "wan0" meta mark set 0x6
	}
}
)");
    ASSERT_TRUE(c);
    replay::interface_table ifs;
    replay::path_config config;
    config.iif = &ifs.get("lan0");
    config.oif = &ifs.get("wan0");
    replay::path_runner runner(*c->engine, config);
    auto frame = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 443);
    const replay::path_outcome o = runner.run(frame, 1, nullptr, {});
    EXPECT_EQ(o.fate, replay::packet_fate::accepted);
    ASSERT_EQ(o.step_count, 3u);
    EXPECT_EQ(o.deciding, 2u);
    EXPECT_FALSE(o.steps[1].result.by_policy);  // forward accepted by its rule, not the policy
    EXPECT_EQ(o.meta.mark, 6u);
}

TEST(eval_path, the_output_path_has_no_input_interface_and_no_link_header) {
    auto c = compile_text(R"(
table ip t {
	chain out {
		type filter hook output priority 0;
		ether saddr 02:00:00:00:00:01 drop
		iifname "lan0" drop
		meta mark set 0x1
	}
	chain post {
		type filter hook postrouting priority 0;
		meta mark 0x1 oifname "wan0" drop
	}
}
)");
    ASSERT_TRUE(c);
    replay::interface_table ifs;
    replay::path_config config;
    config.hooks = {hook::output, hook::postrouting};
    config.iif = &ifs.get("lan0");
    config.oif = &ifs.get("wan0");
    replay::path_runner runner(*c->engine, config);
    auto frame = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 443);
    const replay::path_outcome o = runner.run(frame, 1, &ifs.get("lan0"), {});
    EXPECT_EQ(o.fate, replay::packet_fate::dropped);
    EXPECT_EQ(o.deciding, 1u);  // at postrouting: the output rules on link and iif did not match
}

TEST(eval_path, running_a_packet_through_the_engine_allocates_nothing) {
    auto c = compile_text(R"(
table inet t {
	chain forward_chain {
		type filter hook forward priority 0; policy drop;
		tcp dport { 22, 443 } ip daddr set 10.0.0.9 accept
	}
}
)");
    ASSERT_TRUE(c);
    replay::interface_table ifs;
    replay::route_table routes(ifs);
    std::string error;
    ASSERT_TRUE(routes.add("default=wan0", error));
    replay::path_config config;
    config.iif = &ifs.get("lan0");
    config.routes = &routes;
    replay::path_runner runner(*c->engine, config);
    auto frame = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 443);
    vm::services services;
    services.fib = &routes;
    (void)runner.run(frame, 1, nullptr, services);  // warm up
    frame = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 443);
    nfqwall::testing::allocation_scope scope;
    const replay::path_outcome o = runner.run(frame, 2, nullptr, services);
    EXPECT_EQ(scope.count(), 0u);
    EXPECT_EQ(o.fate, replay::packet_fate::accepted);
    EXPECT_TRUE(o.modified);
}

TEST(eval_path, malformed_and_foreign_frames_get_a_fate_without_harm) {
    auto c = compile_text("table ip t {\n\tchain forward_chain {\n\t\ttype filter hook forward priority 0; policy drop;\n\t\ttcp dport 22 accept\n\t}\n}\n");
    ASSERT_TRUE(c);
    replay::path_config config;
    replay::path_runner runner(*c->engine, config);
    const auto whole = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 22);
    for (size_t cut = 0; cut <= whole.size(); ++cut) {
        std::vector<uint8_t> frame(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
        const replay::path_outcome o = runner.run(frame, 1, nullptr, {});
        if (cut < 14) {
            EXPECT_FALSE(o.seen) << cut;
            EXPECT_EQ(o.fate, replay::packet_fate::dropped) << cut;
        } else if (cut < whole.size()) {
            // Every cut leaves the IPv4 total length beyond the bytes: ip_rcv drops it.
            EXPECT_TRUE(o.malformed()) << cut;
            EXPECT_TRUE(o.dropped_on_receive) << cut;
            EXPECT_EQ(o.step_count, 0u) << cut;
        } else {
            EXPECT_EQ(o.fate, replay::packet_fate::accepted);
            EXPECT_FALSE(o.malformed());
        }
    }
    std::vector<uint8_t> lldp(60, 0);
    lldp[12] = 0x88;
    lldp[13] = 0xcc;
    const replay::path_outcome o = runner.run(lldp, 1, nullptr, {});
    EXPECT_FALSE(o.seen);
    EXPECT_EQ(o.fate, replay::packet_fate::accepted);
    EXPECT_EQ(o.ethertype, 0x88cc);
}

TEST(eval_path, ip_rcv_drops_a_bad_ipv4_header_checksum_before_any_hook_but_not_on_output) {
    auto c = compile_text("table ip t {\n\tchain pre {\n\t\ttype filter hook prerouting priority 0;\n\t\tmeta mark set 0x1\n\t}\n}\n");
    ASSERT_TRUE(c);
    auto frame = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 22);
    frame[14 + 10] ^= 0x40;  // the header checksum
    replay::path_config received;
    replay::path_runner forward(*c->engine, received);
    const replay::path_outcome o = forward.run(frame, 1, nullptr, {});
    EXPECT_FALSE(o.seen);
    EXPECT_TRUE(o.dropped_on_receive);
    EXPECT_FALSE(o.malformed());
    EXPECT_EQ(o.fate, replay::packet_fate::dropped);
    EXPECT_EQ(o.meta.mark, 0u);  // no rule ran

    replay::path_config local;
    local.hooks = {hook::output, hook::postrouting};
    local.link = replay::link_kind::raw_ip;
    replay::path_runner output(*c->engine, local);
    std::vector<uint8_t> ip(frame.begin() + 14, frame.end());
    const replay::path_outcome out = output.run(ip, 1, nullptr, {});
    EXPECT_TRUE(out.seen);
    EXPECT_EQ(out.fate, replay::packet_fate::accepted);
}

TEST(eval_path, forward_sees_the_ttl_the_router_decremented_and_ttl_1_never_reaches_it) {
    auto c = compile_text(R"(
table inet t {
	chain pre {
		type filter hook prerouting priority 0;
		ip ttl 64 meta mark set 0x40
	}
	chain forward_chain {
		type filter hook forward priority 0; policy accept;
		ip ttl 63 meta mark set meta mark | 0x1
		ip6 hoplimit 9 meta mark set 0x9
	}
}
)");
    ASSERT_TRUE(c);
    replay::path_config config;
    replay::path_runner runner(*c->engine, config);
    auto frame = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 22);
    replay::path_outcome o = runner.run(frame, 1, nullptr, {});
    EXPECT_EQ(o.fate, replay::packet_fate::accepted);
    EXPECT_EQ(o.meta.mark, 0x41u);
    EXPECT_TRUE(o.ttl_decremented);
    EXPECT_EQ(frame[14 + 8], 63);
    EXPECT_TRUE(packet::ipv4_header_checksum_ok(packet::parse(std::span<const uint8_t>(frame), packet::parse_options{.first = packet::first_header::ethernet})));

    for (uint8_t ttl : {uint8_t{0}, uint8_t{1}}) {
        auto expiring = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 22);
        expiring[14 + 8] = ttl;
        put16(expiring, 24, 0);
        put16(expiring, 24, packet::checksum_fold(packet::checksum_add_bytes({expiring.data() + 14, 20})));
        o = runner.run(expiring, 2, nullptr, {});
        EXPECT_EQ(o.fate, replay::packet_fate::dropped) << int(ttl);
        EXPECT_EQ(o.by_router, replay::path_outcome::router_drop::ttl_exceeded) << int(ttl);
        EXPECT_EQ(o.meta.mark, 0u) << int(ttl);  // prerouting ran, forward did not
        EXPECT_EQ(o.step_count, 2u);
    }
}

TEST(eval_path, the_ttl_decrement_keeps_the_kernels_checksum_arithmetic_at_the_edges) {
    // ip_decrease_ttl adds 0x0100 with an end-around carry: a header whose checksum field
    // holds 0xfeff becomes 0x0000 there, not 0xffff.
    std::vector<uint8_t> ip(20, 0);
    ip[8] = 64;
    ip[10] = 0xfe;
    ip[11] = 0xff;
    replay::decrease_ttl(ip, true);
    EXPECT_EQ(ip[8], 63);
    EXPECT_EQ(ip[10], 0x00);
    EXPECT_EQ(ip[11], 0x00);
    // 0xfffe + 0x0100 wraps its carry into the low byte: 0x00ff.
    ip[10] = 0xff;
    ip[11] = 0xfe;
    replay::decrease_ttl(ip, true);
    EXPECT_EQ(ip[10], 0x00);
    EXPECT_EQ(ip[11], 0xff);
    std::vector<uint8_t> ip6(40, 0);
    ip6[7] = 10;
    replay::decrease_ttl(ip6, false);
    EXPECT_EQ(ip6[7], 9);
}

TEST(eval_path, with_routes_an_unroutable_destination_is_dropped_before_forward) {
    auto c = compile_text("table ip t {\n\tchain forward_chain {\n\t\ttype filter hook forward priority 0;\n\t\tmeta mark set 0x1\n\t}\n}\n");
    ASSERT_TRUE(c);
    replay::interface_table ifs;
    replay::route_table routes(ifs);
    std::string error;
    ASSERT_TRUE(routes.add("192.0.2.0/24=dmz0", error));
    replay::path_config config;
    config.routes = &routes;
    replay::path_runner runner(*c->engine, config);
    auto routed = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 22);
    EXPECT_EQ(runner.run(routed, 1, nullptr, {}).meta.mark, 1u);
    auto unroutable = tcp_frame({10, 0, 0, 5}, {100, 64, 0, 1}, 22);
    const replay::path_outcome o = runner.run(unroutable, 2, nullptr, {});
    EXPECT_EQ(o.fate, replay::packet_fate::dropped);
    EXPECT_EQ(o.by_router, replay::path_outcome::router_drop::no_route);
    EXPECT_EQ(o.meta.mark, 0u);
}

// A tracker that answers `ct state` invalid before its lookup and established after it, and
// records when the path called it.
class recording_tracker final : public replay::conntrack_stage, public vm::conntrack_view {
public:
    std::vector<std::string> calls;
    bool looked_up = false;

    vm::conntrack_view& begin(const vm::packet_meta&) override {
        calls.push_back("begin");
        looked_up = false;
        return *this;
    }
    bool lookup(const packet::packet_view&, const vm::packet_meta& meta) override {
        calls.push_back("lookup before " + std::string(front::hook_name(meta.family, meta.hook)));
        looked_up = true;
        return true;
    }
    bool end(bool accepted, const vm::packet_meta&) override {
        calls.push_back(accepted ? "confirm" : "forget");
        return true;
    }
    void tcp_reset_sent(const vm::packet_meta&) override { calls.push_back("reset sent"); }

    bool get(int key, int, uint8_t* dst, uint32_t len) override {
        if (key != front::CT_STATE || len != 4) return false;
        const uint32_t state = looked_up ? 2u : 1u;  // NF_CT_STATE_BIT(established), invalid
        std::memcpy(dst, &state, 4);
        return true;
    }
    bool set(int, int, const uint8_t*, uint32_t) override { return false; }
    void untrack() override {}
};

TEST(eval_path, chains_below_the_conntrack_priority_run_before_the_lookup_and_the_rest_after) {
    auto c = compile_text(R"(
table ip t {
	chain raw {
		type filter hook prerouting priority raw;
		ct state invalid meta mark set 0x1
	}
	chain at_conntrack {
		type filter hook prerouting priority -200;
		ct state established meta mark set meta mark | 0x2
	}
	chain forward_chain {
		type filter hook forward priority 0; policy drop;
		meta mark 0x3 ct state established tcp dport 22 accept
	}
}
)");
    ASSERT_TRUE(c);
    recording_tracker tracker;
    replay::path_config config;
    config.conntrack = &tracker;
    replay::path_runner runner(*c->engine, config);
    auto ssh = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 22);
    const replay::path_outcome o = runner.run(ssh, 1, nullptr, {});
    EXPECT_EQ(o.fate, replay::packet_fate::accepted);
    EXPECT_EQ(o.meta.mark, 3u);
    EXPECT_EQ(tracker.calls, (std::vector<std::string>{"begin", "lookup before prerouting", "confirm"}));

    tracker.calls.clear();
    auto web = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 80);
    EXPECT_EQ(runner.run(web, 2, nullptr, {}).fate, replay::packet_fate::dropped);
    EXPECT_EQ(tracker.calls, (std::vector<std::string>{"begin", "lookup before prerouting", "forget"}));

    // A path without prerouting or output looks the packet up before its first hook.
    replay::path_config forward_only = config;
    forward_only.hooks = {hook::forward};
    replay::path_runner later(*c->engine, forward_only);
    tracker.calls.clear();
    auto again = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 22);
    const replay::path_outcome f = later.run(again, 3, nullptr, {});
    EXPECT_EQ(f.fate, replay::packet_fate::dropped);  // no prerouting: the mark is never 3
    EXPECT_EQ(tracker.calls, (std::vector<std::string>{"begin", "lookup before forward", "forget"}));
}

// A reject with a TCP reset tells the tracker (the kernel's nf_send_reset closes the
// connection), before the packet's end; other rejects and drops do not.
TEST(eval_path, a_tcp_reset_reject_is_reported_to_the_tracker_before_the_end) {
    auto c = compile_text(R"(
table inet t {
	chain forward_chain {
		type filter hook forward priority 0; policy accept;
		tcp dport 25 reject with tcp reset
		tcp dport 26 reject
		tcp dport 27 drop
	}
}
)");
    ASSERT_TRUE(c);
    recording_tracker tracker;
    replay::path_config config;
    config.conntrack = &tracker;
    replay::path_runner runner(*c->engine, config);
    auto smtp = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, 25);
    EXPECT_EQ(runner.run(smtp, 1, nullptr, {}).fate, replay::packet_fate::rejected);
    EXPECT_EQ(tracker.calls, (std::vector<std::string>{"begin", "lookup before prerouting", "reset sent", "forget"}));
    for (uint16_t port : {26, 27}) {
        tracker.calls.clear();
        auto other = tcp_frame({10, 0, 0, 5}, {192, 0, 2, 1}, port);
        runner.run(other, 2, nullptr, {});
        EXPECT_EQ(tracker.calls, (std::vector<std::string>{"begin", "lookup before prerouting", "forget"})) << port;
    }
}

// ---- nfqwall eval, end to end ----

std::string temp(const std::string& name) { return (std::filesystem::temp_directory_path() / name).string(); }

TEST(eval_command, out_writes_the_passing_packets_as_rewritten_with_checksums_updated) {
    const std::string ruleset = temp("eval-rewrite.nft");
    {
        std::ofstream f(ruleset);
        f << "table ip t {\n"
             "\tchain pre {\n"
             "\t\ttype filter hook prerouting priority -100;\n"
             "\t\tip daddr 203.0.113.1 tcp dport 80 ip daddr set 10.0.0.9 tcp dport set 8080\n"
             "\t}\n"
             "\tchain forward_chain {\n"
             "\t\ttype filter hook forward priority 0; policy drop;\n"
             "\t\tip daddr 10.0.0.9 accept\n"
             "\t}\n"
             "}\n";
    }
    const std::string in = temp("eval-in.pcap"), out = temp("eval-out.pcap");
    {
        std::string error;
        auto w = replay::capture_writer::create(in, 1 /* DLT_EN10MB */, 65535, error);
        ASSERT_TRUE(w) << error;
        w->write(1'700'000'000'123'456'789ull, tcp_frame({198, 51, 100, 7}, {203, 0, 113, 1}, 80, "hello"), 59);
        w->write(1'700'000'001'000'000'000ull, tcp_frame({198, 51, 100, 7}, {203, 0, 113, 2}, 80), 54);
        ASSERT_TRUE(w->close());
    }
    eval::eval_options options;
    options.ruleset = ruleset;
    options.capture = in;
    options.out = out;
    std::ostringstream stdout_text, stderr_text;
    ASSERT_EQ(eval::run_eval(options, stdout_text, stderr_text), 0) << stderr_text.str();
    EXPECT_EQ(stdout_text.str(),
              "1 accept at forward by " + ruleset +
                  ":8: ip daddr 10.0.0.9 accept [ip checksum 5519 -> 18312] [ip daddr 203.0.113.1 -> 10.0.0.9] "
                  "[tcp dport 80 -> 8080] [tcp checksum 26942 -> 31735]\n"
                  "2 drop at forward by " + ruleset + ":6: chain ip t forward_chain policy drop\n");
    EXPECT_EQ(stderr_text.str(), "nfqwall eval: 2 packets, 1 accepted, 1 dropped, 0 queued, 0 malformed\n");

    std::string error;
    auto r = replay::capture_reader::open(out, error);
    ASSERT_TRUE(r) << error;
    replay::captured_packet p;
    ASSERT_EQ(r->next(p), replay::capture_reader::read_status::packet);
    EXPECT_EQ(p.time_ns, 1'700'000'000'123'456'789ull);
    // Rewritten, then forwarded: the router took one off the TTL.
    std::vector<uint8_t> expected = tcp_frame({198, 51, 100, 7}, {10, 0, 0, 9}, 8080, "hello");
    expected[14 + 8] = 63;
    put16(expected, 24, 0);
    put16(expected, 24, packet::checksum_fold(packet::checksum_add_bytes({expected.data() + 14, 20})));
    EXPECT_EQ(std::vector<uint8_t>(p.bytes.begin(), p.bytes.end()), expected);
    EXPECT_TRUE(packet::ipv4_header_checksum_ok(packet::parse(p.bytes, {})));
    EXPECT_TRUE(tcp_checksum_ok(p.bytes));
    EXPECT_EQ(r->next(p), replay::capture_reader::read_status::end);
}

TEST(eval_command, a_broken_ruleset_exits_1_with_a_located_message_and_file_errors_exit_2) {
    const std::string ruleset = temp("eval-broken.nft");
    {
        std::ofstream f(ruleset);
        f << "table ip t {\n\tchain c {\n\t\ttcp dport 22 acept\n\t}\n}\n";
    }
    eval::eval_options options;
    options.ruleset = ruleset;
    options.capture = temp("eval-no-such.pcap");
    std::ostringstream o, e;
    EXPECT_EQ(eval::run_eval(options, o, e), 1);
    EXPECT_NE(e.str().find(ruleset + ":3:"), std::string::npos) << e.str();
    EXPECT_TRUE(o.str().empty());

    options.ruleset = temp("eval-no-such.nft");
    std::ostringstream o2, e2;
    EXPECT_EQ(eval::run_eval(options, o2, e2), 2);
    options.hooks = "input,bogus";
    std::ostringstream o3, e3;
    EXPECT_EQ(eval::run_eval(options, o3, e3), 2);
    EXPECT_NE(e3.str().find("bogus"), std::string::npos);
}

// meta iifkind/oifkind read the kinds --if-kind gives; an interface without one fails the
// match either way (`!=` too), and eval warns once, naming the interfaces that had none.
TEST(eval_command, interface_kinds_come_from_if_kind_and_unknown_ones_are_reported) {
    const std::string ruleset = temp("eval-kinds.nft");
    {
        std::ofstream f(ruleset);
        f << "table inet t {\n"
             "\tchain forward_chain {\n"
             "\t\ttype filter hook forward priority 0; policy accept;\n"
             "\t\tmeta iifkind \"veth\" tcp dport 80 drop\n"
             "\t\tmeta oifkind != \"veth\" tcp dport 81 drop\n"
             "\t\tmeta oifkind \"veth\" tcp dport 82 drop\n"
             "\t}\n"
             "}\n";
    }
    const std::string in = temp("eval-kinds.pcap");
    {
        std::string error;
        auto w = replay::capture_writer::create(in, 1 /* DLT_EN10MB */, 65535, error);
        ASSERT_TRUE(w) << error;
        for (uint16_t dport : {80, 81, 82}) w->write(1'700'000'000'000'000'000ull, tcp_frame({198, 51, 100, 7}, {203, 0, 113, 1}, dport), 54);
        ASSERT_TRUE(w->close());
    }
    eval::eval_options options;
    options.ruleset = ruleset;
    options.capture = in;
    options.iif = "ra0";
    options.routes = {"default=rb0"};
    options.if_kinds = {"ra0=veth"};
    std::ostringstream o, e;
    ASSERT_EQ(eval::run_eval(options, o, e), 0) << e.str();
    EXPECT_EQ(o.str(), "1 drop at forward by " + ruleset + ":4: meta iifkind \"veth\" tcp dport 80 drop\n"
                       "2 accept at forward by " + ruleset + ":2: chain inet t forward_chain policy accept\n"
                       "3 accept at forward by " + ruleset + ":2: chain inet t forward_chain policy accept\n");
    EXPECT_EQ(e.str(),
              "nfqwall eval: warning: the ruleset matches meta iifkind/oifkind, but no kind is known for rb0: those "
              "matches fail there (give --if-kind NAME=KIND)\n"
              "nfqwall eval: 3 packets, 2 accepted, 1 dropped, 0 queued, 0 malformed\n");

    options.if_kinds = {"ra0=veth", "rb0=veth"};
    std::ostringstream o2, e2;
    ASSERT_EQ(eval::run_eval(options, o2, e2), 0) << e2.str();
    EXPECT_EQ(o2.str(), "1 drop at forward by " + ruleset + ":4: meta iifkind \"veth\" tcp dport 80 drop\n"
                        "2 accept at forward by " + ruleset + ":2: chain inet t forward_chain policy accept\n"
                        "3 drop at forward by " + ruleset + ":6: meta oifkind \"veth\" tcp dport 82 drop\n");
    EXPECT_EQ(e2.str(), "nfqwall eval: 3 packets, 1 accepted, 2 dropped, 0 queued, 0 malformed\n");

    for (const char* bad : {"ra0", "=veth", "ra0=", "a-very-long-interface=veth", "ra0=a-very-long-kind-name"}) {
        options.if_kinds = {bad};
        std::ostringstream o3, e3;
        EXPECT_EQ(eval::run_eval(options, o3, e3), 2) << bad;
        EXPECT_TRUE(o3.str().empty());
    }
}

// A reject the kernel would not answer still drops; the line says no reply goes out, and why.
TEST(eval_command, rejects_say_when_the_kernel_sends_no_reply) {
    const std::string ruleset = temp("eval-reject.nft");
    {
        std::ofstream f(ruleset);
        f << "table ip t {\n"
             "\tchain forward_chain {\n"
             "\t\ttype filter hook forward priority 0; policy accept;\n"
             "\t\ttcp dport 25 reject with tcp reset\n"
             "\t}\n"
             "}\n";
    }
    const std::string in = temp("eval-reject.pcap");
    {
        std::string error;
        auto w = replay::capture_writer::create(in, 1 /* DLT_EN10MB */, 65535, error);
        ASSERT_TRUE(w) << error;
        auto syn = tcp_frame({198, 51, 100, 7}, {203, 0, 113, 1}, 25);
        w->write(1'700'000'000'000'000'000ull, syn, 54);
        auto rst = syn;
        rst[14 + 20 + 13] = 0x04;
        w->write(1'700'000'000'000'000'000ull, rst, 54);
        ASSERT_TRUE(w->close());
    }
    eval::eval_options options;
    options.ruleset = ruleset;
    options.capture = in;
    options.iif = "eth0";
    std::ostringstream o, e;
    ASSERT_EQ(eval::run_eval(options, o, e), 0) << e.str();
    const std::string rule = ruleset + ":4: tcp dport 25 reject with tcp reset";
    EXPECT_EQ(o.str(), "1 reject at forward by " + rule + " [reject with tcp reset]\n"
                       "2 reject at forward by " + rule + " [reject with tcp reset: no reply sent (the packet is a RST)]\n");
    EXPECT_EQ(e.str(), "nfqwall eval: 2 packets, 0 accepted, 2 dropped, 0 queued, 0 malformed\n");
}

}  // namespace

// The `ct` subcommands over a tracker: conntrack's filters, outputs and summaries.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "conntrack/commands.hpp"
#include "conntrack_harness.hpp"

namespace {

using namespace nfqwall::testing;
using nfqwall::conntrack::command_result;
using nfqwall::conntrack::run_command;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    std::sort(out.begin(), out.end());
    return out;
}

struct table : ct_harness {
    table() {
        // An established TCP flow, an unreplied UDP flow, a ping, and an IPv6 UDP flow.
        send(tcp("10.0.0.1", "10.0.0.2", 40000, 80, SYN, 100, 0));
        send(tcp("10.0.0.2", "10.0.0.1", 80, 40000, SYN | ACK, 500, 101));
        send(tcp("10.0.0.1", "10.0.0.2", 40000, 80, ACK, 101, 501));
        send(udp("10.0.0.1", "10.0.0.3", 40001, 53, 10));
        send(icmp("10.0.0.1", "10.0.0.4", 8, 0, 7));
        packet_spec six = udp("fd00::1", "fd00::2", 40002, 123, 4);
        six.ip_version = 6;
        send(six);
    }
    command_result run(std::vector<std::string> args) { return run_command(t, args, now); }
};

TEST(conntrack_commands, list_prints_every_entry_and_conntracks_summary_on_stderr) {
    table c;
    const command_result r = c.run({"list"});
    EXPECT_EQ(r.exit, 0);
    EXPECT_EQ(lines_of(r.out), c.list());
    EXPECT_EQ(c.list().size(), 4u);
    EXPECT_EQ(r.err, "conntrack v1.4.7 (conntrack-tools): 4 flow entries have been shown.\n");
    EXPECT_EQ(c.run({"-L"}).out, r.out);  // conntrack's own spelling
}

TEST(conntrack_commands, filters_select_by_protocol_address_port_state_family_status_and_mark) {
    table c;
    auto count = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "list");
        const command_result r = c.run(args);
        EXPECT_EQ(r.exit, 0) << r.err;
        return lines_of(r.out).size();
    };
    EXPECT_EQ(count({"-p", "tcp"}), 1u);
    EXPECT_EQ(count({"-p", "udp"}), 2u);
    EXPECT_EQ(count({"-p", "17", "-f", "ipv6"}), 1u);
    EXPECT_EQ(count({"-s", "10.0.0.1"}), 3u);
    EXPECT_EQ(count({"-d", "10.0.0.3"}), 1u);
    EXPECT_EQ(count({"-r", "10.0.0.2"}), 1u);  // the reply's source: the TCP server
    EXPECT_EQ(count({"-p", "udp", "--dport", "53"}), 1u);
    EXPECT_EQ(count({"-p", "tcp", "--sport", "40000", "--dport", "80"}), 1u);
    EXPECT_EQ(count({"-p", "tcp", "--reply-port-src", "80"}), 1u);
    EXPECT_EQ(count({"-p", "tcp", "--state", "ESTABLISHED"}), 1u);
    EXPECT_EQ(count({"-p", "tcp", "--state", "SYN_SENT"}), 0u);
    EXPECT_EQ(count({"-u", "SEEN_REPLY"}), 1u);
    EXPECT_EQ(count({"-u", "ASSURED,SEEN_REPLY"}), 1u);
    EXPECT_EQ(count({"-m", "0"}), 4u);
    EXPECT_EQ(count({"-m", "1"}), 0u);
    EXPECT_EQ(count({"-w", "0"}), 4u);
    EXPECT_EQ(count({"-w", "3"}), 0u);
    EXPECT_EQ(count({"-s", "fd00::1"}), 1u);
}

TEST(conntrack_commands, update_sets_the_mark_of_the_selected_entries_and_delete_removes_them) {
    table c;
    command_result r = c.run({"update", "-p", "udp", "--mark", "0x2a"});
    EXPECT_EQ(r.exit, 0) << r.err;
    EXPECT_EQ(r.err, "conntrack v1.4.7 (conntrack-tools): 2 flow entries have been updated.\n");
    EXPECT_EQ(lines_of(r.out).size(), 2u);
    EXPECT_NE(r.out.find("mark=42"), std::string::npos);
    EXPECT_EQ(lines_of(c.run({"list", "-m", "42"}).out).size(), 2u);
    EXPECT_EQ(lines_of(c.run({"list", "-m", "0x20/0xf0"}).out).size(), 2u);  // 42 & 0xf0 == 0x20

    r = c.run({"delete", "-m", "42", "-f", "ipv4"});
    EXPECT_EQ(r.err, "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n");
    EXPECT_EQ(c.list().size(), 3u);
    EXPECT_EQ(c.run({"count"}).out, "3\n");

    r = c.run({"flush"});
    EXPECT_EQ(r.err, "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n");
    EXPECT_EQ(c.list().size(), 0u);
    EXPECT_EQ(c.run({"-C"}).out, "0\n");
}

TEST(conntrack_commands, list_options_extended_and_id) {
    table c;
    const command_result r = c.run({"list", "-o", "extended,id", "-p", "tcp"});
    ASSERT_EQ(lines_of(r.out).size(), 1u);
    EXPECT_EQ(r.out.rfind("ipv4     2 tcp      6 ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(" id="), std::string::npos) << r.out;
}

TEST(conntrack_commands, stats_prints_conntracks_counters) {
    table c;
    c.send(tcp("10.0.0.9", "10.0.0.2", 40009, 80, SYN | FIN, 1, 0));  // an invalid flag combination
    const command_result r = c.run({"stats"});
    EXPECT_EQ(r.out.rfind("cpu=0   \tfound=0 invalid=1 insert=0 insert_failed=0 drop=0 early_drop=0 error=0", 0), 0u)
        << r.out;
}

TEST(conntrack_commands, bad_command_lines_say_why_and_exit_2) {
    table c;
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{},
                                               {"shout"},
                                               {"list", "--dport", "80"},
                                               {"list", "-p", "tcp", "--dport", "70000"},
                                               {"list", "-s", "10.0.0.1", "-d", "fd00::2"},
                                               {"list", "-s"},
                                               {"list", "--state", "OPEN"},
                                               {"list", "-o", "xml"},
                                               {"update", "-p", "udp"},
                                               {"list", "--colour"}}) {
        const command_result r = c.run(args);
        EXPECT_EQ(r.exit, 2) << (args.empty() ? "(none)" : args.back());
        EXPECT_EQ(r.err.rfind("conntrack v1.4.7 (conntrack-tools): ", 0), 0u) << r.err;
        EXPECT_TRUE(r.out.empty());
    }
    EXPECT_EQ(c.list().size(), 4u);  // nothing changed
}

}  // namespace

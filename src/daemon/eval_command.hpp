// `nfqwall eval`: a capture replayed offline through the verdict engine, one line per packet
// (docs/eval.md).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace nfqwall::eval {

struct eval_options {
    std::string ruleset;              // -f
    std::string capture;              // --pcap: pcap or pcapng
    std::string iif;                  // when the capture names no interface
    std::string oif;                  // before any --route
    std::vector<std::string> routes;  // CIDR=IF or default=IF, first match wins
    std::vector<std::string> if_kinds;  // NAME=KIND: rtnl link kinds for meta iifkind/oifkind
    std::string hooks;                // "prerouting,input"; empty: prerouting,forward,postrouting
    std::string out;                  // the packets that passed, as rewritten
    bool trace = false;
    bool ct_list = false;
    bool ct_list_expect = false;      // conntrack -L expect at the end
    std::string ct_config;            // the tracker's settings: `key = value` sysctl lines
};

// Exit codes as the command line returns them: 0 done, 1 the ruleset is broken (located
// messages on `err`, as `nfqwall check` prints them), 2 usage or file errors.
int run_eval(const eval_options& options, std::ostream& out, std::ostream& err);

}  // namespace nfqwall::eval

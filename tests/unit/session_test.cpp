// The front end end to end through its public entry point: ruleset text in, the ruleset
// state or located errors out, one transaction per call.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "front/rule.hpp"
#include "nfqwall/ruleset.hpp"

namespace {

using nfqwall::ruleset_session;
namespace front = nfqwall::front;

std::string errors_of(const nfqwall::result<void>& r) {
    return r ? std::string() : nfqwall::format_diagnostics(r.errors());
}

// The first error's message ("" when the text is accepted).
std::string first_error(ruleset_session& s, std::string_view text) {
    auto r = s.run_text(text, "t.nft");
    if (r) return {};
    return r.errors().front().message;
}

std::string first_error(std::string_view text) {
    ruleset_session s;
    return first_error(s, text);
}

const front::table& only_table(const ruleset_session& s) {
    EXPECT_EQ(s.state().tables.size(), 1u);
    return *s.state().tables.front();
}

TEST(Session, AcceptsABaseChainAndResolvesItsSpec) {
    ruleset_session s;
    auto r = s.run_text("table inet filter {\n"
                        "\tchain input {\n"
                        "\t\ttype filter hook input priority filter + 5; policy drop;\n"
                        "\t\tct state established,related accept\n"
                        "\t}\n"
                        "}\n");
    ASSERT_TRUE(r) << errors_of(r);
    const front::chain* c = only_table(s).find_chain("input");
    ASSERT_NE(c, nullptr);
    EXPECT_TRUE(c->is_base());
    EXPECT_EQ(c->hooknum, front::hook::input);
    EXPECT_EQ(c->priority_value, 5);
    ASSERT_TRUE(c->policy.has_value());
    EXPECT_EQ(*c->policy, 0);
    ASSERT_EQ(c->rules.size(), 1u);
}

TEST(Session, NamedPrioritiesDependOnFamilyAndHook) {
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table bridge b { chain c { type filter hook prerouting priority dstnat; }; }\n"
                           "table ip n { chain c { type nat hook output priority dstnat; }; }\n"));
    EXPECT_EQ(s.state().tables[0]->find_chain("c")->priority_value, -300);
    EXPECT_EQ(s.state().tables[1]->find_chain("c")->priority_value, -100);
    // srcnat is not a prerouting priority.
    EXPECT_EQ(first_error("table ip t { chain c { type nat hook prerouting priority srcnat; }; }"),
              "invalid priority expression value in this context.");
}

TEST(Session, ReportsErrorsWithLocationsInNftFormat) {
    ruleset_session s;
    auto r = s.run_text("table inet t {\n\tchain c {\n\t\ttcp dport 70000 accept\n\t}\n}\n", "rules.nft");
    ASSERT_FALSE(r);
    EXPECT_EQ(nfqwall::format_diagnostics(r.errors()),
              "rules.nft:3:13-17: Error: Service out of range\n"
              "\t\ttcp dport 70000 accept\n"
              "\t\t          ^^^^^\n");
}

TEST(Session, RejectsWhatNftRejects) {
    EXPECT_EQ(first_error("table arp t { chain c { tcp dport 22 accept; }; }"),
              "conflicting protocols specified: arp vs. tcp");
    EXPECT_EQ(first_error("table inet t { chain c { ip saddr $nope accept; }; }"), "unknown identifier 'nope'");
    EXPECT_EQ(first_error("table inet t { chain c { ip saddr @nope accept; }; }"), "No such file or directory");
    EXPECT_EQ(first_error("table inet t { chain c { jump nowhere; }; }"),
              "Could not process rule: No such file or directory");
    EXPECT_EQ(first_error("table ip t { chain c { meta mark set tcp dport map { 22 : 1.2.3.4 }; }; }"),
              "Could not parse packet mark");
    EXPECT_EQ(first_error("table ip t { chain c { iifname \"abcdefghijklmnop\" accept; }; }"),
              "String exceeds maximum length of 16");
    EXPECT_EQ(first_error("table ip t { chain c { type filter hook prerouting priority 0; tproxy to 192.0.2.1; }; }"),
              "Transparent proxy support requires transport protocol match");
}

TEST(Session, ChainLoopsAndDepthAreRefusedWhenABaseChainReachesThem) {
    const std::string loop = "table inet t {\n"
                             "\tchain a { jump b; }\n"
                             "\tchain b { jump a; }\n"
                             "}\n";
    ruleset_session s;
    // Unreachable, the loop is harmless (the kernel agrees).
    ASSERT_TRUE(s.run_text(loop));
    EXPECT_EQ(first_error(s, "add chain inet t base { type filter hook input priority 0; }\n"
                             "add rule inet t base jump a\n"),
              "Could not process rule: Too many links");
    // The failed transaction changed nothing.
    EXPECT_EQ(only_table(s).find_chain("base"), nullptr);
}

TEST(Session, FailedTransactionLeavesStateUntouched) {
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table ip t { set s { type ipv4_addr; elements = { 10.0.0.1 }; }; }"));
    auto r = s.run_text("add element ip t s { 10.0.0.2 }\n"
                        "add rule ip t nochain accept\n");
    ASSERT_FALSE(r);
    const front::set* set = only_table(s).find_set("s");
    ASSERT_NE(set, nullptr);
    ASSERT_TRUE(set->init);
    EXPECT_EQ(set->init->as<front::set_expr>().items.size(), 1u);
}

TEST(Session, EveryErrorOfATransactionIsReported) {
    ruleset_session s;
    auto r = s.run_text("table ip t {\n"
                        "\tchain c {\n"
                        "\t\ttcp dport 70000 accept\n"
                        "\t\tudp sport 80000 accept\n"
                        "\t}\n"
                        "}\n");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.errors().size(), 2u);
    EXPECT_EQ(r.errors()[1].message, "Service out of range");
}

TEST(Session, KernelTransactionSemantics) {
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table ip t {\n"
                           "\tset s { type ipv4_addr; }\n"
                           "\tchain a { ip saddr @s jump b; }\n"
                           "\tchain b { accept; }\n"
                           "}\n"));
    EXPECT_EQ(first_error(s, "create table ip t"), "Could not process rule: File exists");
    EXPECT_EQ(first_error(s, "delete set ip t s"), "Could not process rule: Device or resource busy");
    EXPECT_EQ(first_error(s, "delete chain ip t b"), "Could not process rule: Device or resource busy");
    EXPECT_EQ(first_error(s, "delete rule ip t a handle 999"), "Could not process rule: No such file or directory");
    // `add` of what exists is fine and changes nothing.
    ASSERT_TRUE(s.run_text("add table ip t\nadd chain ip t b\n"));
    // Deleting a chain takes its rules along.
    ASSERT_TRUE(s.run_text("flush chain ip t a\ndelete chain ip t b\ndelete chain ip t a\n"));
    EXPECT_EQ(only_table(s).find_chain("a"), nullptr);
}

TEST(Session, RuleHandlesAndPositions) {
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table ip t { chain c { accept; drop; }; }"));
    const auto& rules = only_table(s).find_chain("c")->rules;
    ASSERT_EQ(rules.size(), 2u);
    const uint64_t first = rules[0].handle;
    EXPECT_LT(first, rules[1].handle);
    ASSERT_TRUE(s.run_text("insert rule ip t c position " + std::to_string(rules[1].handle) + " counter"));
    const auto& now = only_table(s).find_chain("c")->rules;
    ASSERT_EQ(now.size(), 3u);
    EXPECT_TRUE(now[1].stmts.front()->is(front::stmt_kind::counter));
    ASSERT_TRUE(s.run_text("delete rule ip t c handle " + std::to_string(first)));
    EXPECT_EQ(only_table(s).find_chain("c")->rules.size(), 2u);
}

TEST(Session, SetElementsFollowKernelRules) {
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table ip t {\n"
                           "\tset plain { type ipv4_addr; elements = { 10.0.0.1 }; }\n"
                           "\tset ranges { type ipv4_addr; flags interval; elements = { 192.168.1.0/24 }; }\n"
                           "\tset merged { type inet_service; flags interval; auto-merge; elements = { 10-20 }; }\n"
                           "\tmap m { type ipv4_addr : mark; elements = { 10.0.0.1 : 1 }; }\n"
                           "}\n"));
    EXPECT_TRUE(s.run_text("add element ip t plain { 10.0.0.1 }"));
    EXPECT_EQ(first_error(s, "create element ip t plain { 10.0.0.1 }"), "Could not process rule: File exists");
    EXPECT_EQ(first_error(s, "add element ip t ranges { 192.168.1.7 }"), "conflicting intervals specified");
    EXPECT_EQ(first_error(s, "add element ip t m { 10.0.0.1 : 2 }"), "Could not process rule: Device or resource busy");
    EXPECT_EQ(first_error(s, "delete element ip t plain { 10.9.9.9 }"),
              "Could not process rule: No such file or directory");
    EXPECT_EQ(first_error(s, "add element ip t plain { 10.0.0.0/8 }"),
              "You must add 'flags interval' to your set declaration if you want to add prefix elements");
    // auto-merge joins overlapping and adjacent ranges.
    ASSERT_TRUE(s.run_text("add element ip t merged { 15-30, 31, 40-50 }"));
    const auto& items = only_table(s).find_set("merged")->init->as<front::set_expr>().items;
    ASSERT_EQ(items.size(), 2u);
    const auto& r0 = items[0]->as<front::set_elem_expr>().key->as<front::range_expr>();
    EXPECT_EQ(r0.left->as<front::value_expr>().value, 10u);
    EXPECT_EQ(r0.right->as<front::value_expr>().value, 31u);
}

TEST(Session, SetsUpdatedFromThePacketPathBecomeDynamicAndBounded) {
    // What the kernel (6.18, nft 1.0.6) lists after loading such a ruleset.
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table ip t {\n"
                           "\tset a { type ipv4_addr; }\n"
                           "\tset b { type ipv4_addr; size 100; }\n"
                           "\tset c { type ipv4_addr; }\n"
                           "\tchain ch { add @a { ip saddr }; update @b { ip saddr }; ip saddr @c; }\n"
                           "}\n"));
    const front::table& t = only_table(s);
    EXPECT_TRUE(t.find_set("a")->flags & front::NFT_SET_EVAL);
    EXPECT_EQ(t.find_set("a")->size, 65535u);
    EXPECT_EQ(t.find_set("b")->size, 100u);
    EXPECT_FALSE(t.find_set("c")->flags & front::NFT_SET_EVAL);
    EXPECT_EQ(t.find_set("c")->size, 0u);
}

TEST(Session, AnonymousSetsAreMergedAndFreedWithTheirRule) {
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table ip t { chain c { tcp dport { 33-55, 56-88, 100-120 } accept; }; }"));
    const front::table& t = only_table(s);
    ASSERT_EQ(t.sets.size(), 1u);
    EXPECT_TRUE(t.sets[0]->anonymous());
    EXPECT_EQ(t.sets[0]->init->as<front::set_expr>().items.size(), 2u);
    ASSERT_TRUE(s.run_text("flush chain ip t c"));
    EXPECT_TRUE(only_table(s).sets.empty());
}

TEST(Session, ProtocolDependenciesAreAdded) {
    ruleset_session s;
    ASSERT_TRUE(s.run_text("table inet t { chain c { tcp dport 22 accept; }; }"));
    const auto& stmts = only_table(s).find_chain("c")->rules.at(0).stmts;
    // meta l4proto tcp, tcp dport 22, accept
    ASSERT_EQ(stmts.size(), 3u);
    EXPECT_TRUE(stmts[0]->implicit);
    const auto& dep = stmts[0]->as<front::expr_stmt>().e->as<front::relational_expr>();
    ASSERT_TRUE(dep.left->is(front::expr_kind::meta));
    EXPECT_EQ(dep.right->as<front::value_expr>().value, 6u);
}

TEST(Session, StatementsOnlyInHooksThatAllowThem) {
    EXPECT_EQ(first_error("table ip t { chain c { type filter hook input priority 0; snat to 1.2.3.4; }; }"),
              "Could not process rule: Operation not supported (snat is not allowed in filter chain 'c', hook input)");
    EXPECT_EQ(first_error("table ip t { chain c { type nat hook prerouting priority dstnat; masquerade; }; }"),
              "Could not process rule: Operation not supported (masquerade is not allowed in nat chain 'c', hook "
              "prerouting)");
    // Through a jump, the base chain's hook counts.
    EXPECT_NE(first_error("table ip t {\n"
                          "\tchain base { type filter hook output priority 0; jump sub; }\n"
                          "\tchain sub { fib daddr oif missing drop; }\n"
                          "}\n"),
              "");
    EXPECT_EQ(first_error("table ip t { chain c { type nat hook forward priority 0; }; }"),
              "Could not process rule: Operation not supported");
}

TEST(Session, DefinesAndIncludes) {
    const auto dir = std::filesystem::temp_directory_path() / "nfqwall-session-test";
    std::filesystem::create_directories(dir / "conf.d");
    std::ofstream(dir / "main.nft") << "define ports = { 22, 80 }\n"
                                       "table inet t {\n"
                                       "\tinclude \"conf.d/*.nft\"\n"
                                       "}\n";
    std::ofstream(dir / "conf.d" / "a.nft") << "chain a { tcp dport $ports accept; }\n";
    std::ofstream(dir / "conf.d" / "b.nft") << "chain b { udp dport 53 accept; }\n";
    ruleset_session s;
    auto r = s.run_file((dir / "main.nft").string());
    ASSERT_TRUE(r) << errors_of(r);
    const front::table& t = only_table(s);
    ASSERT_EQ(t.chains.size(), 2u);
    EXPECT_EQ(t.chains[0]->name, "a");
    EXPECT_EQ(t.chains[1]->name, "b");
    std::filesystem::remove_all(dir);
}

TEST(Session, LongNamesAreKept) {
    ruleset_session s;
    const std::string name = "nat_PREROUTING_ZONES_SOURCE";
    ASSERT_TRUE(s.run_text("table ip t { chain " + name + " { }; chain c { jump " + name + "; }; }"));
    const auto& v = only_table(s).find_chain("c")->rules.at(0).stmts.at(0)->as<front::verdict_stmt>();
    EXPECT_EQ(front::value_string(v.e->as<front::verdict_expr>().chain->as<front::value_expr>()), name);
}

}  // namespace

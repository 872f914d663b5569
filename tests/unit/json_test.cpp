// The JSON listing (`nfqwall list -j`, nft's `-j list ruleset`): rules are written in nft's
// text syntax, evaluated by a real session and listed as libnftables JSON. Expected documents
// are what nft 1.0.6 on this host prints, in upstream 1.1.6 spelling where the two differ
// (flag lists are arrays, several flags are an OR, chains come right after their table; see
// docs/kernel-differences.md, J1..J12), or come from the upstream corpus' .json-nft dumps.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>

#include "front/json.hpp"
#include "front/rule.hpp"
#include "nfqwall/ruleset.hpp"

namespace nfqwall::front {
namespace {

struct rule_case {
    std::string_view family;
    std::string_view rule;
    std::string_view expected;  // the rule's "expr" array
};

void PrintTo(const rule_case& c, std::ostream* os) { *os << c.family << ": " << c.rule; }

// The JSON of the first rule of chain `c` in a table `t` of `family`, declared with `extra`.
std::string first_rule_json(std::string_view family, std::string_view rule, std::string_view extra = "",
                            const list_options& opts = {}) {
    ruleset_session session;
    const std::string text = "table " + std::string(family) + " t {\n" + std::string(extra) +
                             "\n\tchain c {\n\t\t" + std::string(rule) + "\n\t}\n}\n";
    auto loaded = session.run_text(text);
    if (!loaded) return "error: " + format_diagnostics(loaded.errors());
    const table& t = *session.state().tables.front();
    const chain* c = t.find_chain("c");
    if (c == nullptr || c->rules.empty()) return "no rule";
    return rule_expr_json(c->rules.front(), t.fam, opts);
}

class RuleJson : public testing::TestWithParam<rule_case> {};

TEST_P(RuleJson, ListsLikeNft) {
    const rule_case& c = GetParam();
    EXPECT_EQ(first_rule_json(c.family, c.rule), c.expected) << c.rule;
}

const rule_case matches[] = {
    {"inet", "ct state established,related accept",
     R"([{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, )"
     R"({"accept": null}])"},
    {"inet", "ct state invalid drop",
     R"([{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": "invalid"}}, {"drop": null}])"},
    {"inet", "ct state { established, related } accept",
     R"([{"match": {"op": "==", "left": {"ct": {"key": "state"}}, "right": {"set": ["established", "related"]}}}, )"
     R"({"accept": null}])"},
    {"inet", "tcp dport { 22, 80 } accept",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, )"
     R"("right": {"set": [22, 80]}}}, {"accept": null}])"},
    {"ip", "tcp dport != 22",
     R"([{"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}])"},
    {"ip", "tcp sport 1024-65535",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "sport"}}, )"
     R"("right": {"range": [1024, 65535]}}}])"},
    // nft 1.0.6 writes the mask as a list (["syn", "ack"]); 1.1 as an OR.
    {"inet", "tcp flags syn / syn,ack drop",
     R"([{"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, )"
     R"({"|": ["syn", "ack"]}]}, "right": "syn"}}, {"drop": null}])"},
    {"ip", "tcp flags ! fin,syn",
     R"([{"match": {"op": "!", "left": {"payload": {"protocol": "tcp", "field": "flags"}}, "right": ["fin", "syn"]}}])"},
    {"inet", "ip saddr 10.0.0.0/8 counter accept",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, )"
     R"("right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}}, {"counter": {"packets": 0, "bytes": 0}}, )"
     R"({"accept": null}])"},
    {"inet", "iifname \"eth*\" accept",
     R"([{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth*"}}, {"accept": null}])"},
    {"inet", "meta l4proto icmp accept",
     R"([{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "icmp"}}, {"accept": null}])"},
    {"ip", "ct mark and 0xff == 3",
     R"([{"match": {"op": "==", "left": {"&": [{"ct": {"key": "mark"}}, 255]}, "right": 3}}])"},
    {"ip", "ct original ip saddr 1.2.3.4",
     R"([{"match": {"op": "==", "left": {"ct": {"key": "ip saddr", "dir": "original"}}, "right": "1.2.3.4"}}])"},
    {"ip", "ct expiration 30s",
     R"([{"match": {"op": "==", "left": {"ct": {"key": "expiration"}}, "right": 30}}])"},
    {"ip", "icmp type echo-request icmp id 3",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "type"}}, "right": "echo-request"}}, )"
     R"({"match": {"op": "==", "left": {"payload": {"protocol": "icmp", "field": "id"}}, "right": 3}}])"},
    {"ip", "ip frag-off & 0x1fff != 0",
     R"([{"match": {"op": "!=", "left": {"&": [{"payload": {"protocol": "ip", "field": "frag-off"}}, 8191]}, )"
     R"("right": 0}}])"},
    {"ip", "ip dscp cs1",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "dscp"}}, "right": "cs1"}}])"},
    {"ip", "meta day \"Monday\"",
     R"([{"match": {"op": "==", "left": {"meta": {"key": "day"}}, "right": "Monday"}}])"},
    {"ip", "meta ipsec exists",
     R"([{"match": {"op": "==", "left": {"meta": {"key": "ipsec"}}, "right": true}}])"},
    {"ip", "ip option rr exists",
     R"([{"match": {"op": "==", "left": {"ip option": {"name": "rr"}}, "right": true}}])"},
    // Inside a match a presence test stays "oif", as nft 1.0 wrote it.
    {"inet", "fib saddr . iif oif missing drop",
     R"([{"match": {"op": "==", "left": {"fib": {"result": "oif", "flags": ["saddr", "iif"]}}, "right": false}}, )"
     R"({"drop": null}])"},
    {"inet", "fib daddr type local accept",
     R"([{"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}}, )"
     R"({"accept": null}])"},
    {"ip", "jhash ip saddr mod 2 seed 0xdead offset 1 == 1",
     R"([{"match": {"op": "==", "left": {"jhash": {"mod": 2, "seed": 57005, "offset": 1, )"
     R"("expr": {"payload": {"protocol": "ip", "field": "saddr"}}}}, "right": 1}}])"},
    {"ip", "numgen inc mod 2 offset 3 == 0",
     R"([{"match": {"op": "==", "left": {"numgen": {"mode": "inc", "mod": 2, "offset": 3}}, "right": 0}}])"},
    {"ip", "@th,16,16 22",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": 22}}])"},
    {"ip", "ip saddr . ip daddr vmap { 1.1.1.1 . 2.2.2.2 : accept }",
     R"([{"vmap": {"key": {"concat": [{"payload": {"protocol": "ip", "field": "saddr"}}, )"
     R"({"payload": {"protocol": "ip", "field": "daddr"}}]}, "data": {"set": [[{"concat": ["1.1.1.1", "2.2.2.2"]}, )"
     R"({"accept": null}]]}}}])"},
};
INSTANTIATE_TEST_SUITE_P(Matches, RuleJson, testing::ValuesIn(matches));

const rule_case statements[] = {
    {"ip", "limit rate 10/second", R"([{"limit": {"rate": 10, "burst": 5, "per": "second"}}])"},
    {"ip", "limit rate over 1 mbytes/second drop",
     R"([{"limit": {"rate": 1, "burst": 0, "per": "second", "inv": true, "rate_unit": "mbytes", )"
     R"("burst_unit": "bytes"}}, {"drop": null}])"},
    {"ip", "quota over 10 mbytes used 2 kbytes",
     R"([{"quota": {"val": 10, "val_unit": "mbytes", "inv": true, "used": 2, "used_unit": "kbytes"}}])"},
    {"ip", "ct count over 10", R"([{"ct count": {"val": 10, "inv": true}}])"},
    // nft 1.0.6 writes a flag list of one item as that item ("flags": "all").
    {"ip", "log prefix \"hey \" level info flags all",
     R"([{"log": {"prefix": "hey ", "level": "info", "flags": ["all"]}}])"},
    {"ip", "log level debug flags tcp sequence,options",
     R"([{"log": {"level": "debug", "flags": ["tcp sequence", "tcp options"]}}])"},
    {"ip", "log", R"([{"log": null}])"},
    {"inet", "reject with icmpx admin-prohibited", R"([{"reject": {"type": "icmpx", "expr": "admin-prohibited"}}])"},
    {"inet", "reject", R"([{"reject": {"type": "icmpx", "expr": "port-unreachable"}}])"},
    {"ip", "reject", R"([{"reject": {"type": "icmp", "expr": "port-unreachable"}}])"},
    {"inet", "reject with tcp reset",
     R"([{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}}, )"
     R"({"reject": {"type": "tcp reset"}}])"},
    {"ip", "meta mark set 0x10", R"([{"mangle": {"key": {"meta": {"key": "mark"}}, "value": 16}}])"},
    {"ip", "meta mark set meta mark | 0x10",
     R"([{"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"meta": {"key": "mark"}}, 16]}}}])"},
    {"ip", "ct mark set meta mark", R"([{"mangle": {"key": {"ct": {"key": "mark"}}, "value": {"meta": {"key": "mark"}}}}])"},
    {"ip", "meta priority set 1:2", R"([{"mangle": {"key": {"meta": {"key": "priority"}}, "value": "1:2"}}])"},
    {"ip", "ip ttl set 64", R"([{"mangle": {"key": {"payload": {"protocol": "ip", "field": "ttl"}}, "value": 64}}])"},
    {"ip", "dup to 1.2.3.4 device \"lo\"", R"([{"dup": {"addr": "1.2.3.4", "dev": "lo"}}])"},
    {"ip", "notrack", R"([{"notrack": null}])"},
    {"ip", "tcp dport 23 synproxy mss 1460 wscale 7 timestamp sack-perm",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 23}}, )"
     R"({"synproxy": {"mss": 1460, "wscale": 7, "flags": ["timestamp", "sack-perm"]}}])"},
    {"inet", "oifname \"eth0\" masquerade random,persistent",
     R"([{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth0"}}, )"
     R"({"masquerade": {"flags": ["random", "persistent"]}}])"},
    {"inet", "ip daddr 1.1.1.1 tcp dport 1 snat ip to 2.2.2.2:1000-2000",
     R"([{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "1.1.1.1"}}, )"
     R"({"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 1}}, )"
     R"({"snat": {"family": "ip", "addr": "2.2.2.2", "port": {"range": [1000, 2000]}}}])"},
    {"inet", "snat ip prefix to ip saddr map { 10.0.0.0/8 : 192.168.0.0/16 }",
     R"([{"snat": {"family": "ip", "addr": {"map": {"key": {"payload": {"protocol": "ip", "field": "saddr"}}, )"
     R"("data": {"set": [[{"prefix": {"addr": "10.0.0.0", "len": 8}}, {"prefix": {"addr": "192.168.0.0", "len": 16}}]]}}}, )"
     R"("flags": ["netmap"], "type_flags": ["prefix"]}}])"},
    {"ip", "return", R"([{"return": null}])"},
};
INSTANTIATE_TEST_SUITE_P(Statements, RuleJson, testing::ValuesIn(statements));

TEST(RuleJson, SetStatementsAndObjectReferences) {
    const std::string sets = "\tset s2 { type ipv4_addr . inet_service; flags timeout; }\n"
                             "\tcounter c1 { }\n";
    EXPECT_EQ(first_rule_json("inet", "update @s2 { ip saddr . tcp dport timeout 1m }", sets),
              R"([{"set": {"op": "update", "elem": {"elem": {"val": {"concat": [{"payload": {"protocol": "ip", )"
              R"("field": "saddr"}}, {"payload": {"protocol": "tcp", "field": "dport"}}]}, "timeout": 60}}, )"
              R"("set": "@s2"}}])");
    EXPECT_EQ(first_rule_json("inet", "counter name \"c1\"", sets), R"([{"counter": "c1"}])");
    EXPECT_EQ(first_rule_json("ip", "jump c2", "\tchain c2 { }"), R"([{"jump": {"target": "c2"}}])");
    // Statements of a set update list without their values (nft's set_stmt_list_json).
    EXPECT_EQ(first_rule_json("ip", "update @m { ip saddr limit rate over 6/minute } counter",
                              "\tset m { type ipv4_addr; flags dynamic; }"),
              R"([{"set": {"op": "update", "elem": {"payload": {"protocol": "ip", "field": "saddr"}}, "set": "@m", )"
              R"("stmt": [{"limit": {"rate": 6, "burst": 5, "per": "minute", "inv": true}}]}}, )"
              R"({"counter": {"packets": 0, "bytes": 0}}])");
}

TEST(RuleJson, OutputOptions) {
    list_options numeric;
    numeric.numeric_proto = true;
    EXPECT_EQ(first_rule_json("inet", "meta l4proto icmp accept", "", numeric),
              R"([{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": 1}}, {"accept": null}])");
    list_options stateless;
    stateless.stateless = true;
    EXPECT_EQ(first_rule_json("ip", "counter quota 10 mbytes used 1 mbytes", "", stateless),
              R"([{"counter": null}, {"quota": {"val": 10, "val_unit": "mbytes"}}])");
}

// Whole listings: one line, nft's separators, metainfo first, then per table the table, its
// chains, objects, sets and maps, and the rules.
TEST(RulesetJson, ListsTablesInNftOrder) {
    ruleset_session session;
    ASSERT_TRUE(session.run_text("table inet filter {\n"
                                 "\tcounter c1 { packets 1 bytes 2 }\n"
                                 "\tset s1 { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 1.1.1.1 } }\n"
                                 "\tmap m1 { type inet_service : verdict; elements = { 22 : accept, 80 : jump c2 } }\n"
                                 "\tchain c2 { }\n"
                                 "\tchain input { type filter hook input priority filter; policy drop;\n"
                                 "\t\ttcp dport vmap @m1 comment \"ssh\"\n\t}\n"
                                 "}\n"));
    EXPECT_EQ(session.list_json(),
              R"({"nftables": [{"metainfo": {"version": "1.1.6", "release_name": "Commodore Bullmoose #7", )"
              R"("json_schema_version": 1}}, )"
              R"({"table": {"family": "inet", "name": "filter", "handle": 1}}, )"
              R"({"chain": {"family": "inet", "table": "filter", "name": "c2", "handle": 1}}, )"
              R"({"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 2, "type": "filter", )"
              R"("hook": "input", "prio": 0, "policy": "drop"}}, )"
              R"({"counter": {"family": "inet", "name": "c1", "table": "filter", "handle": 3, "packets": 1, "bytes": 2}}, )"
              R"({"set": {"family": "inet", "name": "s1", "table": "filter", "type": "ipv4_addr", "handle": 4, )"
              R"("flags": ["interval"], "elem": ["1.1.1.1", {"prefix": {"addr": "10.0.0.0", "len": 8}}]}}, )"
              R"({"map": {"family": "inet", "name": "m1", "table": "filter", "type": "inet_service", "handle": 5, )"
              R"("map": "verdict", "elem": [[22, {"accept": null}], [80, {"jump": {"target": "c2"}}]]}}, )"
              R"({"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 6, "comment": "ssh", )"
              R"("expr": [{"vmap": {"key": {"payload": {"protocol": "tcp", "field": "dport"}}, "data": "@m1"}}]}}]})"
              "\n");
}

TEST(RulesetJson, SetsMapsAndObjects) {
    ruleset_session session;
    ASSERT_TRUE(session.run_text(
        "table ip t {\n"
        "\tct helper ftp { type \"ftp\" protocol tcp; l3proto ip; }\n"
        "\tct timeout cto { protocol tcp; l3proto ip; policy = { established: 100, close: 4 }; }\n"
        "\tquota q1 { over 25 mbytes used 1 kbytes }\n"
        "\tlimit l1 { rate over 1 mbytes/second burst 2 mbytes }\n"
        "\tset s2 { type ipv4_addr . inet_service; flags timeout; timeout 1h;\n"
        "\t\telements = { 1.2.3.4 . 22 timeout 10m comment \"x\" } }\n"
        "\tset s3 { type ipv4_addr; counter; elements = { 1.1.1.1 counter packets 0 bytes 0 } }\n"
        "\tmap y { type ipv4_addr : ipv4_addr . inet_service; }\n"
        "\tset ts { typeof ip saddr . tcp dport; }\n"
        "}\n"));
    const auto doc = nlohmann::ordered_json::parse(session.list_json());
    const auto& items = doc.at("nftables");
    ASSERT_EQ(items.size(), 10u);
    EXPECT_EQ(items[2].dump(), R"({"ct helper":{"family":"ip","name":"ftp","table":"t","handle":1,"type":"ftp",)"
                               R"("protocol":"tcp","l3proto":"ip"}})");
    EXPECT_EQ(items[3]["ct timeout"]["policy"].dump(), R"({"established":100,"close":4})");
    EXPECT_EQ(items[4]["quota"].dump(),
              R"({"family":"ip","name":"q1","table":"t","handle":3,"bytes":26214400,"used":1024,"inv":true})");
    EXPECT_EQ(items[5]["limit"].dump(), R"({"family":"ip","name":"l1","table":"t","handle":4,"rate":1,)"
                                        R"("per":"second","inv":true,"rate_unit":"mbytes","burst":2,"burst_unit":"mbytes"})");
    EXPECT_EQ(items[6]["set"]["type"].dump(), R"(["ipv4_addr","inet_service"])");
    EXPECT_EQ(items[6]["set"]["flags"].dump(), R"(["timeout"])");
    EXPECT_EQ(items[6]["set"]["timeout"], 3600);
    EXPECT_EQ(items[6]["set"]["elem"].dump(),
              R"([{"elem":{"val":{"concat":["1.2.3.4",22]},"timeout":600,"comment":"x"}}])");
    // One statement per element, merged into it; the set's own statements list stateless.
    EXPECT_EQ(items[7]["set"]["elem"].dump(), R"([{"elem":{"val":"1.1.1.1","counter":{"packets":0,"bytes":0}}}])");
    EXPECT_EQ(items[7]["set"]["stmt"].dump(), R"([{"counter":null}])");
    EXPECT_EQ(items[8]["map"]["map"].dump(), R"(["ipv4_addr","inet_service"])");
    EXPECT_EQ(items[9]["set"]["type"].dump(),
              R"({"typeof":{"concat":[{"payload":{"protocol":"ip","field":"saddr"}},)"
              R"({"payload":{"protocol":"tcp","field":"dport"}}]}})");
}

TEST(RulesetJson, EmptyRulesetIsMetainfoOnly) {
    ruleset_session session;
    const auto doc = nlohmann::json::parse(session.list_json());
    ASSERT_EQ(doc.at("nftables").size(), 1u);
    EXPECT_EQ(doc["nftables"][0]["metainfo"]["json_schema_version"], 1);
}

TEST(RulesetJson, StringsAreEscaped) {
    ruleset_session session;
    // As jansson writes them: backslashes escaped, UTF-8 as it is.
    ASSERT_TRUE(session.run_text("table ip t {\n\tchain c {\n\t\taccept comment \"C:\\dir \u00e9\"\n\t}\n}\n"));
    const std::string listing = session.list_json();
    EXPECT_NE(listing.find("\"comment\": \"C:\\\\dir \u00e9\""), std::string::npos) << listing;
    EXPECT_EQ(nlohmann::json::parse(listing)["nftables"][3]["rule"]["comment"], "C:\\dir \u00e9");
}

}  // namespace
}  // namespace nfqwall::front

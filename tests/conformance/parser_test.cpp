#include <gtest/gtest.h>

#include "corpus.hpp"

namespace nfqwall::conformance {
namespace {

TEST(ConformanceParser, ClassifiesLinesByFirstCharacter) {
    EXPECT_EQ(classify_line(""), line_kind::blank);
    EXPECT_EQ(classify_line("   \t"), line_kind::blank);
    EXPECT_EQ(classify_line("# BUG: something"), line_kind::comment);
    EXPECT_EQ(classify_line(":input;type filter hook input priority 0"), line_kind::chain_def);
    EXPECT_EQ(classify_line("*inet;test-inet;input"), line_kind::table_def);
    EXPECT_EQ(classify_line("!set3 type ipv4_addr flags interval;ok"), line_kind::set_def);
    EXPECT_EQ(classify_line("?set1 192.168.3.4;ok"), line_kind::element_add);
    EXPECT_EQ(classify_line("%qt1 type quota 25 mbytes;ok"), line_kind::object_def);
    EXPECT_EQ(classify_line("- tcp dport != {22-25};ok"), line_kind::skipped);
    EXPECT_EQ(classify_line("tcp dport 22;ok"), line_kind::rule);
    // '#' is a comment only in column 0.
    EXPECT_EQ(classify_line(" # not a comment;ok"), line_kind::rule);
}

TEST(ConformanceParser, SplitsRuleLines) {
    auto plain = parse_rule_line("tcp dport 22;ok");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->rule, "tcp dport 22");
    EXPECT_EQ(plain->expect, expectation::ok);
    EXPECT_FALSE(plain->canonical);
    EXPECT_EQ(plain->expected_listing(), "tcp dport 22");

    auto canon = parse_rule_line(
        "iifname \"eth0\" tcp dport 80-90 snat to 192.168.3.0-192.168.3.255;ok;"
        "iifname \"eth0\" tcp dport 80-90 snat to 192.168.3.0/24");
    ASSERT_TRUE(canon.ok());
    EXPECT_EQ(canon->rule, "iifname \"eth0\" tcp dport 80-90 snat to 192.168.3.0-192.168.3.255");
    ASSERT_TRUE(canon->canonical);
    EXPECT_EQ(*canon->canonical, "iifname \"eth0\" tcp dport 80-90 snat to 192.168.3.0/24");
    EXPECT_EQ(canon->expected_listing(), *canon->canonical);

    auto bad = parse_rule_line("snat ip to ip saddr map { 10.141.11.4 : 192.168.2.3 . 80 };fail");
    ASSERT_TRUE(bad.ok());
    EXPECT_EQ(bad->expect, expectation::fail);

    // An empty third field means "lists as itself".
    auto empty_third = parse_rule_line("meta mark 1;ok;");
    ASSERT_TRUE(empty_third.ok());
    EXPECT_FALSE(empty_third->canonical);
}

TEST(ConformanceParser, RejectsMalformedRuleLines) {
    EXPECT_FALSE(parse_rule_line("tcp dport 22").ok());
    EXPECT_FALSE(parse_rule_line("tcp dport 22;maybe").ok());
    EXPECT_FALSE(parse_rule_line("a;ok;b;c").ok());
    EXPECT_FALSE(parse_rule_line(";ok").ok());
}

TEST(ConformanceParser, ParsesChainAndTableLines) {
    auto chain = parse_chain_line(":ingress;type filter hook ingress device lo priority 0");
    ASSERT_TRUE(chain.ok());
    EXPECT_EQ(chain->name, "ingress");
    EXPECT_EQ(chain->spec, "type filter hook ingress device lo priority 0");

    auto table = parse_table_line("*ip;test-ip4;filter-input,filter-pre,nat-post-t");
    ASSERT_TRUE(table.ok());
    EXPECT_EQ(table->family, "ip");
    EXPECT_EQ(table->name, "test-ip4");
    EXPECT_EQ(table->chains, (std::vector<std::string>{"filter-input", "filter-pre", "nat-post-t"}));

    EXPECT_EQ(table_command(*table), "add table ip test-ip4");
    EXPECT_EQ(chain_command(*table, *chain),
              "add chain ip test-ip4 ingress { type filter hook ingress device lo priority 0; }");
    EXPECT_EQ(flush_command(*table), "flush table ip test-ip4");
    EXPECT_EQ(rule_command(*table, "input", "tcp dport 22"), "add rule ip test-ip4 input tcp dport 22");

    EXPECT_FALSE(parse_table_line("*ipx;t;c").ok());
    EXPECT_FALSE(parse_table_line("*ip;t").ok());
    EXPECT_FALSE(parse_table_line("*ip;t;a,,b").ok());
    EXPECT_FALSE(parse_chain_line(":input").ok());
}

TEST(ConformanceParser, ParsesSetLines) {
    table_def table{"ip", "test-ip4", {"input"}};

    auto set = parse_set_line("!set3 type ipv4_addr . ipv4_addr . inet_service flags interval;ok");
    ASSERT_TRUE(set.ok());
    EXPECT_EQ(set->name, "set3");
    EXPECT_EQ(set->key, "ipv4_addr . ipv4_addr . inet_service");
    EXPECT_EQ(set->flags, "interval");
    EXPECT_FALSE(set->is_map());
    EXPECT_EQ(set_command(table, *set),
              "add set ip test-ip4 set3 { type ipv4_addr . ipv4_addr . inet_service; flags interval; }");

    auto timeout = parse_set_line("!set2 type ipv6_addr timeout 23d23h59m59s;ok");
    ASSERT_TRUE(timeout.ok());
    EXPECT_EQ(set_command(table, *timeout), "add set ip test-ip4 set2 { type ipv6_addr; timeout 23d23h59m59s; }");

    auto map = parse_set_line("!map2 type ipv4_addr . ipv4_addr . inet_service : ipv4_addr . inet_service;ok");
    ASSERT_TRUE(map.ok());
    EXPECT_TRUE(map->is_map());
    EXPECT_EQ(set_command(table, *map), "add map ip test-ip4 map2 { type ipv4_addr . ipv4_addr . inet_service : "
                                        "ipv4_addr . inet_service; }");

    auto typeof_map = parse_set_line("!map1 typeof vlan id : meta mark;fail");
    ASSERT_TRUE(typeof_map.ok());
    EXPECT_EQ(typeof_map->expect, expectation::fail);
    EXPECT_EQ(set_command(table, *typeof_map), "add map ip test-ip4 map1 { typeof vlan id : meta mark; }");

    EXPECT_FALSE(parse_set_line("!set1 ipv4_addr;ok").ok());  // no type/typeof keyword
    EXPECT_FALSE(parse_set_line("!set1 type ipv4_addr").ok());
    EXPECT_FALSE(parse_set_line("!map1 type ipv4_addr : flags interval;ok").ok());
    EXPECT_FALSE(parse_set_line("!set1 type ipv4_addr timeout;ok").ok());
}

TEST(ConformanceParser, ParsesElementLines) {
    table_def table{"ip6", "test-ip6", {"input"}};
    auto add = parse_element_line("?set1 192.168.3.4 timeout 30s, 10.2.1.1;ok");
    ASSERT_TRUE(add.ok());
    EXPECT_EQ(add->set, "set1");
    EXPECT_EQ(add->elements, "192.168.3.4 timeout 30s, 10.2.1.1");
    EXPECT_EQ(element_command(table, *add), "add element ip6 test-ip6 set1 { 192.168.3.4 timeout 30s, 10.2.1.1 }");
    EXPECT_EQ(parse_element_line("?set2 192.168.3.4;fail")->expect, expectation::fail);
    EXPECT_FALSE(parse_element_line("?set2;ok").ok());
}

TEST(ConformanceParser, ParsesObjectLines) {
    table_def table{"ip", "test-ip4", {"input"}};

    auto quota = parse_object_line("%qt1 type quota 25 mbytes;ok");
    ASSERT_TRUE(quota.ok());
    EXPECT_EQ(quota->type, "quota");
    EXPECT_EQ(quota->spec, "25 mbytes");
    EXPECT_EQ(object_command(table, *quota), "add quota ip test-ip4 qt1 25 mbytes");

    auto counter = parse_object_line("%cnt1 type counter;ok");
    ASSERT_TRUE(counter.ok());
    EXPECT_EQ(object_command(table, *counter), "add counter ip test-ip4 cnt1");

    // The spec holds ';' and a nested '{}': the result is what follows the last '}'.
    auto timeout = parse_object_line(
        "%cttime3 type ct timeout { protocol tcp; policy = { established:132, close:16, close_wait:16 } ; "
        "l3proto ip ;};ok");
    ASSERT_TRUE(timeout.ok());
    EXPECT_EQ(timeout->name, "cttime3");
    EXPECT_EQ(timeout->type, "ct timeout");
    EXPECT_EQ(timeout->expect, expectation::ok);
    EXPECT_EQ(timeout->spec,
              "{ protocol tcp; policy = { established:132, close:16, close_wait:16 } ; l3proto ip ;}");
    EXPECT_EQ(object_command(table, *timeout),
              "add ct timeout ip test-ip4 cttime3 { protocol tcp; policy = { established:132, close:16, "
              "close_wait:16 } ; l3proto ip ;}");

    auto helper = parse_object_line("%cthelp2 type ct helper { type \"ftp\" protocol tcp; l3proto ip6; };fail");
    ASSERT_TRUE(helper.ok());
    EXPECT_EQ(helper->type, "ct helper");
    EXPECT_EQ(helper->spec, "{ type \"ftp\" protocol tcp; l3proto ip6; }");
    EXPECT_EQ(helper->expect, expectation::fail);

    auto limit = parse_object_line("%lim2 type limit rate over 1024 bytes/second burst 512 bytes;ok");
    ASSERT_TRUE(limit.ok());
    EXPECT_EQ(object_command(table, *limit), "add limit ip test-ip4 lim2 rate over 1024 bytes/second burst 512 bytes");

    EXPECT_FALSE(parse_object_line("%x type ct helper { type \"ftp\" };").ok());
    EXPECT_FALSE(parse_object_line("%x type ct helper { type \"ftp\" }").ok());
    EXPECT_FALSE(parse_object_line("%x counter;ok").ok());
    EXPECT_FALSE(parse_object_line("%x type ct;ok").ok());
}

TEST(ConformanceCompare, ExactAfterTrimmingEnds) {
    EXPECT_TRUE(listing_matches("tcp dport 22", "  tcp dport 22\t"));
    EXPECT_FALSE(listing_matches("tcp dport 22", "tcp  dport 22"));
    EXPECT_FALSE(listing_matches("tcp dport 22", "th dport 22"));
}

TEST(ConformanceCompare, FirstSetIgnoresOrderAndSpaces) {
    EXPECT_TRUE(listing_matches("ct mark { 0x00042de3, 0x00002222, 0x00000032}",
                                "ct mark { 0x00000032, 0x00002222, 0x00042de3 }"));
    EXPECT_TRUE(listing_matches("meta skuid != { 1, 0, 2} accept", "meta skuid != { 0, 1, 2 } accept"));
    // Text before '{' and from '}' on is compared exactly.
    EXPECT_FALSE(listing_matches("meta skuid != { 1, 0, 2} accept", "meta skuid { 0, 1, 2 } accept"));
    EXPECT_FALSE(listing_matches("meta skuid { 1, 0, 2} accept", "meta skuid { 0, 1, 2 } drop"));
    // Different elements, or a different number of them, do not match.
    EXPECT_FALSE(listing_matches("tcp dport { 22, 23 }", "tcp dport { 22, 24 }"));
    EXPECT_FALSE(listing_matches("tcp dport { 22, 23 }", "tcp dport { 22, 23, 23 }"));
    // Only the first set is order-insensitive.
    EXPECT_TRUE(listing_matches("tcp dport { 23, 22 } ip saddr { 1.1.1.1, 2.2.2.2 }",
                                "tcp dport { 22, 23 } ip saddr { 1.1.1.1, 2.2.2.2 }"));
    EXPECT_FALSE(listing_matches("tcp dport { 22, 23 } ip saddr { 2.2.2.2, 1.1.1.1 }",
                                 "tcp dport { 22, 23 } ip saddr { 1.1.1.1, 2.2.2.2 }"));
    // A set on one side only never matches.
    EXPECT_FALSE(listing_matches("tcp dport { 22 }", "tcp dport 22"));
    // Spaces inside elements are removed too (upstream strips every space in the braces).
    EXPECT_TRUE(listing_matches("ct mark set mark map { 1 : 10, 2 : 20 }", "ct mark set mark map { 2:20, 1:10 }"));
    // A '}' before the first '{' is not a set.
    EXPECT_FALSE(listing_matches("a } b { c", "a } b { d"));
}

TEST(ConformanceCompare, DumpNormalization) {
    EXPECT_EQ(normalize_listing("table ip t {\n\tchain c {\n\t}\n}\n"), "table ip t {\n\tchain c {\n\t}\n}\n");
    // Trailing whitespace, CRs, blank lines and the final newline do not matter...
    EXPECT_EQ(normalize_listing("table ip t { \r\n\n\tchain c {\t\n\t}\n\n}"), "table ip t {\n\tchain c {\n\t}\n}\n");
    // ...indentation does.
    EXPECT_NE(normalize_listing("table ip t {\n    chain c {\n"), normalize_listing("table ip t {\n\tchain c {\n"));
    EXPECT_EQ(normalize_listing(""), "");
    EXPECT_EQ(normalize_listing("\n\n  \n"), "");

    EXPECT_FALSE(first_difference("a\nb\n", "a\nb\n"));
    auto diff = first_difference("a\nb\nc\n", "a\nx\nc\n");
    ASSERT_TRUE(diff);
    EXPECT_EQ(diff->line, 2u);
    EXPECT_EQ(diff->expected, "b");
    EXPECT_EQ(diff->listed, "x");
    auto shorter = first_difference("a\nb\n", "a\n");
    ASSERT_TRUE(shorter);
    EXPECT_EQ(shorter->line, 2u);
    EXPECT_EQ(shorter->listed, "<end of listing>");
    auto longer = first_difference("a\n", "a\nb\n");
    ASSERT_TRUE(longer);
    EXPECT_EQ(longer->expected, "<end of dump>");
    EXPECT_EQ(longer->listed, "b");
}

TEST(ConformanceRatchet, ParsesAndFormats) {
    ratchet_values values{{"accepted_ok", 12},  {"rejected_fail", 3},  {"canonical", 10},
                          {"roundtrip_ok", 9},  {"dumps_loaded", 4},   {"dumps_roundtrip", 2}};
    auto parsed = parse_ratchet(format_ratchet(values));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, values);

    EXPECT_FALSE(parse_ratchet("accepted_ok=1\n").ok());  // missing keys
    auto text = format_ratchet(values);
    EXPECT_FALSE(parse_ratchet(text + "acepted_ok=1\n").ok());  // unknown key
    EXPECT_FALSE(parse_ratchet(text + "accepted_ok=1\n").ok());  // duplicate
    auto with = [&](std::string_view line) {
        std::string t = text;
        t.replace(t.find("accepted_ok=12\n"), 15, line);
        return t;
    };
    EXPECT_TRUE(parse_ratchet(with("accepted_ok = 7\n")).ok());
    EXPECT_FALSE(parse_ratchet(with("accepted_ok=-1\n")).ok());
    EXPECT_FALSE(parse_ratchet(with("accepted_ok=1x\n")).ok());
    EXPECT_FALSE(parse_ratchet(with("accepted_ok=\n")).ok());
    EXPECT_FALSE(parse_ratchet(with("accepted_ok 1\n")).ok());
}

}  // namespace
}  // namespace nfqwall::conformance

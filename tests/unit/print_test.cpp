// The listing printer and the listing pass: evaluated rules and rulesets printed as
// `nft list ruleset` prints them. The trees are built the way the evaluator leaves them
// (typed constants, protocol dependencies inserted as implicit matches, anonymous sets behind
// set references); expected texts come from the nftables 1.1 conformance corpus, or from nft
// 1.0.6 on this host where the corpus has no case and both versions agree.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "front/postprocess.hpp"
#include "front/print.hpp"
#include "front/proto.hpp"
#include "front/rule.hpp"
#include "front/selectors.hpp"

namespace nfqwall::front {
namespace {

const location here{};

expr_ptr field(std::string_view proto, std::string_view name) {
    const proto_desc* d = proto_lookup(proto);
    EXPECT_NE(d, nullptr) << proto;
    return make_payload(here, d, d->field_index(name));
}

expr_ptr meta(int key) { return make_meta(here, key); }

expr_ptr ct(int key, int dir = -1) { return make_ct(here, key, dir); }

// A constant typed like the expression it is compared with, as the evaluator leaves it.
expr_ptr like(const expr& left, u128 v) {
    auto e = std::make_unique<value_expr>(here, left.dtype, left.order, left.len, v);
    return e;
}

expr_ptr typed(type_id t, u128 v, uint32_t bits = 0) { return make_value(here, &dt(t), v, bits); }

expr_ptr text_value(type_id t, std::string_view s, uint32_t bits) {
    return std::make_unique<value_expr>(here, &dt(t), byte_order::host, bits, pack_string(s, bits / 8));
}

stmt_ptr match(expr_ptr left, op o, expr_ptr right, bool dependency = false) {
    auto s = std::make_unique<expr_stmt>(here, std::make_unique<relational_expr>(here, o, std::move(left), std::move(right)));
    s->implicit = dependency;
    return s;
}

stmt_ptr match(expr_ptr left, op o, u128 v, bool dependency = false) {
    expr_ptr right = like(*left, v);
    return match(std::move(left), o, std::move(right), dependency);
}

stmt_ptr verdict(verdict_code c) {
    return std::make_unique<verdict_stmt>(here, std::make_unique<verdict_expr>(here, c));
}

template <class... S>
rule make_rule(S... stmts) {
    rule r;
    (r.stmts.push_back(std::move(stmts)), ...);
    return r;
}

std::string listed(const rule& r, family fam, bool numeric = false, bool stateless = false) {
    list_options o;
    o.numeric_proto = numeric;
    o.stateless = stateless;
    return rule_text(r, fam, o);
}

constexpr u128 proto_tcp = 6;
constexpr u128 proto_udp = 17;
constexpr u128 proto_icmp = 1;
constexpr u128 nfproto_ipv4 = 2;

// Anonymous sets live in the table; tests keep them here.
struct set_store {
    std::vector<std::unique_ptr<set>> sets;

    // `{ ... }` on the right of a match with `left`: an anonymous set of typed elements.
    expr_ptr anonymous(const expr& left, std::vector<expr_ptr> keys, uint32_t flags = 0) {
        auto s = std::make_unique<set>();
        s->flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | flags;
        s->name = "__set" + std::to_string(sets.size());
        s->key = left.clone();
        s->automerge = flags & NFT_SET_INTERVAL;
        auto init = std::make_unique<set_expr>(here);
        for (auto& k : keys) init->items.push_back(std::make_unique<set_elem_expr>(here, std::move(k)));
        s->init = std::move(init);
        auto ref = std::make_unique<set_ref_expr>(here, s->name);
        ref->target = s.get();
        ref->dtype = left.dtype;
        ref->flags |= EXPR_F_CONSTANT;
        sets.push_back(std::move(s));
        return ref;
    }

    template <class... V>
    expr_ptr values(const expr& left, V... v) {
        std::vector<expr_ptr> keys;
        (keys.push_back(like(left, v)), ...);
        return anonymous(left, std::move(keys));
    }
};

// ---- protocol dependencies ----

TEST(ListingPass, TransportDependencyGoesInInet) {
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(field("tcp", "dport"), op::implicit, 22));
    EXPECT_EQ(listed(r, family::inet), "tcp dport 22");
}

TEST(ListingPass, ExplicitDependencyGoesToo) {
    // What the user wrote is as invisible to the kernel as what the evaluator added.
    rule r = make_rule(match(meta(META_L4PROTO), op::implicit, proto_tcp), match(field("tcp", "dport"), op::implicit, 22));
    EXPECT_EQ(listed(r, family::ipv4), "tcp dport 22");
}

TEST(ListingPass, LoneProtocolMatchStays) {
    rule r = make_rule(match(meta(META_L4PROTO), op::implicit, proto_tcp));
    EXPECT_EQ(listed(r, family::inet), "meta l4proto tcp");
    EXPECT_EQ(listed(r, family::inet, true), "meta l4proto 6");
}

TEST(ListingPass, NetworkDependencyGoesInInet) {
    rule r = make_rule(match(meta(META_NFPROTO), op::eq, nfproto_ipv4, true),
                       match(field("ip", "saddr"), op::implicit, 0x01020304));
    EXPECT_EQ(listed(r, family::inet), "ip saddr 1.2.3.4");
}

TEST(ListingPass, NetworkProtocolKeyStaysBeforeTransportInInet) {
    // `ip protocol tcp` restricts an inet chain to IPv4: nft keeps it.
    rule r = make_rule(match(meta(META_NFPROTO), op::eq, nfproto_ipv4, true),
                       match(field("ip", "protocol"), op::implicit, proto_tcp),
                       match(field("tcp", "dport"), op::implicit, 22));
    EXPECT_EQ(listed(r, family::inet, true), "ip protocol 6 tcp dport 22");
    EXPECT_EQ(listed(r, family::ipv4, true), "tcp dport 22");
}

TEST(ListingPass, DependencyOnlyGoesWithoutStatementsInBetween) {
    auto counter = std::make_unique<counter_stmt>(here);
    rule r = make_rule(match(meta(META_L4PROTO), op::implicit, proto_tcp), std::move(counter),
                       match(field("tcp", "dport"), op::implicit, 22));
    EXPECT_EQ(listed(r, family::ipv4, true, true), "meta l4proto 6 counter tcp dport 22");
}

TEST(ListingPass, IcmpInInetDropsBothDependencies) {
    rule r = make_rule(match(meta(META_NFPROTO), op::eq, nfproto_ipv4, true),
                       match(meta(META_L4PROTO), op::eq, proto_icmp, true),
                       match(field("icmp", "type"), op::implicit, 8));
    EXPECT_EQ(listed(r, family::inet), "icmp type echo-request");
}

TEST(ListingPass, IcmpEchoDependencySetStays) {
    set_store sets;
    auto type = field("icmp", "type");
    auto echo = sets.values(*type, 8, 0);
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_icmp, true),
                       match(std::move(type), op::eq, std::move(echo), true), match(field("icmp", "id"), op::implicit, 22));
    EXPECT_EQ(listed(r, family::ipv4), "icmp type { echo-reply, echo-request } icmp id 22");
}

TEST(ListingPass, IcmpTypeDependencyOfMtuGoes) {
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_icmp, true), match(field("icmp", "type"), op::eq, 3, true),
                       match(field("icmp", "mtu"), op::implicit, 33));
    EXPECT_EQ(listed(r, family::ipv4), "icmp mtu 33");
}

TEST(ListingPass, RawTransportLoadGetsItsName) {
    auto raw = make_payload_raw(here, proto_base::transport, 16, 16);
    rule r = make_rule(match(meta(META_L4PROTO), op::implicit, proto_tcp), match(std::move(raw), op::implicit, 22));
    EXPECT_EQ(listed(r, family::inet), "tcp dport 22");
}

TEST(ListingPass, RawLoadWithoutProtocolIsTh) {
    auto raw = make_payload_raw(here, proto_base::transport, 16, 16);
    rule r = make_rule(match(std::move(raw), op::implicit, 22));
    EXPECT_EQ(listed(r, family::inet), "th dport 22");
}

TEST(ListingPass, UnknownTransportKeepsRawLoad) {
    auto raw = make_payload_raw(here, proto_base::transport, 0, 16);
    rule r = make_rule(match(meta(META_L4PROTO), op::implicit, 91), match(std::move(raw), op::implicit, 0));
    EXPECT_EQ(listed(r, family::ipv4, true), "meta l4proto 91 @th,0,16 0x0");
}

TEST(ListingPass, MetaProtocolOfTheFamilyGoes) {
    rule r = make_rule(match(meta(META_PROTOCOL), op::implicit, 0x0800), verdict(verdict_code::accept));
    EXPECT_EQ(listed(r, family::ipv4), "accept");
}

TEST(ListingPass, AdjacentPayloadMatchesListInHeaderOrder) {
    rule r = make_rule(match(field("arp", "ptype"), op::implicit, 0x0800), match(field("arp", "htype"), op::implicit, 1),
                       match(field("arp", "hlen"), op::implicit, 6), match(field("arp", "plen"), op::implicit, 4));
    EXPECT_EQ(listed(r, family::arp), "arp htype 1 arp ptype ip arp hlen 6 arp plen 4");
}

// ---- flags, operators, types ----

TEST(ListingPass, ImplicitFlagTestListsAsCommaList) {
    rule r = make_rule(match(ct(CT_STATE), op::implicit, 0x2 | 0x4 | 0x8 | 0x40));
    EXPECT_EQ(listed(r, family::inet), "ct state established,related,new,untracked");
}

TEST(ListingPass, NegatedFlags) {
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(field("tcp", "flags"), op::neg, 0x01 | 0x04));
    EXPECT_EQ(listed(r, family::inet), "tcp flags ! fin,rst");
}

TEST(ListingPass, MaskedFlagTestBecomesFlagList) {
    auto flags = field("tcp", "flags");
    auto mask = like(*flags, 0x02 | 0x10);
    auto b = std::make_unique<binop_expr>(here, op::band, std::move(flags), std::move(mask));
    b->dtype = b->left->dtype;
    b->len = b->left->len;
    expr_ptr zero = like(*b, 0);
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(std::move(b), op::neq, std::move(zero)));
    EXPECT_EQ(listed(r, family::inet), "tcp flags syn,ack");
}

TEST(ListingPass, MaskedComparisonKeepsParenthesesAndEq) {
    auto flags = field("tcp", "flags");
    auto mask = like(*flags, 0x02 | 0x10);
    auto b = std::make_unique<binop_expr>(here, op::band, std::move(flags), std::move(mask));
    b->dtype = b->left->dtype;
    b->len = b->left->len;
    expr_ptr v = like(*b, 0x02 | 0x10);
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(std::move(b), op::eq, std::move(v)));
    EXPECT_EQ(listed(r, family::inet), "tcp flags & (syn | ack) == syn | ack");
}

TEST(ListingPass, HeaderFlagsCompareAsOneValue) {
    // Payload matches are decoded without splitting the constant (nft prints 0x12).
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(field("tcp", "flags"), op::eq, 0x12));
    EXPECT_EQ(listed(r, family::inet), "tcp flags == 0x12");
    rule single = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(field("tcp", "flags"), op::eq, 0x02));
    EXPECT_EQ(listed(single, family::inet), "tcp flags == syn");
}

TEST(ListingPass, SelectorFlagsSplitWithoutEq) {
    rule r = make_rule(match(ct(CT_STATE), op::eq, 0x2 | 0x4));
    EXPECT_EQ(listed(r, family::inet), "ct state established | related");
    rule ne = make_rule(match(ct(CT_STATE), op::neq, 0x4));
    EXPECT_EQ(listed(ne, family::inet), "ct state != related");
}

TEST(ListingPass, MarkPrefixBecomesMask) {
    auto p = std::make_unique<prefix_expr>(here, like(*meta(META_MARK), 0xffffff00), 24);
    p->dtype = p->prefix->dtype;
    p->len = 32;
    rule r = make_rule(match(meta(META_MARK), op::implicit, std::move(p)));
    EXPECT_EQ(listed(r, family::ipv4), "meta mark & 0xffffff00 == 0xffffff00");
}

TEST(ListingPass, AddressPrefixStays) {
    auto saddr = field("ip", "saddr");
    auto p = std::make_unique<prefix_expr>(here, like(*saddr, 0x0a000000), 8);
    p->dtype = saddr->dtype;
    p->len = 32;
    rule r = make_rule(match(std::move(saddr), op::implicit, std::move(p)));
    EXPECT_EQ(listed(r, family::ipv4), "ip saddr 10.0.0.0/8");
}

TEST(ListingPass, InterfaceNamesAndWildcards) {
    rule plain = make_rule(match(meta(META_IIFNAME), op::implicit, text_value(type_id::ifname, "eth0", 128)));
    EXPECT_EQ(listed(plain, family::ipv4), "iifname \"eth0\"");
    auto wildcard = std::make_unique<prefix_expr>(here, text_value(type_id::ifname, "eth", 128), 24);
    wildcard->dtype = &dt(type_id::ifname);
    rule prefix = make_rule(match(meta(META_IIFNAME), op::implicit, std::move(wildcard)));
    EXPECT_EQ(listed(prefix, family::ipv4), "iifname \"eth*\"");
    rule literal = make_rule(match(meta(META_OIFNAME), op::neq, text_value(type_id::ifname, "eth*", 128)));
    EXPECT_EQ(listed(literal, family::ipv4), "oifname != \"eth\\*\"");
}

TEST(ListingPass, MetaQualifier) {
    rule mark = make_rule(match(meta(META_MARK), op::implicit, 4));
    EXPECT_EQ(listed(mark, family::ipv4), "meta mark 0x00000004");
    rule oif = make_rule(match(meta(META_IIFTYPE), op::implicit, 1), match(meta(META_SKUID), op::lt, 3000));
    EXPECT_EQ(listed(oif, family::ipv4), "meta iiftype ether meta skuid < 3000");
}

TEST(ListingPass, SubByteRawLoadListsAsMaskedByte) {
    rule top_bit = make_rule(match(make_payload_raw(here, proto_base::ll, 0, 1), op::implicit, 1));
    EXPECT_EQ(listed(top_bit, family::ipv4), "@ll,0,8 & 0x80 == 0x80");
    // A field that does not reach the byte's top bit is recovered from the mask.
    rule inner = make_rule(match(make_payload_raw(here, proto_base::inner, 58, 6), op::implicit, 0));
    EXPECT_EQ(listed(inner, family::netdev), "@ih,58,6 0x0");
}

TEST(ListingPass, HourRangeAcrossMidnightListsReversed) {
    auto hour = meta(META_TIME_HOUR);
    auto range = std::make_unique<range_expr>(here, like(*hour, 7200), like(*hour, 79200));
    rule r = make_rule(match(std::move(hour), op::neq, std::move(range)));
    const std::string text = listed(r, family::ipv4);
    EXPECT_EQ(text.substr(0, 10), "meta hour ");
    EXPECT_EQ(text.find("!="), std::string::npos) << text;
}

TEST(ListingPass, CtDirectionOnlyWhereTheKernelKeepsIt) {
    rule proto = make_rule(match(ct(CT_PROTOCOL, 0), op::implicit, 17), match(ct(CT_PROTO_SRC, 1), op::implicit, 53));
    EXPECT_EQ(listed(proto, family::ipv4, true), "ct protocol 17 ct reply proto-src 53");
}

TEST(ListingPass, TproxyFamilyOnlyInInet) {
    auto t = std::make_unique<tproxy_stmt>(here);
    t->family = 2;
    t->addr = typed(type_id::ipaddr, 0xc0000201);
    auto inet = t->clone();
    EXPECT_EQ(listed(make_rule(std::move(t)), family::ipv4), "tproxy to 192.0.2.1");
    EXPECT_EQ(listed(make_rule(std::move(inet)), family::inet), "tproxy ip to 192.0.2.1");
}

TEST(ListingPass, FamilyGuessedWithoutTable) {
    rule r = make_rule(match(meta(META_NFPROTO), op::eq, nfproto_ipv4, true),
                       match(field("ip", "protocol"), op::implicit, proto_tcp), match(field("tcp", "dport"), op::implicit, 22));
    list_options o;
    o.numeric_proto = true;
    EXPECT_EQ(rule_text(r, o), "ip protocol 6 tcp dport 22");
}

// ---- sets ----

TEST(ListingPass, AnonymousSetElementsSorted) {
    set_store sets;
    auto dport = field("tcp", "dport");
    auto elems = sets.values(*dport, 80, 22, 23);
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(std::move(dport), op::implicit, std::move(elems)),
                       verdict(verdict_code::accept));
    EXPECT_EQ(listed(r, family::inet), "tcp dport { 22, 23, 80 } accept");
}

TEST(ListingPass, IntervalElementsMergeAndDecompose) {
    set_store sets;
    auto len = meta(META_LEN);
    std::vector<expr_ptr> keys;
    keys.push_back(std::make_unique<range_expr>(here, like(*len, 33), like(*len, 55)));
    keys.push_back(std::make_unique<range_expr>(here, like(*len, 56), like(*len, 88)));
    keys.push_back(std::make_unique<range_expr>(here, like(*len, 100), like(*len, 120)));
    keys.push_back(like(*len, 7));
    auto elems = sets.anonymous(*len, std::move(keys), NFT_SET_INTERVAL);
    rule r = make_rule(match(std::move(len), op::implicit, std::move(elems)));
    EXPECT_EQ(listed(r, family::ipv4), "meta length { 7, 33-88, 100-120 }");
}

TEST(ListingPass, AddressIntervalsListAsPrefixes) {
    set_store sets;
    auto daddr = field("ip", "daddr");
    std::vector<expr_ptr> keys;
    keys.push_back(std::make_unique<range_expr>(here, like(*daddr, 0x0a000000), like(*daddr, 0x0bffffff)));
    keys.push_back(std::make_unique<range_expr>(here, like(*daddr, 0x01020304), like(*daddr, 0x01020305)));
    keys.push_back(std::make_unique<range_expr>(here, like(*daddr, 0x01020306), like(*daddr, 0x01020308)));
    auto elems = sets.anonymous(*daddr, std::move(keys), NFT_SET_INTERVAL);
    rule r = make_rule(match(std::move(daddr), op::implicit, std::move(elems)));
    EXPECT_EQ(listed(r, family::ipv4), "ip daddr { 1.2.3.4-1.2.3.8, 10.0.0.0/7 }");
}

TEST(ListingPass, VerdictMap) {
    set_store sets;
    auto dport = field("tcp", "dport");
    auto s = std::make_unique<set>();
    s->flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_MAP;
    s->key = dport->clone();
    s->data = std::make_unique<value_expr>(here, &dt(type_id::verdict), byte_order::host, 0, 0);
    auto init = std::make_unique<set_expr>(here);
    init->items.push_back(std::make_unique<mapping_expr>(here, std::make_unique<set_elem_expr>(here, like(*dport, 80)),
                                                         std::make_unique<verdict_expr>(here, verdict_code::drop)));
    init->items.push_back(std::make_unique<mapping_expr>(here, std::make_unique<set_elem_expr>(here, like(*dport, 22)),
                                                         std::make_unique<verdict_expr>(here, verdict_code::accept)));
    s->init = std::move(init);
    auto ref = std::make_unique<set_ref_expr>(here, "__map0");
    ref->target = s.get();
    sets.sets.push_back(std::move(s));
    auto vmap = std::make_unique<map_expr>(here, std::move(dport), std::move(ref));
    rule r = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true),
                       std::make_unique<verdict_stmt>(here, std::move(vmap)));
    EXPECT_EQ(listed(r, family::inet), "tcp dport vmap { 22 : accept, 80 : drop }");
}

// ---- statements ----

TEST(ListingPass, RejectForms) {
    auto rej = std::make_unique<reject_stmt>(here);
    rej->type = reject_type::icmp_unreach;
    rej->icmp_code = 3;
    rule ip = make_rule(rej->clone());
    EXPECT_EQ(listed(ip, family::ipv4), "reject");
    auto host = std::make_unique<reject_stmt>(here);
    host->type = reject_type::icmp_unreach;
    host->icmp_code = 1;
    EXPECT_EQ(listed(make_rule(std::move(host)), family::ipv4), "reject with icmp host-unreachable");
    auto x = std::make_unique<reject_stmt>(here);
    x->type = reject_type::icmpx_unreach;
    x->icmp_code = 1;
    EXPECT_EQ(listed(make_rule(std::move(x)), family::inet), "reject");
    // In bridge tables the family comes from the dependency, which goes.
    rule bridge = make_rule(match(field("ether", "type"), op::implicit, 0x0800), std::move(rej));
    EXPECT_EQ(listed(bridge, family::bridge), "reject with icmp port-unreachable");
    auto rst = std::make_unique<reject_stmt>(here);
    rst->type = reject_type::tcp_rst;
    rule inet = make_rule(match(meta(META_L4PROTO), op::eq, proto_tcp, true), match(meta(META_MARK), op::implicit, 0x3039),
                          std::move(rst));
    EXPECT_EQ(listed(inet, family::inet, true), "meta l4proto 6 meta mark 0x00003039 reject with tcp reset");
}

TEST(ListingPass, NatRangeBecomesPrefix) {
    auto n = std::make_unique<nat_stmt>(here, nat_type::snat);
    n->addr = std::make_unique<range_expr>(here, typed(type_id::ipaddr, 0xc0a80300), typed(type_id::ipaddr, 0xc0a803ff));
    n->written_to = true;
    EXPECT_EQ(listed(make_rule(std::move(n)), family::ipv4), "snat to 192.168.3.0/24");
    auto d = std::make_unique<nat_stmt>(here, nat_type::dnat);
    d->addr = typed(type_id::ipaddr, 0x01020304);
    d->proto = typed(type_id::inet_service, 80);
    EXPECT_EQ(listed(make_rule(std::move(d)), family::inet), "dnat ip to 1.2.3.4:80");
}

TEST(ListingPass, CtEventsAsList) {
    auto s = std::make_unique<ct_stmt>(here, CT_EVENTMASK, -1, typed(type_id::ct_eventbit, 1 | 2));
    EXPECT_EQ(listed(make_rule(std::move(s)), family::ipv4), "ct event set new,related");
}

TEST(Printer, StatefulStatements) {
    auto c = std::make_unique<counter_stmt>(here);
    c->packets = 3;
    c->bytes = 120;
    auto l = std::make_unique<limit_stmt>(here);
    l->rate = 10;
    l->unit = 1;
    auto q = std::make_unique<quota_stmt>(here);
    q->bytes = 10 * 1024 * 1024;
    q->over = true;
    q->used = 2048;
    rule r = make_rule(std::move(c), std::move(l), std::move(q));
    EXPECT_EQ(listed(r, family::ipv4), "counter packets 3 bytes 120 limit rate 10/second burst 5 packets "
                                     "quota over 10 mbytes used 2 kbytes");
    EXPECT_EQ(listed(r, family::ipv4, false, true), "counter limit rate 10/second burst 5 packets quota over 10 mbytes");
}

TEST(Printer, LogAndQueue) {
    auto l = std::make_unique<log_stmt>(here);
    l->prefix = "x ";
    l->set_flags = LOG_F_PREFIX | LOG_F_LEVEL;
    l->level = 7;
    l->logflags = NF_LOG_TCPSEQ | NF_LOG_TCPOPT | NF_LOG_UID;
    auto q = std::make_unique<queue_stmt>(here);
    q->flags = NFT_QUEUE_FLAG_BYPASS | NFT_QUEUE_FLAG_CPU_FANOUT;
    q->queue = std::make_unique<range_expr>(here, typed(type_id::integer, 1, 16), typed(type_id::integer, 3, 16));
    rule r = make_rule(std::move(l), std::move(q));
    EXPECT_EQ(listed(r, family::ipv4), "log prefix \"x \" level debug flags tcp sequence,options flags skuid "
                                     "queue flags bypass,fanout to 1-3");
    auto all = std::make_unique<log_stmt>(here);
    all->logflags = NF_LOG_MASK;
    EXPECT_EQ(listed(make_rule(std::move(all), std::make_unique<queue_stmt>(here)), family::ipv4),
              "log flags all queue to 0");
}

TEST(Printer, RuleCommentAndHandle) {
    rule r = make_rule(verdict(verdict_code::drop));
    r.comment = "sl";
    r.has_comment = true;
    r.handle = 7;
    list_options o;
    o.handles = true;
    EXPECT_EQ(rule_text(r, family::ipv4, o), "drop comment \"sl\" # handle 7");
}

// ---- whole rulesets ----

std::unique_ptr<chain> base_chain(std::string name, std::string type, hook h, int32_t prio, int policy = 1) {
    auto c = std::make_unique<chain>();
    c->name = std::move(name);
    c->flags = CHAIN_F_BASECHAIN;
    c->type = std::move(type);
    c->hooknum = h;
    c->priority_value = prio;
    c->priority_set = true;
    c->policy = policy;
    return c;
}

table& add_table(ruleset& rs, family fam, std::string name) {
    auto t = std::make_unique<table>();
    t->fam = fam;
    t->name = std::move(name);
    rs.tables.push_back(std::move(t));
    return *rs.tables.back();
}

// A named set of `key_type` holding `values` (typed constants), in the table.
set& add_set(table& t, std::string name, type_id key_type, uint32_t flags, std::vector<u128> values = {}) {
    auto s = std::make_unique<set>();
    s->name = std::move(name);
    s->flags = flags;
    s->key = typed(key_type, 0);
    if (!values.empty()) {
        auto init = std::make_unique<set_expr>(here);
        for (u128 v : values) init->items.push_back(std::make_unique<set_elem_expr>(here, typed(key_type, v)));
        s->init = std::move(init);
    }
    t.sets.push_back(std::move(s));
    return *t.sets.back();
}

TEST(RulesetListing, TablesChainsAndPriorities) {
    ruleset rs;
    auto t = std::make_unique<table>();
    t->fam = family::ipv4;
    t->name = "filter";
    t->chains.push_back(base_chain("input", "filter", hook::input, 0, 0));
    t->chains.push_back(base_chain("pre", "nat", hook::prerouting, -100));
    t->chains.push_back(base_chain("post", "nat", hook::postrouting, 90));
    t->chains.push_back(base_chain("mangled", "filter", hook::output, -145));
    t->chains.push_back(base_chain("odd", "filter", hook::input, -289));
    auto regular = std::make_unique<chain>();
    regular->name = "other";
    regular->rules.push_back(make_rule(verdict(verdict_code::accept)));
    t->chains.push_back(std::move(regular));
    rs.tables.push_back(std::move(t));
    auto n = std::make_unique<table>();
    n->fam = family::netdev;
    n->name = "ingress";
    n->has_comment = true;
    n->comment = "edge";
    auto in = base_chain("in", "filter", hook::ingress, 10);
    in->devices = {"lo"};
    n->chains.push_back(std::move(in));
    rs.tables.push_back(std::move(n));
    EXPECT_EQ(list_ruleset_text(rs, {}),
              "table ip filter {\n"
              "\tchain input {\n"
              "\t\ttype filter hook input priority filter; policy drop;\n"
              "\t}\n"
              "\n"
              "\tchain pre {\n"
              "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
              "\t}\n"
              "\n"
              "\tchain post {\n"
              "\t\ttype nat hook postrouting priority srcnat - 10; policy accept;\n"
              "\t}\n"
              "\n"
              "\tchain mangled {\n"
              "\t\ttype filter hook output priority mangle + 5; policy accept;\n"
              "\t}\n"
              "\n"
              "\tchain odd {\n"
              "\t\ttype filter hook input priority -289; policy accept;\n"
              "\t}\n"
              "\n"
              "\tchain other {\n"
              "\t\taccept\n"
              "\t}\n"
              "}\n"
              "table netdev ingress {\n"
              "\tcomment \"edge\"\n"
              "\tchain in {\n"
              "\t\ttype filter hook ingress device \"lo\" priority filter + 10; policy accept;\n"
              "\t}\n"
              "}\n");
}

TEST(RulesetListing, NamedSetsWrapElements) {
    ruleset rs;
    auto t = std::make_unique<table>();
    t->fam = family::ipv4;
    t->name = "x";
    auto s = std::make_unique<set>();
    s->name = "y";
    s->key = field("ip", "saddr");
    s->key_typeof = true;
    s->stmts.push_back(std::make_unique<counter_stmt>(here));
    auto init = std::make_unique<set_expr>(here);
    for (u128 a : {0xc0a80a87u, 0xc0a80a23u, 0xc0a80a65u}) {
        auto el = std::make_unique<set_elem_expr>(here, like(*s->key, a));
        el->stmts.push_back(std::make_unique<counter_stmt>(here));
        init->items.push_back(std::move(el));
    }
    s->init = std::move(init);
    t->sets.push_back(std::move(s));
    add_set(*t, "p", type_id::inet_service, NFT_SET_TIMEOUT, {1, 2, 3, 4, 5, 6, 7}).size = 64;
    add_set(*t, "a", type_id::ipaddr, 0, {1, 2, 3});
    rs.tables.push_back(std::move(t));
    EXPECT_EQ(list_ruleset_text(rs, {}),
              "table ip x {\n"
              "\tset y {\n"
              "\t\ttypeof ip saddr\n"
              "\t\tcounter\n"
              "\t\telements = { 192.168.10.35 counter packets 0 bytes 0,\n"
              "\t\t\t     192.168.10.101 counter packets 0 bytes 0,\n"
              "\t\t\t     192.168.10.135 counter packets 0 bytes 0 }\n"
              "\t}\n"
              "\n"
              "\tset p {\n"
              "\t\ttype inet_service\n"
              "\t\tsize 64\t# count 7\n"
              "\t\tflags timeout\n"
              "\t\telements = { 1,\n"
              "\t\t\t     2,\n"
              "\t\t\t     3,\n"
              "\t\t\t     4,\n"
              "\t\t\t     5,\n"
              "\t\t\t     6,\n"
              "\t\t\t     7 }\n"
              "\t}\n"
              "\n"
              "\tset a {\n"
              "\t\ttype ipv4_addr\n"
              "\t\telements = { 0.0.0.1, 0.0.0.2,\n"
              "\t\t\t     0.0.0.3 }\n"
              "\t}\n"
              "}\n");
}

TEST(RulesetListing, Objects) {
    ruleset rs;
    auto t = std::make_unique<table>();
    t->fam = family::ipv4;
    t->name = "filter";
    auto add = [&](obj_type type, std::string name) -> obj& {
        auto o = std::make_unique<obj>();
        o->type = type;
        o->name = std::move(name);
        t->objs.push_back(std::move(o));
        return *t->objs.back();
    };
    obj& q = add(obj_type::quota, "q");
    q.quota_bytes = 1200;
    q.quota_over = true;
    obj& c = add(obj_type::counter, "c");
    c.comment = "test2";
    c.has_comment = true;
    obj& h = add(obj_type::ct_helper, "h");
    h.helper_name = "sip";
    h.l4proto = 6;
    obj& e = add(obj_type::ct_expect, "e");
    e.l4proto = 6;
    e.expect_dport = 666;
    e.expect_timeout = 100;
    e.expect_size = 96;
    obj& l = add(obj_type::limit, "l");
    l.limit_rate = 400;
    l.limit_unit = 3600;
    l.limit_burst = 5;
    obj& to = add(obj_type::ct_timeout, "cttime");
    to.l4proto = 17;
    to.timeouts = {{"replied", 12, {}}, {"unreplied", 15, {}}};
    obj& sp = add(obj_type::synproxy, "s");
    sp.syn_mss = 1460;
    sp.syn_wscale = 2;
    sp.syn_flags = NF_SYNPROXY_OPT_MSS | NF_SYNPROXY_OPT_WSCALE;
    rs.tables.push_back(std::move(t));
    EXPECT_EQ(list_ruleset_text(rs, {}),
              "table ip filter {\n"
              "\tquota q {\n\t\tover 1200 bytes\n\t}\n\n"
              "\tcounter c {\n\t\tcomment \"test2\"\n\t\tpackets 0 bytes 0\n\t}\n\n"
              "\tct helper h {\n\t\ttype \"sip\" protocol tcp\n\t\tl3proto ip\n\t}\n\n"
              "\tct expectation e {\n\t\tprotocol tcp\n\t\tdport 666\n\t\ttimeout 100ms\n\t\tsize 96\n"
              "\t\tl3proto ip\n\t}\n\n"
              "\tlimit l {\n\t\trate 400/hour\n\t}\n\n"
              "\tct timeout cttime {\n\t\tprotocol udp\n\t\tl3proto ip\n"
              "\t\tpolicy = { unreplied : 15s, replied : 12s }\n\t}\n\n"
              "\tsynproxy s {\n\t\tmss 1460\n\t\twscale 2\n\t}\n"
              "}\n");
}

TEST(RulesetListing, FlowtableAndHandles) {
    ruleset rs;
    auto t = std::make_unique<table>();
    t->fam = family::inet;
    t->name = "t";
    t->handle = 1;
    auto f = std::make_unique<flowtable>();
    f->name = "f";
    f->hooknum = hook::ingress;
    f->priority_value = 10;
    f->devices = {"lo"};
    f->handle = 2;
    t->flowtables.push_back(std::move(f));
    auto c = std::make_unique<chain>();
    c->name = "c";
    c->handle = 3;
    rule r = make_rule(std::make_unique<flow_offload_stmt>(here, "f"));
    r.handle = 4;
    c->rules.push_back(std::move(r));
    t->chains.push_back(std::move(c));
    rs.tables.push_back(std::move(t));
    list_options o;
    o.handles = true;
    EXPECT_EQ(list_ruleset_text(rs, o),
              "table inet t { # handle 1\n"
              "\tflowtable f { # handle 2\n"
              "\t\thook ingress priority filter + 10\n"
              "\t\tdevices = { \"lo\" }\n"
              "\t}\n"
              "\n"
              "\tchain c { # handle 3\n"
              "\t\tflow add @f # handle 4\n"
              "\t}\n"
              "}\n");
}

TEST(RulesetListing, ObjectMapsAndTimeoutFlag) {
    ruleset rs;
    table& t = add_table(rs, family::ipv4, "t");
    add_set(t, "m", type_id::inet_service, NFT_SET_OBJECT).objtype = obj_type::counter;
    add_set(t, "d", type_id::ipaddr, NFT_SET_EVAL | NFT_SET_TIMEOUT).timeout = 60000;
    add_set(t, "p", type_id::ipaddr, NFT_SET_TIMEOUT).timeout = 60000;
    EXPECT_EQ(list_ruleset_text(rs, {}),
              "table ip t {\n"
              "\tmap m {\n\t\ttype inet_service : counter\n\t}\n\n"
              "\tset d {\n\t\ttype ipv4_addr\n\t\tflags dynamic,timeout\n\t\ttimeout 1m\n\t}\n\n"
              "\tset p {\n\t\ttype ipv4_addr\n\t\ttimeout 1m\n\t}\n"
              "}\n");
}

TEST(RulesetListing, AnonymousSetsAreNotTableObjects) {
    ruleset rs;
    add_set(add_table(rs, family::ipv4, "t"), "__set0", type_id::inet_service, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT, {22});
    EXPECT_EQ(list_ruleset_text(rs, {}), "table ip t {\n}\n");
}

}  // namespace
}  // namespace nfqwall::front

// IPv6 extension headers, TCP options, IPv4 options, SCTP chunks and DCCP options, following
// nftables 1.1's src/exthdr.c, tcpopt.c, ipopt.c, sctp_chunk.c and dccpopt.c. Offsets and
// widths are in bits from the start of the header/option/chunk. Built on first use because
// the datatypes come from the datatype registry.
#include <array>
#include <vector>

#include "front/proto.hpp"

namespace nfqwall::front {

namespace {

constexpr uint32_t ipproto_hopopts = 0;
constexpr uint32_t ipproto_routing = 43;
constexpr uint32_t ipproto_fragment = 44;
constexpr uint32_t ipproto_dstopts = 60;
constexpr uint32_t ipproto_mh = 135;

// All option and extension header fields are big-endian loads.
proto_hdr_template field(std::string_view token, type_id t, uint32_t offset, uint32_t len) {
    proto_hdr_template tmpl;
    tmpl.token = token;
    tmpl.dtype = &dt(t);
    tmpl.order = byte_order::big;
    tmpl.offset = offset;
    tmpl.len = len;
    return tmpl;
}

proto_hdr_template integer_field(std::string_view token, uint32_t offset, uint32_t len) {
    return field(token, type_id::integer, offset, len);
}

void put(exthdr_desc& d, int index, proto_hdr_template tmpl) {
    if (d.templates.size() <= static_cast<size_t>(index))
        d.templates.resize(static_cast<size_t>(index) + 1);
    d.templates[static_cast<size_t>(index)] = tmpl;
}

exthdr_desc make(std::string_view name, exthdr_op op, uint32_t type) {
    exthdr_desc d;
    d.name = name;
    d.op = op;
    d.type = type;
    return d;
}

// Every SCTP chunk starts with type, flags and length.
exthdr_desc sctp_chunk(std::string_view name, uint32_t type) {
    exthdr_desc d = make(name, exthdr_op::sctp, type);
    put(d, SCTP_CHUNK_COMMON_TYPE, integer_field("type", 0, 8));
    put(d, SCTP_CHUNK_COMMON_FLAGS, integer_field("flags", 8, 8));
    put(d, SCTP_CHUNK_COMMON_LENGTH, integer_field("length", 16, 16));
    return d;
}

// TCP options nft only knows by presence and length.
exthdr_desc tcpopt_kind_length(std::string_view name, uint32_t kind) {
    exthdr_desc d = make(name, exthdr_op::tcpopt, kind);
    put(d, TCPOPT_COMMON_KIND, integer_field("kind", 0, 8));
    put(d, TCPOPT_COMMON_LENGTH, integer_field("length", 8, 8));
    return d;
}

// Source routing options: pointer and the first address.
exthdr_desc ipopt_route(std::string_view name, uint32_t type) {
    exthdr_desc d = make(name, exthdr_op::ipv4, type);
    put(d, IPOPT_FIELD_TYPE, integer_field("type", 0, 8));
    put(d, IPOPT_FIELD_LENGTH, integer_field("length", 8, 8));
    put(d, IPOPT_FIELD_PTR, integer_field("ptr", 16, 8));
    put(d, IPOPT_FIELD_ADDR_0, field("addr", type_id::ipaddr, 24, 32));
    return d;
}

// DCCP options are only tested for presence: the one field is the type byte.
exthdr_desc dccpopt(std::string_view name, uint32_t type) {
    exthdr_desc d = make(name, exthdr_op::dccp, type);
    put(d, DCCPOPT_FIELD_TYPE, integer_field("type", 0, 8));
    return d;
}

struct exthdr_tables {
    std::vector<exthdr_desc> ipv6, tcpopt, ipv4, sctp, dccp;
    exthdr_desc tcp_fallback;
    // Pointer views handed out by exthdr_all(); filled once the vectors stop growing.
    std::vector<const exthdr_desc*> ipv6_ptrs, tcpopt_ptrs, ipv4_ptrs, sctp_ptrs, dccp_ptrs;

    exthdr_tables() {
        build_ipv6();
        build_tcpopt();
        build_ipv4();
        build_sctp();
        build_dccp();
        for (auto [v, p] : {std::pair{&ipv6, &ipv6_ptrs}, std::pair{&tcpopt, &tcpopt_ptrs},
                            std::pair{&ipv4, &ipv4_ptrs}, std::pair{&sctp, &sctp_ptrs}, std::pair{&dccp, &dccp_ptrs}}) {
            for (const exthdr_desc& d : *v)
                p->push_back(&d);
        }
    }
    exthdr_tables(const exthdr_tables&) = delete;
    exthdr_tables& operator=(const exthdr_tables&) = delete;

    void build_ipv6() {
        exthdr_desc hbh = make("hbh", exthdr_op::ipv6, ipproto_hopopts);
        put(hbh, HBHHDR_NEXTHDR, field("nexthdr", type_id::inet_protocol, 0, 8));
        put(hbh, HBHHDR_HDRLENGTH, integer_field("hdrlength", 8, 8));
        ipv6.push_back(hbh);

        exthdr_desc rt = make("rt", exthdr_op::ipv6, ipproto_routing);
        put(rt, RTHDR_NEXTHDR, field("nexthdr", type_id::inet_protocol, 0, 8));
        put(rt, RTHDR_HDRLENGTH, integer_field("hdrlength", 8, 8));
        put(rt, RTHDR_TYPE, integer_field("type", 16, 8));
        put(rt, RTHDR_SEG_LEFT, integer_field("seg-left", 24, 8));
        ipv6.push_back(rt);

        // Routing header type 0: reserved word, then the address list (addr[1], addr[2]).
        exthdr_desc rt0 = make("rt0", exthdr_op::ipv6, ipproto_routing);
        rt0.proto_key = 0;
        put(rt0, RT0HDR_RESERVED, integer_field("reserved", 32, 32));
        put(rt0, RT0HDR_ADDR_1, field("addr[1]", type_id::ip6addr, 64, 128));
        put(rt0, RT0HDR_ADDR_1 + 1, field("addr[2]", type_id::ip6addr, 192, 128));
        ipv6.push_back(rt0);

        // Type 2 (mobile IPv6): nft declares the fields but gives them no template.
        exthdr_desc rt2 = make("rt2", exthdr_op::ipv6, ipproto_routing);
        rt2.proto_key = 2;
        rt2.templates.resize(RT2HDR_ADDR + 1);
        ipv6.push_back(rt2);

        // Type 4, segment routing header.
        exthdr_desc srh = make("srh", exthdr_op::ipv6, ipproto_routing);
        srh.proto_key = 4;
        put(srh, RT4HDR_LASTENT, integer_field("last-entry", 32, 8));
        put(srh, RT4HDR_FLAGS, integer_field("flags", 40, 8));
        put(srh, RT4HDR_TAG, integer_field("tag", 48, 16));
        put(srh, RT4HDR_SID_1, field("sid[1]", type_id::ip6addr, 64, 128));
        put(srh, RT4HDR_SID_1 + 1, field("sid[2]", type_id::ip6addr, 192, 128));
        ipv6.push_back(srh);

        exthdr_desc frag = make("frag", exthdr_op::ipv6, ipproto_fragment);
        put(frag, FRAGHDR_NEXTHDR, field("nexthdr", type_id::inet_protocol, 0, 8));
        put(frag, FRAGHDR_RESERVED, integer_field("reserved", 8, 8));
        put(frag, FRAGHDR_FRAG_OFF, integer_field("frag-off", 16, 13));
        put(frag, FRAGHDR_RESERVED2, integer_field("reserved2", 29, 2));
        put(frag, FRAGHDR_MFRAGS, integer_field("more-fragments", 31, 1));
        put(frag, FRAGHDR_ID, integer_field("id", 32, 32));
        ipv6.push_back(frag);

        exthdr_desc dst = make("dst", exthdr_op::ipv6, ipproto_dstopts);
        put(dst, DSTHDR_NEXTHDR, field("nexthdr", type_id::inet_protocol, 0, 8));
        put(dst, DSTHDR_HDRLENGTH, integer_field("hdrlength", 8, 8));
        ipv6.push_back(dst);

        exthdr_desc mh = make("mh", exthdr_op::ipv6, ipproto_mh);
        put(mh, MHHDR_NEXTHDR, field("nexthdr", type_id::inet_protocol, 0, 8));
        put(mh, MHHDR_HDRLENGTH, integer_field("hdrlength", 8, 8));
        put(mh, MHHDR_TYPE, field("type", type_id::mh_type, 16, 8));
        put(mh, MHHDR_RESERVED, integer_field("reserved", 24, 8));
        put(mh, MHHDR_CHECKSUM, integer_field("checksum", 32, 16));
        ipv6.push_back(mh);
    }

    void build_tcpopt() {
        exthdr_desc eol = make("eol", exthdr_op::tcpopt, TCPOPT_KIND_EOL);
        put(eol, TCPOPT_COMMON_KIND, integer_field("kind", 0, 8));
        tcpopt.push_back(eol);

        exthdr_desc nop = make("nop", exthdr_op::tcpopt, TCPOPT_KIND_NOP);
        put(nop, TCPOPT_COMMON_KIND, integer_field("kind", 0, 8));
        tcpopt.push_back(nop);

        exthdr_desc maxseg = tcpopt_kind_length("maxseg", TCPOPT_KIND_MAXSEG);
        put(maxseg, TCPOPT_MAXSEG_SIZE, integer_field("size", 16, 16));
        tcpopt.push_back(maxseg);

        exthdr_desc window = tcpopt_kind_length("window", TCPOPT_KIND_WINDOW);
        put(window, TCPOPT_WINDOW_COUNT, integer_field("count", 16, 8));
        tcpopt.push_back(window);

        tcpopt.push_back(tcpopt_kind_length("sack-perm", TCPOPT_KIND_SACK_PERMITTED));

        // Up to four blocks of left/right edges; blocks 1..3 repeat the tokens, the offset
        // tells them apart (listing prints "sack<offset / 64>").
        exthdr_desc sack = tcpopt_kind_length("sack", TCPOPT_KIND_SACK);
        for (int block = 0; block < 4; block++) {
            const uint32_t base = 16 + static_cast<uint32_t>(block) * 64;
            put(sack, TCPOPT_SACK_LEFT + 2 * block, integer_field("left", base, 32));
            put(sack, TCPOPT_SACK_RIGHT + 2 * block, integer_field("right", base + 32, 32));
        }
        tcpopt.push_back(sack);

        exthdr_desc ts = tcpopt_kind_length("timestamp", TCPOPT_KIND_TIMESTAMP);
        put(ts, TCPOPT_TS_TSVAL, integer_field("tsval", 16, 32));
        put(ts, TCPOPT_TS_TSECR, integer_field("tsecr", 48, 32));
        tcpopt.push_back(ts);

        tcpopt.push_back(tcpopt_kind_length("md5sig", TCPOPT_KIND_MD5SIG));

        exthdr_desc mptcp = tcpopt_kind_length("mptcp", TCPOPT_KIND_MPTCP);
        put(mptcp, TCPOPT_MPTCP_SUBTYPE, field("subtype", type_id::mptcp_subtype, 16, 4));
        tcpopt.push_back(mptcp);

        tcpopt.push_back(tcpopt_kind_length("fastopen", TCPOPT_KIND_FASTOPEN));

        // For kinds nft has no description of; it has no name and no fixed kind.
        tcp_fallback = tcpopt_kind_length("", 0);
    }

    void build_ipv4() {
        ipv4.push_back(ipopt_route("rr", IPOPT_TYPE_RR));
        ipv4.push_back(ipopt_route("lsrr", IPOPT_TYPE_LSRR));
        ipv4.push_back(ipopt_route("ssrr", IPOPT_TYPE_SSRR));

        exthdr_desc ra = make("ra", exthdr_op::ipv4, IPOPT_TYPE_RA);
        put(ra, IPOPT_FIELD_TYPE, integer_field("type", 0, 8));
        put(ra, IPOPT_FIELD_LENGTH, integer_field("length", 8, 8));
        put(ra, IPOPT_FIELD_VALUE, integer_field("value", 16, 16));
        ipv4.push_back(ra);
    }

    void build_sctp() {
        exthdr_desc data = sctp_chunk("data", SCTP_CHUNK_TYPE_DATA);
        put(data, SCTP_CHUNK_DATA_TSN, integer_field("tsn", 32, 32));
        put(data, SCTP_CHUNK_DATA_STREAM, integer_field("stream", 64, 16));
        put(data, SCTP_CHUNK_DATA_SSN, integer_field("ssn", 80, 16));
        put(data, SCTP_CHUNK_DATA_PPID, integer_field("ppid", 96, 32));
        sctp.push_back(data);

        for (auto [name, type] :
             {std::pair{"init", SCTP_CHUNK_TYPE_INIT}, std::pair{"init-ack", SCTP_CHUNK_TYPE_INIT_ACK}}) {
            exthdr_desc init = sctp_chunk(name, type);
            put(init, SCTP_CHUNK_INIT_TAG, integer_field("init-tag", 32, 32));
            put(init, SCTP_CHUNK_INIT_RWND, integer_field("a-rwnd", 64, 32));
            put(init, SCTP_CHUNK_INIT_OSTREAMS, integer_field("num-outbound-streams", 96, 16));
            put(init, SCTP_CHUNK_INIT_ISTREAMS, integer_field("num-inbound-streams", 112, 16));
            put(init, SCTP_CHUNK_INIT_TSN, integer_field("initial-tsn", 128, 32));
            sctp.push_back(init);
        }

        exthdr_desc sack = sctp_chunk("sack", SCTP_CHUNK_TYPE_SACK);
        put(sack, SCTP_CHUNK_SACK_CTSN_ACK, integer_field("cum-tsn-ack", 32, 32));
        put(sack, SCTP_CHUNK_SACK_RWND, integer_field("a-rwnd", 64, 32));
        put(sack, SCTP_CHUNK_SACK_GACK_BLOCKS, integer_field("num-gap-ack-blocks", 96, 16));
        put(sack, SCTP_CHUNK_SACK_DUP_TSNS, integer_field("num-dup-tsns", 112, 16));
        sctp.push_back(sack);

        sctp.push_back(sctp_chunk("heartbeat", SCTP_CHUNK_TYPE_HEARTBEAT));
        sctp.push_back(sctp_chunk("heartbeat-ack", SCTP_CHUNK_TYPE_HEARTBEAT_ACK));
        sctp.push_back(sctp_chunk("abort", SCTP_CHUNK_TYPE_ABORT));

        exthdr_desc shutdown = sctp_chunk("shutdown", SCTP_CHUNK_TYPE_SHUTDOWN);
        put(shutdown, SCTP_CHUNK_SHUTDOWN_CTSN_ACK, integer_field("cum-tsn-ack", 32, 32));
        sctp.push_back(shutdown);

        sctp.push_back(sctp_chunk("shutdown-ack", SCTP_CHUNK_TYPE_SHUTDOWN_ACK));
        sctp.push_back(sctp_chunk("error", SCTP_CHUNK_TYPE_ERROR));
        sctp.push_back(sctp_chunk("cookie-echo", SCTP_CHUNK_TYPE_COOKIE_ECHO));
        sctp.push_back(sctp_chunk("cookie-ack", SCTP_CHUNK_TYPE_COOKIE_ACK));

        for (auto [name, type] : {std::pair{"ecne", SCTP_CHUNK_TYPE_ECNE}, std::pair{"cwr", SCTP_CHUNK_TYPE_CWR}}) {
            exthdr_desc d = sctp_chunk(name, type);
            put(d, SCTP_CHUNK_ECNE_CWR_MIN_TSN, integer_field("lowest-tsn", 32, 32));
            sctp.push_back(d);
        }

        sctp.push_back(sctp_chunk("shutdown-complete", SCTP_CHUNK_TYPE_SHUTDOWN_COMPLETE));

        exthdr_desc asconf_ack = sctp_chunk("asconf-ack", SCTP_CHUNK_TYPE_ASCONF_ACK);
        put(asconf_ack, SCTP_CHUNK_ASCONF_SEQNO, integer_field("seqno", 32, 32));
        sctp.push_back(asconf_ack);

        exthdr_desc fwd = sctp_chunk("forward-tsn", SCTP_CHUNK_TYPE_FORWARD_TSN);
        put(fwd, SCTP_CHUNK_FORWARD_TSN_NCTSN, integer_field("new-cum-tsn", 32, 32));
        sctp.push_back(fwd);

        exthdr_desc asconf = sctp_chunk("asconf", SCTP_CHUNK_TYPE_ASCONF);
        put(asconf, SCTP_CHUNK_ASCONF_SEQNO, integer_field("seqno", 32, 32));
        sctp.push_back(asconf);
    }

    void build_dccp() {
        dccp = {
            dccpopt("padding", DCCPOPT_PADDING),
            dccpopt("mandatory", DCCPOPT_MANDATORY),
            dccpopt("slow_receiver", DCCPOPT_SLOW_RECEIVER),
            dccpopt("reserved_short", DCCPOPT_RESERVED_SHORT),
            dccpopt("change_l", DCCPOPT_CHANGE_L),
            dccpopt("confirm_l", DCCPOPT_CONFIRM_L),
            dccpopt("change_r", DCCPOPT_CHANGE_R),
            dccpopt("confirm_r", DCCPOPT_CONFIRM_R),
            dccpopt("init_cookie", DCCPOPT_INIT_COOKIE),
            dccpopt("ndp_count", DCCPOPT_NDP_COUNT),
            dccpopt("ack_vector_nonce_0", DCCPOPT_ACK_VECTOR_NONCE_0),
            dccpopt("ack_vector_nonce_1", DCCPOPT_ACK_VECTOR_NONCE_1),
            dccpopt("data_dropped", DCCPOPT_DATA_DROPPED),
            dccpopt("timestamp", DCCPOPT_TIMESTAMP),
            dccpopt("timestamp_echo", DCCPOPT_TIMESTAMP_ECHO),
            dccpopt("elapsed_time", DCCPOPT_ELAPSED_TIME),
            dccpopt("data_checksum", DCCPOPT_DATA_CHECKSUM),
            dccpopt("reserved_long", DCCPOPT_RESERVED_LONG),
            dccpopt("ccid_specific", DCCPOPT_CCID_SPECIFIC),
        };
    }

    const std::vector<exthdr_desc>& of(exthdr_op op) const {
        switch (op) {
        case exthdr_op::ipv6:
            return ipv6;
        case exthdr_op::tcpopt:
            return tcpopt;
        case exthdr_op::ipv4:
            return ipv4;
        case exthdr_op::sctp:
            return sctp;
        case exthdr_op::dccp:
            return dccp;
        }
        return ipv6;
    }

    const std::vector<const exthdr_desc*>& ptrs_of(exthdr_op op) const {
        switch (op) {
        case exthdr_op::ipv6:
            return ipv6_ptrs;
        case exthdr_op::tcpopt:
            return tcpopt_ptrs;
        case exthdr_op::ipv4:
            return ipv4_ptrs;
        case exthdr_op::sctp:
            return sctp_ptrs;
        case exthdr_op::dccp:
            return dccp_ptrs;
        }
        return ipv6_ptrs;
    }

    const exthdr_desc* by_name(exthdr_op op, std::string_view name) const {
        for (const exthdr_desc& d : of(op)) {
            if (d.name == name)
                return &d;
        }
        return nullptr;
    }
};

const exthdr_tables& tables() {
    static const exthdr_tables t;
    return t;
}

// The template of `d` at (offset, len); -1 if none.
int template_at(const exthdr_desc& d, uint32_t offset, uint32_t len) {
    for (size_t i = 0; i < d.templates.size(); i++) {
        const proto_hdr_template& t = d.templates[i];
        if (!t.token.empty() && t.offset == offset && t.len == len)
            return static_cast<int>(i);
    }
    return -1;
}

}  // namespace

const proto_hdr_template* exthdr_desc::field(std::string_view token) const {
    const int i = field_index(token);
    return i < 0 ? nullptr : &templates[static_cast<size_t>(i)];
}

int exthdr_desc::field_index(std::string_view token) const {
    if (token.empty())
        return -1;
    for (size_t i = 0; i < templates.size(); i++) {
        if (templates[i].token == token)
            return static_cast<int>(i);
    }
    return -1;
}

const proto_hdr_template* exthdr_desc::field_at(int index) const {
    if (index < 0 || static_cast<size_t>(index) >= templates.size())
        return nullptr;
    const proto_hdr_template& t = templates[static_cast<size_t>(index)];
    return t.token.empty() ? nullptr : &t;
}

const exthdr_desc* exthdr_lookup(exthdr_op op, std::string_view name) {
    const exthdr_tables& t = tables();
    if (op == exthdr_op::tcpopt) {
        const int kind = tcpopt_kind_by_name(name);
        if (kind < 0)
            return nullptr;
        return exthdr_lookup(op, static_cast<uint32_t>(kind >= TCPOPT_KIND_SACK1 ? TCPOPT_KIND_SACK : kind));
    }
    return t.by_name(op, name);
}

const exthdr_desc* exthdr_lookup(exthdr_op op, uint32_t type) {
    const exthdr_tables& t = tables();
    if (op == exthdr_op::ipv6) {
        // The routing header variants share number 43; the generic `rt` comes first.
        for (const exthdr_desc& d : t.ipv6) {
            if (d.type == type && d.proto_key < 0)
                return &d;
        }
        return nullptr;
    }
    if (op == exthdr_op::dccp) {
        // Unassigned and CCID-specific ranges share one description each.
        if (type >= 3 && type <= 31)
            type = DCCPOPT_RESERVED_SHORT;
        else if (type >= 45 && type <= 127)
            type = DCCPOPT_RESERVED_LONG;
        else if (type >= 128 && type <= 255)
            type = DCCPOPT_CCID_SPECIFIC;
    }
    for (const exthdr_desc& d : t.of(op)) {
        if (d.type == type)
            return &d;
    }
    return nullptr;
}

std::span<const exthdr_desc* const> exthdr_all(exthdr_op op) {
    return tables().ptrs_of(op);
}

exthdr_field_ref exthdr_template_find(exthdr_op op, uint32_t type, uint32_t offset, uint32_t len) {
    exthdr_field_ref ref;
    ref.desc = exthdr_lookup(op, type);
    if (ref.desc == nullptr)
        return ref;
    if (op == exthdr_op::dccp) {
        // Only the type byte is a field; anything else stays unknown.
        ref.field = template_at(*ref.desc, offset, len) == DCCPOPT_FIELD_TYPE ? DCCPOPT_FIELD_TYPE : -1;
        return ref;
    }
    ref.field = template_at(*ref.desc, offset, len);
    if (ref.field >= 0 || op != exthdr_op::ipv6 || type != ipproto_routing)
        return ref;
    // A routing header field the generic rt lacks: try the variants in nft's order.
    for (std::string_view variant : {"srh", "rt0", "rt2"}) {
        const exthdr_desc* d = exthdr_lookup(op, variant);
        const int i = template_at(*d, offset, len);
        if (i >= 0)
            return {d, i};
    }
    return ref;
}

int tcpopt_kind_by_name(std::string_view name) {
    if (name == "sack0")
        return TCPOPT_KIND_SACK;
    if (name == "sack1")
        return TCPOPT_KIND_SACK1;
    if (name == "sack2")
        return TCPOPT_KIND_SACK2;
    if (name == "sack3")
        return TCPOPT_KIND_SACK3;
    if (name == "sack-permitted")
        return TCPOPT_KIND_SACK_PERMITTED;
    const exthdr_desc* d = tables().by_name(exthdr_op::tcpopt, name);
    return (d == nullptr || name.empty()) ? -1 : static_cast<int>(d->type);
}

exthdr_field_ref tcpopt_resolve(uint32_t kind, int field) {
    // sackN left/right are sack's Nth block.
    if (kind >= TCPOPT_KIND_SACK1 && kind <= TCPOPT_KIND_SACK3) {
        const int block = static_cast<int>(kind - TCPOPT_KIND_SACK1) + 1;
        if (field == TCPOPT_SACK_LEFT || field == TCPOPT_SACK_RIGHT)
            field += 2 * block;
        kind = TCPOPT_KIND_SACK;
    }
    if (kind > 255)
        return {};
    const exthdr_desc* d = exthdr_lookup(exthdr_op::tcpopt, kind);
    if (d == nullptr) {
        d = tcpopt_fallback();
        return {d, (field == TCPOPT_COMMON_KIND || field == TCPOPT_COMMON_LENGTH) ? field : -1};
    }
    return {d, d->field_at(field) != nullptr ? field : -1};
}

const exthdr_desc* tcpopt_fallback() {
    return &tables().tcp_fallback;
}

}  // namespace nfqwall::front

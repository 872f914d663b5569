#include "daemon/eval_command.hpp"

#include <algorithm>
#include <fstream>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "compile/compile.hpp"
#include "conntrack/commands.hpp"
#include "conntrack/expect.hpp"
#include "conntrack/tracker.hpp"
#include "daemon/eval_explain.hpp"
#include "front/print.hpp"
#include "front/proto.hpp"
#include "nfqwall/ruleset.hpp"
#include "replay/capture.hpp"
#include "replay/interfaces.hpp"
#include "replay/path.hpp"
#include "replay/routes.hpp"
#include "replay/tracker_stage.hpp"

namespace nfqwall::eval {

namespace {

constexpr int exit_ok = 0;
constexpr int exit_ruleset = 1;
constexpr int exit_usage = 2;

struct tally {
    uint64_t packets = 0;
    uint64_t accepted = 0;
    uint64_t dropped = 0;  // rejected included
    uint64_t queued = 0;
    uint64_t malformed = 0;
};

std::string_view fate_word(replay::packet_fate fate) {
    switch (fate) {
    case replay::packet_fate::accepted: return "accept";
    case replay::packet_fate::dropped: return "drop";
    case replay::packet_fate::rejected: return "reject";
    case replay::packet_fate::queued: return "queue";
    }
    return "?";
}

// A value as nft prints one of the key's type ("0x00000001", "new", "1:2").
template <class Template>
std::string printed(const Template* t, uint32_t value) {
    front::value_expr v(location{}, t->dtype, t->order, t->len, value);
    front::print_ctx ctx{{}, {}};
    front::print_value(v, ctx);
    return ctx.out;
}

std::string meta_value(int key, uint32_t value) { return printed(front::meta_lookup(key), value); }

// "1 drop at forward by rules.nft:12: tcp dport 23 drop [mark 0x00000000 -> 0x00000001]"
std::string verdict_line(uint64_t number, const replay::path_outcome& o, program_names& names,
                         std::span<const uint8_t> before, std::span<const uint8_t> after, replay::link_kind link) {
    std::string line = fmt::format("{} {}", number, fate_word(o.fate));
    if (!o.seen) {
        if (o.dropped_on_receive) {
            line += o.malformed() ? " (IP header invalid: ip_rcv drops it before any hook)"
                                  : " (bad IPv4 header checksum: ip_rcv drops it before any hook)";
        } else if (o.fate == replay::packet_fate::dropped) {
            line += " (link header cut short: no hook sees it)";
        } else {
            line += fmt::format(" (not IP or ARP, ethertype 0x{:04x}: no hook sees it)", o.ethertype);
        }
    } else if (o.by_router == replay::path_outcome::router_drop::ttl_exceeded) {
        line += " (TTL or hop limit 1 or less: the router drops it before forward and answers time-exceeded)";
    } else if (o.by_router == replay::path_outcome::router_drop::no_route) {
        line += " (no route to its destination: the router drops it before any routed hook)";
    } else if (o.dropped_by_conntrack) {
        line += " by conntrack (table full, or the entry lost a clash at confirmation)";
    } else if (o.deciding == replay::path_outcome::no_step) {
        std::string hooks;
        for (size_t i = 0; i < o.step_count; ++i) {
            hooks += (i == 0 ? "" : ", ") + std::string(front::hook_name(o.steps[i].family, o.steps[i].hook));
        }
        line += fmt::format(" (no chain on {} {})", front::family_name(o.steps[0].family), hooks);
    } else {
        const replay::hook_step& step = o.steps[o.deciding];
        const vm::run_result& r = step.result;
        if (o.deciding + 1 != o.hook_count) line += fmt::format(" at {}", front::hook_name(step.family, step.hook));
        if (r.by_policy) {
            line += " by " + names.policy(r.decided_chain, r.verdict);
        } else if (r.rule != nullptr) {
            line += " by " + names.rule(r.rule_index);
        }
        if (o.fate == replay::packet_fate::rejected) {
            // The kernel drops the packet either way; it only answers the ones it may.
            line += " [reject with " + reject_text(r, step.family);
            if (o.no_reply != packet::no_reply_reason::none) {
                line += fmt::format(": no reply sent ({})", packet::describe(o.no_reply));
            }
            line += "]";
        }
        if (o.fate == replay::packet_fate::queued) line += fmt::format(" [queue num {}]", r.queue_num);
        // The rules accepted it; the helper, at the confirm hook after them, did not.
        if (o.dropped_by_helper) line += " [dropped by the conntrack helper: a command cut short, or no room for its expectation]";
    }
    if (o.meta.mark != 0) line += " [mark " + meta_value(front::META_MARK, 0) + " -> " + meta_value(front::META_MARK, o.meta.mark) + "]";
    if (o.meta.priority != 0) {
        line += " [priority " + meta_value(front::META_PRIORITY, 0) + " -> " + meta_value(front::META_PRIORITY, o.meta.priority) + "]";
    }
    if (o.modified) {
        for (const std::string& change : describe_rewrites(before, after, link, o.network_offset, o.protocol)) {
            line += " [" + change + "]";
        }
    }
    if (o.malformed()) line += fmt::format(" [malformed: {}]", packet::to_string(o.status));
    return line;
}

// "  conntrack: new, id 2877405553": the state `ct state` saw after the lookup and `ct id`.
std::string conntrack_line(const replay::tracker_stage::looked_up& ct) {
    if (ct.state == 0) return "";
    std::string line = "  conntrack: " + printed(front::ct_lookup(front::CT_STATE), ct.state);
    if (ct.has_id) line += fmt::format(", id {}", ct.id);
    return line + "\n";
}

bool readable(const std::string& path) { return std::ifstream(path).good(); }

bool uses_interface_kinds(const compile::program& p) {
    return std::any_of(p.code.begin(), p.code.end(), [](const compile::insn& in) {
        return in.op == compile::opcode::meta_load && (in.aux == front::META_IIFKIND || in.aux == front::META_OIFKIND);
    });
}

}  // namespace

int run_eval(const eval_options& options, std::ostream& out, std::ostream& err) {
    auto usage = [&](const std::string& message) {
        err << "nfqwall eval: " << message << "\n";
        return exit_usage;
    };

    replay::path_config config;
    if (!options.hooks.empty()) {
        std::string error;
        if (!replay::parse_hooks(options.hooks, config.hooks, error)) return usage("--hook: " + error);
    }
    // Interfaces are numbered in the order named here, then as the capture names them.
    replay::interface_table interfaces;
    for (const std::string* name : {&options.iif, &options.oif}) {
        if (name->size() > 15) return usage("interface name longer than 15 characters: " + *name);
    }
    for (const std::string& spec : options.if_kinds) {
        const size_t eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size()) return usage("--if-kind " + spec + ": expected NAME=KIND");
        if (eq > 15) return usage("interface name longer than 15 characters: " + spec.substr(0, eq));
        if (spec.size() - eq - 1 > 15) return usage("--if-kind " + spec + ": a kind is at most 15 characters");
        interfaces.set_kind(std::string_view(spec).substr(0, eq), std::string_view(spec).substr(eq + 1));
    }
    if (!options.iif.empty()) config.iif = &interfaces.get(options.iif);
    if (!options.oif.empty()) config.oif = &interfaces.get(options.oif);
    replay::route_table routes(interfaces);
    for (const std::string& spec : options.routes) {
        std::string error;
        if (!routes.add(spec, error)) return usage("--route " + spec + ": " + error);
    }
    if (!routes.empty()) config.routes = &routes;

    if (!readable(options.ruleset)) return usage("cannot read the ruleset " + options.ruleset);
    ruleset_session session;
    if (auto loaded = session.run_file(options.ruleset); !loaded) {
        err << format_diagnostics(loaded.errors());
        return exit_ruleset;
    }

    std::string error;
    auto capture = replay::capture_reader::open(options.capture, error);
    if (!capture) return usage(error);  // libpcap's messages name the file
    config.link = capture->link();
    std::unique_ptr<replay::capture_writer> writer;
    if (!options.out.empty()) {
        writer = replay::capture_writer::create(options.out, capture->datalink(), capture->snaplen(), error);
        if (!writer) return usage(options.out + ": " + error);
    }

    // The first packet's time starts the clock: element timeouts count from it.
    replay::captured_packet packet;
    auto status = capture->next(packet);
    compile::compile_options compile_opts;
    if (status == replay::capture_reader::read_status::packet) compile_opts.now_ns = packet.time_ns;
    compile::compile_report report;
    auto compiled = compile::compile_ruleset(session.state(), compile_opts, &report);
    if (!compiled) {
        err << format_diagnostics(compiled.errors());
        return exit_ruleset;
    }
    for (const std::string& line : report.unsupported) err << "nfqwall eval: warning: " << line << "\n";

    conntrack::config ct_settings;
    if (!options.ct_config.empty()) {
        std::ifstream file(options.ct_config);
        if (!file) return usage("--ct-config: cannot read " + options.ct_config);
        std::stringstream text;
        text << file.rdbuf();
        std::string error;
        if (!conntrack::parse_config(text.str(), ct_settings, &error)) return usage("--ct-config: " + options.ct_config + ": " + error);
    }
    // Loading a rule that reads `ct bytes`, `ct packets` or `ct avgpkt` turns the kernel's
    // accounting on for the namespace (nft_ct_get_init sets nf_conntrack_acct to 1), whatever
    // the sysctl said: the same here, also over --ct-config.
    for (const auto& in : compiled.value()->code)
        if (in.op == compile::opcode::ct_load &&
            (in.aux == front::CT_BYTES || in.aux == front::CT_PKTS || in.aux == front::CT_AVGPKT))
            ct_settings.acct = true;
    // A fixed hash seed: `ct id`s and the --ct-list order reproduce from run to run. One
    // thread replays, so the table needs no locks.
    if (ct_settings.hash_seed == 0) ct_settings.hash_seed = 0x6e6671776c6c;
    conntrack::tracker tracker(ct_settings, conntrack::threading::single);
    // Expectations and helpers: `ct helper set`, the FTP helper, `ct expectation set`.
    conntrack::expect_table expectations(tracker);
    replay::tracker_stage tracking(tracker, &expectations);
    tracking.keep_lookups(options.trace);
    config.conntrack = &tracking;

    vm::engine engine(std::move(compiled.value()));
    program_names names(session.state(), engine.program());
    replay::path_runner runner(engine, config);
    std::string details;
    packet_explainer explainer(names, options.trace, &routes, details);
    explainer.set_conntrack([&tracking] { return tracking.current(); });
    vm::services services;
    services.fib = &routes;
    services.log = &explainer;
    if (options.trace) services.trace = &explainer;

    tally counts;
    uint64_t last_time_ns = 0;
    std::vector<uint8_t> frame;  // the working copy payload statements rewrite
    std::vector<uint8_t> routed;  // the capture's packet with the router's own changes
    for (; status == replay::capture_reader::read_status::packet; status = capture->next(packet)) {
        ++counts.packets;
        last_time_ns = packet.time_ns;
        frame.assign(packet.bytes.begin(), packet.bytes.end());
        const vm::interface_info* capture_iif = nullptr;
        if (packet.interface_name != nullptr) capture_iif = &interfaces.get(*packet.interface_name);
        details.clear();
        tracking.next_packet();
        const replay::path_outcome o = runner.run(frame, packet.time_ns, capture_iif, services, &explainer);

        // The router's TTL decrement is not a rewrite of the ruleset's: compare with the packet
        // as the router alone would have left it.
        std::span<const uint8_t> before = packet.bytes;
        if (o.ttl_decremented && o.modified) {
            routed.assign(packet.bytes.begin(), packet.bytes.end());
            replay::decrease_ttl(std::span<uint8_t>(routed).subspan(o.network_offset), o.protocol == packet::network_protocol::ipv4);
            before = routed;
        }
        out << verdict_line(counts.packets, o, names, before, frame, config.link) << "\n";
        if (options.trace) out << conntrack_line(tracking.last());
        out << details;
        if (o.malformed()) ++counts.malformed;
        switch (o.fate) {
        case replay::packet_fate::accepted:
            ++counts.accepted;
            if (writer) writer->write(packet.time_ns, frame, packet.wire_length);
            break;
        case replay::packet_fate::queued: ++counts.queued; break;
        default: ++counts.dropped; break;
        }
    }
    out.flush();

    int code = exit_ok;
    if (status == replay::capture_reader::read_status::error) {
        err << "nfqwall eval: " << options.capture << ": " << capture->error() << "\n";
        code = exit_usage;
    }
    if (writer && !writer->close()) {
        err << "nfqwall eval: " << options.out << ": could not write the capture\n";
        code = exit_usage;
    }
    // meta iifkind/oifkind fail on an interface without a kind, as on a kernel device
    // without rtnl_link_ops: a capture carries no kinds, so say which interfaces lacked one.
    if (uses_interface_kinds(engine.program())) {
        std::string unknown;
        for (const vm::interface_info& i : interfaces.all()) {
            if (i.kind[0] == '\0' && i.name_view() != "lo") unknown += (unknown.empty() ? "" : ", ") + std::string(i.name_view());
        }
        if (!unknown.empty()) {
            err << "nfqwall eval: warning: the ruleset matches meta iifkind/oifkind, but no kind is known for " << unknown
                << ": those matches fail there (give --if-kind NAME=KIND)\n";
        }
    }
    err << fmt::format("nfqwall eval: {} packets, {} accepted, {} dropped, {} queued, {} malformed\n", counts.packets,
                       counts.accepted, counts.dropped, counts.queued, counts.malformed);
    if (options.ct_list) {
        // As `conntrack -L` prints it, at the time of the last packet (the `ct list` command).
        const std::string list_command[] = {"list"};
        const conntrack::command_result listed = conntrack::run_command(tracker, list_command, last_time_ns);
        out << listed.out;
        out.flush();
        err << listed.err;
    }
    if (options.ct_list_expect) {
        const std::string list_command[] = {"list", "expect"};
        const conntrack::command_result listed =
            conntrack::run_command(tracker, list_command, last_time_ns, {}, &expectations);
        out << listed.out;
        out.flush();
        err << listed.err;
    }
    return code;
}

}  // namespace nfqwall::eval

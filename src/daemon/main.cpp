// The nfqwall command line: one binary, one subcommand per job.
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "compile/compile.hpp"
#include "daemon/eval_command.hpp"
#include "nfqwall/ruleset.hpp"

namespace {

int run_check(const std::string& file) {
    nfqwall::ruleset_session session;
    auto r = session.run_file(file);
    if (!r) {
        std::cerr << nfqwall::format_diagnostics(r.errors());
        return 1;
    }
    return 0;
}

int run_list(const std::string& file, bool json, bool bytecode, const nfqwall::list_options& opts) {
    nfqwall::ruleset_session session;
    auto r = session.run_file(file);
    if (!r) {
        std::cerr << nfqwall::format_diagnostics(r.errors());
        return 1;
    }
    if (bytecode) {
        nfqwall::compile::compile_report report;
        auto program = nfqwall::compile::compile_ruleset(session.state(), {}, &report);
        if (!program) {
            std::cerr << nfqwall::format_diagnostics(program.errors());
            return 1;
        }
        for (const auto& line : report.unsupported) std::cerr << line << "\n";
        std::cout << nfqwall::compile::bytecode_listing(**program);
        return 0;
    }
    std::cout << (json ? session.list_json(opts) : session.list_ruleset(opts));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"nfqwall: a stateful firewall speaking the nftables language, in userspace behind NFQUEUE"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("nfqwall 0.1.0"));

    std::string check_file;
    auto* check = app.add_subcommand("check", "Check a ruleset file: exit 0 when valid, else print located errors");
    check->add_option("-f,--file", check_file, "Ruleset file (nft syntax)")->required();

    std::string list_file;
    bool list_json = false;
    nfqwall::list_options list_opts;
    auto* list = app.add_subcommand("list", "Print a ruleset file the way `nft list ruleset` prints it once loaded");
    list->add_option("-f,--file", list_file, "Ruleset file (nft syntax)")->required();
    list->add_flag("-j,--json", list_json, "Print libnftables JSON");
    list->add_flag("-p,--numeric-protocol", list_opts.numeric_proto, "Print protocols numerically");
    list->add_flag("-s,--stateless", list_opts.stateless, "Omit counter and quota values");
    list->add_flag("-a,--handle", list_opts.handles, "Print rule handles");
    bool list_bytecode = false;
    list->add_flag("--bytecode", list_bytecode, "Print the compiled bytecode of every chain instead");

    nfqwall::eval::eval_options eval_opts;
    auto* eval = app.add_subcommand("eval", "Replay a capture through the ruleset offline: one verdict line per packet");
    eval->add_option("-f,--file", eval_opts.ruleset, "Ruleset file (nft syntax)")->required();
    eval->add_option("--pcap", eval_opts.capture, "Capture to replay (pcap or pcapng)")->required();
    eval->add_option("--iif", eval_opts.iif, "Input interface of packets the capture names none for");
    auto* oif = eval->add_option("--oif", eval_opts.oif, "Output interface of every packet");
    eval->add_option("--route", eval_opts.routes, "CIDR=IF or default=IF: output interface by destination (first match)")
        ->excludes(oif);
    eval->add_option("--if-kind", eval_opts.if_kinds, "NAME=KIND: the link kind of an interface (meta iifkind/oifkind)");
    eval->add_option("--hook", eval_opts.hooks, "Hooks in order (default prerouting,forward,postrouting)");
    eval->add_option("--out", eval_opts.out, "Write the packets that passed, as rewritten (pcap)");
    eval->add_flag("--trace", eval_opts.trace, "Print every rule each packet met and why it did not match");
    eval->add_flag("--ct-list", eval_opts.ct_list, "Print the connection table at the end (conntrack -L format)");
    eval->add_flag("--ct-list-expect", eval_opts.ct_list_expect,
                   "Print the pending expectations at the end (conntrack -L expect format)");
    eval->add_option("--ct-config", eval_opts.ct_config,
                     "Connection tracker settings: `nf_conntrack_* = value` lines, as the sysctls");

    // Usage errors exit 2, like the other failures of reading the command line's files.
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }

    if (*check) return run_check(check_file);
    if (*list) return run_list(list_file, list_json, list_bytecode, list_opts);
    if (*eval) return nfqwall::eval::run_eval(eval_opts, std::cout, std::cerr);
    return 2;
}

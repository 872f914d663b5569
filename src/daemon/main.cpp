// The nfqwall command line: one binary, one subcommand per job.
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

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

int run_list(const std::string& file, bool json, const nfqwall::list_options& opts) {
    nfqwall::ruleset_session session;
    auto r = session.run_file(file);
    if (!r) {
        std::cerr << nfqwall::format_diagnostics(r.errors());
        return 1;
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

    CLI11_PARSE(app, argc, argv);

    if (*check) return run_check(check_file);
    if (*list) return run_list(list_file, list_json, list_opts);
    return 2;
}

// nfqwall_conformance: replays the nftables project's own conformance corpus through nfqwall's
// front end (the tests/py/*.t rule files and the tests/shell dumps; see the corpus's FORMAT.md),
// prints how much of it passes, and compares the totals with a ratchet of recorded minimums.
//
// Exit codes: 0 = ran (and the ratchet, if given, held); 1 = a total dropped below the ratchet;
// 2 = usage or I/O error; 77 = corpus not found (ctest's SKIP_RETURN_CODE).
//
// How lines are judged (FORMAT.md leaves these to the runner; each choice is the stricter one):
// - One session per .t file holds all its tables, as upstream's one kernel ruleset does. A rule
//   line runs in every (table, chain) of the '*' lines before it: `flush table`, then
//   `add rule`, as two separate transactions like upstream's two nft calls.
// - A run whose table or chain could not be created is "not run": it counts neither as accepted
//   nor as rejected. Otherwise a front end that cannot even create tables would "reject" all 216
//   fail-lines. A flush that fails, or a front-end call that throws, is likewise neither.
// - ok-line: accepted = accepted in all its runs; canonical = each listing (list_rules with -p
//   and -s) is exactly one rule matching the expected text (listing_matches in corpus.hpp);
//   round-trip = in each run the listed form, added again, is accepted and lists the same
//   (compared with listing_matches too, since nft may print set elements in another order).
// - fail-line: rejected = rejected (with diagnostics) in all its runs.
// - A family's numbers count the lines that run in that family, judged on those runs only.
// - '!', '?', '%' lines go to every table created so far and count as "as expected" only when
//   they give the expected result in all of them; they are reported apart from the rule lines.
// - Dumps: loaded = run_text of the file in a fresh session succeeds; round-trip = loaded and
//   list_ruleset() equals the file after normalize_listing (trailing whitespace and blank lines
//   ignored, indentation significant). An empty dump passes only if the empty text loads and
//   the listing is empty.

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "corpus.hpp"
#include "nfqwall/ruleset.hpp"

#ifndef NFQWALL_CONFORMANCE_DEFAULT_DIR
#define NFQWALL_CONFORMANCE_DEFAULT_DIR "../shared/conformance/nft-tests"
#endif

namespace fs = std::filesystem;
using nlohmann::json;

namespace nfqwall::conformance {
namespace {

struct options {
    std::string corpus;
    bool verbose = false;
    std::string filter;
    std::string ratchet;
    std::string write_ratchet;
    std::string json_path;
};

// ---------------------------------------------------------------------------------------------
// Calling the front end. Every call is guarded: a front end under construction may throw, and a
// bad corpus line must never take the runner down. A throw is neither an acceptance nor a
// rejection (upstream likewise does not count an nft abort as a rejection).

enum class call_status : uint8_t { ok, rejected, crashed };

struct call_outcome {
    call_status status = call_status::ok;
    std::string message;  // the diagnostics (rejected) or the exception text (crashed)
};

std::string indent_continuation(std::string text, std::string_view indent) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\n') out += indent;
    }
    return out;
}

call_outcome run_command(ruleset_session& session, std::string_view text, std::string name = "<cmdline>") {
    try {
        auto r = session.run_text(text, std::move(name));
        if (r.ok()) return {};
        // Formatted right away: the diagnostics point into source text the session owns.
        std::string message = format_diagnostics(r.errors());
        if (message.empty()) message = "rejected without a diagnostic";
        while (!message.empty() && message.back() == '\n') message.pop_back();
        return {call_status::rejected, std::move(message)};
    } catch (const std::exception& e) {
        return {call_status::crashed, fmt::format("exception: {}", e.what())};
    } catch (...) {
        return {call_status::crashed, "exception of unknown type"};
    }
}

struct listing_outcome {
    std::vector<std::string> rules;
    std::string error;  // non-empty when listing threw
};

listing_outcome list_chain(const ruleset_session& session, const table_def& table, std::string_view chain) {
    list_options opts;
    opts.numeric_proto = true;  // upstream lists with -p
    opts.stateless = true;      // and -s
    try {
        return {session.list_rules(table.family, table.name, chain, opts), {}};
    } catch (const std::exception& e) {
        return {{}, fmt::format("listing threw: {}", e.what())};
    } catch (...) {
        return {{}, "listing threw an exception of unknown type"};
    }
}

// ---------------------------------------------------------------------------------------------
// Results.

enum class run_status : uint8_t {
    not_run,   // its table or chain could not be created, so the line proves nothing there
    error,     // the flush before the rule failed, or the front end threw
    accepted,  // `add rule` succeeded
    rejected,  // `add rule` failed with diagnostics
};

const char* to_string(run_status s) {
    switch (s) {
        case run_status::not_run: return "not_run";
        case run_status::error: return "error";
        case run_status::accepted: return "accepted";
        case run_status::rejected: return "rejected";
    }
    return "?";
}

// One rule line in one (table, chain).
struct run_record {
    std::string family;
    std::string table;
    std::string chain;
    run_status status = run_status::not_run;
    std::string error;  // why not accepted, or what went wrong around it
    // For accepted ok-lines only:
    std::optional<std::string> listing;  // the single listed rule, when exactly one was listed
    std::string listing_error;           // why the listing does not match
    bool canonical = false;
    bool roundtrip = false;
    std::string roundtrip_error;
};

struct line_record {
    std::string file;  // relative to the corpus
    std::string dir;   // tests/py/<dir>
    size_t number = 0;
    rule_line rule;
    std::vector<run_record> runs;
};

// How one line did, over all its runs or over the runs of one family.
struct line_outcome {
    bool present = false;  // the line has runs in the selection
    bool accepted = false;
    bool canonical = false;
    bool roundtrip = false;
    bool rejected = false;
};

line_outcome outcome_of(const line_record& line, const std::string* family) {
    line_outcome o;
    o.accepted = o.canonical = o.roundtrip = o.rejected = true;
    for (const auto& run : line.runs) {
        if (family && run.family != *family) continue;
        o.present = true;
        o.accepted = o.accepted && run.status == run_status::accepted;
        o.canonical = o.canonical && run.status == run_status::accepted && run.canonical;
        o.roundtrip = o.roundtrip && run.status == run_status::accepted && run.roundtrip;
        o.rejected = o.rejected && run.status == run_status::rejected;
    }
    if (!o.present) o.accepted = o.canonical = o.roundtrip = o.rejected = false;
    // A line that runs nowhere (no table before it) still counts in the totals, as not passing.
    if (!family && line.runs.empty()) o.present = true;
    return o;
}

struct tally {
    uint64_t ok_lines = 0;
    uint64_t accepted = 0;
    uint64_t canonical = 0;
    uint64_t roundtrip = 0;
    uint64_t explicit_lines = 0;  // ok-lines with a third (canonical) field
    uint64_t explicit_canonical = 0;
    uint64_t fail_lines = 0;
    uint64_t rejected = 0;

    void add(const line_record& line, const line_outcome& o) {
        if (!o.present) return;
        if (line.rule.expect == expectation::fail) {
            ++fail_lines;
            rejected += o.rejected;
            return;
        }
        ++ok_lines;
        accepted += o.accepted;
        canonical += o.canonical;
        roundtrip += o.roundtrip;
        if (line.rule.canonical) {
            ++explicit_lines;
            explicit_canonical += o.canonical;
        }
    }

    std::string format(std::string_view label) const {
        return fmt::format(
            "{}: accepted {}/{} ok-lines, rejected {}/{} fail-lines, canonical {}/{}, canonical-explicit {}/{}, "
            "round-trip {}/{}",
            label, accepted, ok_lines, rejected, fail_lines, canonical, ok_lines, explicit_canonical,
            explicit_lines, roundtrip, ok_lines);
    }
};

// The '!', '?' and '%' lines and the tables/chains: not conformance lines themselves, but a
// failure here changes what later lines can do, so it is counted and shown separately.
struct setup_tally {
    uint64_t tables = 0, tables_ok = 0;
    uint64_t chains = 0, chains_ok = 0;
    uint64_t lines = 0, lines_as_expected = 0;
    uint64_t skipped = 0;    // '-' lines
    uint64_t malformed = 0;  // lines the runner could not parse
    uint64_t crashes = 0;    // front-end calls that threw
};

struct dump_tally {
    uint64_t dumps = 0, loaded = 0, roundtrip = 0;
};

struct report {
    std::map<std::string, tally> by_dir;
    std::map<std::string, tally> by_family;
    tally total;
    setup_tally setup;
    dump_tally dumps;
    json json_lines = json::array();
    json json_setup = json::array();
    json json_dumps = json::array();
    bool want_json = false;
};

// ---------------------------------------------------------------------------------------------
// Replaying one .t file. One session holds all the file's tables, as upstream's single kernel
// ruleset does; a rule is tried in every (table, chain) after `flush table`.

struct chain_state {
    std::string name;
    bool ok = false;
    std::string error;
};

struct table_state {
    table_def def;
    size_t line = 0;
    bool ok = false;
    std::string error;
    std::vector<chain_state> chains;
};

class file_replayer {
public:
    file_replayer(std::string rel_path, std::string dir, const options& opts, report& rep)
        : path_(std::move(rel_path)), dir_(std::move(dir)), opts_(opts), rep_(rep) {}

    void replay(std::istream& in) {
        std::string raw;
        size_t number = 0;
        while (std::getline(in, raw)) {
            ++number;
            if (!raw.empty() && raw.back() == '\r') raw.pop_back();
            try {
                replay_line(raw, number);
            } catch (const std::exception& e) {
                // Belt and braces: nothing in replay_line should throw past the guarded calls.
                warn(number, fmt::format("internal error: {}", e.what()));
            }
        }
    }

private:
    void warn(size_t number, std::string_view message) {
        std::cerr << fmt::format("{}:{}: warning: {}\n", path_, number, message);
    }

    void malformed(size_t number, std::string_view line, const failure& f) {
        ++rep_.setup.malformed;
        std::string why = f.errors.empty() ? "malformed" : f.errors.front().message;
        warn(number, fmt::format("skipping malformed line ({}): {}", why, line));
    }

    call_outcome call(std::string_view command) {
        auto outcome = run_command(session_, command);
        if (outcome.status == call_status::crashed) ++rep_.setup.crashes;
        return outcome;
    }

    void replay_line(const std::string& line, size_t number) {
        switch (classify_line(line)) {
            case line_kind::blank:
            case line_kind::comment: return;
            case line_kind::skipped: ++rep_.setup.skipped; return;
            case line_kind::chain_def: return define_chain(line, number);
            case line_kind::table_def: return create_table(line, number);
            case line_kind::set_def: {
                auto set = parse_set_line(line);
                if (!set) return malformed(number, line, std::move(set).take_failure());
                return setup_line(line, number, "set", set->expect,
                                  [&](const table_def& t) { return set_command(t, *set); });
            }
            case line_kind::element_add: {
                auto add = parse_element_line(line);
                if (!add) return malformed(number, line, std::move(add).take_failure());
                return setup_line(line, number, "element", add->expect,
                                  [&](const table_def& t) { return element_command(t, *add); });
            }
            case line_kind::object_def: {
                auto object = parse_object_line(line);
                if (!object) return malformed(number, line, std::move(object).take_failure());
                return setup_line(line, number, "object", object->expect,
                                  [&](const table_def& t) { return object_command(t, *object); });
            }
            case line_kind::rule: {
                auto rule = parse_rule_line(line);
                if (!rule) return malformed(number, line, std::move(rule).take_failure());
                return replay_rule(std::move(rule).value(), number);
            }
        }
    }

    void define_chain(const std::string& line, size_t number) {
        auto chain = parse_chain_line(line);
        if (!chain) return malformed(number, line, std::move(chain).take_failure());
        // Upstream looks chains up by name and takes the first definition.
        if (!chain_defs_.emplace(chain->name, *chain).second) {
            warn(number, fmt::format("chain '{}' is defined twice; keeping the first definition", chain->name));
        }
    }

    void create_table(const std::string& line, size_t number) {
        auto def = parse_table_line(line);
        if (!def) return malformed(number, line, std::move(def).take_failure());
        for (const auto& t : tables_) {
            if (t.def.family == def->family && t.def.name == def->name) {
                warn(number, fmt::format("table {} {} is declared twice; ignoring this line", def->family, def->name));
                ++rep_.setup.malformed;
                return;
            }
        }
        table_state table{*def, number, false, {}, {}};
        ++rep_.setup.tables;
        auto created = call(table_command(table.def));
        table.ok = created.status == call_status::ok;
        if (table.ok) {
            ++rep_.setup.tables_ok;
        } else {
            table.error = created.message;
        }
        for (const auto& name : table.def.chains) {
            chain_state chain{name, false, {}};
            ++rep_.setup.chains;
            auto it = chain_defs_.find(name);
            if (it == chain_defs_.end()) {
                chain.error = fmt::format("chain '{}' has no ':' definition", name);
            } else if (!table.ok) {
                chain.error = "its table could not be created";
            } else {
                auto made = call(chain_command(table.def, it->second));
                chain.ok = made.status == call_status::ok;
                if (chain.ok) {
                    ++rep_.setup.chains_ok;
                } else {
                    chain.error = made.message;
                }
            }
            table.chains.push_back(std::move(chain));
        }
        if (opts_.verbose) {
            if (!table.ok) {
                std::cout << fmt::format("{}:{}: setup: add table {} {} failed:\n    {}\n", path_, number,
                                         table.def.family, table.def.name, indent_continuation(table.error, "    "));
            } else {
                for (const auto& chain : table.chains) {
                    if (chain.ok) continue;
                    std::cout << fmt::format("{}:{}: setup: chain {} in {} {} failed:\n    {}\n", path_, number,
                                             chain.name, table.def.family, table.def.name,
                                             indent_continuation(chain.error, "    "));
                }
            }
        }
        if (rep_.want_json && (!table.ok || std::any_of(table.chains.begin(), table.chains.end(),
                                                        [](const chain_state& c) { return !c.ok; }))) {
            json chains = json::array();
            for (const auto& c : table.chains) chains.push_back({{"chain", c.name}, {"ok", c.ok}, {"error", c.error}});
            rep_.json_setup.push_back({{"file", path_}, {"line", number}, {"kind", "table"}, {"text", line},
                                       {"ok", table.ok}, {"error", table.error}, {"chains", chains}});
        }
        tables_.push_back(std::move(table));
    }

    template <class make_command>
    void setup_line(const std::string& line, size_t number, const char* kind, expectation expect,
                    make_command command_for) {
        ++rep_.setup.lines;
        bool ran = false;
        bool all_good = true;
        json runs = json::array();
        std::string problems;
        // Upstream adds a set/element/object to every table declared so far.
        for (const auto& table : tables_) {
            if (!table.ok) continue;
            ran = true;
            auto outcome = call(command_for(table.def));
            bool good = expect == expectation::ok ? outcome.status == call_status::ok
                                                  : outcome.status == call_status::rejected;
            all_good = all_good && good;
            if (!good) {
                problems += fmt::format("  [{} {}] {}\n", table.def.family, table.def.name,
                                        outcome.status == call_status::ok
                                            ? std::string("accepted, but the line expects fail")
                                            : indent_continuation(outcome.message, "      "));
            }
            if (rep_.want_json) {
                runs.push_back({{"family", table.def.family}, {"table", table.def.name},
                                {"ok", outcome.status == call_status::ok}, {"error", outcome.message}});
            }
        }
        bool as_expected = ran && all_good;
        if (!ran) problems = "  no table was created to add it to\n";
        rep_.setup.lines_as_expected += as_expected;
        if (opts_.verbose && !as_expected) {
            std::cout << fmt::format("{}:{}: setup {} line not as expected ({}): {}\n{}", path_, number, kind,
                                     expect == expectation::ok ? "ok" : "fail", line, problems);
        }
        if (rep_.want_json) {
            rep_.json_setup.push_back({{"file", path_}, {"line", number}, {"kind", kind}, {"text", line},
                                       {"expect", expect == expectation::ok ? "ok" : "fail"},
                                       {"as_expected", as_expected}, {"runs", runs}});
        }
    }

    // Adds `rule` to one chain after flushing the table; the run's status says what happened.
    void add_rule(const table_state& table, const chain_state& chain, const std::string& rule, run_record& run) {
        auto flushed = call(flush_command(table.def));
        if (flushed.status != call_status::ok) {
            run.status = run_status::error;
            run.error = "flush table failed: " + flushed.message;
            return;
        }
        auto added = call(rule_command(table.def, chain.name, rule));
        switch (added.status) {
            case call_status::ok: run.status = run_status::accepted; break;
            case call_status::rejected: run.status = run_status::rejected; break;
            case call_status::crashed: run.status = run_status::error; break;
        }
        run.error = added.message;
    }

    void check_listing(const table_state& table, const chain_state& chain, const rule_line& rule, run_record& run) {
        auto listed = list_chain(session_, table.def, chain.name);
        if (!listed.error.empty()) {
            run.listing_error = listed.error;
            return;
        }
        if (listed.rules.size() != 1) {
            run.listing_error = fmt::format("the chain lists {} rules, expected exactly 1", listed.rules.size());
            return;
        }
        std::string listing(trim(listed.rules.front()));
        run.canonical = listing_matches(rule.expected_listing(), listing);
        if (!run.canonical) run.listing_error = "the listing differs";
        run.listing = listing;

        // Round trip: the listed form must itself be accepted and list the same. When it is the
        // very text just added, that has been shown already.
        if (listing == trim(rule.rule)) {
            run.roundtrip = true;
            return;
        }
        run_record again;
        add_rule(table, chain, listing, again);
        if (again.status != run_status::accepted) {
            run.roundtrip_error = fmt::format("the listed form is not accepted: {}", again.error);
            return;
        }
        auto relisted = list_chain(session_, table.def, chain.name);
        if (!relisted.error.empty() || relisted.rules.size() != 1) {
            run.roundtrip_error = relisted.error.empty()
                                      ? fmt::format("the listed form lists {} rules", relisted.rules.size())
                                      : relisted.error;
            return;
        }
        // Compared like the canonical listing: nft may print a set's elements in another order.
        run.roundtrip = listing_matches(listing, relisted.rules.front());
        if (!run.roundtrip) {
            run.roundtrip_error = fmt::format("the listed form lists differently: {}", trim(relisted.rules.front()));
        }
    }

    void replay_rule(rule_line rule, size_t number) {
        line_record record{path_, dir_, number, std::move(rule), {}};
        for (const auto& table : tables_) {
            for (const auto& chain : table.chains) {
                run_record run;
                run.family = table.def.family;
                run.table = table.def.name;
                run.chain = chain.name;
                if (!table.ok) {
                    run.error = "not run: its table could not be created";
                } else if (!chain.ok) {
                    run.error = "not run: its chain could not be created: " + chain.error;
                } else {
                    add_rule(table, chain, record.rule.rule, run);
                    if (run.status == run_status::accepted && record.rule.expect == expectation::ok) {
                        check_listing(table, chain, record.rule, run);
                    }
                }
                record.runs.push_back(std::move(run));
            }
        }
        if (record.runs.empty()) {
            warn(number, "rule line before any '*' table line; it runs nowhere");
        }
        account(record);
    }

    void account(const line_record& record) {
        auto all = outcome_of(record, nullptr);
        rep_.total.add(record, all);
        rep_.by_dir[record.dir].add(record, all);
        for (const auto& family : families_of(record)) {
            rep_.by_family[family].add(record, outcome_of(record, &family));
        }
        bool is_ok = record.rule.expect == expectation::ok;
        bool passed = is_ok ? all.accepted && all.canonical && all.roundtrip : all.rejected;
        if (opts_.verbose && !passed) print_failure(record);
        if (rep_.want_json) rep_.json_lines.push_back(to_json(record, all));
    }

    static std::vector<std::string> families_of(const line_record& record) {
        std::vector<std::string> families;
        for (const auto& run : record.runs) {
            if (std::find(families.begin(), families.end(), run.family) == families.end()) {
                families.push_back(run.family);
            }
        }
        return families;
    }

    void print_failure(const line_record& record) const {
        bool is_ok = record.rule.expect == expectation::ok;
        std::string out = fmt::format("{}:{}: {}-line: {}\n", record.file, record.number, is_ok ? "ok" : "fail",
                                      record.rule.rule);
        if (record.runs.empty()) out += "  runs nowhere: no '*' table line before it\n";
        for (const auto& run : record.runs) {
            std::string where = fmt::format("  [{} {} {}]", run.family, run.table, run.chain);
            if (!is_ok) {
                if (run.status == run_status::accepted) {
                    out += where + " accepted, but the line expects fail\n";
                } else if (run.status != run_status::rejected) {
                    out += fmt::format("{} {}\n", where, run.error);
                }
                continue;
            }
            if (run.status != run_status::accepted) {
                out += fmt::format("{} not accepted:\n      {}\n", where, indent_continuation(run.error, "      "));
                continue;
            }
            if (!run.canonical) {
                out += fmt::format("{} {}\n", where, run.listing_error);
                out += fmt::format("      expected: {}\n", record.rule.expected_listing());
                if (run.listing) out += fmt::format("      listed:   {}\n", *run.listing);
            }
            if (!run.roundtrip && run.listing) {
                out += fmt::format("{} round trip: {}\n", where, indent_continuation(run.roundtrip_error, "      "));
            }
        }
        std::cout << out;
    }

    static json to_json(const line_record& record, const line_outcome& o) {
        json runs = json::array();
        for (const auto& run : record.runs) {
            json r = {{"family", run.family}, {"table", run.table}, {"chain", run.chain},
                      {"status", to_string(run.status)}};
            if (!run.error.empty()) r["error"] = run.error;
            if (record.rule.expect == expectation::ok && run.status == run_status::accepted) {
                r["listing"] = run.listing ? json(*run.listing) : json(nullptr);
                r["canonical"] = run.canonical;
                if (!run.listing_error.empty() && !run.canonical) r["listing_error"] = run.listing_error;
                r["roundtrip"] = run.roundtrip;
                if (!run.roundtrip_error.empty()) r["roundtrip_error"] = run.roundtrip_error;
            }
            runs.push_back(std::move(r));
        }
        json j = {{"file", record.file}, {"line", record.number}, {"dir", record.dir},
                  {"expect", record.rule.expect == expectation::ok ? "ok" : "fail"}, {"rule", record.rule.rule}};
        if (record.rule.expect == expectation::ok) {
            j["expected_listing"] = record.rule.expected_listing();
            j["explicit_canonical"] = record.rule.canonical.has_value();
            j["accepted"] = o.accepted;
            j["canonical"] = o.canonical;
            j["roundtrip"] = o.roundtrip;
        } else {
            j["rejected"] = o.rejected;
        }
        j["runs"] = std::move(runs);
        return j;
    }

    std::string path_;
    std::string dir_;
    const options& opts_;
    report& rep_;
    ruleset_session session_;
    std::map<std::string, chain_def> chain_defs_;
    std::vector<table_state> tables_;
};

bool read_file(const fs::path& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
    return !in.bad();
}

// ---------------------------------------------------------------------------------------------
// Dumps: each must load in a fresh session and list back as itself (see normalize_listing for
// the exact comparison).

void replay_dump(const fs::path& file, const std::string& rel_path, const options& opts, report& rep) {
    ++rep.dumps.dumps;
    json j = {{"path", rel_path}};
    std::string text;
    if (!read_file(file, text)) {
        // Never treated as an empty dump: that would pass whenever an empty ruleset loads.
        std::cout << fmt::format("{}: cannot read the dump\n", rel_path);
        if (rep.want_json) {
            j["error"] = "cannot read the file";
            rep.json_dumps.push_back(std::move(j));
        }
        return;
    }
    ruleset_session session;
    auto loaded = run_command(session, text, rel_path);
    bool ok_load = loaded.status == call_status::ok;
    bool ok_roundtrip = false;
    std::optional<listing_difference> diff;
    std::string listed;
    if (ok_load) {
        ++rep.dumps.loaded;
        try {
            listed = session.list_ruleset();
            diff = first_difference(normalize_listing(text), normalize_listing(listed));
            ok_roundtrip = !diff;
        } catch (const std::exception& e) {
            loaded.message = fmt::format("list_ruleset threw: {}", e.what());
        } catch (...) {
            loaded.message = "list_ruleset threw an exception of unknown type";
        }
    } else if (loaded.status == call_status::crashed) {
        ++rep.setup.crashes;
    }
    rep.dumps.roundtrip += ok_roundtrip;

    if (opts.verbose && !ok_roundtrip) {
        if (!ok_load) {
            std::cout << fmt::format("{}: dump does not load:\n    {}\n", rel_path,
                                     indent_continuation(loaded.message, "    "));
        } else if (diff) {
            std::cout << fmt::format("{}: dump lists differently, first at normalized line {}:\n"
                                     "      expected: {}\n      listed:   {}\n",
                                     rel_path, diff->line, diff->expected, diff->listed);
        } else {
            std::cout << fmt::format("{}: {}\n", rel_path, loaded.message);
        }
    }
    if (rep.want_json) {
        j["empty"] = text.empty();
        j["loaded"] = ok_load;
        j["roundtrip"] = ok_roundtrip;
        if (!loaded.message.empty()) j["error"] = loaded.message;
        if (diff) {
            j["difference"] = {{"line", diff->line}, {"expected", diff->expected}, {"listed", diff->listed}};
            j["listing"] = listed;
        }
        rep.json_dumps.push_back(std::move(j));
    }
}

// ---------------------------------------------------------------------------------------------

std::vector<fs::path> find_files(const fs::path& root, bool (*wanted)(const fs::path&)) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && wanted(it->path())) files.push_back(it->path());
    }
    if (ec) std::cerr << fmt::format("warning: while listing {}: {}\n", root.string(), ec.message());
    std::sort(files.begin(), files.end());
    return files;
}

bool is_t_file(const fs::path& p) { return p.extension() == ".t"; }
bool is_dump(const fs::path& p) { return p.extension() == ".nft" && p.parent_path().filename() == "dumps"; }

std::string resolve_corpus(const options& opts) {
    if (!opts.corpus.empty()) return opts.corpus;
    if (const char* env = std::getenv("NFQWALL_CONFORMANCE_DIR"); env && *env) return env;
    return NFQWALL_CONFORMANCE_DEFAULT_DIR;
}

ratchet_values totals_of(const report& rep) {
    return {{"accepted_ok", rep.total.accepted},      {"rejected_fail", rep.total.rejected},
            {"canonical", rep.total.canonical},       {"roundtrip_ok", rep.total.roundtrip},
            {"dumps_loaded", rep.dumps.loaded},       {"dumps_roundtrip", rep.dumps.roundtrip}};
}

void print_report(const report& rep) {
    for (const auto& [dir, t] : rep.by_dir) std::cout << t.format(fmt::format("conformance[dir {}]", dir)) << '\n';
    for (const auto& family : known_families()) {
        auto it = rep.by_family.find(family);
        if (it == rep.by_family.end()) continue;
        std::cout << it->second.format(fmt::format("conformance[family {}]", family)) << '\n';
    }
    std::cout << rep.total.format("conformance") << '\n';
    const auto& s = rep.setup;
    std::cout << fmt::format("conformance setup: tables {}/{}, chains {}/{}, set/element/object lines as expected "
                             "{}/{}, '-' lines skipped {}, malformed lines {}, front-end exceptions {}\n",
                             s.tables_ok, s.tables, s.chains_ok, s.chains, s.lines_as_expected, s.lines, s.skipped,
                             s.malformed, s.crashes);
    std::cout << fmt::format("conformance dumps: loaded {}/{}, round-trip {}/{}\n", rep.dumps.loaded, rep.dumps.dumps,
                             rep.dumps.roundtrip, rep.dumps.dumps);
    if (rep.total.accepted == 0 && rep.total.rejected > 0) {
        std::cout << "note: no ok-line is accepted, so the rejected fail-lines show nothing yet; "
                     "accepted is the number to watch\n";
    }
}

int check_ratchet(const std::string& path, const ratchet_values& minimums, const ratchet_values& totals) {
    bool dropped = false;
    for (const auto& key : ratchet_keys()) {
        uint64_t have = totals.at(key);
        uint64_t need = minimums.at(key);
        if (have < need) {
            dropped = true;
            std::cout << fmt::format("ratchet: FAIL: {} dropped to {}, below its recorded minimum {} ({})\n", key, have,
                                     need, path);
        } else if (have > need) {
            std::cout << fmt::format("ratchet: {} is {}, above its minimum {}: raise it with --write-ratchet {}\n", key,
                                     have, need, path);
        }
    }
    if (!dropped) std::cout << fmt::format("ratchet: ok, no total below {}\n", path);
    return dropped ? 1 : 0;
}

int run(const options& opts) {
    // Normalized so messages show /work/shared/..., not /work/project/../shared/...
    const fs::path corpus = fs::path(resolve_corpus(opts)).lexically_normal();
    const fs::path py = corpus / "tests" / "py";
    const fs::path shell = corpus / "tests" / "shell" / "testcases";
    std::error_code ec;
    if (!fs::is_directory(py, ec) || !fs::is_directory(shell, ec)) {
        std::cerr << "************************************************************\n"
                  << fmt::format("SKIP: corpus not found at {} (need tests/py and tests/shell/testcases there;\n"
                                 "      use --corpus DIR or NFQWALL_CONFORMANCE_DIR)\n",
                                 corpus.string())
                  << "************************************************************\n";
        return 77;
    }
    if (!opts.filter.empty() && (!opts.ratchet.empty() || !opts.write_ratchet.empty())) {
        std::cerr << "error: --filter runs part of the corpus; its totals cannot be compared with a ratchet\n";
        return 2;
    }
    std::optional<ratchet_values> minimums;
    if (!opts.ratchet.empty()) {
        std::string text;
        if (!read_file(opts.ratchet, text)) {
            std::cerr << fmt::format("error: cannot read ratchet file {}\n", opts.ratchet);
            return 2;
        }
        auto parsed = parse_ratchet(text);
        if (!parsed) {
            std::cerr << fmt::format("error: {}: {}\n", opts.ratchet, parsed.errors().front().message);
            return 2;
        }
        minimums = std::move(parsed).value();
    }

    auto started = std::chrono::steady_clock::now();
    report rep;
    rep.want_json = !opts.json_path.empty();
    auto relative = [&](const fs::path& p) { return p.lexically_relative(corpus).generic_string(); };

    size_t t_files = 0;
    for (const auto& file : find_files(py, is_t_file)) {
        std::string rel = relative(file);
        if (!opts.filter.empty() && rel.find(opts.filter) == std::string::npos) continue;
        std::ifstream in(file);
        if (!in) {
            std::cerr << fmt::format("warning: cannot read {}\n", rel);
            continue;
        }
        ++t_files;
        file_replayer replayer(rel, file.parent_path().filename().string(), opts, rep);
        replayer.replay(in);
    }
    for (const auto& file : find_files(shell, is_dump)) {
        std::string rel = relative(file);
        if (!opts.filter.empty() && rel.find(opts.filter) == std::string::npos) continue;
        replay_dump(file, rel, opts, rep);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    print_report(rep);
    std::cout << fmt::format("conformance: {} .t files and {} dumps from {} in {:.1f}s\n", t_files, rep.dumps.dumps,
                             corpus.string(), seconds);

    auto totals = totals_of(rep);
    if (!opts.json_path.empty()) {
        json j = {{"corpus", corpus.string()},
                  {"filter", opts.filter},
                  {"totals", totals},
                  {"denominators",
                   {{"ok_lines", rep.total.ok_lines},
                    {"fail_lines", rep.total.fail_lines},
                    {"explicit_canonical_lines", rep.total.explicit_lines},
                    {"explicit_canonical", rep.total.explicit_canonical},
                    {"dumps", rep.dumps.dumps}}},
                  {"lines", std::move(rep.json_lines)},
                  {"setup", std::move(rep.json_setup)},
                  {"dumps", std::move(rep.json_dumps)}};
        std::ofstream out(opts.json_path);
        out << j.dump(1) << '\n';
        if (!out) {
            std::cerr << fmt::format("error: cannot write {}\n", opts.json_path);
            return 2;
        }
    }
    if (!opts.write_ratchet.empty()) {
        std::string old_text;
        if (read_file(opts.write_ratchet, old_text)) {
            if (auto old = parse_ratchet(old_text)) {
                for (const auto& key : ratchet_keys()) {
                    if (totals.at(key) < old->at(key)) {
                        std::cout << fmt::format("ratchet: warning: lowering {} from {} to {}\n", key, old->at(key),
                                                 totals.at(key));
                    }
                }
            }
        }
        std::ofstream out(opts.write_ratchet);
        out << format_ratchet(totals);
        if (!out) {
            std::cerr << fmt::format("error: cannot write {}\n", opts.write_ratchet);
            return 2;
        }
        std::cout << fmt::format("ratchet: recorded the current totals in {}\n", opts.write_ratchet);
    }
    if (minimums) return check_ratchet(opts.ratchet, *minimums, totals);
    return 0;
}

}  // namespace
}  // namespace nfqwall::conformance

int main(int argc, char** argv) {
    // Upstream runs the corpus with TZ=UTC-2 because `meta time` values list in local time.
    setenv("TZ", "UTC-2", 1);
    tzset();

    nfqwall::conformance::options opts;
    CLI::App app{"Replays the nftables conformance corpus (tests/py/*.t and tests/shell dumps) through nfqwall's "
                 "front end."};
    app.add_option("--corpus", opts.corpus,
                   "corpus directory (default: $NFQWALL_CONFORMANCE_DIR, else " NFQWALL_CONFORMANCE_DEFAULT_DIR ")");
    app.add_flag("-v,--verbose", opts.verbose, "print every line that does not pass, with the error or listing");
    app.add_option("--filter", opts.filter, "only .t files and dumps whose corpus-relative path contains this");
    app.add_option("--ratchet", opts.ratchet, "fail (exit 1) if a total is below the minimum recorded in this file");
    app.add_option("--write-ratchet", opts.write_ratchet, "record the current totals in this file");
    app.add_option("--json", opts.json_path, "write per-line results as JSON to this file");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);  // prints help or the error
        return code == 0 ? 0 : 2;
    }
    try {
        return nfqwall::conformance::run(opts);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
}

// Google Benchmark's console output, with each benchmark's result kept (its median when the
// run repeats) so that a program can print, after the run, the ratios its issue asks for.
#pragma once

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace nfqwall::bench {

class ratio_reporter : public benchmark::ConsoleReporter {
public:
    // Colours as the default reporter chooses them (a terminal, or --benchmark_color).
    static OutputOptions options(int argc, char** argv) {
        bool color = isatty(STDOUT_FILENO) != 0;
        for (int i = 1; i < argc; ++i) {
            const std::string_view arg = argv[i];
            if (arg.starts_with("--benchmark_color=")) color = arg.ends_with("true") || arg.ends_with("yes");
        }
        return color ? OO_Defaults : OO_Tabular;
    }

    explicit ratio_reporter(OutputOptions options) : ConsoleReporter(options) {}

    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            const std::string name = r.run_name.str();
            const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            if (!median && (r.run_type != Run::RT_Iteration || medians_.count(name) != 0)) continue;
            if (median) medians_.insert(name);
            const auto rate = r.counters.find("items_per_second");
            results_[name] = {r.GetAdjustedCPUTime(), rate == r.counters.end() ? 0.0 : rate->second.value};
        }
    }

    // CPU time per iteration (in the benchmark's unit), and items per second when counted.
    std::optional<double> cpu_time(const std::string& name) const {
        const auto it = results_.find(name);
        return it == results_.end() ? std::nullopt : std::optional<double>(it->second.cpu_time);
    }
    std::optional<double> per_second(const std::string& name) const {
        const auto it = results_.find(name);
        return it == results_.end() || it->second.per_second <= 0 ? std::nullopt
                                                                  : std::optional<double>(it->second.per_second);
    }

private:
    struct result {
        double cpu_time = 0;
        double per_second = 0;
    };
    std::map<std::string, result> results_;
    std::set<std::string> medians_;
};

}  // namespace nfqwall::bench

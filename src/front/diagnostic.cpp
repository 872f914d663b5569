#include "nfqwall/diagnostic.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nfqwall {

source_file::source_file(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {
    line_starts_.push_back(0);
    for (uint32_t i = 0; i < text_.size(); ++i) {
        if (text_[i] == '\n') line_starts_.push_back(i + 1);
    }
}

std::pair<uint32_t, uint32_t> source_file::line_col(uint32_t offset) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    uint32_t line = static_cast<uint32_t>(it - line_starts_.begin());  // 1-based
    uint32_t col = offset - line_starts_[line - 1] + 1;
    return {line, col};
}

std::string_view source_file::line(uint32_t line) const {
    if (line == 0 || line > line_starts_.size()) return {};
    uint32_t start = line_starts_[line - 1];
    uint32_t end = line < line_starts_.size() ? line_starts_[line] : static_cast<uint32_t>(text_.size());
    std::string_view v(text_.data() + start, end - start);
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
    return v;
}

location location::merge(const location& other) const {
    if (!valid()) return other;
    if (!other.valid() || other.file != file) return *this;
    return {file, std::min(begin, other.begin), std::max(end, other.end)};
}

diagnostic make_error(location loc, std::string message) {
    diagnostic d;
    d.message = std::move(message);
    if (loc.valid()) d.locations.push_back(loc);
    return d;
}

std::string format_diagnostic(const diagnostic& d) {
    const char* kind = d.level == severity::error ? "Error" : "Warning";
    if (d.locations.empty() || !d.locations.front().valid()) {
        return fmt::format("{}: {}\n", kind, d.message);
    }
    const location& primary = d.locations.front();
    const source_file& f = *primary.file;
    auto [line, first_col] = f.line_col(primary.begin);
    uint32_t end = primary.end > primary.begin ? primary.end - 1 : primary.begin;
    auto [end_line, last_col] = f.line_col(end);
    std::string_view text = f.line(line);
    if (end_line != line) last_col = static_cast<uint32_t>(text.size());
    if (last_col < first_col) last_col = first_col;

    std::string out = fmt::format("{}:{}:{}-{}: {}: {}\n", f.name(), line, first_col, last_col, kind, d.message);
    out += text;
    out += '\n';

    // Underline: '^' under the primary location, '~' under secondary ones on the same line.
    std::string marks(text.size() + 1, ' ');
    auto mark = [&](const location& l, char c) {
        if (!l.valid() || l.file != &f) return;
        auto [ln, c0] = f.line_col(l.begin);
        if (ln != line) return;
        uint32_t e = l.end > l.begin ? l.end - 1 : l.begin;
        auto [eln, c1] = f.line_col(e);
        if (eln != line) c1 = static_cast<uint32_t>(text.size());
        for (uint32_t col = c0; col <= c1 && col - 1 < marks.size(); ++col) {
            if (col == 0) continue;
            marks[col - 1] = c;
        }
    };
    for (size_t i = 1; i < d.locations.size(); ++i) mark(d.locations[i], '~');
    mark(primary, '^');
    for (uint32_t c = 0; c < marks.size() && c < text.size(); ++c) {
        if (text[c] == '\t' && marks[c] == ' ') marks[c] = '\t';
    }
    while (!marks.empty() && (marks.back() == ' ' || marks.back() == '\t')) marks.pop_back();
    out += marks;
    out += '\n';
    return out;
}

std::string format_diagnostics(const diagnostics& ds) {
    std::string out;
    for (const auto& d : ds) out += format_diagnostic(d);
    return out;
}

}  // namespace nfqwall

// Located error messages, printed the way nft prints them:
// `FILE:LINE:COL-COL: Error: message`, the source line, and a caret/tilde underline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nfqwall {

// A named piece of input text (a ruleset file, an included file, or a command line).
class source_file {
public:
    source_file(std::string name, std::string text);

    const std::string& name() const { return name_; }
    const std::string& text() const { return text_; }

    // 1-based line and column of a byte offset.
    std::pair<uint32_t, uint32_t> line_col(uint32_t offset) const;
    // The text of a 1-based line, without its newline.
    std::string_view line(uint32_t line) const;

private:
    std::string name_;
    std::string text_;
    std::vector<uint32_t> line_starts_;
};

// A half-open byte range [begin, end) inside a source file.
struct location {
    const source_file* file = nullptr;
    uint32_t begin = 0;
    uint32_t end = 0;

    bool valid() const { return file != nullptr; }
    // The smallest location covering both.
    location merge(const location& other) const;
};

enum class severity : uint8_t { error, warning };

// One message; the first location is the primary one (underlined with '^'),
// later ones are secondary (underlined with '~').
struct diagnostic {
    severity level = severity::error;
    std::string message;
    std::vector<location> locations;
};

using diagnostics = std::vector<diagnostic>;

diagnostic make_error(location loc, std::string message);

// nft's format for one diagnostic, ending with a newline.
std::string format_diagnostic(const diagnostic& d);
std::string format_diagnostics(const diagnostics& ds);

}  // namespace nfqwall

#include <gtest/gtest.h>

#include "nfqwall/diagnostic.hpp"

namespace nfqwall {
namespace {

TEST(Diagnostic, PrintsLocationLineAndCarets) {
    source_file f("rules.nft", "table ip t {\n\tchain c {\n\t\ttcp dport 70000\n\t}\n}\n");
    uint32_t at = static_cast<uint32_t>(f.text().find("70000"));
    auto d = make_error({&f, at, at + 5}, "Value 70000 exceeds valid range 0-65535");
    EXPECT_EQ(format_diagnostic(d),
              "rules.nft:3:13-17: Error: Value 70000 exceeds valid range 0-65535\n"
              "\t\ttcp dport 70000\n"
              "\t\t          ^^^^^\n");
}

TEST(Diagnostic, SecondaryLocationsUseTildes) {
    source_file f("<cmdline>", "add rule ip t c tcp dport tcp");
    auto d = make_error({&f, 26, 29}, "datatype mismatch");
    d.locations.push_back({&f, 16, 25});
    EXPECT_EQ(format_diagnostic(d),
              "<cmdline>:1:27-29: Error: datatype mismatch\n"
              "add rule ip t c tcp dport tcp\n"
              "                ~~~~~~~~~ ^^^\n");
}

}  // namespace
}  // namespace nfqwall

#include <gtest/gtest.h>

#include <tao/pegtl/contrib/analyze.hpp>

#include "front/parser.hpp"
#include "grammar/ruleset.hpp"

namespace nfqwall::front {
namespace {

TEST(Grammar, HasNoRuleThatLoopsWithoutConsuming) {
    EXPECT_EQ(tao::pegtl::analyze<grammar::ruleset_file>(), 0u);
}

}  // namespace
}  // namespace nfqwall::front

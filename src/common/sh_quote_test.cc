#include "common/sh_quote.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(ShQuoteTest, QuotesEveryByteAsOneWord) {
  EXPECT_EQ(ShQuote(""), "''");
  EXPECT_EQ(ShQuote("a b"), "'a b'");
  EXPECT_EQ(ShQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShQuote("$HOME `x` \\n"), "'$HOME `x` \\n'");
}

}  // namespace
}  // namespace berth

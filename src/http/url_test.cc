#include "http/url.h"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

TEST(UrlTest, PercentDecode) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(*PercentDecode("a+b", true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_FALSE(PercentDecode("%2", false));
  EXPECT_FALSE(PercentDecode("%zz", false));
  EXPECT_EQ(PercentDecode("%00", false)->size(), 1u);
}

TEST(UrlTest, EncodeRoundTrip) {
  std::string s = "dir/ä b#?&%.txt";
  EXPECT_EQ(*PercentDecode(PercentEncode(s), false), s);
}

TEST(UrlTest, ParseQuery) {
  auto q = *ParseQuery("path=a%2Fb&overwrite=true&&x");
  EXPECT_EQ(q["path"], "a/b");
  EXPECT_EQ(q["overwrite"], "true");
  EXPECT_EQ(q["x"], "");
  EXPECT_FALSE(ParseQuery("a=%G0"));
}

TEST(UrlTest, SplitSegmentsDecodesEach) {
  auto s = *SplitPathSegments("/api/v1/folders/a%2Fb");
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(s[3], "a/b");
  EXPECT_TRUE(SplitPathSegments("/")->empty());
}

}  // namespace
}  // namespace berth::http

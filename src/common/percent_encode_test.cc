#include "common/percent_encode.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace berth {
namespace {

TEST(PercentEncodeTest, KeepsUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("abcXYZ019-._~"), "abcXYZ019-._~");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(PercentEncodeTest, EncodesEverythingElse) {
  EXPECT_EQ(PercentEncode("a b#c?d%e&f=g+h"), "a%20b%23c%3Fd%25e%26f%3Dg%2Bh");
  EXPECT_EQ(PercentEncode("caf\xc3\xa9"), "caf%C3%A9");
  EXPECT_EQ(PercentEncode(std::string("a\0b", 3)), "a%00b");
  // A Docker API filter (runtime/docker_client.h callers).
  EXPECT_EQ(PercentEncode(R"({"label":["a=1"]})"), "%7B%22label%22%3A%5B%22a%3D1%22%5D%7D");
}

TEST(PercentEncodeTest, SlashOnlyKeptWhenAsked) {
  EXPECT_EQ(PercentEncode("dir/sub"), "dir%2Fsub");
  EXPECT_EQ(PercentEncode("berth/python"), "berth%2Fpython");
  EXPECT_EQ(PercentEncode("dir/sub", /*keep_slash=*/true), "dir/sub");
}

TEST(PercentEncodeTest, EveryByteIsEncodedOrUnreserved) {
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    const std::string out = PercentEncode(std::string(1, c));
    const bool unreserved =
        (b < 128 && std::isalnum(b) != 0) || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      EXPECT_EQ(out, std::string(1, c)) << b;
    } else {
      ASSERT_EQ(out.size(), 3u) << b;
      EXPECT_EQ(out[0], '%');
      EXPECT_EQ(std::stoi(out.substr(1), nullptr, 16), b);
    }
  }
}

}  // namespace
}  // namespace berth

#include "cli/size.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(ParseSizeTest, Accepts) {
  struct Case {
    const char* text;
    uint64_t want;
  } cases[] = {
      {"0", 0},
      {"1024", 1024},
      {"1024B", 1024},
      {"4k", 4096},
      {"4K", 4096},
      {"512M", 512ull << 20},
      {"512MiB", 512ull << 20},
      {"10G", 10ull << 30},
      {"10gb", 10ull << 30},
      {"1.5G", 3ull << 29},
      {"0.5k", 512},
      {"2T", 2ull << 40},
      {"1P", 1ull << 50},
      {"18446744073709551615", UINT64_MAX},
  };
  for (const auto& c : cases) {
    Result<uint64_t> r = ParseSize(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.want) << c.text;
  }
}

TEST(ParseSizeTest, Rejects) {
  for (const char* text : {"", "G", "-1", "10X", "10 G", "1.5", "1.2.3G", "10GG", "16385P",
                           "18446744073709551616", "1e9", " 10G", "10Gi B"}) {
    EXPECT_FALSE(ParseSize(text).ok()) << text;
  }
}

TEST(FormatSizeTest, Formats) {
  EXPECT_EQ(FormatSize(0), "0 B");
  EXPECT_EQ(FormatSize(1023), "1023 B");
  EXPECT_EQ(FormatSize(1024), "1.0 KiB");
  EXPECT_EQ(FormatSize(1536), "1.5 KiB");
  EXPECT_EQ(FormatSize(10ull << 30), "10.0 GiB");
  EXPECT_EQ(FormatSize((1ull << 20) - 1), "1.0 MiB");  // no "1024.0 KiB"
  EXPECT_EQ(FormatSize(UINT64_MAX), "16.0 EiB");
}

}  // namespace
}  // namespace berth::cli

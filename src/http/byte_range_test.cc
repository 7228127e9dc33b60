#include "http/byte_range.h"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

struct Case {
  const char* header;
  uint64_t size;
  ByteRange::Kind kind;
  uint64_t offset, length;
};

TEST(ByteRangeTest, Table) {
  const Case cases[] = {
      {"", 100, ByteRange::kWhole, 0, 100},
      {"bytes=0-9", 100, ByteRange::kPartial, 0, 10},
      {"bytes=90-", 100, ByteRange::kPartial, 90, 10},
      {"bytes=90-500", 100, ByteRange::kPartial, 90, 10},
      {"bytes=-5", 100, ByteRange::kPartial, 95, 5},
      {"bytes=-500", 100, ByteRange::kPartial, 0, 100},
      {"bytes=100-", 100, ByteRange::kUnsatisfiable, 0, 0},
      {"bytes=-0", 100, ByteRange::kUnsatisfiable, 0, 0},
      {"bytes=5-1", 100, ByteRange::kWhole, 0, 100},
      {"bytes=0-1,5-6", 100, ByteRange::kWhole, 0, 100},
      {"items=0-1", 100, ByteRange::kWhole, 0, 100},
      {"bytes=x-1", 100, ByteRange::kWhole, 0, 100},
      {"bytes=0-", 0, ByteRange::kUnsatisfiable, 0, 0},
  };
  for (const auto& c : cases) {
    ByteRange r = ParseByteRange(c.header, c.size);
    EXPECT_EQ(r.kind, c.kind) << c.header;
    EXPECT_EQ(r.offset, c.offset) << c.header;
    EXPECT_EQ(r.length, c.length) << c.header;
  }
}

}  // namespace
}  // namespace berth::http

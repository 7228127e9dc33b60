#include "common/random.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(RandomTest, UuidShape) {
  std::string a = NewUuid(), b = NewUuid();
  EXPECT_TRUE(LooksLikeUuid(a)) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
  EXPECT_FALSE(LooksLikeUuid("not-a-uuid"));
  EXPECT_EQ(RandomHex(16).size(), 32u);
}

}  // namespace
}  // namespace berth

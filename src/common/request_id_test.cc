#include "common/request_id.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(RequestId, AcceptsSaneIds) {
  EXPECT_TRUE(IsValidRequestId("abc-123"));
  EXPECT_TRUE(IsValidRequestId("0af7651916cd43dd8448eb211c80319c"));
  EXPECT_TRUE(IsValidRequestId("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
  EXPECT_TRUE(IsValidRequestId("trace:span.1_A"));
  EXPECT_TRUE(IsValidRequestId(std::string(kMaxRequestIdLength, 'a')));
}

TEST(RequestId, RefusesOddOnes) {
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(kMaxRequestIdLength + 1, 'a')));
  EXPECT_FALSE(IsValidRequestId("a b"));
  EXPECT_FALSE(IsValidRequestId("a\"b"));
  EXPECT_FALSE(IsValidRequestId("line\nbreak"));
  EXPECT_FALSE(IsValidRequestId("caf\xc3\xa9"));
  EXPECT_FALSE(IsValidRequestId("a/b"));
}

TEST(RequestId, MintsWhenIncomingIsBad) {
  EXPECT_EQ(RequestIdFor("client-id-1"), "client-id-1");
  std::string minted = RequestIdFor("bad id");
  EXPECT_EQ(minted.size(), 32u);
  EXPECT_TRUE(IsValidRequestId(minted));
  EXPECT_NE(RequestIdFor(""), RequestIdFor(""));
}

}  // namespace
}  // namespace berth

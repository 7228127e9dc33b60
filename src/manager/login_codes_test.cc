// LoginCodes: single use, expiry, only hashes kept, bounded.
#include "manager/login_codes.h"

#include <gtest/gtest.h>

#include <string>

namespace berth::manager {
namespace {

TEST(LoginCodesTest, ACodeSignsInOnce) {
  LoginCodes codes(600);
  std::string c = codes.Mint("user-1", 1000);
  EXPECT_GE(c.size(), 32u);
  auto u = codes.Redeem(c, 1001);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, "user-1");
  auto again = codes.Redeem(c, 1002);
  EXPECT_EQ(again.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(again.status().reason(), "bad_login_code");
}

TEST(LoginCodesTest, ExpiredUnknownAndEmptyCodesAreRefused) {
  LoginCodes codes(60);
  std::string c = codes.Mint("user-1", 1000);
  EXPECT_FALSE(codes.Redeem(c, 1060).ok());
  EXPECT_FALSE(codes.Redeem("", 1000).ok());
  EXPECT_FALSE(codes.Redeem("0123456789abcdef0123456789abcdef", 1000).ok());
  std::string d = codes.Mint("user-2", 1000);
  EXPECT_TRUE(codes.Redeem(d, 1059).ok());
}

TEST(LoginCodesTest, LifetimeIsAtMostTenMinutes) {
  EXPECT_EQ(LoginCodes(3600).ttl_s(), 600);
  EXPECT_EQ(LoginCodes(0).ttl_s(), 1);
  LoginCodes codes;
  std::string c = codes.Mint("u", 0);
  EXPECT_FALSE(codes.Redeem(c, 600).ok());
}

TEST(LoginCodesTest, PendingCodesAreBounded) {
  LoginCodes codes(600, 10);
  std::string first = codes.Mint("u", 0);
  std::string last;
  for (int i = 0; i < 1000; ++i) last = codes.Mint("u", 1);
  EXPECT_FALSE(codes.Redeem(first, 2).ok());  // dropped as the oldest
  EXPECT_TRUE(codes.Redeem(last, 2).ok());
}

}  // namespace
}  // namespace berth::manager

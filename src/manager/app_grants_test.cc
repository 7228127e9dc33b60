#include "manager/app_grants.h"

#include <gtest/gtest.h>

namespace berth::manager {
namespace {

const AppGrant kGrant{"u1", "s1", "jupyter"};

TEST(AppGrantsTest, CodeIsSingleUseAndShortLived) {
  AppGrants g;
  std::string code = g.MintCode(kGrant, 100);
  auto first = g.RedeemCode(code, 101);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->user_id, "u1");
  EXPECT_EQ(first->session_id, "s1");
  EXPECT_EQ(first->app, "jupyter");
  EXPECT_EQ(g.RedeemCode(code, 101).status().reason(), "bad_app_code");  // used up
  std::string late = g.MintCode(kGrant, 100);
  EXPECT_FALSE(g.RedeemCode(late, 100 + AppGrants::kCodeTtlS).ok());
  EXPECT_FALSE(g.RedeemCode("nonsense", 100).ok());
}

TEST(AppGrantsTest, CookieLastsItsTtlAndOnlyItself) {
  AppGrants g;
  std::string c = g.IssueCookie(kGrant, 100);
  ASSERT_TRUE(g.CheckCookie(c, 100 + AppGrants::kCookieTtlS - 1).ok());
  EXPECT_FALSE(g.CheckCookie(c, 100 + AppGrants::kCookieTtlS).ok());
  EXPECT_FALSE(g.CheckCookie(c + "0", 100).ok());
}

TEST(AppGrantsTest, CapacityDropsTheOldestCookie) {
  AppGrants g(2);
  std::string a = g.IssueCookie(kGrant, 1), b = g.IssueCookie(kGrant, 1),
              c = g.IssueCookie(kGrant, 1);
  EXPECT_FALSE(g.CheckCookie(a, 2).ok());
  EXPECT_TRUE(g.CheckCookie(b, 2).ok());
  EXPECT_TRUE(g.CheckCookie(c, 2).ok());
}

}  // namespace
}  // namespace berth::manager

#include "apps/proxy_rules.h"

#include <gtest/gtest.h>

namespace berth::apps {
namespace {

TEST(ProxyRulesTest, ParsesAppPaths) {
  auto p = ParseAppPath("/s/0b6f-12/jupyter/api/contents?x=1");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->session_id, "0b6f-12");
  EXPECT_EQ(p->app, "jupyter");
  EXPECT_EQ(p->rest, "api/contents?x=1");
  EXPECT_TRUE(p->trailing_slash);
  auto bare = ParseAppPath("/s/abc/jupyter?q");
  ASSERT_TRUE(bare.has_value());
  EXPECT_FALSE(bare->trailing_slash);
  for (const char* bad : {"/", "/api/v1/me", "/s/", "/s//jupyter/", "/s/a.b/jupyter/",
                          "/s/abc/", "/s/abc/Jupyter/", "/s/abc/../x", "/t/abc/jupyter/"}) {
    EXPECT_FALSE(ParseAppPath(bad).has_value()) << bad;
  }
}

TEST(ProxyRulesTest, FindsQueryParameters) {
  EXPECT_EQ(QueryParam("_berth_open?code=ab12", "code"), "ab12");
  EXPECT_EQ(QueryParam("_berth_open?x=1&code=cd&y", "code"), "cd");
  EXPECT_EQ(QueryParam("_berth_open?xcode=1", "code"), std::nullopt);
  EXPECT_EQ(QueryParam("_berth_open", "code"), std::nullopt);
}

// Regression guard for the contract "the app never sees a Berth credential".
TEST(ProxyRulesTest, StripsBerthCookiesAndCollectsTheAppCookie) {
  std::vector<std::string> mine;
  EXPECT_EQ(StripBerthCookies("berth_session=s1; _xsrf=2|ab; berth_app=c1;berth_csrf=t; "
                              "username-127-0-0-1-8888=x; berth_app=c2",
                              &mine),
            "_xsrf=2|ab; username-127-0-0-1-8888=x");
  EXPECT_EQ(mine, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_EQ(StripBerthCookies("berth_app=c1", nullptr), "");
}

TEST(ProxyRulesTest, ReadsBearerTokensOnly) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken("Bearer "), "");
}

TEST(ProxyRulesTest, CookieIsScopedAndHttpOnly) {
  std::string c = AppCookie("v", "/s/id/jupyter/", 60, false);
  EXPECT_EQ(c, "berth_app=v; Path=/s/id/jupyter/; Max-Age=60; HttpOnly; SameSite=Lax");
  EXPECT_NE(AppCookie("v", "/", 1, true).find("; Secure"), std::string::npos);
}

}  // namespace
}  // namespace berth::apps

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

TEST(ProxyRulesTest, EachAppHasItsOwnHostInWildcardMode) {
  const std::string id = "0B6F1C2D-1111-4222-8333-444455556666";  // a UUID, any case
  EXPECT_EQ(AppHostName("Apps.Example.org", id, "jupyter"),
            "jupyter-0b6f1c2d-1111-4222-8333-444455556666.apps.example.org");
  EXPECT_NE(AppHostName("apps.localhost", id, "jupyter"), AppHostName("apps.localhost", id, "echo"));
  // Every label fits DNS's 63 characters, also for the longest app names.
  const std::string longest(32, 'a'), other = std::string(31, 'a') + "b";
  for (const std::string& app : {std::string("a"), std::string(26, 'x'), std::string(27, 'x'), longest}) {
    std::string host = AppHostName("d.example", id, app);
    EXPECT_LE(host.find('.'), 63u) << host;
    EXPECT_EQ(host.substr(host.find('.')), ".d.example");
  }
  EXPECT_NE(AppHostName("d", id, longest), AppHostName("d", id, other));
  EXPECT_EQ(AppHostName("d", id, std::string(26, 'x')).size(), 26 + 1 + 36 + 2u);
}

TEST(ProxyRulesTest, SameOriginComparesSchemeHostAndPort) {
  EXPECT_TRUE(SameOrigin("http://jupyter-1.apps.localhost:8471", "Jupyter-1.Apps.Localhost:8471", false));
  EXPECT_TRUE(SameOrigin("https://a.example", "a.example:443", true));
  EXPECT_TRUE(SameOrigin("https://a.example:443", "a.example", true));
  EXPECT_TRUE(SameOrigin("http://[::1]:8471", "[::1]:8471", false));
  EXPECT_FALSE(SameOrigin("http://echo-1.apps.localhost:8471", "jupyter-1.apps.localhost:8471", false));
  EXPECT_FALSE(SameOrigin("http://a.example:8471", "a.example:8472", false));
  EXPECT_FALSE(SameOrigin("http://a.example:8471", "a.example:8471", true));  // scheme
  EXPECT_FALSE(SameOrigin("null", "a.example", false));
  EXPECT_FALSE(SameOrigin("http://a.example/x", "a.example", false));
  EXPECT_FALSE(SameOrigin("http://u@a.example", "a.example", false));
  EXPECT_FALSE(SameOrigin("http://a.example", "", false));
}

TEST(ProxyRulesTest, HostNamesLoseTheirPortAndCase) {
  EXPECT_EQ(HostNameOf("Jupyter-1.Apps.Localhost:8471"), "jupyter-1.apps.localhost");
  EXPECT_EQ(HostNameOf("a.example."), "a.example");
  EXPECT_EQ(HostNameOf("a.example.:80"), "a.example");
  EXPECT_EQ(HostNameOf("[::1]:8471"), "[::1]");
  EXPECT_EQ(HostNameOf("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(HostNameOf(""), "");
}

}  // namespace
}  // namespace berth::apps

#include "http/router.h"

#include <gtest/gtest.h>

#include "http/url.h"

namespace berth::http {
namespace {

Response Named(std::string s) { return Response::Text(200, std::move(s)); }

TEST(RouterTest, MatchesCapturesAndMethods) {
  Router r;
  r.Add("GET", "/api/v1/folders", [](Request&) { return Named("list"); });
  r.Add("GET", "/api/v1/folders/{name}", [](Request&) { return Named("get"); });
  r.Add("DELETE", "/api/v1/folders/{name}", [](Request&) { return Named("del"); });

  Request req;
  req.method = "GET";
  auto m = r.Find(req, *SplitPathSegments("/api/v1/folders/x%20y"));
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(req.Param("name"), "x y");
  EXPECT_EQ(m.route->handler(req).body, "get");

  req.method = "HEAD";
  EXPECT_NE(r.Find(req, *SplitPathSegments("/api/v1/folders")).route, nullptr);

  req.method = "POST";
  m = r.Find(req, *SplitPathSegments("/api/v1/folders/x"));
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_matched);

  req.method = "GET";
  m = r.Find(req, *SplitPathSegments("/api/v1/nothing"));
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_matched);
}

TEST(RouterTest, TailCaptureTakesTheRestOfThePath) {
  Router r;
  r.Add("GET", "/api/v1/dotfiles", [](Request&) { return Named("list"); });
  r.Add("GET", "/api/v1/dotfiles/{path...}", [](Request&) { return Named("get"); });
  Request req;
  req.method = "GET";
  struct Case {
    const char* url;
    const char* want;  // nullptr: no match
  } cases[] = {
      {"/api/v1/dotfiles/.bashrc", ".bashrc"},
      {"/api/v1/dotfiles/.ssh/authorized_keys", ".ssh/authorized_keys"},
      {"/api/v1/dotfiles/a%2Fb/c", "a/b/c"},
      {"/api/v1/dotfiles/a//b", "a//b"},
      {"/api/v1/dotfiles/", nullptr},
  };
  for (const auto& c : cases) {
    auto m = r.Find(req, *SplitPathSegments(c.url));
    if (!c.want) {
      EXPECT_TRUE(m.route == nullptr || m.route->handler(req).body == "list") << c.url;
      continue;
    }
    ASSERT_NE(m.route, nullptr) << c.url;
    EXPECT_EQ(req.Param("path"), c.want) << c.url;
  }
  EXPECT_EQ(r.Find(req, *SplitPathSegments("/api/v1/dotfiles")).route->handler(req).body, "list");
}

TEST(RouterTest, EmptyCaptureDoesNotMatch) {
  Router r;
  r.Add("GET", "/a/{x}", [](Request&) { return Named("x"); });
  Request req;
  req.method = "GET";
  EXPECT_EQ(r.Find(req, *SplitPathSegments("/a/")).route, nullptr);
}

}  // namespace
}  // namespace berth::http

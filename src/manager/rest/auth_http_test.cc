// The HTTP side of authentication: the cookie parser, the Authorization
// header, Set-Cookie, and the one Status → HTTP mapping of handler errors.
#include "manager/rest/auth_http.h"

#include <gtest/gtest.h>

#include "manager/rest/handler_util.h"

namespace berth::manager {
namespace {

TEST(CookieValueTest, Table) {
  struct Case {
    const char* header;
    const char* want;
  };
  const Case cases[] = {
      {"", ""},
      {"berth_session=abc", "abc"},
      {"a=1; berth_session=abc; b=2", "abc"},
      {"a=1;berth_session=abc", "abc"},
      {"xberth_session=abc", ""},
      {"berth_sessionx=abc", ""},
      {"berth_session=", ""},
      {"berth_session", ""},
      {"a=berth_session=abc", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(CookieValue(c.header, kSessionCookieName), c.want) << c.header;
}

TEST(SessionCookieTest, ReadsTheCookieHeader) {
  http::Request req;
  req.headers.emplace_back("cookie", "theme=dark; berth_session=s3cret");
  EXPECT_EQ(SessionCookie(req), "s3cret");
  EXPECT_EQ(SessionCookie(http::Request{}), "");
}

TEST(SetSessionCookieTest, SetsAndClears) {
  EXPECT_EQ(SetSessionCookie("v", 60), "berth_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60");
  EXPECT_EQ(SetSessionCookie("", 0), "berth_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  EXPECT_EQ(SetSessionCookie("v", 60, true),
            "berth_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
}

TEST(BearerTokenTest, Table) {
  struct Case {
    const char* header;
    bool ok;
    const char* token;
  };
  const Case cases[] = {
      {"Bearer berth_abc", true, "berth_abc"},
      {"Bearer ", false, ""},
      {"bearer berth_abc", false, ""},
      {"Basic dXNlcjpwdw==", false, ""},
      {"berth_abc", false, ""},
  };
  for (const auto& c : cases) {
    auto t = BearerToken(c.header);
    EXPECT_EQ(t.ok(), c.ok) << c.header;
    if (t.ok()) {
      EXPECT_EQ(*t, c.token);
    } else {
      EXPECT_EQ(t.status().code(), Code::kUnauthenticated);
      EXPECT_EQ(t.status().reason(), "bad_credentials");
    }
  }
}

TEST(ErrorResponseTest, MapsStatusesOnce) {
  struct Case {
    Status status;
    int http;
  };
  const Case cases[] = {
      {InvalidArgument("x"), 400},
      {Unauthenticated("x"), 401},
      {PermissionDenied("x", "csrf_failed"), 403},
      {NotFound("x"), 404},
      {ResourceExhausted("x"), 413},
      {Status(Code::kResourceExhausted, "too many failed sign-ins", "rate_limited"), 429},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ErrorResponse(c.status).status, c.http) << c.status.ToString();
    EXPECT_EQ(ToResponse(c.status).status, c.http) << c.status.ToString();
  }
  EXPECT_EQ(ToResponse(http::Response::Empty(204)).status, 204);
  // SPEC §5: 429 comes with Retry-After.
  http::Response limited = ErrorResponse(Status(Code::kResourceExhausted, "x", "rate_limited"));
  bool retry_after = false;
  for (const auto& [name, value] : limited.headers) {
    if (name == "Retry-After" && std::stoi(value) > 0) retry_after = true;
  }
  EXPECT_TRUE(retry_after);
}

}  // namespace
}  // namespace berth::manager

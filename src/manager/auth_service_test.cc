// AuthService against a real SQLite store on a temp dir, with real users:
// passwords, API tokens, web sessions (cookie + CSRF), WebSocket origins
// and the sign-in lockout. The HTTP side (headers, cookies, 429) is in
// rest/auth_http_test.cc.
#include "manager/auth_service.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>

#include <gtest/gtest.h>

#include "common/clock.h"
#include "manager/crypto.h"
#include "store/sqlite_store.h"

namespace berth::manager {
namespace {

class AuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/auth-service-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto store = store::OpenSqliteStore(dir_ + "/berth.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auth_ = std::make_unique<AuthService>(*store_);
    alice_ = AddUser("alice", "user", "alice-password");
    AddUser("root", "superadmin", "root-password");
  }

  void TearDown() override {
    auth_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string AddUser(const std::string& name, const std::string& role, const std::string& password) {
    store::UserRecord u;
    u.id = "id-" + name;
    u.name = name;
    u.role = role;
    u.password_hash = HashPassword(password);
    u.created_at = NowRfc3339();
    EXPECT_TRUE(store_->CreateUser(u).ok());
    return u.id;
  }

  // A web session for alice: its cookie secret and CSRF token.
  std::pair<std::string, std::string> AliceSession() {
    auto secret = auth_->CreateWebSession(alice_);
    EXPECT_TRUE(secret.ok());
    Credentials c;
    c.cookie_secret = *secret;
    c.method = "GET";
    auto p = auth_->Authenticate(c);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return {*secret, p.ok() ? p->csrf_token : ""};
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AuthService> auth_;
  std::string alice_;
};

TEST_F(AuthServiceTest, PasswordSignIn) {
  struct Case {
    const char* user;
    const char* password;
    Code code;
    const char* reason;
  };
  const Case cases[] = {
      {"alice", "alice-password", Code::kOk, ""},
      {"alice", "wrong-password", Code::kUnauthenticated, "bad_credentials"},
      {"alice", "", Code::kUnauthenticated, "bad_credentials"},
      {"nobody", "alice-password", Code::kUnauthenticated, "bad_credentials"},
  };
  std::string denied_message;
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.user) + "/" + c.password);
    auto u = auth_->CheckPassword(c.user, c.password, "10.0.0.1");
    EXPECT_EQ(u.status().code(), c.code);
    if (u.ok()) {
      EXPECT_EQ(u->name, c.user);
      continue;
    }
    EXPECT_EQ(u.status().reason(), c.reason);
    // Unknown users and wrong passwords read the same.
    if (denied_message.empty()) denied_message = u.status().message();
    EXPECT_EQ(u.status().message(), denied_message);
  }
}

TEST_F(AuthServiceTest, BearerTokens) {
  auto t = auth_->CreateToken(alice_, "laptop");
  ASSERT_TRUE(t.ok());
  auto revoked = auth_->CreateToken(alice_, "old");
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(auth_->RevokeToken(alice_, revoked->id).ok());

  struct Case {
    std::string token;
    Code code;
  };
  const Case cases[] = {
      {t->secret, Code::kOk},
      {revoked->secret, Code::kUnauthenticated},
      {"berth_" + std::string(64, '0'), Code::kUnauthenticated},
      {t->secret + "x", Code::kUnauthenticated},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.token);
    Credentials cred;
    cred.bearer_token = c.token;
    cred.method = "POST";  // no CSRF token needed with a bearer token
    auto p = auth_->Authenticate(cred);
    EXPECT_EQ(p.status().code(), c.code);
    if (p.ok()) {
      EXPECT_EQ(p->name, "alice");
      EXPECT_EQ(p->csrf_token, "");
    } else {
      EXPECT_EQ(p.status().reason(), "bad_credentials");
    }
  }
}

TEST_F(AuthServiceTest, NoCredentials) {
  auto p = auth_->Authenticate(Credentials{});
  EXPECT_EQ(p.status().code(), Code::kUnauthenticated);
  EXPECT_EQ(p.status().reason(), "missing_credentials");
  EXPECT_EQ(auth_->AuthenticateToken("").status().code(), Code::kUnauthenticated);
}

TEST_F(AuthServiceTest, CookieSessions) {
  auto [secret, csrf] = AliceSession();
  EXPECT_FALSE(csrf.empty());
  const std::string expired = NewTokenSecret();
  ASSERT_TRUE(store_->CreateWebSession({Sha256Hex(expired), alice_, "csrf", NowUnix() - 1}).ok());
  const std::string signed_out = AliceSession().first;
  ASSERT_TRUE(auth_->DeleteWebSession(signed_out).ok());

  struct Case {
    std::string cookie;
    Code code;
    const char* reason;
  };
  const Case cases[] = {
      {secret, Code::kOk, ""},
      {expired, Code::kUnauthenticated, "session_expired"},
      {NewTokenSecret(), Code::kUnauthenticated, "session_expired"},  // forged
      {signed_out, Code::kUnauthenticated, "session_expired"},
  };
  for (const auto& c : cases) {
    Credentials cred;
    cred.cookie_secret = c.cookie;
    cred.method = "GET";
    auto p = auth_->Authenticate(cred);
    EXPECT_EQ(p.status().code(), c.code) << c.cookie;
    if (p.ok()) {
      EXPECT_EQ(p->name, "alice");
      EXPECT_EQ(p->csrf_token, csrf);
    } else {
      EXPECT_EQ(p.status().reason(), c.reason);
    }
  }
}

TEST_F(AuthServiceTest, CsrfTokenRequiredOnCookieAuthenticatedChanges) {
  auto [secret, csrf] = AliceSession();
  auto token = auth_->CreateToken(alice_, "cli");
  ASSERT_TRUE(token.ok());
  enum Send { kNone, kRight, kWrong };
  struct Case {
    const char* method;
    bool bearer;
    Send csrf;
    Code code;
  };
  const Case cases[] = {
      {"GET", false, kNone, Code::kOk},
      {"HEAD", false, kNone, Code::kOk},
      {"OPTIONS", false, kNone, Code::kOk},
      {"POST", false, kNone, Code::kPermissionDenied},
      {"POST", false, kWrong, Code::kPermissionDenied},
      {"POST", false, kRight, Code::kOk},
      {"PUT", false, kNone, Code::kPermissionDenied},
      {"PATCH", false, kWrong, Code::kPermissionDenied},
      {"DELETE", false, kNone, Code::kPermissionDenied},
      {"DELETE", false, kRight, Code::kOk},
      {"POST", true, kNone, Code::kOk},
      {"DELETE", true, kWrong, Code::kOk},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + (c.bearer ? " bearer " : " cookie ") +
                 std::to_string(c.csrf));
    Credentials cred;
    if (c.bearer) {
      cred.bearer_token = token->secret;
    } else {
      cred.cookie_secret = secret;
    }
    cred.method = c.method;
    const std::string_view wrong = "not-the-token";
    cred.csrf_token = c.csrf == kRight ? std::string_view(csrf) : c.csrf == kWrong ? wrong : "";
    auto p = auth_->Authenticate(cred);
    EXPECT_EQ(p.status().code(), c.code);
    if (c.code == Code::kPermissionDenied) EXPECT_EQ(p.status().reason(), "csrf_failed");
  }
}

TEST_F(AuthServiceTest, WebSocketsMustComeFromTheSameOrigin) {
  auto [secret, csrf] = AliceSession();
  struct Case {
    const char* origin;
    Code code;
  };
  const Case cases[] = {
      {"", Code::kOk},  // not a browser
      {"http://berth.example:8470", Code::kOk},
      {"https://berth.example:8470", Code::kOk},
      {"http://evil.example", Code::kPermissionDenied},
      {"http://berth.example:8471", Code::kPermissionDenied},
  };
  for (const auto& c : cases) {
    Credentials cred;
    cred.cookie_secret = secret;
    cred.method = "GET";
    cred.websocket = true;
    cred.origin = c.origin;
    cred.host = "berth.example:8470";
    auto p = auth_->Authenticate(cred);
    EXPECT_EQ(p.status().code(), c.code) << c.origin;
    if (!p.ok()) EXPECT_EQ(p.status().reason(), "bad_origin");
  }
}

TEST_F(AuthServiceTest, SignInLocksOutAfterRepeatedFailures) {
  for (int i = 0; i < AuthService::kMaxFailures; ++i) {
    auto u = auth_->CheckPassword("alice", "wrong-password", "10.0.0.2");
    EXPECT_EQ(u.status().code(), Code::kUnauthenticated) << "attempt " << i;
  }
  // Now even the right password is refused from that address ...
  auto u = auth_->CheckPassword("alice", "alice-password", "10.0.0.2");
  EXPECT_EQ(u.status().code(), Code::kResourceExhausted);
  EXPECT_EQ(u.status().reason(), "rate_limited");
  // ... but a stranger cannot aim the lockout: alice still signs in from
  // elsewhere, and other users from the same prefix are not refused until
  // the prefix's own limit.
  EXPECT_TRUE(auth_->CheckPassword("alice", "alice-password", "10.0.0.3").ok());
  EXPECT_TRUE(auth_->CheckPassword("alice", "alice-password", "192.168.0.1").ok());
  EXPECT_TRUE(auth_->CheckPassword("root", "root-password", "10.0.0.2").ok());
}

// Regression: names that cannot be user names were tracked and audited in
// full (a 200 KB name per request).
TEST_F(AuthServiceTest, ImpossibleUserNamesAreRefusedBeforeCounting) {
  const std::string bad[] = {std::string(200 * 1024, 'a'), "Alice", "a b", "", "x\ny",
                             std::string(33, 'a')};
  for (int round = 0; round < 3; ++round) {
    for (const auto& name : bad) {
      auto u = auth_->CheckPassword(name, "pw", "10.0.0.9");
      EXPECT_EQ(u.status().code(), Code::kInvalidArgument);
    }
  }
  // None of that counted against the address.
  EXPECT_TRUE(auth_->CheckPassword("alice", "alice-password", "10.0.0.9").ok());
  auto long_pw = auth_->CheckPassword("alice", std::string(AuthService::kMaxPasswordBytes + 1, 'p'),
                                      "10.0.0.9");
  EXPECT_EQ(long_pw.status().code(), Code::kInvalidArgument);
}

TEST_F(AuthServiceTest, RotatingAddressesInOnePrefixHitsItsLimit) {
  int refused_at = -1;
  for (int i = 0; i < 2 * AuthService::kMaxPrefixFailures && refused_at < 0; ++i) {
    std::string addr = "127." + std::to_string(i % 200) + ".0." + std::to_string(1 + i % 250);
    auto u = auth_->CheckPassword("alice", "wrong-password", addr);
    if (u.status().reason() == "rate_limited") refused_at = i;
  }
  EXPECT_EQ(refused_at, AuthService::kMaxPrefixFailures);
  EXPECT_EQ(auth_->CheckPassword("root", "root-password", "127.0.0.1").status().reason(),
            "rate_limited");
}

TEST_F(AuthServiceTest, LoginCodesSignInOnce) {
  std::string code = auth_->MintLoginCode(alice_);
  auto p = auth_->RedeemLoginCode(code);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "alice");
  EXPECT_EQ(auth_->RedeemLoginCode(code).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(auth_->RedeemLoginCode(auth_->MintLoginCode("no-such-user")).status().code(),
            Code::kUnauthenticated);
}

TEST_F(AuthServiceTest, FewerFailuresThanTheLimitDoNotLockOut) {
  for (int i = 0; i < AuthService::kMaxFailures - 1; ++i) {
    EXPECT_FALSE(auth_->CheckPassword("alice", "wrong-password", "10.0.0.5").ok());
  }
  EXPECT_TRUE(auth_->CheckPassword("alice", "alice-password", "10.0.0.5").ok());
}

}  // namespace
}  // namespace berth::manager

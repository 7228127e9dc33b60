// AuthService: who is calling. Creates the first superadmin, issues and
// checks API tokens, web sessions (cookie + CSRF token) and passwords.
// Knows nothing of HTTP: the REST layer (rest/auth_http.h) takes the
// credentials out of a request and hands them over as plain values.
// Thread-safe (state lives in the Store; sign-in failures in a LoginLimiter,
// one-time codes in LoginCodes, both locked).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "common/result.h"
#include "manager/audit_log.h"
#include "manager/login_codes.h"
#include "manager/login_limiter.h"
#include "manager/principal.h"
#include "store/store.h"

namespace berth::manager {

// What a request presents as proof of who sent it.
struct Credentials {
  std::string_view bearer_token;   // the API token (Authorization: Bearer); "" for none
  std::string_view cookie_secret;  // the web session cookie's value; "" for none
  std::string_view csrf_token;     // X-CSRF-Token; "" when absent
  std::string_view method;         // "GET", "POST", ...
  // WebSocket upgrades are checked by origin instead of CSRF token:
  // browsers send Origin ("scheme://host[:port]"), which must name `host`.
  bool websocket = false;
  std::string_view origin;  // "" when absent (not a browser)
  std::string_view host;
};

struct IssuedToken {
  std::string id;
  std::string secret;  // shown once, never stored
};

class AuthService {
 public:
  explicit AuthService(store::Store& store, AuditLog* audit = nullptr,
                       int64_t login_code_ttl_s = LoginCodes::kMaxTtlSeconds)
      : store_(store), audit_(audit), login_codes_(login_code_ttl_s) {}

  // On a store with no users: creates superadmin "admin" and writes a new API
  // token to `token_path` (mode 0600). With users but no readable token file,
  // writes a fresh admin token (so the local CLI keeps working). Returns the
  // token that is now in the file.
  Result<std::string> Bootstrap(const std::string& token_path);

  // The user of API token `secret`. Unauthenticated when empty or unknown.
  Result<Principal> AuthenticateToken(std::string_view secret);

  // Authenticates by the bearer token or, without one, by the web session
  // cookie. Cookie-authenticated requests that change state (any method but
  // GET, HEAD, OPTIONS) must carry the session's CSRF token; WebSocket
  // upgrades must come from the same origin. Unauthenticated without
  // credentials, with unknown or expired ones; PermissionDenied for a
  // missing CSRF token or a foreign origin.
  Result<Principal> Authenticate(const Credentials& c);

  // Browser sign-in: a new web session for `user_id`; returns the cookie
  // value (the secret). Sessions last `kWebSessionSeconds`.
  Result<std::string> CreateWebSession(const std::string& user_id);
  Status DeleteWebSession(const std::string& cookie_secret);
  // Password sign-in: the user on success, Unauthenticated otherwise (the
  // same message for unknown users and bad passwords). A `user` that cannot
  // be a user name (IsValidUserName) or an oversized password is
  // InvalidArgument before anything is counted or audited. Failures are
  // limited per (user, address) and per address prefix (LoginLimiter);
  // past a limit sign-ins are refused (ResourceExhausted, reason
  // "rate_limited": HTTP 429 with Retry-After kLockoutSeconds).
  Result<store::UserRecord> CheckPassword(const std::string& user, const std::string& password,
                                          const std::string& remote_addr);

  // One-time web sign-in codes (SPEC §4, login_codes.h): a code for
  // `user_id`, and the principal a code signs in (once).
  std::string MintLoginCode(const std::string& user_id);
  Result<Principal> RedeemLoginCode(std::string_view code);
  int64_t login_code_ttl_s() const { return login_codes_.ttl_s(); }

  static constexpr int64_t kWebSessionSeconds = 12 * 3600;
  static constexpr int kMaxFailures = LoginLimits{}.max_per_user_source;
  static constexpr int kMaxPrefixFailures = LoginLimits{}.max_per_prefix;
  static constexpr int64_t kLockoutSeconds = LoginLimits{}.window_s;
  static constexpr size_t kMaxPasswordBytes = 1024;

  Result<IssuedToken> CreateToken(const std::string& user_id, const std::string& label);
  Result<std::vector<api::Token>> ListTokens(const std::string& user_id);
  Status RevokeToken(const std::string& user_id, const std::string& token_id);

  // The principal for a user id (signed links); NotFound if gone.
  Result<Principal> LookupUser(const std::string& user_id);

  static Principal ToPrincipal(const store::UserRecord& u);

 private:
  void Audit(const std::string& actor, const std::string& action, const std::string& outcome,
             const std::string& detail = "");
  store::Store& store_;
  AuditLog* audit_;
  LoginLimiter limiter_;
  LoginCodes login_codes_;
};

}  // namespace berth::manager

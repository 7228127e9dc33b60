// AuthService: who is calling. Creates the first superadmin, issues and
// checks API tokens. Thread-safe (state lives in the Store).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "http/request.h"
#include "common/result.h"
#include "manager/audit_log.h"
#include "manager/principal.h"
#include "store/store.h"

namespace berth::manager {

struct IssuedToken {
  std::string id;
  std::string secret;  // shown once, never stored
};

class AuthService {
 public:
  explicit AuthService(store::Store& store, AuditLog* audit = nullptr)
      : store_(store), audit_(audit) {}

  // On a store with no users: creates superadmin "admin" and writes a new API
  // token to `token_path` (mode 0600). With users but no readable token file,
  // writes a fresh admin token (so the local CLI keeps working). Returns the
  // token that is now in the file.
  Result<std::string> Bootstrap(const std::string& token_path);

  // Resolves "Authorization: Bearer <token>". Unauthenticated when missing,
  // malformed or unknown.
  Result<Principal> AuthenticateBearer(std::string_view authorization_header);

  // Authenticates a request by its Bearer token or, without one, by the
  // browser's session cookie. Cookie-authenticated requests that change
  // state must carry the session's CSRF token in X-CSRF-Token; WebSocket
  // upgrades must come from the same origin (browsers send Origin).
  Result<Principal> AuthenticateRequest(const http::Request& req, bool websocket = false);

  // Browser sign-in: a new web session for `user_id`; returns the cookie
  // value (the secret). Sessions last `kWebSessionSeconds`.
  Result<std::string> CreateWebSession(const std::string& user_id);
  Status DeleteWebSession(const std::string& cookie_secret);
  // The session cookie's value in `req`, or "".
  static std::string CookieSecret(const http::Request& req);
  // Password sign-in: the user on success, Unauthenticated otherwise (the
  // same message for unknown users and bad passwords). Repeated failures for
  // one user or address are refused for a while (ResourceExhausted 429-ish).
  Result<store::UserRecord> CheckPassword(const std::string& user, const std::string& password,
                                          const std::string& remote_addr);

  static constexpr int64_t kWebSessionSeconds = 12 * 3600;
  static constexpr const char* kCookieName = "berth_session";

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
  std::mutex fail_mu_;
  std::map<std::string, std::pair<int, int64_t>> failures_;  // key → (count, last unix)
};

}  // namespace berth::manager

#include "manager/auth_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>

#include "common/clock.h"
#include "common/random.h"
#include "common/unique_fd.h"
#include "manager/crypto.h"
#include "manager/user_service.h"

namespace berth::manager {
namespace {

Status WriteSecretFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return ErrnoStatus("creating " + tmp, errno);
  ::fchmod(fd.get(), 0600);
  std::string data = content + "\n";
  if (::write(fd.get(), data.data(), data.size()) != static_cast<ssize_t>(data.size()) ||
      ::fsync(fd.get()) != 0) {
    return ErrnoStatus("writing " + tmp, errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("renaming " + tmp, errno);
  return Status::Ok();
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

void AuthService::Audit(const std::string& actor, const std::string& action,
                        const std::string& outcome, const std::string& detail) {
  if (audit_) audit_->Record(actor, action, "", outcome, detail);
}

Principal AuthService::ToPrincipal(const store::UserRecord& u) {
  return Principal{u.id, u.name, u.role, u.sudo_allowed, u.uid, u.gid, {}};
}

Result<std::string> AuthService::Bootstrap(const std::string& token_path) {
  BERTH_ASSIGN_OR_RETURN(int64_t users, store_.CountUsers());
  std::string admin_id;
  if (users == 0) {
    store::UserRecord admin;
    admin.id = NewUuid();
    admin.name = "admin";
    admin.role = "superadmin";
    admin.created_at = NowRfc3339();
    BERTH_RETURN_IF_ERROR(store_.CreateUser(admin));
    admin_id = admin.id;
    spdlog::info("created superadmin 'admin'");
  } else {
    std::string existing = ReadFirstLine(token_path);
    if (!existing.empty() && AuthenticateToken(existing).ok()) return existing;
    auto admin = store_.GetUserByName("admin");
    if (!admin.ok()) return admin.status();
    admin_id = admin->id;
  }
  BERTH_ASSIGN_OR_RETURN(IssuedToken t, CreateToken(admin_id, "admin.token"));
  BERTH_RETURN_IF_ERROR(WriteSecretFile(token_path, t.secret));
  spdlog::info("wrote an admin API token to {}", token_path);
  return t.secret;
}

Result<Principal> AuthService::AuthenticateToken(std::string_view secret) {
  if (secret.empty()) return Unauthenticated("the API token is not valid", "bad_credentials");
  auto token = store_.GetTokenByHash(Sha256Hex(secret));
  if (!token.ok()) {
    if (token.status().code() == Code::kNotFound) {
      Audit("?", "auth.token", "denied", "unknown API token");
      return Unauthenticated("the API token is not valid", "bad_credentials");
    }
    return token.status();
  }
  auto user = store_.GetUser(token->user_id);
  if (!user.ok()) return Unauthenticated("the API token's user no longer exists", "bad_credentials");
  return ToPrincipal(*user);
}

namespace {

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

// Whether `origin` ("scheme://host[:port]") names `host`; no Origin (not a
// browser) passes.
bool SameOrigin(std::string_view origin, std::string_view host) {
  if (origin.empty()) return true;
  size_t scheme = origin.find("://");
  return (scheme == std::string_view::npos ? origin : origin.substr(scheme + 3)) == host;
}

}  // namespace

Result<Principal> AuthService::Authenticate(const Credentials& c) {
  if (!c.bearer_token.empty()) return AuthenticateToken(c.bearer_token);
  if (c.cookie_secret.empty()) {
    return Unauthenticated("this endpoint needs an API token (Authorization: Bearer <token>)",
                           "missing_credentials");
  }
  auto ws = store_.GetWebSession(Sha256Hex(c.cookie_secret));
  if (!ws.ok() || ws->expires_at < NowUnix()) {
    return Unauthenticated("your sign-in has expired; sign in again", "session_expired");
  }
  if (c.websocket) {
    if (!SameOrigin(c.origin, c.host)) {
      return PermissionDenied("cross-origin WebSocket refused", "bad_origin");
    }
  } else if (!IsSafeMethod(c.method) && !ConstantTimeEquals(c.csrf_token, ws->csrf_token)) {
    return PermissionDenied("missing or wrong X-CSRF-Token header", "csrf_failed");
  }
  auto user = store_.GetUser(ws->user_id);
  if (!user.ok()) return Unauthenticated("your user no longer exists", "bad_credentials");
  Principal p = ToPrincipal(*user);
  p.csrf_token = ws->csrf_token;
  return p;
}

Result<Principal> AuthService::LookupUser(const std::string& user_id) {
  BERTH_ASSIGN_OR_RETURN(auto u, store_.GetUser(user_id));
  return ToPrincipal(u);
}

Result<std::string> AuthService::CreateWebSession(const std::string& user_id) {
  std::string secret = NewTokenSecret();
  store::WebSessionRecord w{Sha256Hex(secret), user_id, RandomHex(16), NowUnix() + kWebSessionSeconds};
  BERTH_RETURN_IF_ERROR(store_.CreateWebSession(w));
  return secret;
}

Status AuthService::DeleteWebSession(const std::string& cookie_secret) {
  return store_.DeleteWebSession(Sha256Hex(cookie_secret));
}

Result<store::UserRecord> AuthService::CheckPassword(const std::string& user,
                                                     const std::string& password,
                                                     const std::string& remote_addr) {
  // Refused before it is counted, logged or audited: a name that cannot
  // exist would only fill the failure table and the audit log.
  if (!IsValidUserName(user)) {
    return InvalidArgument("a user name matches [a-z_][a-z0-9_-]{0,31}", "invalid_user_name");
  }
  if (password.size() > kMaxPasswordBytes) {
    return InvalidArgument("the password is too long", "invalid_password");
  }
  const int64_t now = NowUnix();
  if (limiter_.RetryAfter(user, remote_addr, now) > 0) {
    spdlog::warn("login for '{}' from {} refused: too many failures", user, remote_addr);
    Audit(user, "auth.login", "rate_limited", remote_addr);
    return Status(Code::kResourceExhausted, "too many failed sign-ins; wait a minute",
                  "rate_limited");
  }
  auto u = store_.GetUserByName(user);
  if (u.ok() && VerifyPassword(u->password_hash, password)) {
    limiter_.RecordSuccess(user, remote_addr);
    Audit(user, "auth.login", "ok", remote_addr);
    return u;
  }
  limiter_.RecordFailure(user, remote_addr, now);
  spdlog::warn("failed sign-in for '{}' from {}", user, remote_addr);
  Audit(user, "auth.login", "denied", remote_addr);
  return Unauthenticated("wrong user name or password", "bad_credentials");
}

std::string AuthService::MintLoginCode(const std::string& user_id) {
  return login_codes_.Mint(user_id, NowUnix());
}

Result<Principal> AuthService::RedeemLoginCode(std::string_view code) {
  auto user_id = login_codes_.Redeem(code, NowUnix());
  if (!user_id.ok()) {
    Audit("?", "auth.login_code", "denied");
    return user_id.status();
  }
  auto p = LookupUser(*user_id);
  if (!p.ok()) return Unauthenticated("the link's user no longer exists", "bad_credentials");
  Audit(p->name, "auth.login_code", "ok");
  return p;
}

Result<IssuedToken> AuthService::CreateToken(const std::string& user_id, const std::string& label) {
  IssuedToken out{NewUuid(), NewTokenSecret()};
  store::TokenRecord rec{out.id, user_id, label, Sha256Hex(out.secret), NowRfc3339(), std::nullopt};
  BERTH_RETURN_IF_ERROR(store_.CreateToken(rec));
  return out;
}

Result<std::vector<api::Token>> AuthService::ListTokens(const std::string& user_id) {
  BERTH_ASSIGN_OR_RETURN(auto recs, store_.ListTokens(user_id));
  std::vector<api::Token> out;
  for (auto& r : recs) out.push_back(api::Token{r.id, r.label, r.created_at, r.last_used_at});
  return out;
}

Status AuthService::RevokeToken(const std::string& user_id, const std::string& token_id) {
  return store_.DeleteToken(user_id, token_id);
}

}  // namespace berth::manager

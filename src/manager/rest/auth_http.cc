#include "manager/rest/auth_http.h"

#include "manager/auth_service.h"

namespace berth::manager {

std::string CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view part = header.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return {};
}

std::string SessionCookie(const http::Request& req) {
  return CookieValue(req.Header("cookie"), kSessionCookieName);
}

std::string SetSessionCookie(std::string_view value, int64_t max_age, bool secure) {
  return std::string(kSessionCookieName) + "=" + std::string(value) +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age) +
         (secure ? "; Secure" : "");
}

Result<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (!header.starts_with(kPrefix) || header.size() == kPrefix.size()) {
    return Unauthenticated("the Authorization header must be 'Bearer <token>'", "bad_credentials");
  }
  return header.substr(kPrefix.size());
}

Result<Principal> Authenticate(AuthService& auth, const http::Request& req, bool websocket) {
  const std::string cookie = SessionCookie(req);
  Credentials c;
  if (std::string_view authz = req.Header("authorization"); !authz.empty()) {
    BERTH_ASSIGN_OR_RETURN(c.bearer_token, BearerToken(authz));
  } else {
    c.cookie_secret = cookie;
  }
  c.csrf_token = req.Header("x-csrf-token");
  c.method = req.method;
  c.websocket = websocket;
  c.origin = req.Header("origin");
  c.host = req.Header("host");
  return auth.Authenticate(c);
}

}  // namespace berth::manager

// The HTTP side of authentication: takes the credentials out of a request
// (the Authorization header, the session cookie, X-CSRF-Token, Origin) and
// hands them to AuthService as plain values; builds the session cookie.
// This is the only cookie parser. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "http/request.h"
#include "manager/principal.h"

namespace berth::manager {

class AuthService;

inline constexpr std::string_view kSessionCookieName = "berth_session";

// The value of cookie `name` in a Cookie header, or "".
std::string CookieValue(std::string_view cookie_header, std::string_view name);
// The web session cookie's value in `req`, or "".
std::string SessionCookie(const http::Request& req);
// A Set-Cookie value for the session cookie (HttpOnly, SameSite=Strict, and
// Secure when `secure`: the client spoke https, Request::https);
// an empty value with max_age 0 clears it.
std::string SetSessionCookie(std::string_view value, int64_t max_age, bool secure = false);

// The token of an "Authorization: Bearer <token>" header value.
// REQUIRES: !authorization.empty()
Result<std::string_view> BearerToken(std::string_view authorization);

// Authenticates `req` through `auth` (see AuthService::Authenticate); a
// WebSocket upgrade when `websocket`.
Result<Principal> Authenticate(AuthService& auth, const http::Request& req, bool websocket = false);

}  // namespace berth::manager

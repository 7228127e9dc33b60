// The apps origin's request rules that need no HTTP library (SPEC §3
// "Apps"): where a request goes (/s/<session id>/<app>/...), which
// credentials it carries, and what of them must never reach the app.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::apps {

// The apps-origin cookie (HttpOnly, SameSite=Lax, Path=/s/<id>/<app>/).
inline constexpr char kAppCookie[] = "berth_app";
// The path of the one-time sign-in step under an app's base URL.
inline constexpr char kOpenStep[] = "_berth_open";

struct AppPath {
  std::string session_id;
  std::string app;
  std::string rest;  // after "/s/<id>/<app>/", query included; "" for the root
  bool trailing_slash = true;  // false for "/s/<id>/<app>" exactly (redirect it)
};

// Splits a request target. nullopt unless it is /s/<id>/<app>[/...] with an
// id of [A-Za-z0-9-]{1,64} and a valid app name (images::IsValidAppName).
std::optional<AppPath> ParseAppPath(std::string_view target);

// The value of query parameter `name` in `rest` (the part after '?'),
// not percent-decoded (codes are hex). nullopt when absent.
std::optional<std::string> QueryParam(std::string_view rest, std::string_view name);

// A Cookie header value without Berth's own cookies (the apps cookie and
// the API origin's berth_session / berth_csrf, should a browser send them);
// the apps cookie values go to `app_cookies`. "" when nothing is left.
std::string StripBerthCookies(std::string_view cookie_header, std::vector<std::string>* app_cookies);

// The token of an "Authorization: Bearer <token>" value; "" otherwise.
std::string BearerToken(std::string_view authorization);

// Wildcard-host mode (`--apps-listen '*.DOMAIN:PORT'`, one origin per app):
// the host name of app `app` of session `session_id` under `domain`,
// lower-case: "<app>-<session id>.<domain>". Session ids are UUIDs (36
// characters) and app names at most 32, so a label longer than a DNS
// label's 63 characters (app names over 26 characters) becomes
// "<session id>-<16 hex of SHA-256(app)>" instead: still one per app.
std::string AppHostName(std::string_view domain, std::string_view session_id, std::string_view app);

// The host name of a Host header value, lower-case, without its port
// ("Ab.example:8471" -> "ab.example", "[::1]:1" -> "[::1]").
std::string HostNameOf(std::string_view host_header);

// Whether a request's Origin header names the origin it was sent to:
// `scheme://authority` with the scheme of the connection (https when
// `tls`) and the authority of its Host header, compared case-insensitively
// and without the scheme's default port. "null" and anything malformed:
// false. The proxy refuses a cookie-authenticated request whose Origin is
// another origin's (another app's host in wildcard-host mode is same-site,
// so SameSite=Lax alone would let its page send the viewer's cookie).
bool SameOrigin(std::string_view origin, std::string_view host_header, bool tls);

// The Set-Cookie value for the apps cookie of `base_url`. It never has a
// Domain attribute: a host-only cookie, which in wildcard-host mode no
// other app's host receives.
std::string AppCookie(const std::string& value, const std::string& base_url, int64_t max_age_s,
                      bool secure);

}  // namespace berth::apps

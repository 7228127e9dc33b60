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

// The Set-Cookie value for the apps cookie of `base_url`.
std::string AppCookie(const std::string& value, const std::string& base_url, int64_t max_age_s,
                      bool secure);

}  // namespace berth::apps

// AppGrants: how a browser signs in on the apps origin (SPEC §3 "Apps").
// `GET /sessions/{name}/apps/{app}/open` on the API origin mints a one-time
// code for (user, session, app) and redirects to the apps origin's
// /s/<id>/<app>/_berth_open?code=C, which redeems it for the apps cookie
// (a random secret, scoped to that app's path). An API token never travels
// in a URL and no Berth cookie is ever valid on the apps origin.
//
// Codes: single use, kCodeTtlS seconds (manager/login_codes.h does the
// bookkeeping). Cookies: kCookieTtlS seconds; only their SHA-256 is kept, in
// memory, so a restart signs every app tab out (open the app again). At
// most `capacity` cookies are live; issuing past that drops the oldest.
//
// Thread-safe (one mutex, plus LoginCodes' own). Time is passed in (unix
// seconds) for tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"
#include "manager/login_codes.h"

namespace berth::manager {

struct AppGrant {
  std::string user_id;
  std::string session_id;
  std::string app;
};

class AppGrants {
 public:
  static constexpr int64_t kCodeTtlS = 60;
  static constexpr int64_t kCookieTtlS = 12 * 3600;

  explicit AppGrants(size_t capacity = 10000);

  std::string MintCode(const AppGrant& grant, int64_t now);
  // The grant of `code`, which is used up. Unauthenticated (reason
  // "bad_app_code") when unknown, used or expired.
  Result<AppGrant> RedeemCode(std::string_view code, int64_t now);

  // A new cookie value for `grant`.
  std::string IssueCookie(const AppGrant& grant, int64_t now);
  // The grant of cookie `value`; Unauthenticated when unknown or expired.
  Result<AppGrant> CheckCookie(std::string_view value, int64_t now);

 private:
  struct Live {
    AppGrant grant;
    int64_t expires_at;
  };

  LoginCodes codes_;
  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Live> cookies_;  // by SHA-256 of the value
  std::deque<std::string> order_;                  // hashes, oldest first
};

}  // namespace berth::manager

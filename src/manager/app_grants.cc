#include "manager/app_grants.h"

#include <algorithm>

#include "common/random.h"
#include "manager/crypto.h"

namespace berth::manager {
namespace {

// LoginCodes keeps one string per code: the grant's three ids joined by
// '\n' (ids and app names never contain one).
std::string Join(const AppGrant& g) { return g.user_id + "\n" + g.session_id + "\n" + g.app; }

AppGrant Split(const std::string& s) {
  AppGrant g;
  size_t a = s.find('\n'), b = s.find('\n', a + 1);
  g.user_id = s.substr(0, a);
  g.session_id = s.substr(a + 1, b - a - 1);
  g.app = s.substr(b + 1);
  return g;
}

}  // namespace

AppGrants::AppGrants(size_t capacity)
    : codes_(kCodeTtlS, capacity), capacity_(std::max<size_t>(capacity, 1)) {}

std::string AppGrants::MintCode(const AppGrant& grant, int64_t now) {
  return codes_.Mint(Join(grant), now);
}

Result<AppGrant> AppGrants::RedeemCode(std::string_view code, int64_t now) {
  auto joined = codes_.Redeem(code, now);
  if (!joined.ok()) {
    return Unauthenticated("this app link is unknown, used or expired; open the app from Berth again",
                           "bad_app_code");
  }
  return Split(*joined);
}

std::string AppGrants::IssueCookie(const AppGrant& grant, int64_t now) {
  std::string value = RandomHex(32);
  std::string hash = Sha256Hex(value);
  std::lock_guard lock(mu_);
  while (!order_.empty() && (cookies_.size() >= capacity_ || order_.size() >= 2 * capacity_)) {
    cookies_.erase(order_.front());
    order_.pop_front();
  }
  cookies_[hash] = Live{grant, now + kCookieTtlS};
  order_.push_back(std::move(hash));
  return value;
}

Result<AppGrant> AppGrants::CheckCookie(std::string_view value, int64_t now) {
  const std::string hash = Sha256Hex(value);
  std::lock_guard lock(mu_);
  auto it = cookies_.find(hash);
  if (it == cookies_.end() || it->second.expires_at <= now) {
    return Unauthenticated("the app sign-in has expired; open the app from Berth again",
                           "bad_app_cookie");
  }
  return it->second.grant;
}

}  // namespace berth::manager

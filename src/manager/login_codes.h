// LoginCodes: one-time web sign-in codes (SPEC §4). `GET /login?code=C`
// trades a code for a browser session, so that an API token never has to
// travel in a URL (URLs end up in shell history, proxy logs, browser
// history and the daemon's own start-up output).
//
// A code is single use and lapses `ttl_s` (≤ 10 minutes) after it was
// minted. Only its SHA-256 is kept, in memory: a restart forgets every
// unredeemed code, which is harmless (mint a new one). At most `capacity`
// codes are pending; minting past that drops the oldest.
//
// Thread-safe (one mutex). Time is passed in (unix seconds) for tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

namespace berth::manager {

class LoginCodes {
 public:
  static constexpr int64_t kMaxTtlSeconds = 600;

  // `ttl_s` is clamped to [1, kMaxTtlSeconds].
  explicit LoginCodes(int64_t ttl_s = kMaxTtlSeconds, size_t capacity = 1000);

  // A new code for `user_id`.
  std::string Mint(const std::string& user_id, int64_t now);
  // The user id of `code`, which is used up; Unauthenticated (reason
  // "bad_login_code") when unknown, already used or expired.
  Result<std::string> Redeem(std::string_view code, int64_t now);

  int64_t ttl_s() const { return ttl_s_; }

 private:
  struct Pending {
    std::string user_id;
    int64_t expires_at;
  };
  void DropExpired(int64_t now);  // REQUIRES: mu_ held

  const int64_t ttl_s_;
  const size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Pending> by_hash_;
  std::deque<std::string> order_;  // hashes, oldest first (may name redeemed codes)
};

}  // namespace berth::manager

#include "manager/login_codes.h"

#include <algorithm>

#include "common/random.h"
#include "manager/crypto.h"

namespace berth::manager {

LoginCodes::LoginCodes(int64_t ttl_s, size_t capacity)
    : ttl_s_(std::clamp<int64_t>(ttl_s, 1, kMaxTtlSeconds)), capacity_(std::max<size_t>(capacity, 1)) {}

void LoginCodes::DropExpired(int64_t now) {
  while (!order_.empty()) {
    auto it = by_hash_.find(order_.front());
    const bool live = it != by_hash_.end() && it->second.expires_at > now;
    if (live && by_hash_.size() < capacity_ && order_.size() <= 2 * capacity_) break;
    if (it != by_hash_.end()) by_hash_.erase(it);
    order_.pop_front();
  }
}

std::string LoginCodes::Mint(const std::string& user_id, int64_t now) {
  std::string code = RandomHex(16);
  std::string hash = Sha256Hex(code);
  std::lock_guard lock(mu_);
  DropExpired(now);
  by_hash_[hash] = Pending{user_id, now + ttl_s_};
  order_.push_back(std::move(hash));
  return code;
}

Result<std::string> LoginCodes::Redeem(std::string_view code, int64_t now) {
  const std::string hash = Sha256Hex(code);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || it->second.expires_at <= now) {
    return Unauthenticated("this sign-in link is unknown, used or expired; ask for a new one",
                           "bad_login_code");
  }
  std::string user_id = std::move(it->second.user_id);
  by_hash_.erase(it);
  return user_id;
}

}  // namespace berth::manager

#include "manager/login_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace berth::manager {

std::string SourcePrefix(std::string_view addr) {
  std::string a(addr);
  in_addr v4{};
  in6_addr v6{};
  const unsigned char* b = nullptr;
  if (::inet_pton(AF_INET, a.c_str(), &v4) == 1) {
    b = reinterpret_cast<const unsigned char*>(&v4);
  } else if (::inet_pton(AF_INET6, a.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return "loopback";
    if (!IN6_IS_ADDR_V4MAPPED(&v6)) {
      char buf[64];
      const unsigned char* s = v6.s6_addr;
      std::snprintf(buf, sizeof buf, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", s[0], s[1], s[2],
                    s[3], s[4], s[5], s[6], s[7]);
      return buf;
    }
    b = v6.s6_addr + 12;
  } else {
    return a;
  }
  if (b[0] == 127) return "loopback";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.0/24", b[0], b[1], b[2]);
  return buf;
}

const FailureTable::Entry* FailureTable::Live(const std::string& key, int64_t now) const {
  auto it = index_.find(key);
  if (it == index_.end() || now - it->second->last >= window_s_) return nullptr;
  return &*it->second;
}

int FailureTable::Count(const std::string& key, int64_t now) const {
  const Entry* e = Live(key, now);
  return e ? e->count : 0;
}

int64_t FailureTable::SecondsLeft(const std::string& key, int64_t now) const {
  const Entry* e = Live(key, now);
  return e ? e->last + window_s_ - now : 0;
}

void FailureTable::Add(const std::string& key, int64_t now) {
  auto it = index_.find(key);
  if (it != index_.end()) {
    Entry& e = *it->second;
    e.count = now - e.last >= window_s_ ? 1 : e.count + 1;
    e.last = now;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  // Lapsed entries at the cold end go first, then the coldest live one.
  while (!lru_.empty() && (index_.size() >= capacity_ || now - lru_.back().last >= window_s_)) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  if (capacity_ == 0) return;
  lru_.push_front(Entry{key, 1, now});
  index_.emplace(key, lru_.begin());
}

void FailureTable::Erase(const std::string& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  lru_.erase(it->second);
  index_.erase(it);
}

namespace {

// '\n' cannot occur in a valid user name or an address.
std::string UserSourceKey(const std::string& user, std::string_view addr) {
  return user + "\n" + std::string(addr);
}

}  // namespace

LoginLimiter::LoginLimiter(LoginLimits limits)
    : limits_(limits),
      per_user_source_(limits.capacity, limits.window_s),
      per_prefix_(limits.capacity, limits.window_s) {}

int64_t LoginLimiter::RetryAfter(const std::string& user, std::string_view addr, int64_t now) {
  const std::string us = UserSourceKey(user, addr), prefix = SourcePrefix(addr);
  std::lock_guard lock(mu_);
  int64_t wait = 0;
  if (per_user_source_.Count(us, now) >= limits_.max_per_user_source) {
    wait = per_user_source_.SecondsLeft(us, now);
  }
  if (per_prefix_.Count(prefix, now) >= limits_.max_per_prefix) {
    wait = std::max(wait, per_prefix_.SecondsLeft(prefix, now));
  }
  return wait;
}

void LoginLimiter::RecordFailure(const std::string& user, std::string_view addr, int64_t now) {
  const std::string us = UserSourceKey(user, addr), prefix = SourcePrefix(addr);
  std::lock_guard lock(mu_);
  per_user_source_.Add(us, now);
  per_prefix_.Add(prefix, now);
}

void LoginLimiter::RecordSuccess(const std::string& user, std::string_view addr) {
  std::lock_guard lock(mu_);
  per_user_source_.Erase(UserSourceKey(user, addr));
}

size_t LoginLimiter::size() {
  std::lock_guard lock(mu_);
  return per_user_source_.size() + per_prefix_.size();
}

}  // namespace berth::manager

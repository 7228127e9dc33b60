// LoginLimiter: how many password sign-ins may still be tried, and from
// where. It stops two attacks without handing an attacker a third:
//
//  * Guessing one user's password: failures count per (user, source
//    address); kMaxPerUserSource of them within the window refuse that
//    pair. A stranger's failures from elsewhere never lock a user out of
//    their own place (the old per-user lockout let anyone lock out admin).
//  * Spraying from many addresses: failures also count per source *prefix*
//    (SourcePrefix: IPv4 /24, IPv6 /64, all of loopback as one), so rotating
//    127.x.y.z or the hosts of one /24 or /64 does not reset the count;
//    kMaxPerPrefix of them refuse the whole prefix, right passwords included.
//
// Memory is bounded whatever is sent: the counters live in an expiring LRU
// with a fixed capacity (the least recently failed entry goes first), and
// callers validate the user name before any of this (AuthService).
//
// Thread-safe (one mutex). Time is passed in (unix seconds) so tests can
// drive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace berth::manager {

// The rate-limiting key of a source address: "a.b.c.0/24", "xxxx:xxxx:xxxx:xxxx::/64"
// (IPv4-mapped IPv6 counts as IPv4), "loopback" for 127.0.0.0/8 and ::1;
// an address that does not parse is its own key.
std::string SourcePrefix(std::string_view addr);

// Failure counters by key. A count lapses `window_s` after its last
// failure; with `capacity` keys held, adding a new one evicts the least
// recently failed. Not thread-safe (LoginLimiter locks around it).
class FailureTable {
 public:
  FailureTable(size_t capacity, int64_t window_s) : capacity_(capacity), window_s_(window_s) {}

  // Failures of `key` in the window ending at `now`; 0 when lapsed or absent.
  int Count(const std::string& key, int64_t now) const;
  // Seconds until `key`'s count lapses (0 when absent or lapsed).
  int64_t SecondsLeft(const std::string& key, int64_t now) const;
  void Add(const std::string& key, int64_t now);
  void Erase(const std::string& key);
  size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    int count;
    int64_t last;  // unix seconds of the latest failure
  };
  const Entry* Live(const std::string& key, int64_t now) const;

  size_t capacity_;
  int64_t window_s_;
  std::list<Entry> lru_;  // most recently failed first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

struct LoginLimits {
  int max_per_user_source = 5;
  int max_per_prefix = 20;
  int64_t window_s = 60;
  size_t capacity = 10000;  // per table
};

class LoginLimiter {
 public:
  explicit LoginLimiter(LoginLimits limits = {});

  // 0 when `user` may try from `addr` now; otherwise the seconds to wait
  // (for Retry-After).
  int64_t RetryAfter(const std::string& user, std::string_view addr, int64_t now);
  void RecordFailure(const std::string& user, std::string_view addr, int64_t now);
  // A right password clears the (user, address) count, not the prefix's.
  void RecordSuccess(const std::string& user, std::string_view addr);

  // Keys held in all (for tests of the bound).
  size_t size();

 private:
  LoginLimits limits_;
  std::mutex mu_;
  FailureTable per_user_source_;
  FailureTable per_prefix_;
};

}  // namespace berth::manager

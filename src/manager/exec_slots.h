// ExecSlots: the caps on concurrent `POST /sessions/{name}/exec`, per user
// and in all (docs/security.md, item 6 of issue 10).
//
// An exec holds one HTTP worker thread until it ends (at most
// exec_max_timeout_s), so a single user running many long execs at once, or
// many users together, could starve the worker pool and with it every other
// request, /health included. Each exec must hold a Slot for its whole run; a
// user who already holds `max_per_user` slots, or any caller while
// `max_total` slots are held in all (max_execs_total, less than the
// server's worker_threads), is refused with ResourceExhausted
// "too_many_execs" (HTTP 429 with Retry-After kRetryAfterSeconds, mapped in
// rest/handler_util.cc). A superadmin is capped too: the caps protect the
// worker pool, not the data.
//
// Thread-safe: Acquire and Slot release may run on any threads at once.
// REQUIRES: the ExecSlots outlives every Slot it handed out.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "common/result.h"

namespace berth::manager {

class ExecSlots {
 public:
  // What a refused caller is told to wait before retrying: execs are often
  // short, so a second is enough to make a retry loop polite.
  static constexpr int64_t kRetryAfterSeconds = 1;

  // RAII: the slot is released when the Slot is destroyed. Movable only.
  class Slot {
   public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

   private:
    friend class ExecSlots;
    Slot(ExecSlots* owner, std::string user_id) : owner_(owner), user_id_(std::move(user_id)) {}
    void Release();

    ExecSlots* owner_ = nullptr;  // null once moved from or released
    std::string user_id_;
  };

  // REQUIRES: max_per_user > 0 and max_total > 0 (CheckLimitSettings
  // refuses anything else).
  ExecSlots(int64_t max_per_user, int64_t max_total)
      : max_per_user_(max_per_user), max_total_(max_total) {}
  ExecSlots(const ExecSlots&) = delete;
  ExecSlots& operator=(const ExecSlots&) = delete;

  // A slot for one exec of `user_id`, or ResourceExhausted "too_many_execs"
  // when the user already holds max_per_user of them or max_total are held.
  Result<Slot> Acquire(const std::string& user_id);
  // Slots `user_id` holds now (for tests and logs).
  int64_t InUse(const std::string& user_id) const;
  // Slots held by all users now.
  int64_t TotalInUse() const;

 private:
  void Release(const std::string& user_id);

  const int64_t max_per_user_;
  const int64_t max_total_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> in_use_;  // guarded by mu_; no zero entries
  int64_t total_ = 0;                      // guarded by mu_: the sum of in_use_
};

}  // namespace berth::manager

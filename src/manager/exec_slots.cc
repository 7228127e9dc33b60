#include "manager/exec_slots.h"

#include <utility>

namespace berth::manager {

ExecSlots::Slot::Slot(Slot&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), user_id_(std::move(other.user_id_)) {}

ExecSlots::Slot& ExecSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    user_id_ = std::move(other.user_id_);
  }
  return *this;
}

ExecSlots::Slot::~Slot() { Release(); }

void ExecSlots::Slot::Release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->Release(user_id_);
}

Result<ExecSlots::Slot> ExecSlots::Acquire(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ >= max_total_) {
    return ResourceExhausted("too many concurrent execs on this server (at most " +
                                 std::to_string(max_total_) + " in all); retry when one ends",
                             "too_many_execs");
  }
  int64_t& n = in_use_[user_id];
  if (n >= max_per_user_) {
    if (n == 0) in_use_.erase(user_id);
    return ResourceExhausted("too many concurrent execs (at most " +
                                 std::to_string(max_per_user_) + " per user); retry when one ends",
                             "too_many_execs");
  }
  ++n;
  ++total_;
  return Slot(this, user_id);
}

int64_t ExecSlots::InUse(const std::string& user_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_use_.find(user_id);
  return it == in_use_.end() ? 0 : it->second;
}

int64_t ExecSlots::TotalInUse() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

void ExecSlots::Release(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = in_use_.find(user_id);
  if (it == in_use_.end()) return;  // cannot happen: every Slot counted once
  --total_;
  if (--it->second <= 0) in_use_.erase(it);
}

}  // namespace berth::manager

#include "remote/flow_control.h"

#include <algorithm>

namespace berth::remote {

size_t SendCredit::Acquire(size_t want) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return closed_ || credit_ > 0; });
  if (closed_) return 0;
  size_t n = std::min(want, credit_);
  credit_ -= n;
  return n;
}

size_t SendCredit::TryAcquire(size_t want) {
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  size_t n = std::min(want, credit_);
  credit_ -= n;
  return n;
}

void SendCredit::Grant(size_t n) {
  {
    std::lock_guard lock(mu_);
    credit_ += n;
  }
  cv_.notify_all();
}

void SendCredit::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

bool SendCredit::available() const {
  std::lock_guard lock(mu_);
  return !closed_ && credit_ > 0;
}

bool RecvWindow::OnData(size_t n) {
  if (n > outstanding_) return false;
  outstanding_ -= n;
  return true;
}

uint32_t RecvWindow::OnConsumed(size_t n) {
  consumed_ += n;
  if (consumed_ < kStreamWindow / 4) return 0;
  auto credit = static_cast<uint32_t>(consumed_);
  outstanding_ += consumed_;
  consumed_ = 0;
  return credit;
}

}  // namespace berth::remote

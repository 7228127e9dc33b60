#include "http/connection_limiter.h"

namespace berth::http {

ConnectionLimiter::Slot::~Slot() {
  if (owner_) owner_->Release(client_);
}

std::optional<ConnectionLimiter::Slot> ConnectionLimiter::TryAcquire(const std::string& client,
                                                                    bool per_client_cap) {
  std::lock_guard lock(mu_);
  if (max_total_ > 0 && total_ >= max_total_) return std::nullopt;
  size_t& mine = per_client_[client];
  if (per_client_cap && max_per_client_ > 0 && mine >= max_per_client_) return std::nullopt;
  ++mine;
  ++total_;
  return Slot(this, client);
}

size_t ConnectionLimiter::open() const {
  std::lock_guard lock(mu_);
  return total_;
}

void ConnectionLimiter::Release(const std::string& client) {
  std::lock_guard lock(mu_);
  --total_;
  auto it = per_client_.find(client);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
}

}  // namespace berth::http

#include "manager/event_bus.h"

namespace berth::manager {

namespace {
constexpr size_t kMaxQueued = 256;
}

std::optional<Event> EventBus::Subscription::Next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return std::nullopt;
  Event e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

std::shared_ptr<EventBus::Subscription> EventBus::Subscribe(const std::string& user_id,
                                                            bool superadmin) {
  auto s = std::make_shared<Subscription>();
  s->user_id_ = user_id;
  s->superadmin_ = superadmin;
  std::lock_guard lock(mu_);
  subs_.insert(s);
  return s;
}

void EventBus::Unsubscribe(const std::shared_ptr<Subscription>& s) {
  std::lock_guard lock(mu_);
  subs_.erase(s);
}

void EventBus::Publish(const Event& e) {
  std::lock_guard lock(mu_);
  for (const auto& s : subs_) {
    if (s->user_id_ != e.user_id && !s->superadmin_) continue;
    {
      std::lock_guard sl(s->mu_);
      if (s->queue_.size() >= kMaxQueued) s->queue_.pop_front();
      s->queue_.push_back(e);
    }
    s->cv_.notify_one();
  }
}

void EventBus::CloseAll() {
  std::lock_guard lock(mu_);
  for (const auto& s : subs_) {
    {
      std::lock_guard sl(s->mu_);
      s->closed_ = true;
    }
    s->cv_.notify_all();
  }
}

}  // namespace berth::manager

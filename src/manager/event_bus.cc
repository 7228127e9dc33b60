#include "manager/event_bus.h"

namespace berth::manager {

namespace {
constexpr size_t kMaxQueued = 256;
}

std::optional<Event> EventBus::Subscription::TryNext() {
  std::lock_guard lock(mu_);
  if (queue_.empty()) return std::nullopt;
  Event e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

bool EventBus::Subscription::closed() {
  std::lock_guard lock(mu_);
  return closed_;
}

void EventBus::Subscription::SetWaker(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  wake_ = std::move(wake);
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

void EventBus::SetForwarder(std::function<void(const Event&)> forward) {
  forward_ = std::move(forward);
}

void EventBus::Publish(const Event& e) {
  Deliver(e);
  if (forward_) forward_(e);
}

void EventBus::Deliver(const Event& e) {
  std::lock_guard lock(mu_);
  for (const auto& s : subs_) {
    if (s->user_id_ != e.user_id && !s->superadmin_) continue;
    std::lock_guard sl(s->mu_);
    if (s->queue_.size() >= kMaxQueued) s->queue_.pop_front();
    s->queue_.push_back(e);
    if (s->wake_) s->wake_();
  }
}

void EventBus::CloseAll() {
  std::lock_guard lock(mu_);
  for (const auto& s : subs_) {
    std::lock_guard sl(s->mu_);
    s->closed_ = true;
    if (s->wake_) s->wake_();
  }
}

}  // namespace berth::manager

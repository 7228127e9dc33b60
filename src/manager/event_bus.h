// EventBus: fan-out of session and folder changes to /events subscribers
// (SSE). Publishers never block on slow subscribers: each subscriber has a
// bounded queue and drops its oldest events when full. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace berth::manager {

struct Event {
  std::string type;     // "session" | "folder"
  std::string user_id;  // whose resource changed (delivered to them and superadmins)
  std::string data;     // JSON
};

class EventBus {
 public:
  class Subscription {
   public:
    // Waits up to `timeout` for the next event; nullopt on timeout or close.
    std::optional<Event> Next(std::chrono::milliseconds timeout);

   private:
    friend class EventBus;
    std::string user_id_;
    bool superadmin_ = false;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> queue_;
    bool closed_ = false;
  };

  std::shared_ptr<Subscription> Subscribe(const std::string& user_id, bool superadmin);
  void Unsubscribe(const std::shared_ptr<Subscription>& s);
  void Publish(const Event& e);
  // Wakes every subscriber so their streams end (shutdown).
  void CloseAll();

 private:
  std::mutex mu_;
  std::set<std::shared_ptr<Subscription>> subs_;
};

}  // namespace berth::manager

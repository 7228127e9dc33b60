// EventBus: fan-out of session and folder changes to /events subscribers
// (SSE). Publishers never block on slow subscribers: each subscriber has a
// bounded queue and drops its oldest events when full. Thread-safe.
#pragma once

#include <deque>
#include <functional>
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
    // Never blocks: the next queued event, if any.
    std::optional<Event> TryNext();
    // True once CloseAll ran (and the queue may still hold events).
    bool closed();
    // `wake` runs (under the subscription's lock, so it must be quick and
    // must not call back in) on each new event and on close; nullptr stops
    // it. Lets an event stream wait without a thread.
    void SetWaker(std::function<void()> wake);

   private:
    friend class EventBus;
    std::string user_id_;
    bool superadmin_ = false;
    std::mutex mu_;
    std::function<void()> wake_;
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

// EventBus: fan-out of session and folder changes to /events subscribers
// (SSE). Publishers never block on slow subscribers: each subscriber has a
// bounded queue and drops its oldest events when full. With several managers
// on one store, a forwarder (event_relay.h) carries each published event to
// the other managers, which Deliver it to their own subscribers.
// Thread-safe.
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
  // Delivers `e` here, then hands it to the forwarder (if any).
  void Publish(const Event& e);
  // Delivers `e` to this manager's subscribers only (an event another
  // manager published).
  void Deliver(const Event& e);
  // Every Publish also calls `forward` (on the publisher's thread, after
  // local delivery). REQUIRES: called before the bus is shared.
  void SetForwarder(std::function<void(const Event&)> forward);
  // Wakes every subscriber so their streams end (shutdown).
  void CloseAll();

 private:
  std::mutex mu_;
  std::set<std::shared_ptr<Subscription>> subs_;
  std::function<void(const Event&)> forward_;  // set before sharing, then read-only
};

}  // namespace berth::manager

// EventRelay: carries EventBus events between the managers that share one
// store (SPEC §9), so that /events on manager B shows a folder created on
// manager A. It forwards every event published here through the store's
// Coordination (PostgreSQL: NOTIFY) and delivers what the other managers
// broadcast (LISTEN) to this manager's subscribers. With a store only one
// manager opens (SQLite), the coordination is local and nothing travels.
//
// Delivery is best effort, like the bus itself: events are hints to
// refresh; the store stays the truth. Thread-safe once started.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "manager/event_bus.h"
#include "store/coordination.h"

namespace berth::manager {

class EventRelay {
 public:
  EventRelay(EventBus& bus, store::Coordination& coordination)
      : bus_(bus), coordination_(coordination) {}
  ~EventRelay() { Stop(); }

  // Starts listening and forwarding. REQUIRES: before the bus is shared.
  Status Start();
  // Stops listening (events published later are still forwarded by the
  // bus until it is destroyed; the coordination drops them once stopped).
  void Stop();

  // The wire form of an event, and back (nullopt for a malformed one).
  static std::string Encode(const Event& e);
  static std::optional<Event> Decode(const std::string& payload);

 private:
  EventBus& bus_;
  store::Coordination& coordination_;
};

}  // namespace berth::manager

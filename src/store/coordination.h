// Coordination: what the managers that share one store share besides its
// rows (SPEC §9 "several managers"): deployment-wide locks, so that work
// one manager must do for all (start-up bootstrap and reconciliation) is
// not done twice at once, and work only one manager should do at all (the
// snapshot schedule) or that belongs to the manager doing it (a clone under
// way) is done by that one only, and a broadcast channel, so that an event
// published on one manager reaches the /events streams of the others.
//
// A store that only one manager can open (SQLite: berthd locks its data
// dir) comes with LocalCoordination: every lock is granted at once and a
// broadcast reaches no one. PostgreSQL's is PgCoordination (advisory locks,
// LISTEN/NOTIFY). Implementations are thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace berth::store {

class Coordination {
 public:
  // Held until destroyed (or until this manager dies).
  class Hold {
   public:
    virtual ~Hold() = default;
    // Whether this manager still holds it: false once the database
    // connection that holds it broke (the lock is then free for others).
    virtual bool Held() { return true; }
  };

  virtual ~Coordination() = default;

  // Blocks until this manager holds the deployment-wide lock `name`.
  virtual Result<std::unique_ptr<Hold>> Lock(const std::string& name) = 0;
  // Takes the lock `name` if no manager holds it; a null hold when another
  // manager does. Never blocks on the lock.
  virtual Result<std::unique_ptr<Hold>> TryLock(const std::string& name) = 0;
  // Sends `payload` (at most 7000 bytes) to every other manager's Listen
  // callback; never to this manager's own. Best effort: a manager that is
  // not connected at that moment misses it.
  virtual Status Broadcast(const std::string& payload) = 0;
  // Calls `on_message` with each payload another manager broadcasts, on a
  // thread of its own, until Stop. REQUIRES: called at most once.
  virtual Status Listen(std::function<void(const std::string&)> on_message) = 0;
  // Stops listening (joins the listener). Idempotent.
  virtual void Stop() = 0;
};

// The coordination of a store that one manager owns alone.
std::unique_ptr<Coordination> LocalCoordination();

}  // namespace berth::store

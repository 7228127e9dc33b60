// PgCoordination: Coordination (coordination.h) for managers that share one
// PostgreSQL database.
//  - Lock(name): a session-level advisory lock (pg_advisory_lock on a hash
//    of "berth:" + name) on a connection of its own that the Hold keeps
//    open; PostgreSQL releases it if this manager dies.
//  - Broadcast/Listen: NOTIFY/LISTEN on the channel "berth_events". Each
//    payload is prefixed with this manager's random instance id so that
//    its own listener skips what it sent. The listener reconnects (once a
//    second) after the server went away; what was broadcast meanwhile is
//    missed (events are hints to refresh, the store stays the truth).
// Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "store/coordination.h"

namespace berth::store {

// `url`: the store's libpq URI. Connects lazily (on first use).
std::unique_ptr<Coordination> PgCoordination(const std::string& url);

}  // namespace berth::store

// NotifyServiceManager: the service-manager readiness protocol of systemd's
// sd_notify(3), without libsystemd: one datagram ("READY=1", "STOPPING=1",
// ...) to the AF_UNIX socket named by $NOTIFY_SOCKET. Type=notify units wait
// for READY=1 before they count as started.
//
// Stateless and thread-safe. With $NOTIFY_SOCKET unset (not under a service
// manager, or Type=simple) it does nothing and returns OK.
#pragma once

#include <string>

#include "common/status.h"

namespace berth {

// Sends `state` (newline-separated VAR=VALUE assignments) to the socket at
// `socket_path`: a filesystem path, or "@name" for the abstract namespace.
// An empty path is a no-op.
Status NotifyServiceManagerAt(const std::string& socket_path, const std::string& state);

// The same, to $NOTIFY_SOCKET.
Status NotifyServiceManager(const std::string& state);

}  // namespace berth

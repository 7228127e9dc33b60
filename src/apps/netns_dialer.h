// NetnsSocket: a TCP socket made inside another process's network namespace
// (SPEC §3 "Apps": an app listens on 127.0.0.1 inside its session's
// namespace, where berthd cannot connect from its own). A socket keeps the
// namespace it was created in, so only its creation needs to happen there:
// a short-lived thread enters the namespace with setns(CLONE_NEWNET) (the
// network namespace is per thread, the rest of berthd is unaffected),
// creates the socket and hands the fd back. Connecting and all I/O then run
// on berthd's ordinary threads.
//
// Works the same when the session shares berthd's namespace (the host
// network); SameNetns tells the caller which case it has.
//
// Thread-safety: free functions; safe from any thread. Needs CAP_SYS_ADMIN
// (berthd runs as root).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>

#include "common/result.h"

namespace berth::apps {

// A non-blocking, close-on-exec AF_INET stream socket in the network
// namespace of process `pid` (its /proc/<pid>/ns/net). The caller owns the
// fd. NotFound when the process is gone; Internal when setns fails.
Result<int> NetnsSocket(pid_t pid);

// A NetnsSocket connected to 127.0.0.1:`port` in that namespace, waiting
// up to `timeout` (the caller owns the fd; still non-blocking). Unavailable
// "app_not_listening" when nothing accepts there (refused, or no answer in
// time); NetnsSocket's errors.
Result<int> ConnectInNetns(pid_t pid, uint16_t port, std::chrono::milliseconds timeout);

// Whether process `pid` is in the caller's network namespace (compares the
// namespace inodes). False when it cannot tell.
bool SameNetns(pid_t pid);

}  // namespace berth::apps

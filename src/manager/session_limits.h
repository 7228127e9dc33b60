// Session limits (SPEC §3 "Limits", §5 PATCH /users): the one place where
// the deployment's defaults and maxima for cpu, memory, pids and scratch
// size, a user's
// overrides, and the cap on live sessions per user turn a session request
// into the resources a container gets.
//
// Policy, not syntax: ValidateSessionRequest (agent/session_request.h) has
// already checked that the numbers are numbers; this decides what a given
// user may have. The rules:
//  * a user's effective maximum for each limit is the user's override if the
//    superadmin set one, else the deployment's maximum;
//  * a request that omits cpu or memory gets the deployment's default,
//    lowered to the user's maximum if that is smaller; pids cannot be asked
//    for: every session gets the default pids, lowered the same way; nor can
//    scratch size (SPEC's `resources` has no field for it): every session
//    gets default_scratch_bytes, which CheckLimitSettings keeps at or below
//    max_scratch_bytes;
//  * a request over a maximum is InvalidArgument "limit_exceeded" (400);
//  * a user at their session cap gets PermissionDenied "session_limit" (403).
//
// Pure functions and plain values; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "api/types.h"
#include "common/result.h"
#include "runtime/container_runtime.h"
#include "store/records.h"

namespace berth::manager {

// The number of online CPUs (at least 1).
double HostCpuCount();

// The deployment's settings (DaemonConfig::limits; docs/operations.md).
struct LimitSettings {
  double default_cpu = 1;
  uint64_t default_memory_bytes = uint64_t{2} << 30;  // 2 GiB
  int64_t default_pids = 1024;
  double max_cpu = HostCpuCount();
  uint64_t max_memory_bytes = uint64_t{16} << 30;  // 16 GiB
  int64_t max_pids = 4096;
  // Scratch home + writable layer of a session, where the node can bound it
  // (agent/session_agent.h, storage/scratch_dir.h).
  uint64_t default_scratch_bytes = uint64_t{10} << 30;  // 10 GiB
  uint64_t max_scratch_bytes = uint64_t{100} << 30;     // 100 GiB
  int64_t max_sessions = 8;  // live sessions per user
  int64_t max_execs = 4;     // concurrent execs per user (manager/exec_slots.h)
  int64_t max_execs_total = 32;  // ... of all users (< the server's worker threads)
  // Each session's container log (runc: container.log; docker: json-file).
  uint64_t container_log_max_bytes = uint64_t{8} << 20;  // 8 MiB
};

// InvalidArgument when a default exceeds its maximum or a value is out of
// range (zero or negative); checked once at start-up.
Status CheckLimitSettings(const LimitSettings& s);

// Effective limits of a user (api::UserLimits with every field set).
api::UserLimits EffectiveLimits(const LimitSettings& s, const api::UserLimits& overrides);

// The overrides a superadmin stored for `u` (unset: none).
api::UserLimits UserLimitOverrides(const store::UserRecord& u);

// InvalidArgument "invalid_limits" when an override is zero, negative or
// NaN. Used by UserService before storing overrides.
Status CheckUserLimits(const api::UserLimits& overrides);

// The resources a new session gets. REQUIRES: `effective` from
// EffectiveLimits. `live_sessions` = the user's sessions that already exist.
Result<runtime::Resources> ResolveSessionResources(const LimitSettings& s,
                                                   const api::UserLimits& effective,
                                                   const api::SessionResources& requested,
                                                   size_t live_sessions);

}  // namespace berth::manager

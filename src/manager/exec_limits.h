// ExecLimits: the deployment's bounds on `POST /sessions/{name}/exec`
// (SPEC §5). Every exec holds a worker thread until it ends, so none may
// run unbounded: no `timeout_s` means the default, and 0 ("never") or more
// than the maximum is refused. Plain data; set from DaemonConfig.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/result.h"

namespace berth::manager {

struct ExecLimits {
  uint32_t default_timeout_s = 600;
  uint32_t max_timeout_s = 86400;
};

// The timeout for a request that asked for `requested` seconds (nullopt:
// not given). InvalidArgument ("invalid_timeout") for 0 or over the max.
Result<std::chrono::milliseconds> ExecTimeout(std::optional<uint64_t> requested,
                                              const ExecLimits& limits);

}  // namespace berth::manager

#include "manager/exec_limits.h"

#include <string>

namespace berth::manager {

Result<std::chrono::milliseconds> ExecTimeout(std::optional<uint64_t> requested,
                                              const ExecLimits& limits) {
  const uint64_t s = requested.value_or(limits.default_timeout_s);
  if (s == 0 || s > limits.max_timeout_s) {
    return InvalidArgument("timeout_s must be between 1 and " +
                               std::to_string(limits.max_timeout_s) + " seconds",
                           "invalid_timeout");
  }
  return std::chrono::milliseconds(s * 1000);
}

}  // namespace berth::manager

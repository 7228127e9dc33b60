// The driver-independent parts of container_runtime.h: state names and the
// container id rule every driver applies.
#include "runtime/container_runtime.h"

namespace berth::runtime {

const char* ContainerStateName(ContainerState s) {
  switch (s) {
    case ContainerState::kCreating:
      return "creating";
    case ContainerState::kCreated:
      return "created";
    case ContainerState::kRunning:
      return "running";
    case ContainerState::kPaused:
      return "paused";
    case ContainerState::kStopped:
      return "stopped";
    case ContainerState::kMissing:
      return "missing";
  }
  return "unknown";
}

Result<std::string> ContainerRuntime::NetworkNamespacePath(const std::string& id) {
  BERTH_ASSIGN_OR_RETURN(ContainerInfo info, Inspect(id));
  if (info.state != ContainerState::kRunning || info.pid <= 0)
    return FailedPrecondition("container " + id + " is not running");
  return "/proc/" + std::to_string(info.pid) + "/ns/net";
}

bool IsValidContainerId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return false;
  }
  return true;
}

}  // namespace berth::runtime

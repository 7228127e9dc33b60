#include "agent/session_request.h"

#include "images/recipe.h"

namespace berth::agent {
namespace {

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsValidEnvKey(const std::string& k) {
  if (k.empty() || k.size() > kMaxEnvKeyBytes) return false;
  for (size_t i = 0; i < k.size(); ++i) {
    char c = k[i];
    if (!IsLower(c) && !IsUpper(c) && c != '_' && !(i > 0 && IsDigit(c))) return false;
  }
  return true;
}

// A Slurm partition name as Berth accepts it (no spaces, no shell or
// path characters).
bool IsValidResourceGroupName(const std::string& g) {
  if (g.empty() || g.size() > 64) return false;
  for (size_t i = 0; i < g.size(); ++i) {
    char c = g[i];
    bool ok = IsLower(c) || IsUpper(c) || IsDigit(c) || (i > 0 && (c == '_' || c == '.' || c == '-'));
    if (!ok) return false;
  }
  return true;
}

Status ValidateResources(const api::SessionResources& r) {
  // Written so that NaN fails too.
  if (r.cpu && !(*r.cpu > 0 && *r.cpu <= kMaxCpus)) {
    return InvalidArgument("resources.cpu must be a number of CPUs between 0 and 1024",
                           "invalid_resources");
  }
  if (r.memory_bytes && *r.memory_bytes < kMinMemoryBytes) {
    return InvalidArgument("resources.memory_bytes must be at least 16 MiB", "invalid_resources");
  }
  if (r.memory_bytes && *r.memory_bytes > kMaxMemoryBytes) {
    return InvalidArgument("resources.memory_bytes must be at most 16 TiB", "invalid_resources");
  }
  if (r.gpus && *r.gpus > kMaxGpus) {
    return InvalidArgument("resources.gpus must be between 0 and " + std::to_string(kMaxGpus),
                           "invalid_resources");
  }
  return Status::Ok();
}

Status ValidateEnv(const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) {
    if (!IsValidEnvKey(k)) {
      return InvalidArgument("environment variable name '" + k + "' is not valid", "invalid_env");
    }
    if (k.rfind("BERTH_", 0) == 0) {
      return InvalidArgument("environment variables starting with BERTH_ are set by Berth",
                             "invalid_env");
    }
    if (v.find('\0') != std::string::npos || v.size() > kMaxEnvValueBytes) {
      return InvalidArgument("the value of environment variable '" + k + "' is not valid",
                             "invalid_env");
    }
  }
  return Status::Ok();
}

Status ValidateMounts(const std::vector<MountRequest>& mounts) {
  if (mounts.size() > kMaxMounts) {
    return InvalidArgument("at most " + std::to_string(kMaxMounts) + " mounts", "too_many_mounts");
  }
  for (const auto& m : mounts) {
    if (m.folder.empty()) return InvalidArgument("each mount needs a folder", "invalid_mount");
    if (!m.permission.empty() && m.permission != "ro" && m.permission != "rw") {
      return InvalidArgument("mount permission must be 'ro' or 'rw'", "invalid_mount");
    }
  }
  return Status::Ok();
}

}  // namespace

bool IsValidSessionName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!IsLower(c) && !IsDigit(c) && (i == 0 || c != '-')) return false;
  }
  return true;
}

Result<ValidSessionRequest> ValidateSessionRequest(SessionRequest request) {
  if (request.name && !IsValidSessionName(*request.name)) {
    return InvalidArgument(
        "session name '" + *request.name + "' must match [a-z0-9][a-z0-9-]{0,62}",
        "invalid_session_name");
  }
  if (request.image && !images::IsValidImageName(*request.image)) {
    return InvalidArgument("image name '" + *request.image + "' is not valid",
                           "invalid_image_name");
  }
  BERTH_RETURN_IF_ERROR(ValidateResources(request.resources));
  if (request.resource_group && !IsValidResourceGroupName(*request.resource_group)) {
    return InvalidArgument("resource group '" + *request.resource_group +
                               "' must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63}",
                           "invalid_resource_group");
  }
  BERTH_RETURN_IF_ERROR(ValidateEnv(request.env));
  BERTH_RETURN_IF_ERROR(ValidateMounts(request.mounts));
  return ValidSessionRequest(std::move(request));
}

}  // namespace berth::agent

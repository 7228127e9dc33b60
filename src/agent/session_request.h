// SessionRequest: what a user asks for when creating a session (SPEC §3
// "Sessions"), and the one validator of it (issue 9).
//
// The rules for a session-create request live here and nowhere else:
//  * name: [a-z0-9][a-z0-9-]{0,62} (also a hostname label);
//  * image name: images::IsValidImageName, the image store's own rule
//    ([a-z0-9][a-z0-9._-]{0,63}: never "..", never a path);
//  * resources: cpu in (0, kMaxCpus]; memory in [kMinMemoryBytes,
//    kMaxMemoryBytes];
//  * env: keys [A-Za-z_][A-Za-z0-9_]*, at most 255 bytes; BERTH_* keys are
//    reserved (Berth sets them); values without NUL, at most 64 KiB;
//  * mounts: at most kMaxMounts; each names a folder and asks for "", "ro"
//    or "rw". Targets and folders are checked by PlanMounts, which needs the
//    resolved folders (agent/mount_plan.h).
//
// ValidateSessionRequest is called once, where a request enters (the POST
// /api/v1/sessions handler), and is the only way to make a
// ValidSessionRequest; SessionService and SessionAgent take that type and do
// not check these rules again.
//
// Pure functions and plain values; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/mount_plan.h"
#include "api/types.h"
#include "common/result.h"

namespace berth::agent {

struct SessionRequest {
  std::optional<std::string> name;   // none: the manager picks "s-xxxxxx"
  std::optional<std::string> image;  // none: the deployment's default image
  std::vector<MountRequest> mounts;
  bool automount = true;
  api::SessionResources resources;
  std::map<std::string, std::string> env;
  // A cluster partition (SPEC §9 resource groups); none = the default one.
  std::optional<std::string> resource_group;
};

inline constexpr double kMaxCpus = 1024;
inline constexpr uint64_t kMinMemoryBytes = uint64_t{16} << 20;  // 16 MiB
inline constexpr uint64_t kMaxMemoryBytes = uint64_t{16} << 40;  // 16 TiB
inline constexpr uint32_t kMaxGpus = 64;
inline constexpr size_t kMaxEnvKeyBytes = 255;
inline constexpr size_t kMaxEnvValueBytes = 64 << 10;

class ValidSessionRequest;

// InvalidArgument with the reason of the first broken rule:
// invalid_session_name, invalid_image_name, invalid_resources, invalid_env,
// too_many_mounts or invalid_mount.
Result<ValidSessionRequest> ValidateSessionRequest(SessionRequest request);

// A SessionRequest that passed ValidateSessionRequest. Immutable.
class ValidSessionRequest {
 public:
  const SessionRequest& get() const { return request_; }
  const SessionRequest* operator->() const { return &request_; }

 private:
  friend Result<ValidSessionRequest> ValidateSessionRequest(SessionRequest request);
  explicit ValidSessionRequest(SessionRequest request) : request_(std::move(request)) {}

  SessionRequest request_;
};

// Session names: [a-z0-9][a-z0-9-]{0,62} (also a valid hostname label).
bool IsValidSessionName(const std::string& name);

}  // namespace berth::agent

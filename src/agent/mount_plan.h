// Mount planning for a session (SPEC §3 "Mounts", "Automount"): turns the
// user's mount requests plus the folders the manager resolved into the exact
// list of bind mounts, the persistent paths and the PATH additions.
//
// This is the policy gate between user input and the container's mount
// table, so every rule is enforced here, in one pure function:
//  * target: default /home/work/<folder>; relative targets go under
//    /home/work; no ".." component; no NUL/newline; <= 4096 bytes, <= 255 a
//    component; not one of the forbidden system paths (kForbiddenTargets,
//    kForbiddenTrees) nor Berth's own /.berth;
//  * the folder must be known (NotFound), not in the trash, and `rw` needs
//    rw permission (PermissionDenied);
//  * one target, one folder: two different folders on one target are
//    refused; the same folder asked twice on the same target is merged;
//  * no target inside another (bind mounts would shadow each other), and a
//    user mount may neither equal nor nest with an automount target;
//  * automount: every ready dot-folder at /home/work/<name> (rw);
//    .linuxbrew also at /home/linuxbrew/.linuxbrew.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace berth::agent {

// A folder as the manager resolved it for the session's owner.
struct FolderRef {
  std::string name;
  std::string id;
  std::string host_path;   // absolute path of the folder's data on this node
  std::string permission;  // what the owner may do: "rw" or "ro"
  std::string status;      // "ready" or "trash"
};

struct MountRequest {
  std::string folder;
  std::string target;      // empty: default
  std::string permission;  // "", "ro" or "rw"; empty: the folder's permission
};

// "folder[:target][:ro|rw]" (the CLI's -m and the API's string form). A
// lone second field "ro"/"rw" is the permission, not a target ("./ro" is a
// target named ro).
Result<MountRequest> ParseMountSpec(std::string_view spec);

struct PlannedMount {
  std::string folder;
  std::string host_path;
  std::string target;  // absolute, clean
  bool read_only = false;
  bool automount = false;
};

struct MountPlan {
  std::vector<PlannedMount> mounts;           // in mount order (sorted by target)
  std::vector<std::string> persistent_paths;  // every target, sorted
  std::vector<std::string> path_prepend;      // PATH entries to put first
  // Where .linuxbrew is mounted as Homebrew's prefix (HOMEBREW_PREFIX):
  // kLinuxbrewPrefix, else its /home/work target; empty when not mounted.
  std::string brew_prefix;
};

struct MountPlanInput {
  std::vector<MountRequest> requests;
  // Every folder a request may name, and the owner's dot-folders (which are
  // the automount candidates: dot-folders cannot be shared, SPEC §2).
  std::vector<FolderRef> folders;
  bool automount = true;
};

inline constexpr char kHome[] = "/home/work";
inline constexpr char kLinuxbrewPrefix[] = "/home/linuxbrew/.linuxbrew";
inline constexpr size_t kMaxMounts = 64;  // per request; see session_request.h

// REQUIRES: the requests passed ValidateSessionRequest (agent/
// session_request.h), which owns the mount count and permission syntax.
Result<MountPlan> PlanMounts(const MountPlanInput& input);

// The absolute target for `target` of folder `folder` (see rules above), or
// InvalidArgument (reason "invalid_mount_target").
Result<std::string> ResolveTarget(const std::string& folder, const std::string& target);

// Whether `path` is `root` or lies beneath it, lexically (both clean and
// absolute: CleanPath, no "..").
bool IsWithin(const std::string& path, const std::string& root);

}  // namespace berth::agent

// Wire types of the REST API (SPEC §5): plain structs shared by the server
// handlers and the CLI. JSON (de)serialisation lives in api/json.h so that
// this header stays light.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::api {

struct Usage {
  uint64_t bytes = 0;
  uint64_t files = 0;  // regular files, symlinks and other non-directories
  uint64_t dirs = 0;
  // False where the volume measures bytes only (btrfs qgroups): files and
  // dirs are then null in JSON.
  bool counted = true;
};

// A folder's snapshot schedule (SPEC §2 "Snapshots").
struct SnapshotSchedule {
  uint64_t every_s = 0;
  uint64_t keep = 0;
};

struct Folder {
  std::string id;
  std::string name;
  std::string volume;
  std::string owner;       // owner's user name
  std::string permission;  // of the caller: "rw" or "ro"
  std::string status;      // "ready" or "trash"
  std::string created_at;  // RFC 3339, UTC
  std::optional<std::string> trashed_at;
  std::optional<uint64_t> quota_bytes;
  std::optional<Usage> usage;
  bool automount = false;  // the name starts with '.'
  std::optional<SnapshotSchedule> snapshot_schedule;
};

// A name is the exact bytes on disk, which need not be UTF-8 (a session can
// make any name). On the wire such a name travels as `name` (invalid bytes as
// U+FFFD, for display) plus `name_raw` (lossless; api/raw_name.h); the JSON
// functions convert both ways, so code holding a FileEntry sees the bytes.
struct FileEntry {
  std::string name;
  std::string type;  // "file", "dir", "symlink", "other"
  uint64_t size = 0;
  int64_t mtime = 0;  // seconds since the epoch
  uint32_t mode = 0;  // permission bits (07777)
};

struct FileList {
  std::string path;  // the listed directory, relative to the folder root
  std::vector<FileEntry> entries;
  std::optional<std::string> next;  // pass as `after` to get the next page
};

// Per-user limits (SPEC §5 PATCH /users): a superadmin's overrides, or
// (in GET /me and GET /users) the effective limits, every field set.
struct UserLimits {
  std::optional<int64_t> max_sessions;
  std::optional<double> max_cpu;
  std::optional<uint64_t> max_memory_bytes;
  std::optional<int64_t> max_pids;
};

struct User {
  std::string id;
  std::string name;
  std::string role;  // "superadmin" or "user"
  bool sudo_allowed = false;
  uint32_t uid = 1000;
  uint32_t gid = 1000;
  std::string created_at;
  UserLimits limits;
  // Total storage quota (none: unlimited) and the bytes in the folders the
  // user owns, trash included (manager/user_quota.h).
  std::optional<uint64_t> quota_bytes;
  uint64_t used_bytes = 0;
};

struct Token {
  std::string id;
  std::string label;
  std::string created_at;
  std::optional<std::string> last_used_at;
};

struct VolumeCapabilities {
  bool kernel_quota = false;   // the kernel enforces folder quotas (btrfs qgroups)
  bool instant_clone = false;  // clone by snapshot or reflink, not by copying
  bool snapshots = false;      // read-only folder snapshots (btrfs)
};

struct Volume {
  std::string name;
  std::string path;
  std::string kind;  // "local" | "btrfs"
  VolumeCapabilities capabilities;
  uint64_t capacity_bytes = 0;
  uint64_t free_bytes = 0;
};

// A read-only snapshot of a folder (SPEC §2 "Snapshots").
struct Snapshot {
  std::string name;
  std::string created_at;  // RFC 3339, UTC
  // Bytes only this snapshot holds (what deleting it would free); none
  // where the volume cannot say.
  std::optional<uint64_t> exclusive_bytes;
  bool scheduled = false;  // taken by the folder's schedule (name "auto-...")
};

struct SessionMount {
  std::string folder;
  std::string folder_id;
  std::string target;
  std::string permission;  // "ro" | "rw"
  bool automount = false;
  std::string snapshot;  // non-empty: this snapshot of the folder, read-only
};

struct SessionResources {
  std::optional<double> cpu;
  std::optional<uint64_t> memory_bytes;
  std::optional<uint32_t> gpus;  // a cluster's GPUs (gres gpu:N); none on one host
};

struct Session {
  std::string id;
  std::string name;
  std::string owner;
  std::string image;
  std::string status;  // pending | creating | running | terminating | terminated | error | lost
  std::string error;
  std::string status_reason;  // why it ended, e.g. "share_revoked"; empty otherwise
  std::string created_at;
  std::vector<SessionMount> mounts;
  std::vector<std::string> persistent_paths;
  SessionResources resources;
  std::string network_ip;  // "network": {"ip": ...} while it has an address
  std::string node;        // the cluster node it runs on (SPEC §9); "" on one host
  std::string resource_group;  // as requested; "" = the default group
};

// A place sessions can run (GET /resource-groups): a Slurm partition with
// --cluster slurm, the one group "default" on one host.
struct ResourceGroup {
  std::string name;
  bool is_default = false;
  bool up = true;
  int cpus = 0;   // 0 = not known
  int nodes = 0;  // 0 = not known
  int64_t max_time_s = 0;  // 0 = no limit
};

struct Image {
  std::string name;
  std::string created_at;
  uint64_t size_bytes = 0;
  std::string source;
  std::string digest;
  std::string description;
};

}  // namespace berth::api

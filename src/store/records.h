// Rows of the metadata store. Plain values; the Store interface (store.h)
// moves them in and out of SQLite or PostgreSQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::store {

struct UserRecord {
  std::string id;  // UUID
  std::string name;
  std::string role = "user";  // "superadmin" | "user"
  std::string password_hash;  // argon2id (libsodium crypto_pwhash_str) or empty
  bool sudo_allowed = false;
  uint32_t uid = 1000;
  uint32_t gid = 1000;
  std::string created_at;
  // Limits a superadmin set for this user (manager/session_limits.h);
  // none: the deployment's maximum.
  std::optional<int64_t> max_sessions;
  std::optional<double> max_cpu;
  std::optional<uint64_t> max_memory_bytes;
  std::optional<int64_t> max_pids;
  // Where pip --user installs in sessions: "shared" (~/.local) or
  // "per_version" (~/.local/py3.X per interpreter).
  std::string python_user_base = "shared";
  // Total storage quota a superadmin set (manager/user_quota.h); none: the
  // deployment's default_user_quota_bytes.
  std::optional<uint64_t> quota_bytes;
};

struct TokenRecord {
  std::string id;  // UUID
  std::string user_id;
  std::string label;
  std::string secret_hash;  // hex SHA-256 of the token; the token itself is never stored
  std::string created_at;
  std::optional<std::string> last_used_at;
};

struct FolderRecord {
  std::string id;  // UUID
  std::string name;
  std::string volume;
  std::string owner_id;
  std::string status = "ready";  // "ready" | "trash"
  std::string created_at;
  std::optional<std::string> trashed_at;
  std::optional<uint64_t> quota_bytes;
  // The snapshot schedule (both set, or neither): a snapshot every
  // `snapshot_every_s` seconds, the newest `snapshot_keep` scheduled ones kept.
  std::optional<uint64_t> snapshot_every_s;
  std::optional<uint64_t> snapshot_keep;
};

struct SessionRecord {
  std::string id;  // UUID; also the container id
  std::string name;
  std::string owner_id;
  std::string image;
  std::string status = "creating";  // creating|running|terminating|terminated|error
  std::string error;                // why, when status is "error"
  std::string status_reason;        // machine-readable why, e.g. "share_revoked"
  std::string created_at;
  std::string request_json;  // the create request as accepted (resources, env, ...)
  std::string mounts_json;   // the resolved mount plan (for display)
  std::vector<std::string> folder_ids;  // folders it mounts (delete/purge guard)
  // Cluster sessions (--cluster slurm, docs/cluster.md); "" on one host.
  std::string node;            // the node it runs on, once Slurm placed it
  std::string job_id;          // the Slurm job that runs it
  std::string agent_key_hash;  // hex SHA-256 of the node agent's key
  std::string spec_json;       // the encoded spec, until the agent has it
  // The manager that runs it (its --manager-name); "" for rows older than
  // migration 11.
  std::string manager;

  // Whether manager `name` runs this session: its own, a row older than
  // migration 11, or any session when `name` is "" (the only manager).
  bool RunBy(const std::string& name) const {
    return manager.empty() || name.empty() || manager == name;
  }
};

// A folder shared with a user (SPEC §4): an invitation until accepted.
struct ShareRecord {
  std::string id;  // UUID: the invitation id
  std::string folder_id;
  std::string user_id;           // the invitee
  std::string permission = "ro";  // "ro" | "rw"
  std::string status = "pending";  // "pending" | "accepted"
  std::string created_at;
};

// A user's dotfile (SPEC §3 Dotfiles), written into every new session's
// scratch home. `path` is relative to /home/work and already validated
// (manager/dotfile_path.h); `content` is raw bytes.
struct DotfileRecord {
  std::string user_id;
  std::string path;
  uint32_t mode = 0644;
  std::string content;
  std::string updated_at;
};

// A signed-in browser (cookie auth). Only the hash of the cookie is kept.
struct WebSessionRecord {
  std::string secret_hash;
  std::string user_id;
  std::string csrf_token;
  int64_t expires_at = 0;  // unix seconds
};

}  // namespace berth::store

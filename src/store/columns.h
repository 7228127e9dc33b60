// The column lists of the metadata store's tables, in the order every
// store's readers and binders use (sqlite_rows.h, pg_rows.h): a SELECT names
// k*Cols, an INSERT binds parameters 1..n in this order. Both schemas
// (sqlite_schema.cc, pg_schema.cc) have these columns under these names.
#pragma once

#include <algorithm>
#include <string_view>

namespace berth::store {

inline constexpr const char* kUserCols =
    "id, name, role, password_hash, sudo_allowed, uid, gid, created_at, max_sessions, max_cpu, "
    "max_memory_bytes, max_pids, python_user_base, quota_bytes";
// How many columns kUserCols names (BindUser binds 1..kUserColCount).
inline constexpr int kUserColCount =
    1 + static_cast<int>(std::ranges::count(std::string_view(kUserCols), ','));

inline constexpr const char* kTokenCols =
    "id, user_id, label, secret_hash, created_at, last_used_at";

inline constexpr const char* kFolderCols =
    "id, name, volume, owner_id, status, created_at, trashed_at, quota_bytes, "
    "snapshot_every_s, snapshot_keep";

inline constexpr const char* kSessionCols =
    "id, name, owner_id, image, status, error, created_at, request_json, mounts_json, "
    "status_reason, node, job_id, agent_key_hash, spec_json, manager";

inline constexpr const char* kShareCols = "id, folder_id, user_id, permission, status, created_at";

inline constexpr const char* kDotfileCols = "user_id, path, mode, content, updated_at";

}  // namespace berth::store

// How each store record maps to an SQLite row: the column list a SELECT
// names (k*Cols), the reader of such a row (Read*), and the binder of the
// INSERT/UPDATE parameters 1..n in the table's column order (Bind*).
// Internal to store/ (sqlite_store.cc); pure functions, thread-safe as long
// as each statement is used by one thread.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"

namespace berth::store {

// A column's value, or none when it is NULL (the readers' side of BindOpt).
std::optional<std::string> OptText(SQLite::Column c);
std::optional<int64_t> OptInt64(SQLite::Column c);
std::optional<uint64_t> OptUint64(SQLite::Column c);
std::optional<double> OptReal(SQLite::Column c);
// Binds `v`, or NULL when it is absent. uint64_t values are stored as
// int64 (every one the API accepts fits: see kMaxJsonUint).
void BindOpt(SQLite::Statement& q, int i, const std::optional<std::string>& v);
void BindOpt(SQLite::Statement& q, int i, const std::optional<int64_t>& v);
void BindOpt(SQLite::Statement& q, int i, const std::optional<uint64_t>& v);
void BindOpt(SQLite::Statement& q, int i, const std::optional<double>& v);

inline constexpr const char* kUserCols =
    "id, name, role, password_hash, sudo_allowed, uid, gid, created_at, max_sessions, max_cpu, "
    "max_memory_bytes, max_pids, python_user_base, quota_bytes";
// How many columns kUserCols names (BindUser binds 1..kUserColCount).
inline constexpr int kUserColCount =
    1 + static_cast<int>(std::ranges::count(std::string_view(kUserCols), ','));
UserRecord ReadUser(SQLite::Statement& q);
void BindUser(SQLite::Statement& q, const UserRecord& u);

inline constexpr const char* kTokenCols =
    "id, user_id, label, secret_hash, created_at, last_used_at";
TokenRecord ReadToken(SQLite::Statement& q);

inline constexpr const char* kFolderCols =
    "id, name, volume, owner_id, status, created_at, trashed_at, quota_bytes, "
    "snapshot_every_s, snapshot_keep";
FolderRecord ReadFolder(SQLite::Statement& q);
void BindFolder(SQLite::Statement& q, const FolderRecord& f);

inline constexpr const char* kSessionCols =
    "id, name, owner_id, image, status, error, created_at, request_json, mounts_json, "
    "status_reason";
SessionRecord ReadSession(SQLite::Statement& q);
void BindSession(SQLite::Statement& q, const SessionRecord& s);

inline constexpr const char* kShareCols = "id, folder_id, user_id, permission, status, created_at";
ShareRecord ReadShare(SQLite::Statement& q);
void BindShare(SQLite::Statement& q, const ShareRecord& r);

inline constexpr const char* kDotfileCols = "user_id, path, mode, content, updated_at";
DotfileRecord ReadDotfile(SQLite::Statement& q);
void BindDotfile(SQLite::Statement& q, const DotfileRecord& d);

}  // namespace berth::store

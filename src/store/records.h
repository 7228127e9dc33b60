// Rows of the metadata store. Plain values; the Store interface (store.h)
// moves them in and out of SQLite or PostgreSQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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
};

}  // namespace berth::store

// UserQuota: each user's total storage quota (SPEC §5 PATCH /users
// `quota_bytes`, GET /me `quota_bytes`/`used_bytes`; issue 10, issue 13
// item 3) and what it leaves for an upload.
//
// A user's use is the sum of the usage of every folder the user OWNS, in
// the trash too (folders shared with the user count against their owners).
// On the plain `local` volume the quota is enforced on API writes only:
// writes from inside sessions cannot be bounded there (docs/security.md).
//
// Usage is a tree walk per folder, so it is cached per user for `ttl`
// (writes from sessions show up within it) and dropped at once by
// Invalidate after each API write (uploads, deletes, restore, purge).
//
// Thread-safe. REQUIRES: store and folders outlive this.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "store/records.h"
#include "store/store.h"

namespace berth::manager {

class FolderService;

// The largest quota accepted (fits SQLite's int64 with room to add).
inline constexpr uint64_t kMaxQuotaBytes = uint64_t{1} << 62;

// Bytes that still fit under `quota` with `used` taken; none = unlimited.
std::optional<uint64_t> RoomLeft(std::optional<uint64_t> quota, uint64_t used);
// The smaller of two rooms (none = unlimited).
std::optional<uint64_t> SmallerRoom(std::optional<uint64_t> a, std::optional<uint64_t> b);
// InvalidArgument "invalid_quota" unless 1 <= bytes <= kMaxQuotaBytes.
Status CheckQuotaBytes(uint64_t bytes);
// ResourceExhausted for an upload that does not fit: the error's code is
// "quota_exceeded" and its body carries `available_bytes` (api/error_mapping.h).
Status OverQuota(const std::string& what, uint64_t available_bytes);

struct StorageUse {
  std::optional<uint64_t> quota_bytes;  // none: unlimited
  uint64_t used_bytes = 0;
};

class UserQuota {
 public:
  UserQuota(store::Store& store, FolderService& folders, std::optional<uint64_t> default_quota,
            std::chrono::milliseconds ttl = std::chrono::seconds(2))
      : store_(store), folders_(folders), default_quota_(default_quota), ttl_(ttl) {}
  UserQuota(const UserQuota&) = delete;
  UserQuota& operator=(const UserQuota&) = delete;

  // The user's quota: the superadmin's setting, else the deployment default.
  std::optional<uint64_t> QuotaOf(const store::UserRecord& u) const {
    return u.quota_bytes ? u.quota_bytes : default_quota_;
  }
  Result<StorageUse> Of(const store::UserRecord& u);
  Result<StorageUse> Of(const std::string& user_id);
  // What the user may still write (none: unlimited).
  Result<std::optional<uint64_t>> Room(const std::string& user_id);
  // Forgets the cached use of `user_id` (after an API write).
  void Invalidate(const std::string& user_id);

 private:
  Result<uint64_t> UsedBytes(const std::string& user_id);

  struct Cached {
    uint64_t bytes = 0;
    std::chrono::steady_clock::time_point at;
  };
  store::Store& store_;
  FolderService& folders_;
  const std::optional<uint64_t> default_quota_;
  const std::chrono::milliseconds ttl_;
  std::mutex mu_;
  std::map<std::string, Cached> cache_;  // guarded by mu_
};

}  // namespace berth::manager

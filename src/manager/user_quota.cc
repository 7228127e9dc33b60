#include "manager/user_quota.h"

#include <algorithm>

#include "api/error_mapping.h"
#include "manager/folder_service.h"

namespace berth::manager {

std::optional<uint64_t> RoomLeft(std::optional<uint64_t> quota, uint64_t used) {
  if (!quota) return std::nullopt;
  return *quota > used ? *quota - used : 0;
}

std::optional<uint64_t> SmallerRoom(std::optional<uint64_t> a, std::optional<uint64_t> b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

Status CheckQuotaBytes(uint64_t bytes) {
  if (bytes == 0 || bytes > kMaxQuotaBytes) {
    return InvalidArgument("quota_bytes must be between 1 and " + std::to_string(kMaxQuotaBytes) +
                               " (or null for none)",
                           "invalid_quota");
  }
  return Status::Ok();
}

Status OverQuota(const std::string& what, uint64_t available_bytes) {
  return api::QuotaExceeded(what + " does not fit: " + std::to_string(available_bytes) +
                                " bytes left under the quota",
                            available_bytes);
}

Result<StorageUse> UserQuota::Of(const store::UserRecord& u) {
  BERTH_ASSIGN_OR_RETURN(uint64_t used, UsedBytes(u.id));
  return StorageUse{QuotaOf(u), used};
}

Result<StorageUse> UserQuota::Of(const std::string& user_id) {
  BERTH_ASSIGN_OR_RETURN(auto u, store_.GetUser(user_id));
  return Of(u);
}

Result<std::optional<uint64_t>> UserQuota::Room(const std::string& user_id) {
  BERTH_ASSIGN_OR_RETURN(auto u, store_.GetUser(user_id));
  if (!QuotaOf(u)) return std::optional<uint64_t>();  // no walk without a quota
  BERTH_ASSIGN_OR_RETURN(StorageUse use, Of(u));
  return RoomLeft(use.quota_bytes, use.used_bytes);
}

void UserQuota::Invalidate(const std::string& user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  cache_.erase(user_id);
}

Result<uint64_t> UserQuota::UsedBytes(const std::string& user_id) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(user_id);
    if (it != cache_.end() && now - it->second.at < ttl_) return it->second.bytes;
  }
  // The walk runs unlocked: two callers may both walk, which is harmless.
  BERTH_ASSIGN_OR_RETURN(uint64_t bytes, folders_.OwnedBytes(user_id));
  std::lock_guard<std::mutex> lock(mu_);
  cache_[user_id] = Cached{bytes, now};
  return bytes;
}

}  // namespace berth::manager

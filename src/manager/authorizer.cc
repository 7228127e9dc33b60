#include "manager/authorizer.h"

#include <spdlog/spdlog.h>

namespace berth::manager {

Access Authorizer::FolderAccess(const Principal& p, const store::FolderRecord& f) const {
  if (f.owner_id == p.user_id) return Access::kWrite;
  if (auto share = store_.GetShare(f.id, p.user_id); share.ok() && share->status == "accepted") {
    return share->permission == "rw" ? Access::kWrite : Access::kRead;
  }
  if (p.is_superadmin()) {
    spdlog::info("superadmin {} acts on folder {} of user {}", p.name, f.id, f.owner_id);
    return Access::kWrite;
  }
  return Access::kNone;
}

bool Authorizer::CanManageFolder(const Principal& p, const store::FolderRecord& f) const {
  if (f.owner_id == p.user_id) return true;
  if (p.is_superadmin()) {
    spdlog::info("superadmin {} manages folder {} of user {}", p.name, f.id, f.owner_id);
    return true;
  }
  return false;
}

bool Authorizer::CanUseSession(const Principal& p, const store::SessionRecord& s) const {
  if (s.owner_id == p.user_id) return true;
  if (p.is_superadmin()) {
    spdlog::info("superadmin {} acts on session {} of user {}", p.name, s.id, s.owner_id);
    return true;
  }
  return false;
}

}  // namespace berth::manager

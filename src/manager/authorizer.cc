#include "manager/authorizer.h"

#include <spdlog/spdlog.h>

namespace berth::manager {

Access Authorizer::FolderAccess(const Principal& p, const store::FolderRecord& f) const {
  if (f.owner_id == p.user_id) return Access::kWrite;
  if (p.is_superadmin()) {
    spdlog::info("superadmin {} acts on folder {} of user {}", p.name, f.id, f.owner_id);
    return Access::kWrite;
  }
  return Access::kNone;
}

bool Authorizer::CanManageFolder(const Principal& p, const store::FolderRecord& f) const {
  return FolderAccess(p, f) == Access::kWrite && (f.owner_id == p.user_id || p.is_superadmin());
}

}  // namespace berth::manager

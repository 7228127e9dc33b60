// UserService: user accounts (SPEC §4), superadmins only: create, list,
// update (password, role, sudo_allowed, container uid/gid, session limits,
// storage quota),
// delete, and minting API tokens for a user. Users as it returns them carry
// their effective limits (manager/session_limits.h). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "common/result.h"
#include "manager/audit_log.h"
#include "manager/auth_service.h"
#include "manager/authorizer.h"
#include "manager/principal.h"
#include "manager/session_limits.h"
#include "manager/user_quota.h"
#include "store/store.h"

namespace berth::manager {

// A change of one per-user limit: absent keeps it, an empty inner value
// clears the override (back to the deployment's maximum).
template <typename T>
using LimitChange = std::optional<std::optional<T>>;

struct UserLimitsChange {
  LimitChange<int64_t> max_sessions;
  LimitChange<double> max_cpu;
  LimitChange<uint64_t> max_memory_bytes;
  LimitChange<int64_t> max_pids;
};

struct UserChange {
  std::optional<std::string> password;
  std::optional<std::string> role;
  std::optional<bool> sudo_allowed;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  UserLimitsChange limits;
  LimitChange<uint64_t> quota_bytes;  // empty inner value: the deployment's default
};

// PATCH /me: a user's own settings. A new password needs the current one.
struct SelfChange {
  std::optional<std::string> python_user_base;  // "shared" | "per_version"
  std::optional<std::string> password;
  std::optional<std::string> old_password;
};

class UserService {
 public:
  // `quota` (optional): users then carry quota_bytes and used_bytes.
  UserService(store::Store& store, AuthService& auth, AuditLog& audit,
              LimitSettings limits = {}, UserQuota* quota = nullptr)
      : store_(store), auth_(auth), audit_(audit), authz_(store), limits_(limits), quota_(quota) {}

  Result<api::User> Create(const Principal& p, const std::string& name, const UserChange& c);
  Result<std::vector<api::User>> List(const Principal& p);
  Result<api::User> Update(const Principal& p, const std::string& name, const UserChange& c);
  // Refused while the user owns folders or sessions (nothing is lost by
  // accident), and for the last superadmin.
  Status Delete(const Principal& p, const std::string& name);
  Result<IssuedToken> MintToken(const Principal& p, const std::string& name);

  // The caller's own effective limits (GET /me).
  Result<api::UserLimits> LimitsOf(const Principal& p);
  // The caller's own record (GET /me: python_user_base).
  Result<store::UserRecord> Self(const Principal& p);
  // Errors: InvalidArgument "invalid_python_user_base", "invalid_password",
  // "old_password_required"; PermissionDenied "wrong_password".
  Status UpdateSelf(const Principal& p, const SelfChange& c);
  // The caller's own storage quota and use (GET /me).
  Result<StorageUse> StorageOf(const Principal& p);

  api::User ToApi(const store::UserRecord& u) const;

 private:
  Status CheckAdmin(const Principal& p) const;
  Status Apply(const UserChange& c, store::UserRecord& u) const;

  store::Store& store_;
  AuthService& auth_;
  AuditLog& audit_;
  Authorizer authz_;
  const LimitSettings limits_;
  UserQuota* const quota_;
};

// User names: [a-z_][a-z0-9_-]{0,31} (a Unix login name).
bool IsValidUserName(const std::string& name);

}  // namespace berth::manager

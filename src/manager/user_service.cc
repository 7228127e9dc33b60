#include "manager/user_service.h"

#include <spdlog/spdlog.h>

#include <regex>

#include "common/clock.h"
#include "common/random.h"
#include "manager/crypto.h"

namespace berth::manager {
namespace {

bool LimitsChanged(const UserLimitsChange& l) {
  return l.max_sessions || l.max_cpu || l.max_memory_bytes || l.max_pids;
}

}  // namespace

bool IsValidUserName(const std::string& name) {
  if (name.empty() || name.size() > 32) return false;  // before the regex sees a huge string
  static const std::regex kName("[a-z_][a-z0-9_-]{0,31}");
  return std::regex_match(name, kName);
}

api::User UserService::ToApi(const store::UserRecord& u) const {
  api::User out{u.id,  u.name,       u.role,
                u.sudo_allowed, u.uid, u.gid,
                u.created_at, EffectiveLimits(limits_, UserLimitOverrides(u))};
  out.quota_bytes = u.quota_bytes;
  if (quota_) {
    auto use = quota_->Of(u);
    if (use.ok()) {
      out.quota_bytes = use->quota_bytes;
      out.used_bytes = use->used_bytes;
    } else {
      spdlog::warn("storage use of user {}: {}", u.name, use.status().ToString());
    }
  }
  return out;
}

Result<StorageUse> UserService::StorageOf(const Principal& p) {
  BERTH_ASSIGN_OR_RETURN(auto u, store_.GetUser(p.user_id));
  if (!quota_) return StorageUse{u.quota_bytes, 0};
  return quota_->Of(u);
}

Result<api::UserLimits> UserService::LimitsOf(const Principal& p) {
  BERTH_ASSIGN_OR_RETURN(auto u, store_.GetUser(p.user_id));
  return EffectiveLimits(limits_, UserLimitOverrides(u));
}

Result<store::UserRecord> UserService::Self(const Principal& p) {
  return store_.GetUser(p.user_id);
}

Status UserService::UpdateSelf(const Principal& p, const SelfChange& c) {
  BERTH_ASSIGN_OR_RETURN(auto u, store_.GetUser(p.user_id));
  if (c.python_user_base) {
    if (*c.python_user_base != "shared" && *c.python_user_base != "per_version") {
      return InvalidArgument("python_user_base must be 'shared' or 'per_version'",
                             "invalid_python_user_base");
    }
    u.python_user_base = *c.python_user_base;
  }
  if (c.old_password && !c.password) {
    return InvalidArgument("old_password is only needed with a new password", "invalid_field");
  }
  if (c.password) {
    if (!c.old_password) {
      return InvalidArgument("changing the password needs old_password", "old_password_required");
    }
    if (c.old_password->size() > AuthService::kMaxPasswordBytes ||
        !VerifyPassword(u.password_hash, *c.old_password)) {
      audit_.Record(p.name, "me.password", p.name, "denied", "wrong old password");
      return PermissionDenied("the current password is wrong", "wrong_password");
    }
    UserChange pw;
    pw.password = c.password;
    BERTH_RETURN_IF_ERROR(Apply(pw, u));
  }
  BERTH_RETURN_IF_ERROR(store_.UpdateUser(u));
  audit_.Record(p.name, "me.update", p.name, "ok",
                std::string(c.python_user_base ? "python_user_base " : "") +
                    (c.password ? "password" : ""));
  return Status::Ok();
}

Status UserService::CheckAdmin(const Principal& p) const {
  if (!authz_.CanAdminister(p)) {
    return PermissionDenied("only a superadmin can manage users", "superadmin_only");
  }
  return Status::Ok();
}

Status UserService::Apply(const UserChange& c, store::UserRecord& u) const {
  if (c.password) {
    if (c.password->size() < 8 || c.password->size() > 1024) {
      return InvalidArgument("passwords must be 8 to 1024 characters long", "invalid_password");
    }
    u.password_hash = HashPassword(*c.password);
  }
  if (c.role) {
    if (*c.role != "user" && *c.role != "superadmin") {
      return InvalidArgument("role must be 'user' or 'superadmin'", "invalid_role");
    }
    u.role = *c.role;
  }
  if (c.sudo_allowed) u.sudo_allowed = *c.sudo_allowed;
  if (c.uid) {
    if (*c.uid == 0) return InvalidArgument("sessions never run as uid 0", "invalid_uid");
    u.uid = *c.uid;
  }
  if (c.gid) {
    if (*c.gid == 0) return InvalidArgument("sessions never run as gid 0", "invalid_gid");
    u.gid = *c.gid;
  }
  const UserLimitsChange& l = c.limits;
  store::UserRecord next = u;
  if (l.max_sessions) next.max_sessions = *l.max_sessions;
  if (l.max_cpu) next.max_cpu = *l.max_cpu;
  if (l.max_memory_bytes) next.max_memory_bytes = *l.max_memory_bytes;
  if (l.max_pids) next.max_pids = *l.max_pids;
  BERTH_RETURN_IF_ERROR(CheckUserLimits(UserLimitOverrides(next)));
  if (c.quota_bytes) {
    if (*c.quota_bytes) BERTH_RETURN_IF_ERROR(CheckQuotaBytes(**c.quota_bytes));
    next.quota_bytes = *c.quota_bytes;
  }
  u = std::move(next);
  return Status::Ok();
}

Result<api::User> UserService::Create(const Principal& p, const std::string& name,
                                      const UserChange& c) {
  BERTH_RETURN_IF_ERROR(CheckAdmin(p));
  if (!IsValidUserName(name)) {
    return InvalidArgument("user name '" + name + "' must match [a-z_][a-z0-9_-]{0,31}",
                           "invalid_user_name");
  }
  store::UserRecord u;
  u.id = NewUuid();
  u.name = name;
  u.created_at = NowRfc3339();
  BERTH_RETURN_IF_ERROR(Apply(c, u));
  Status st = store_.CreateUser(u);
  if (st.code() == Code::kAlreadyExists) {
    return AlreadyExists("a user named '" + name + "' already exists", "user_exists");
  }
  BERTH_RETURN_IF_ERROR(st);
  audit_.Record(p.name, "user.create", name, "ok", "role=" + u.role);
  return ToApi(u);
}

Result<std::vector<api::User>> UserService::List(const Principal& p) {
  BERTH_RETURN_IF_ERROR(CheckAdmin(p));
  BERTH_ASSIGN_OR_RETURN(auto users, store_.ListUsers());
  std::vector<api::User> out;
  for (const auto& u : users) out.push_back(ToApi(u));
  return out;
}

Result<api::User> UserService::Update(const Principal& p, const std::string& name,
                                      const UserChange& c) {
  BERTH_RETURN_IF_ERROR(CheckAdmin(p));
  auto u = store_.GetUserByName(name);
  if (!u.ok()) return NotFound("no user named '" + name + "'", "user_not_found");
  bool demotes = c.role && *c.role != "superadmin" && u->role == "superadmin";
  if (demotes) {
    BERTH_ASSIGN_OR_RETURN(auto all, store_.ListUsers());
    int admins = 0;
    for (const auto& x : all) admins += x.role == "superadmin";
    if (admins <= 1) {
      return FailedPrecondition("'" + name + "' is the last superadmin", "last_superadmin");
    }
  }
  BERTH_RETURN_IF_ERROR(Apply(c, *u));
  BERTH_RETURN_IF_ERROR(store_.UpdateUser(*u));
  audit_.Record(p.name, "user.update", name, "ok",
                std::string(c.password ? "password " : "") + (c.role ? "role " : "") +
                    (c.sudo_allowed ? "sudo_allowed " : "") + (c.uid || c.gid ? "uid/gid " : "") +
                    (LimitsChanged(c.limits) ? "limits " : "") + (c.quota_bytes ? "quota" : ""));
  return ToApi(*u);
}

Status UserService::Delete(const Principal& p, const std::string& name) {
  BERTH_RETURN_IF_ERROR(CheckAdmin(p));
  auto u = store_.GetUserByName(name);
  if (!u.ok()) return NotFound("no user named '" + name + "'", "user_not_found");
  if (u->id == p.user_id) {
    return FailedPrecondition("you cannot delete yourself", "delete_self");
  }
  BERTH_ASSIGN_OR_RETURN(auto folders, store_.ListFolders(u->id, ""));
  if (!folders.empty()) {
    return FailedPrecondition("user '" + name + "' still owns " + std::to_string(folders.size()) +
                                  " folder(s); purge them first",
                              "user_owns_folders");
  }
  BERTH_ASSIGN_OR_RETURN(auto sessions, store_.ListSessions(u->id));
  if (!sessions.empty()) {
    return FailedPrecondition("user '" + name + "' still has sessions; delete them first",
                              "user_has_sessions");
  }
  BERTH_RETURN_IF_ERROR(store_.DeleteUser(u->id));
  audit_.Record(p.name, "user.delete", name);
  return Status::Ok();
}

Result<IssuedToken> UserService::MintToken(const Principal& p, const std::string& name) {
  BERTH_RETURN_IF_ERROR(CheckAdmin(p));
  auto u = store_.GetUserByName(name);
  if (!u.ok()) return NotFound("no user named '" + name + "'", "user_not_found");
  BERTH_ASSIGN_OR_RETURN(auto t, auth_.CreateToken(u->id, "minted by " + p.name));
  audit_.Record(p.name, "user.token", name);
  return t;
}

}  // namespace berth::manager

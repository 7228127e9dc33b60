// /users: user accounts and tokens minted for them (SPEC §4, §5). The
// superadmin check is UserService's (through the Authorizer).
#include <type_traits>

#include "api/json.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"
#include "manager/user_service.h"

namespace berth::manager {

using http::Request;
using nlohmann::json;

namespace {

// One key of `limits`: absent keeps, null clears, else a positive number
// (integers except max_cpu). Range rules are UserService's.
template <typename T>
Result<LimitChange<T>> LimitField(const json& limits, const char* key) {
  auto it = limits.find(key);
  if (it == limits.end()) return LimitChange<T>();
  if (it->is_null()) return LimitChange<T>(std::optional<T>());
  bool ok = std::is_floating_point_v<T> ? it->is_number() : it->is_number_integer();
  if (!ok) {
    return InvalidArgument(std::string("limits.") + key + " must be a number or null",
                           "invalid_limits");
  }
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    return InvalidArgument(std::string("limits.") + key + " must be positive", "invalid_limits");
  }
  return LimitChange<T>(std::optional<T>(it->get<T>()));
}

Result<UserLimitsChange> ParseLimits(const json& j) {
  UserLimitsChange c;
  auto it = j.find("limits");
  if (it == j.end() || it->is_null()) return c;
  if (!it->is_object()) return InvalidArgument("limits must be an object", "invalid_limits");
  for (const auto& [k, v] : it->items()) {
    if (k != "max_sessions" && k != "max_cpu" && k != "max_memory_bytes" && k != "max_pids") {
      return InvalidArgument("unknown field 'limits." + k + "'", "invalid_limits");
    }
  }
  BERTH_ASSIGN_OR_RETURN(c.max_sessions, LimitField<int64_t>(*it, "max_sessions"));
  BERTH_ASSIGN_OR_RETURN(c.max_cpu, LimitField<double>(*it, "max_cpu"));
  BERTH_ASSIGN_OR_RETURN(c.max_memory_bytes, LimitField<uint64_t>(*it, "max_memory_bytes"));
  BERTH_ASSIGN_OR_RETURN(c.max_pids, LimitField<int64_t>(*it, "max_pids"));
  return c;
}

// `quota_bytes`: absent keeps it, null clears it (the deployment's
// default), else an integer; the range is UserService's (CheckQuotaBytes).
Result<LimitChange<uint64_t>> QuotaField(const json& j) {
  auto it = j.find("quota_bytes");
  if (it == j.end()) return LimitChange<uint64_t>();
  if (it->is_null()) return LimitChange<uint64_t>(std::optional<uint64_t>());
  BERTH_ASSIGN_OR_RETURN(uint64_t v, UintValue(*it, "quota_bytes", kMaxJsonUint, "invalid_quota"));
  return LimitChange<uint64_t>(std::optional<uint64_t>(v));
}

Result<UserChange> ParseUserChange(const json& j) {
  UserChange c;
  BERTH_ASSIGN_OR_RETURN(c.password, StringField(j, "password", false));
  BERTH_ASSIGN_OR_RETURN(c.role, StringField(j, "role", false));
  BERTH_ASSIGN_OR_RETURN(c.sudo_allowed, BoolField(j, "sudo_allowed"));
  BERTH_ASSIGN_OR_RETURN(auto uid, UintField(j, "uid"));
  BERTH_ASSIGN_OR_RETURN(auto gid, UintField(j, "gid"));
  if ((uid && *uid > 0xfffffffe) || (gid && *gid > 0xfffffffe)) {
    return InvalidArgument("uid and gid must fit in 32 bits", "invalid_field");
  }
  if (uid) c.uid = static_cast<uint32_t>(*uid);
  if (gid) c.gid = static_cast<uint32_t>(*gid);
  BERTH_ASSIGN_OR_RETURN(c.limits, ParseLimits(j));
  BERTH_ASSIGN_OR_RETURN(c.quota_bytes, QuotaField(j));
  return c;
}

}  // namespace

void RegisterUserRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  UserService& users = *ctx.users;

  r.Add("POST", "/api/v1/users", Authed(auth, [&users](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(
              json body, ParseJsonObject(req, {"name", "password", "role", "sudo_allowed", "uid",
                                               "gid", "limits", "quota_bytes"}));
          BERTH_ASSIGN_OR_RETURN(auto name, StringField(body, "name", true));
          BERTH_ASSIGN_OR_RETURN(UserChange change, ParseUserChange(body));
          return Reply(201, users.Create(p, *name, change));
        }));
  r.Add("GET", "/api/v1/users", Authed(auth, [&users](Request&, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto list, users.List(p));
          return JsonResponse(200, {{"users", list}});
        }));
  r.Add("PATCH", "/api/v1/users/{name}",
        Authed(auth, [&users](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(
              json body,
              ParseJsonObject(req, {"password", "role", "sudo_allowed", "uid", "gid", "limits",
                                      "quota_bytes"}));
          BERTH_ASSIGN_OR_RETURN(UserChange change, ParseUserChange(body));
          return Reply(200, users.Update(p, req.Param("name"), change));
        }));
  r.Add("DELETE", "/api/v1/users/{name}",
        Authed(auth, [&users](Request& req, const Principal& p) -> HandlerResult {
          return NoContent(users.Delete(p, req.Param("name")));
        }));
  r.Add("POST", "/api/v1/users/{name}/tokens",
        Authed(auth, [&users](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(IssuedToken t, users.MintToken(p, req.Param("name")));
          return JsonResponse(201, {{"id", t.id}, {"token", t.secret}});
        }));
}

}  // namespace berth::manager

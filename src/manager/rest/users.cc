// /users: user accounts and tokens minted for them (SPEC §4, §5). The
// superadmin check is UserService's (through the Authorizer).
#include "api/json.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"
#include "manager/user_service.h"

namespace berth::manager {

using http::Request;
using nlohmann::json;

namespace {

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
  return c;
}

}  // namespace

void RegisterUserRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  UserService& users = *ctx.users;

  r.Add("POST", "/api/v1/users", Authed(auth, [&users](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(
              json body, ParseJsonObject(req, {"name", "password", "role", "sudo_allowed", "uid", "gid"}));
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
          BERTH_ASSIGN_OR_RETURN(json body,
                                 ParseJsonObject(req, {"password", "role", "sudo_allowed", "uid", "gid"}));
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

// /users, /folders/{name}/shares, /invitations, /folders/{name}/leave
// (SPEC §4, §5).
#include "api/json.h"
#include "manager/api_routes.h"
#include "manager/auth_service.h"
#include "manager/handler_util.h"
#include "manager/share_service.h"
#include "manager/user_service.h"

namespace berth::manager {

using http::Request;
using http::Response;
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

json ShareJson(const ShareView& v) {
  return json{{"id", v.id},     {"folder", v.folder},         {"folder_id", v.folder_id},
              {"owner", v.owner}, {"user", v.user},           {"permission", v.permission},
              {"status", v.status}, {"created_at", v.created_at}};
}

Response ShareReply(int status, const Result<ShareView>& v) {
  if (!v.ok()) return Response::Error(v.status());
  return JsonResponse(status, ShareJson(*v));
}

Response SharesReply(const char* key, const Result<std::vector<ShareView>>& v) {
  if (!v.ok()) return Response::Error(v.status());
  json arr = json::array();
  for (const auto& s : *v) arr.push_back(ShareJson(s));
  return JsonResponse(200, {{key, arr}});
}

Response Done(const Status& st) { return st.ok() ? Response::Empty(204) : Response::Error(st); }

}  // namespace

void RegisterUserRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  UserService& users = *ctx.users;
  ShareService& shares = *ctx.shares;

  r.Add("POST", "/api/v1/users", Authed(auth, [&users](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"name", "password", "role", "sudo_allowed", "uid", "gid"});
          if (!body.ok()) return Response::Error(body.status());
          auto name = StringField(*body, "name", true);
          if (!name.ok()) return Response::Error(name.status());
          auto change = ParseUserChange(*body);
          if (!change.ok()) return Response::Error(change.status());
          return Reply(201, users.Create(p, **name, *change));
        }));
  r.Add("GET", "/api/v1/users", Authed(auth, [&users](Request&, const Principal& p) {
          auto list = users.List(p);
          if (!list.ok()) return Response::Error(list.status());
          return JsonResponse(200, {{"users", *list}});
        }));
  r.Add("PATCH", "/api/v1/users/{name}", Authed(auth, [&users](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"password", "role", "sudo_allowed", "uid", "gid"});
          if (!body.ok()) return Response::Error(body.status());
          auto change = ParseUserChange(*body);
          if (!change.ok()) return Response::Error(change.status());
          return Reply(200, users.Update(p, req.Param("name"), *change));
        }));
  r.Add("DELETE", "/api/v1/users/{name}", Authed(auth, [&users](Request& req, const Principal& p) {
          return Done(users.Delete(p, req.Param("name")));
        }));
  r.Add("POST", "/api/v1/users/{name}/tokens",
        Authed(auth, [&users](Request& req, const Principal& p) {
          auto t = users.MintToken(p, req.Param("name"));
          if (!t.ok()) return Response::Error(t.status());
          return JsonResponse(201, {{"id", t->id}, {"token", t->secret}});
        }));

  r.Add("POST", "/api/v1/folders/{name}/shares",
        Authed(auth, [&shares](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"user", "permission"});
          if (!body.ok()) return Response::Error(body.status());
          auto user = StringField(*body, "user", true);
          if (!user.ok()) return Response::Error(user.status());
          auto perm = StringField(*body, "permission", false);
          if (!perm.ok()) return Response::Error(perm.status());
          return ShareReply(201, shares.Share(p, req.Param("name"), **user, perm->value_or("ro")));
        }));
  r.Add("GET", "/api/v1/folders/{name}/shares",
        Authed(auth, [&shares](Request& req, const Principal& p) {
          return SharesReply("shares", shares.ListShares(p, req.Param("name")));
        }));
  r.Add("DELETE", "/api/v1/folders/{name}/shares/{user}",
        Authed(auth, [&shares](Request& req, const Principal& p) {
          return Done(shares.Unshare(p, req.Param("name"), req.Param("user")));
        }));
  r.Add("POST", "/api/v1/folders/{name}/leave",
        Authed(auth, [&shares](Request& req, const Principal& p) {
          return Done(shares.Leave(p, req.Param("name")));
        }));
  r.Add("GET", "/api/v1/invitations", Authed(auth, [&shares](Request&, const Principal& p) {
          return SharesReply("invitations", shares.Invitations(p));
        }));
  r.Add("POST", "/api/v1/invitations/{id}/accept",
        Authed(auth, [&shares](Request& req, const Principal& p) {
          return ShareReply(200, shares.Accept(p, req.Param("id")));
        }));
  r.Add("POST", "/api/v1/invitations/{id}/reject",
        Authed(auth, [&shares](Request& req, const Principal& p) {
          return Done(shares.Reject(p, req.Param("id")));
        }));
}

}  // namespace berth::manager

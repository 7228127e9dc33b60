// /folders/{name}/shares, /folders/{name}/leave and /invitations: sharing a
// folder with other users (SPEC §4, §5).
#include "api/json.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"
#include "manager/share_service.h"

namespace berth::manager {

using http::Request;
using nlohmann::json;

namespace {

json ShareJson(const ShareView& v) {
  return json{{"id", v.id},     {"folder", v.folder},         {"folder_id", v.folder_id},
              {"owner", v.owner}, {"user", v.user},           {"permission", v.permission},
              {"status", v.status}, {"created_at", v.created_at}};
}

HandlerResult ShareReply(int status, const Result<ShareView>& v) {
  BERTH_RETURN_IF_ERROR(v.status());
  return JsonResponse(status, ShareJson(*v));
}

HandlerResult SharesReply(const char* key, const Result<std::vector<ShareView>>& v) {
  BERTH_RETURN_IF_ERROR(v.status());
  json arr = json::array();
  for (const auto& s : *v) arr.push_back(ShareJson(s));
  return JsonResponse(200, {{key, arr}});
}

}  // namespace

void RegisterShareRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  ShareService& shares = *ctx.shares;

  r.Add("POST", "/api/v1/folders/{name}/shares",
        Authed(auth, [&shares](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"user", "permission"}));
          BERTH_ASSIGN_OR_RETURN(auto user, StringField(body, "user", true));
          BERTH_ASSIGN_OR_RETURN(auto perm, StringField(body, "permission", false));
          return ShareReply(201, shares.Share(p, req.Param("name"), *user, perm.value_or("ro")));
        }));
  r.Add("GET", "/api/v1/folders/{name}/shares",
        Authed(auth, [&shares](Request& req, const Principal& p) -> HandlerResult {
          return SharesReply("shares", shares.ListShares(p, req.Param("name")));
        }));
  r.Add("DELETE", "/api/v1/folders/{name}/shares/{user}",
        Authed(auth, [&shares](Request& req, const Principal& p) -> HandlerResult {
          return NoContent(shares.Unshare(p, req.Param("name"), req.Param("user")));
        }));
  r.Add("POST", "/api/v1/folders/{name}/leave",
        Authed(auth, [&shares](Request& req, const Principal& p) -> HandlerResult {
          return NoContent(shares.Leave(p, req.Param("name")));
        }));
  r.Add("GET", "/api/v1/invitations", Authed(auth, [&shares](Request&, const Principal& p) -> HandlerResult {
          return SharesReply("invitations", shares.Invitations(p));
        }));
  r.Add("POST", "/api/v1/invitations/{id}/accept",
        Authed(auth, [&shares](Request& req, const Principal& p) -> HandlerResult {
          return ShareReply(200, shares.Accept(p, req.Param("id")));
        }));
  r.Add("POST", "/api/v1/invitations/{id}/reject",
        Authed(auth, [&shares](Request& req, const Principal& p) -> HandlerResult {
          return NoContent(shares.Reject(p, req.Param("id")));
        }));
}

}  // namespace berth::manager

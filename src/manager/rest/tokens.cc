// /tokens: the caller's own API tokens (SPEC §4, §5). Tokens of other users
// are minted under /users (rest/users.cc).
#include "api/json.h"
#include "manager/auth_service.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using nlohmann::json;

void RegisterTokenRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  r.Add("POST", "/api/v1/tokens", Authed(auth, [&auth](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"label"}));
          BERTH_ASSIGN_OR_RETURN(auto label, StringField(body, "label", false));
          BERTH_ASSIGN_OR_RETURN(IssuedToken t, auth.CreateToken(p.user_id, label.value_or("")));
          return JsonResponse(201, {{"id", t.id}, {"token", t.secret}});
        }));
  r.Add("GET", "/api/v1/tokens", Authed(auth, [&auth](Request&, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto list, auth.ListTokens(p.user_id));
          return JsonResponse(200, {{"tokens", list}});
        }));
  r.Add("DELETE", "/api/v1/tokens/{id}",
        Authed(auth, [&auth](Request& req, const Principal& p) -> HandlerResult {
          return NoContent(auth.RevokeToken(p.user_id, req.Param("id")));
        }));
}

}  // namespace berth::manager

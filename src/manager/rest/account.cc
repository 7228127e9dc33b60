// /health, /me, sign-in (/login?code=, /auth/login, /auth/login-codes), sign-out (/auth/logout) and
// /volumes (SPEC §4, §5).
#include "api/json.h"
#include "manager/auth_service.h"
#include "manager/folder_service.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/auth_http.h"
#include "manager/rest/handler_util.h"
#include "manager/user_service.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

// Signs `user_id` in: a new web session, its cookie set on `resp`.
HandlerResult SignIn(AuthService& auth, const Request& req, const std::string& user_id,
                     Response resp) {
  BERTH_ASSIGN_OR_RETURN(std::string secret, auth.CreateWebSession(user_id));
  resp.SetHeader("Set-Cookie",
                 SetSessionCookie(secret, AuthService::kWebSessionSeconds, req.https));
  return resp;
}

// GET /me and PATCH /me's reply.
HandlerResult Me(UserService* users, const Principal& p) {
  json me{{"id", p.user_id},   {"name", p.name}, {"role", p.role},
          {"sudo_allowed", p.sudo_allowed}, {"uid", p.uid}, {"gid", p.gid}};
  if (users) {
    BERTH_ASSIGN_OR_RETURN(api::UserLimits limits, users->LimitsOf(p));
    me["limits"] = limits;
    BERTH_ASSIGN_OR_RETURN(store::UserRecord self, users->Self(p));
    me["python_user_base"] = self.python_user_base;
    BERTH_ASSIGN_OR_RETURN(StorageUse use, users->StorageOf(p));
    me["quota_bytes"] = use.quota_bytes ? json(*use.quota_bytes) : json(nullptr);
    me["used_bytes"] = use.used_bytes;
  }
  if (!p.csrf_token.empty()) me["csrf_token"] = p.csrf_token;
  return JsonResponse(200, me);
}

}  // namespace

void RegisterAccountRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  r.Add("GET", "/api/v1/health", [](Request&) { return JsonResponse(200, {{"status", "ok"}}); });

  r.Add("GET", "/api/v1/me", Authed(auth, [users = ctx.users](Request&, const Principal& p) {
          return Me(users, p);
        }));
  if (ctx.users) {
    r.Add("PATCH", "/api/v1/me",
          Authed(auth, [users = ctx.users](Request& req, const Principal& p) -> HandlerResult {
            BERTH_ASSIGN_OR_RETURN(
                json body, ParseJsonObject(req, {"python_user_base", "password", "old_password"}));
            SelfChange c;
            BERTH_ASSIGN_OR_RETURN(c.python_user_base, StringField(body, "python_user_base", false));
            BERTH_ASSIGN_OR_RETURN(c.password, StringField(body, "password", false));
            BERTH_ASSIGN_OR_RETURN(c.old_password, StringField(body, "old_password", false));
            BERTH_RETURN_IF_ERROR(users->UpdateSelf(p, c));
            return Me(users, p);
          }));
  }

  // Browser sign-in with a one-time code in the link (SPEC §4), then home.
  // API tokens never travel in URLs: ?token= is not accepted.
  r.Add("GET", "/login", Public([&auth](Request& req) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(std::string code, RequiredQuery(req, "code", "missing_code"));
          BERTH_ASSIGN_OR_RETURN(Principal p, auth.RedeemLoginCode(code));
          Response resp = Response::Empty(302);
          resp.SetHeader("Location", "/");
          resp.SetHeader("Cache-Control", "no-store");
          return SignIn(auth, req, p.user_id, std::move(resp));
        }));
  r.Add("POST", "/api/v1/auth/login-codes",
        Authed(auth, [&auth](Request& req, const Principal& p) -> HandlerResult {
          std::string code = auth.MintLoginCode(p.user_id);
          std::string path = "/login?code=" + code;
          std::string_view host = req.Header("host");
          std::string url =
              host.empty() ? path : (req.https ? "https://" : "http://") + std::string(host) + path;
          return JsonResponse(201, {{"code", code}, {"url", url}});
        }));
  r.Add("POST", "/api/v1/auth/login", Public([&auth](Request& req) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"user", "password"}));
          BERTH_ASSIGN_OR_RETURN(auto user, StringField(body, "user", true));
          BERTH_ASSIGN_OR_RETURN(auto password, StringField(body, "password", true));
          BERTH_ASSIGN_OR_RETURN(auto u, auth.CheckPassword(*user, *password, req.remote_addr));
          return SignIn(auth, req, u.id, JsonResponse(200, {{"name", u.name}, {"role", u.role}}));
        }));
  r.Add("POST", "/api/v1/auth/logout",
        Authed(auth, [&auth](Request& req, const Principal&) -> HandlerResult {
          std::string secret = SessionCookie(req);
          if (!secret.empty()) (void)auth.DeleteWebSession(secret);
          Response resp = Response::Empty(204);
          resp.SetHeader("Set-Cookie", SetSessionCookie("", 0, req.https));
          return resp;
        }));

  r.Add("GET", "/api/v1/volumes",
        Authed(auth, [folders = ctx.folders](Request&, const Principal&) -> HandlerResult {
          return JsonResponse(200, {{"volumes", folders->Volumes()}});
        }));
}

}  // namespace berth::manager

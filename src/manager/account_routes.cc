// /health, /me, /tokens, /volumes.
#include <cstring>

#include "api/json.h"
#include "manager/api_routes.h"
#include "manager/auth_service.h"
#include "manager/folder_service.h"
#include "manager/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

std::string SessionCookie(const std::string& value, int64_t max_age) {
  return std::string(AuthService::kCookieName) + "=" + value +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age);
}

}  // namespace

void RegisterAccountRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  r.Add("GET", "/api/v1/health", [](Request&) { return JsonResponse(200, {{"status", "ok"}}); });

  r.Add("GET", "/api/v1/me", Authed(auth, [](Request&, const Principal& p) {
          json me{{"id", p.user_id},   {"name", p.name}, {"role", p.role},
                  {"sudo_allowed", p.sudo_allowed}, {"uid", p.uid}, {"gid", p.gid}};
          if (!p.csrf_token.empty()) me["csrf_token"] = p.csrf_token;
          return JsonResponse(200, me);
        }));

  // Browser sign-in with an API token in the link (SPEC §4), then home.
  r.Add("GET", "/login", [&auth](Request& req) {
    const std::string* token = req.Query("token");
    if (!token) return Response::Error(InvalidArgument("the link needs ?token=<API token>"));
    auto p = auth.AuthenticateBearer("Bearer " + *token);
    if (!p.ok()) return Response::Error(p.status());
    auto secret = auth.CreateWebSession(p->user_id);
    if (!secret.ok()) return Response::Error(secret.status());
    Response resp = Response::Empty(302);
    resp.SetHeader("Location", "/");
    resp.SetHeader("Cache-Control", "no-store");
    resp.SetHeader("Set-Cookie", SessionCookie(*secret, AuthService::kWebSessionSeconds));
    return resp;
  });
  r.Add("POST", "/api/v1/auth/login", [&auth](Request& req) {
    auto body = ParseJsonObject(req, {"user", "password"});
    if (!body.ok()) return Response::Error(body.status());
    auto user = StringField(*body, "user", true);
    if (!user.ok()) return Response::Error(user.status());
    auto password = StringField(*body, "password", true);
    if (!password.ok()) return Response::Error(password.status());
    auto u = auth.CheckPassword(**user, **password, req.remote_addr);
    if (!u.ok()) {
      Response err = Response::Error(u.status());
      if (u.status().reason() == "rate_limited") err.status = 429;
      return err;
    }
    auto secret = auth.CreateWebSession(u->id);
    if (!secret.ok()) return Response::Error(secret.status());
    Response resp = JsonResponse(200, {{"name", u->name}, {"role", u->role}});
    resp.SetHeader("Set-Cookie", SessionCookie(*secret, AuthService::kWebSessionSeconds));
    return resp;
  });
  r.Add("POST", "/api/v1/auth/logout", Authed(auth, [&auth](Request& req, const Principal&) {
          std::string secret = AuthService::CookieSecret(req);
          if (!secret.empty()) (void)auth.DeleteWebSession(secret);
          Response resp = Response::Empty(204);
          resp.SetHeader("Set-Cookie", SessionCookie("", 0));
          return resp;
        }));

  r.Add("POST", "/api/v1/tokens", Authed(auth, [&auth](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"label"});
          if (!body.ok()) return Response::Error(body.status());
          auto label = StringField(*body, "label", false);
          if (!label.ok()) return Response::Error(label.status());
          auto t = auth.CreateToken(p.user_id, label->value_or(""));
          if (!t.ok()) return Response::Error(t.status());
          return JsonResponse(201, {{"id", t->id}, {"token", t->secret}});
        }));
  r.Add("GET", "/api/v1/tokens", Authed(auth, [&auth](Request&, const Principal& p) {
          auto list = auth.ListTokens(p.user_id);
          if (!list.ok()) return Response::Error(list.status());
          return JsonResponse(200, {{"tokens", *list}});
        }));
  r.Add("DELETE", "/api/v1/tokens/{id}", Authed(auth, [&auth](Request& req, const Principal& p) {
          Status st = auth.RevokeToken(p.user_id, req.Param("id"));
          return st.ok() ? Response::Empty(204) : Response::Error(st);
        }));

  r.Add("GET", "/api/v1/volumes",
        Authed(auth, [folders = ctx.folders](Request&, const Principal&) {
          return JsonResponse(200, {{"volumes", folders->Volumes()}});
        }));
}

}  // namespace berth::manager

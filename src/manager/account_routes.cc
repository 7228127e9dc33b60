// /health, /me, /tokens, /volumes.
#include "api/json.h"
#include "manager/api_routes.h"
#include "manager/auth_service.h"
#include "manager/folder_service.h"
#include "manager/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

void RegisterAccountRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  r.Add("GET", "/api/v1/health", [](Request&) { return JsonResponse(200, {{"status", "ok"}}); });

  r.Add("GET", "/api/v1/me", Authed(auth, [](Request&, const Principal& p) {
          return JsonResponse(200, {{"id", p.user_id},
                                    {"name", p.name},
                                    {"role", p.role},
                                    {"sudo_allowed", p.sudo_allowed},
                                    {"uid", p.uid},
                                    {"gid", p.gid}});
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

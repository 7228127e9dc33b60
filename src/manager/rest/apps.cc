// /sessions/{name}/apps: a session's apps and the one-time redirect that
// signs a browser in on the apps origin (SPEC §3 "Apps", §5).
#include "apps/proxy_rules.h"
#include "manager/app_service.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

bool Wildcard(const std::string& host) { return host.empty() || host == "0.0.0.0" || host == "::"; }

}  // namespace

std::string AppsOrigin(const AppsEndpoint& e, std::string_view request_host,
                       const std::string& session_id, const std::string& app) {
  std::string host = e.host;
  if (!e.domain.empty()) {
    host = apps::AppHostName(e.domain, session_id, app);
  } else if (Wildcard(host)) {
    host = apps::HostNameOf(request_host);
    if (host.empty()) host = "127.0.0.1";
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  const bool default_port = e.port == (e.tls ? 443 : 80);
  return std::string(e.tls ? "https://" : "http://") + host +
         (default_port ? "" : ":" + std::to_string(e.port));
}

void RegisterAppRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  AppService& apps = *ctx.apps;
  const AppsEndpoint endpoint = ctx.apps_endpoint;

  r.Add("GET", "/api/v1/sessions/{name}/apps",
        Authed(auth, [&apps, endpoint](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto list, apps.List(p, req.Param("name")));
          json out = json::array();
          for (const auto& a : list) {
            out.push_back({{"name", a.name},
                           {"display_name", a.display_name},
                           {"url", AppsOrigin(endpoint, req.Header("host"), a.session_id, a.name) +
                                       a.path},
                           {"status", a.status}});
          }
          return JsonResponse(200, json{{"apps", out}});
        }));
  r.Add("GET", "/api/v1/sessions/{name}/apps/{app}/open",
        Authed(auth, [&apps, endpoint](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(SessionApp a, apps.Open(p, req.Param("name"), req.Param("app")));
          Response resp = Response::Empty(302);
          resp.SetHeader("Location",
                         AppsOrigin(endpoint, req.Header("host"), a.session_id, a.name) + a.path);
          resp.SetHeader("Cache-Control", "no-store");
          resp.SetHeader("Referrer-Policy", "no-referrer");
          return resp;
        }));
}

}  // namespace berth::manager

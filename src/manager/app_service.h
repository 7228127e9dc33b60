// AppService: the apps of a session as users see them (SPEC §3 "Apps", §5
// `GET /sessions/{name}/apps`, `.../apps/{app}/open`), and the Gate the
// apps origin (apps/proxy_server.h) asks before it forwards a request.
//
// Who gets through: the session's owner, or a superadmin (the one rule,
// Authorizer::CanUseSession), authenticated by an API token (Bearer) or by
// the apps cookie an /open redirect set for exactly that session and app
// (manager/app_grants.h). Anyone else sees NotFound, as for the session
// itself. Apps start on first use, through the session's AppBackend: this
// host's AppRegistry, or the node agent's for a session that runs on one.
//
// Thread-safe: the registry and the grants are; the rest is the store.
#pragma once

#include <string>
#include <vector>

#include "apps/app_backend.h"
#include "apps/proxy_server.h"
#include "common/result.h"
#include "manager/app_grants.h"
#include "manager/principal.h"

namespace berth::images {
class ImageStore;
}
namespace berth::store {
class Store;
}

namespace berth::manager {

class AuthService;
class Authorizer;
class SessionService;

struct AppServiceDeps {
  store::Store* store = nullptr;
  AuthService* auth = nullptr;
  const Authorizer* authz = nullptr;
  SessionService* sessions = nullptr;
  images::ImageStore* images = nullptr;
  // Where the apps of sessions run: `remote` (the node agents,
  // remote::HubAppBackend) when set (berthd --cluster: every session is a
  // job on a node), else `registry` (this host's runtime).
  apps::AppBackend* registry = nullptr;
  apps::AppBackend* remote = nullptr;
};

// One app of a session; `path` is its base URL on the apps origin
// (/s/<id>/<app>/), which the REST layer makes absolute (on the app's own
// host in wildcard-host mode: hence the session id).
struct SessionApp {
  std::string session_id;
  std::string name;
  std::string display_name;
  std::string path;
  std::string status;  // "stopped" | "starting" | "running"
};

class AppService : public apps::Gate {
 public:
  explicit AppService(AppServiceDeps deps) : deps_(std::move(deps)) {}

  // The apps of the caller's session `ref` (name, or id for its owner or a
  // superadmin); the session's errors (NotFound "session_not_found").
  Result<std::vector<SessionApp>> List(const Principal& p, const std::string& ref);
  // Starts `app` when it is not running and mints a one-time code: the app
  // with, as `path`, the apps-origin path (with query) the browser is sent
  // to. NotFound "app_not_found", FailedPrecondition "session_not_running".
  Result<SessionApp> Open(const Principal& p, const std::string& ref, const std::string& app);

  // apps::Gate
  Result<apps::AppTarget> Admit(const std::string& session_id, const std::string& app,
                                const apps::ProxyCredentials& credentials) override;
  Result<int> Dial(const std::string& session_id, const std::string& app,
                   const apps::AppTarget& target, std::chrono::milliseconds timeout) override;
  void Reached(const std::string& session_id, const std::string& app) override;
  Result<std::string> RedeemOpenCode(const std::string& session_id, const std::string& app,
                                     std::string_view code) override;
  int64_t cookie_max_age_s() const override { return AppGrants::kCookieTtlS; }

 private:
  // The remote backend when set (berthd --cluster: every session is a job
  // on a node, whose agent may be reconnecting right now, but whose
  // container the local runtime never has), else the registry.
  apps::AppBackend& Backend() const { return deps_.remote ? *deps_.remote : *deps_.registry; }
  Result<images::AppSpec> FindApp(const std::string& image, const std::string& app);
  Result<Principal> Authenticate(const std::string& session_id, const std::string& app,
                                 const apps::ProxyCredentials& c);

  AppServiceDeps deps_;
  AppGrants grants_;
};

}  // namespace berth::manager

// Registration of the REST API (SPEC §5) on a Router. Each Register*
// function adds one resource's routes, from the file of the same name in
// this directory (rest/folders.cc: RegisterFolderRoutes, ...); RegisterApi
// adds them all. Handlers parse, authorize through the Authorizer, call a
// service and return a HandlerResult (rest/handler_util.h).
// The services must outlive the router.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/router.h"
#include "manager/exec_limits.h"

namespace berth::images {
class ImageStore;
}

namespace berth::manager {

class AppService;
class AuthService;
class Authorizer;
class DaemonMetrics;
class DotfileService;
class DownloadLinks;
class EventBus;
class FolderService;
class Readiness;
class SessionService;
class ShareService;
class SnapshotService;
class UserQuota;
class UserService;

// Where the apps origin listens (--apps-listen), for absolute app URLs.
struct AppsEndpoint {
  std::string host;  // a wildcard (0.0.0.0, ::) means the API request's host name
  uint16_t port = 0;
  bool tls = false;
  // Wildcard-host mode: each app on its own host under this domain
  // (apps/proxy_rules.h AppHostName); "" = one apps origin at `host`.
  std::string domain;
};
// "http(s)://HOST[:PORT]" of the apps origin of app `app` of session
// `session_id`, as a client that reached the API at Host `request_host`
// can use (rest/apps.cc). The port is left out when it is the scheme's.
std::string AppsOrigin(const AppsEndpoint& e, std::string_view request_host,
                       const std::string& session_id, const std::string& app);

struct ApiContext {
  AuthService* auth = nullptr;
  const Authorizer* authz = nullptr;
  FolderService* folders = nullptr;
  DownloadLinks* links = nullptr;
  UserService* users = nullptr;
  UserQuota* quota = nullptr;  // optional: per-user storage quotas on uploads
  ShareService* shares = nullptr;
  SnapshotService* snapshots = nullptr;  // optional: folder snapshots
  DotfileService* dotfiles = nullptr;
  // Sessions, images and events: absent on a storage-only manager.
  SessionService* sessions = nullptr;
  images::ImageStore* images = nullptr;
  EventBus* events = nullptr;
  ExecLimits exec_limits;
  // Apps: absent when berthd serves no apps origin.
  AppService* apps = nullptr;
  AppsEndpoint apps_endpoint;
  // Observability (rest/observability.cc): /metrics for a superadmin, and
  // session-create and exec counts; /health/ready. Optional.
  DaemonMetrics* metrics = nullptr;
  const Readiness* readiness = nullptr;
};

// /health, /me, sign-in and sign-out, /volumes (rest/account.cc).
void RegisterAccountRoutes(http::Router& r, ApiContext& ctx);
// The caller's own API tokens (rest/tokens.cc).
void RegisterTokenRoutes(http::Router& r, ApiContext& ctx);
void RegisterFolderRoutes(http::Router& r, ApiContext& ctx);
// Files inside a folder and signed download links (rest/files.cc).
void RegisterFileRoutes(http::Router& r, ApiContext& ctx);
// Folder snapshots (rest/snapshots.cc) and their files, browsed and
// restored (rest/files.cc). REQUIRES: ctx.snapshots.
void RegisterSnapshotRoutes(http::Router& r, ApiContext& ctx);
void RegisterSnapshotFileRoutes(http::Router& r, ApiContext& ctx);
// REQUIRES: ctx.users.
void RegisterUserRoutes(http::Router& r, ApiContext& ctx);
// Shares of a folder and the caller's invitations. REQUIRES: ctx.shares.
void RegisterShareRoutes(http::Router& r, ApiContext& ctx);
// The caller's dotfiles (rest/dotfiles.cc). REQUIRES: ctx.dotfiles.
void RegisterDotfileRoutes(http::Router& r, ApiContext& ctx);
// REQUIRES: ctx.sessions.
void RegisterSessionRoutes(http::Router& r, ApiContext& ctx);
// REQUIRES: ctx.images and ctx.authz.
void RegisterImageRoutes(http::Router& r, ApiContext& ctx);
// REQUIRES: ctx.events and ctx.authz.
void RegisterEventRoutes(http::Router& r, ApiContext& ctx);
// A session's apps and the /open redirect (rest/apps.cc). REQUIRES: ctx.apps.
void RegisterAppRoutes(http::Router& r, ApiContext& ctx);
// GET /metrics (superadmin) with ctx.metrics, GET /health/ready with
// ctx.readiness (rest/observability.cc).
void RegisterObservabilityRoutes(http::Router& r, ApiContext& ctx);
// The --metrics-listen router's one route: GET /metrics, unauthenticated.
void RegisterMetricsListenerRoutes(http::Router& r, const DaemonMetrics& metrics);

// REQUIRES: ctx.auth, ctx.authz, ctx.folders and ctx.links.
inline void RegisterApi(http::Router& r, ApiContext& ctx) {
  RegisterAccountRoutes(r, ctx);
  RegisterTokenRoutes(r, ctx);
  RegisterFolderRoutes(r, ctx);
  RegisterFileRoutes(r, ctx);
  if (ctx.snapshots) {
    RegisterSnapshotRoutes(r, ctx);
    RegisterSnapshotFileRoutes(r, ctx);
  }
  if (ctx.users && ctx.shares) {
    RegisterUserRoutes(r, ctx);
    RegisterShareRoutes(r, ctx);
  }
  if (ctx.dotfiles) RegisterDotfileRoutes(r, ctx);
  if (ctx.sessions && ctx.images && ctx.events) {
    RegisterSessionRoutes(r, ctx);
    RegisterImageRoutes(r, ctx);
    RegisterEventRoutes(r, ctx);
  }
  if (ctx.apps) RegisterAppRoutes(r, ctx);
  RegisterObservabilityRoutes(r, ctx);
}

}  // namespace berth::manager

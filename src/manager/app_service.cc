#include "manager/app_service.h"

#include "common/clock.h"
#include "images/image_store.h"
#include "manager/auth_service.h"
#include "manager/authorizer.h"
#include "manager/session_service.h"
#include "store/store.h"

namespace berth::manager {
namespace {

Status NoSuchApp(const std::string& app) {
  return NotFound("this session has no app named '" + app + "'", "app_not_found");
}

}  // namespace

Result<images::AppSpec> AppService::FindApp(const std::string& image, const std::string& app) {
  BERTH_ASSIGN_OR_RETURN(images::ImageInfo info, deps_.images->Get(image));
  for (const auto& a : info.apps)
    if (a.name == app) return a;
  return NoSuchApp(app);
}

Result<std::vector<SessionApp>> AppService::List(const Principal& p, const std::string& ref) {
  BERTH_ASSIGN_OR_RETURN(api::Session s, deps_.sessions->Get(p, ref));
  std::vector<SessionApp> out;
  auto info = deps_.images->Get(s.image);
  if (!info.ok()) return out;  // the image is gone: no app to offer
  for (const auto& a : info->apps) {
    apps::AppState state = s.status == "running" ? Backend().State(s.id, a.name)
                                                 : apps::AppState::kStopped;
    out.push_back({s.id, a.name, a.display_name, apps::AppBaseUrl(s.id, a.name),
                   apps::AppStateName(state)});
  }
  return out;
}

Result<SessionApp> AppService::Open(const Principal& p, const std::string& ref,
                                     const std::string& app) {
  BERTH_ASSIGN_OR_RETURN(api::Session s, deps_.sessions->Get(p, ref));
  BERTH_ASSIGN_OR_RETURN(images::AppSpec spec, FindApp(s.image, app));
  if (s.status != "running") {
    return FailedPrecondition("session '" + s.name + "' is " + s.status + ", not running",
                              "session_not_running");
  }
  // Start it now: the redirect and the first page load then wait less.
  BERTH_ASSIGN_OR_RETURN(apps::AppTarget target, Backend().Ensure(s.id, spec, /*restart=*/true));
  std::string code = grants_.MintCode({p.user_id, s.id, app}, NowUnix());
  return SessionApp{s.id, app, spec.display_name,
                    apps::AppBaseUrl(s.id, app) + "_berth_open?code=" + code,
                    apps::AppStateName(target.state)};
}

Result<Principal> AppService::Authenticate(const std::string& session_id, const std::string& app,
                                           const apps::ProxyCredentials& c) {
  if (!c.bearer.empty()) return deps_.auth->AuthenticateToken(c.bearer);
  for (const auto& value : c.app_cookies) {
    auto grant = grants_.CheckCookie(value, NowUnix());
    if (grant.ok() && grant->session_id == session_id && grant->app == app) {
      auto p = deps_.auth->LookupUser(grant->user_id);
      if (p.ok()) return p;
    }
  }
  return Unauthenticated(
      "sign in first: open the app from Berth (web UI) or send Authorization: Bearer <token>",
      "unauthenticated");
}

Result<apps::AppTarget> AppService::Admit(const std::string& session_id, const std::string& app,
                                          const apps::ProxyCredentials& c) {
  BERTH_ASSIGN_OR_RETURN(Principal p, Authenticate(session_id, app, c));
  auto rec = deps_.store->GetSession(session_id);
  if (!rec.ok() || !deps_.authz->CanUseSession(p, *rec)) {
    return NotFound("no session with id '" + session_id + "'", "session_not_found");
  }
  BERTH_ASSIGN_OR_RETURN(images::AppSpec spec, FindApp(rec->image, app));
  if (rec->status != "running") {
    return FailedPrecondition("session '" + rec->name + "' is " + rec->status + ", not running",
                              "session_not_running");
  }
  return Backend().Ensure(session_id, spec, /*restart=*/false);
}

Result<int> AppService::Dial(const std::string& session_id, const std::string& app,
                             const apps::AppTarget& target, std::chrono::milliseconds timeout) {
  return Backend().Dial(session_id, app, target, timeout);
}

void AppService::Reached(const std::string& session_id, const std::string& app) {
  Backend().MarkReachable(session_id, app);
}

Result<std::string> AppService::RedeemOpenCode(const std::string& session_id,
                                               const std::string& app, std::string_view code) {
  BERTH_ASSIGN_OR_RETURN(AppGrant grant, grants_.RedeemCode(code, NowUnix()));
  if (grant.session_id != session_id || grant.app != app) {
    return Unauthenticated("this app link is for another app; open the app from Berth again",
                           "bad_app_code");
  }
  return grants_.IssueCookie(grant, NowUnix());
}

}  // namespace berth::manager

#include "remote/agent_apps.h"

#include <algorithm>

namespace berth::remote {
namespace {

// An app connection waits at most this long for the app to accept.
constexpr std::chrono::milliseconds kMaxConnectTimeout{30000};

}  // namespace

void AgentApps::SetApps(std::vector<images::AppSpec> apps) {
  std::lock_guard lock(mu_);
  apps_ = std::move(apps);
}

Result<images::AppSpec> AgentApps::Find(const std::string& app) const {
  std::lock_guard lock(mu_);
  for (const auto& a : apps_) {
    if (a.name == app) return a;
  }
  return NotFound("this session has no app named '" + app + "'", "app_not_found");
}

Result<apps::AppTarget> AgentApps::State(const std::string& app) {
  BERTH_RETURN_IF_ERROR(Find(app).status());
  apps::AppTarget t;
  t.state = registry_.State(session_id_, app);
  return t;
}

Result<apps::AppTarget> AgentApps::Ensure(const std::string& app, bool restart) {
  BERTH_ASSIGN_OR_RETURN(images::AppSpec spec, Find(app));
  BERTH_ASSIGN_OR_RETURN(apps::AppTarget t, registry_.Ensure(session_id_, spec, restart));
  t.netns_pid = 0;  // the node's pid means nothing to the manager
  return t;
}

Result<UniqueFd> AgentApps::Connect(const std::string& app, uint16_t port,
                                    std::chrono::milliseconds timeout) {
  BERTH_ASSIGN_OR_RETURN(images::AppSpec spec, Find(app));
  BERTH_ASSIGN_OR_RETURN(apps::AppTarget t, registry_.Ensure(session_id_, spec, /*restart=*/false));
  if (port != t.port) {
    return PermissionDenied("app '" + app + "' listens on port " + std::to_string(t.port) +
                                "; the node agent connects to no other port",
                            "app_port_refused");
  }
  BERTH_ASSIGN_OR_RETURN(int fd, registry_.Dial(session_id_, app, t, std::min(timeout, kMaxConnectTimeout)));
  registry_.MarkReachable(session_id_, app);
  return UniqueFd(fd);
}

}  // namespace berth::remote

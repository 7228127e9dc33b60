// AgentApps: the apps of the node agent's one session (docs/cluster.md
// "Apps through the channel"). The agent runs its own apps::AppRegistry on
// its runtime, so an app of a remote session is started as on one host (the
// session user, its log in the scratch home), and connects to it inside the
// session's network namespace for the manager's kAppConnect streams.
//
// What the manager may ask is bounded by the session: only the apps the
// image declares (from the spec the agent was admitted with), and a
// connection only to such an app's own port (its declared port; the port
// the registry chose where the session shares the agent's namespace).
// Anything else is refused: the channel is never a way to reach other
// ports of the node or of the session.
//
// Lives as long as the agent process, across reconnects (a dropped
// connection ends its app connections, not the apps).
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "apps/app_registry.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "images/app_spec.h"
#include "runtime/container_runtime.h"

namespace berth::remote {

class AgentApps {
 public:
  AgentApps(runtime::ContainerRuntime* runtime, std::string session_id)
      : session_id_(std::move(session_id)), registry_(runtime) {}

  // The session's apps (the admitted spec's image.apps).
  void SetApps(std::vector<images::AppSpec> apps);

  // NotFound "app_not_found" for an app the session does not declare.
  Result<apps::AppTarget> State(const std::string& app);
  Result<apps::AppTarget> Ensure(const std::string& app, bool restart);
  // A connected socket to `app` (started first if need be). PermissionDenied
  // "app_port_refused" when `port` is not that app's port; Unavailable
  // "app_not_listening" when nothing accepts there yet.
  Result<UniqueFd> Connect(const std::string& app, uint16_t port, std::chrono::milliseconds timeout);

 private:
  Result<images::AppSpec> Find(const std::string& app) const;

  const std::string session_id_;
  apps::AppRegistry registry_;
  mutable std::mutex mu_;
  std::vector<images::AppSpec> apps_;
};

}  // namespace berth::remote

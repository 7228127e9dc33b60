// HubAppBackend: the apps of sessions that run on node agents
// (apps/app_backend.h over remote/agent_hub.h): the agent starts the app
// on its node and connects to it there; the apps proxy gets a local socket
// whose bytes travel over the agent channel. manager::AppService uses it
// for every session when berthd runs them on a cluster.
//
// Thread-safety: as the hub (safe from any thread).
#pragma once

#include "apps/app_backend.h"
#include "remote/agent_hub.h"

namespace berth::remote {

class HubAppBackend : public apps::AppBackend {
 public:
  explicit HubAppBackend(AgentHub* hub) : hub_(hub) {}

  // kStopped when the agent cannot say.
  apps::AppState State(const std::string& session_id, const std::string& app) override;
  Result<apps::AppTarget> Ensure(const std::string& session_id, const images::AppSpec& app,
                                 bool restart) override;
  // The agent marks the app reachable itself when it connects to it.
  void MarkReachable(const std::string&, const std::string&) override {}
  Result<int> Dial(const std::string& session_id, const std::string& app,
                   const apps::AppTarget& target, std::chrono::milliseconds timeout) override;

 private:
  AgentHub* const hub_;
};

}  // namespace berth::remote

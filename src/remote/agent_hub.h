// AgentHub: the manager's end of the node agents' connections (SPEC §9;
// design in docs/cluster.md "Registration" and "The manager proxies").
//
// A node agent (`berthd node-agent`, remote/node_agent.h) runs as the Slurm
// job of one session. It dials the manager (never the other way round):
// WebSocket `GET /api/v1/agent`, then registers {session_id, job_id, node,
// key}. The hub asks its RegistrationPolicy (the cluster side, which knows
// the session's job and hashed key) whether to accept; on acceptance it
// sends the session's spec if the container is still to be made, and from
// then on carries multiplexed streams over that one connection: exec,
// terminal, logs, delete and apps. A later registration for the same session (the
// agent reconnecting, or after a manager restart) replaces the earlier one.
//
// Clients never talk to agents: REST handlers go through SessionService →
// SessionHost → AgentHub, and the hub only ever talks to the connection
// that registered for that session.
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "agent/session_agent.h"
#include "apps/app_backend.h"
#include "common/result.h"
#include "http/websocket.h"
#include "runtime/container_runtime.h"

namespace berth::remote {

struct Registration {
  std::string session_id;
  std::string job_id;  // SLURM_JOB_ID as the agent saw it
  std::string node;    // the agent's hostname (Slurm's NodeName)
  std::string key;     // the session's secret, from the job's environment
};

// What to do with an admitted agent.
struct Admission {
  // The container to make; nullopt when it already runs (the agent
  // reconnected).
  std::optional<agent::SessionSpec> spec;
};

// The cluster side's decisions and what it hears from agents.
class RegistrationPolicy {
 public:
  virtual ~RegistrationPolicy() = default;
  // OK to accept; PermissionDenied (or any error) and the hub closes the
  // connection without saying why to the peer.
  virtual Result<Admission> Admit(const Registration& r) = 0;
  // The agent's report on its session: "creating", "running" (container
  // up; `ip` its address), "error" (reason), "terminated".
  virtual void OnAgentStatus(const std::string& session_id, const std::string& status,
                             const std::string& reason, const std::string& ip) = 0;
  // The registered connection of `session_id` closed (the agent exited,
  // crashed, or its node went away).
  virtual void OnAgentGone(const std::string& session_id) = 0;
};

class AgentHub {
 public:
  virtual ~AgentHub() = default;

  // The WebSocket session for one upgraded `GET /api/v1/agent` connection
  // (registered by berthd as a route that needs no user authentication:
  // the registration message authenticates).
  virtual std::unique_ptr<http::WebSocketSession> Accept() = 0;

  // Whether an agent is registered for `session_id` now.
  virtual bool Connected(const std::string& session_id) const = 0;

  // Unavailable "agent_unavailable" when no agent is registered for the
  // session; otherwise what the agent's SessionAgent answered.
  virtual Result<runtime::ExecResult> Exec(const std::string& session_id,
                                           const runtime::ExecOptions& options) = 0;
  // fd() is a local socket whose bytes travel to and from the PTY on the
  // node; exit_fd() becomes readable when the remote process ended or the
  // connection dropped.
  virtual Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string& session_id,
                                                                    uint16_t cols,
                                                                    uint16_t rows) = 0;
  virtual Result<std::string> Logs(const std::string& session_id, size_t max_bytes) = 0;
  // Asks the agent to delete the container and exit; waits up to `timeout`
  // for its confirmation. OK when no agent is registered.
  virtual Status Delete(const std::string& session_id, std::chrono::milliseconds timeout) = 0;

  // Apps (docs/cluster.md "Apps through the channel"); the agent runs its
  // own apps::AppRegistry and knows the session's apps from its spec, so
  // only `app.name` travels. The state, the port it listens on and whether
  // it exited; `start` false only reports (nothing is started), true starts
  // it when it is not running (again after an exit with `restart`).
  // NotFound "app_not_found" for an app the session does not declare.
  virtual Result<apps::AppTarget> EnsureApp(const std::string& /*session_id*/,
                                            const images::AppSpec& /*app*/, bool /*start*/,
                                            bool /*restart*/) {
    return Unavailable("this hub serves no apps", "agent_unavailable");
  }
  // One TCP connection to `app` on `port` inside the session's network
  // namespace on its node, as a local socket (one end of a socketpair whose
  // bytes travel over the channel); the caller owns the fd. The agent
  // refuses every port but the app's own (PermissionDenied
  // "app_port_refused"); Unavailable "app_not_listening" when nothing
  // accepts there (yet), within `timeout`.
  virtual Result<int> DialApp(const std::string& /*session_id*/, const std::string& /*app*/,
                              uint16_t /*port*/, std::chrono::milliseconds /*timeout*/) {
    return Unavailable("this hub serves no apps", "agent_unavailable");
  }
};

struct AgentHubOptions {
  RegistrationPolicy* policy = nullptr;  // REQUIRED, not owned
  // A registered connection that has sent nothing (pings included) for
  // this long is closed and reported gone.
  std::chrono::milliseconds idle_timeout{30000};
};

std::unique_ptr<AgentHub> MakeAgentHub(AgentHubOptions options);

// The wire form of a SessionSpec (JSON), for the hub and for the cluster
// side that stores it until the agent registers. Decode checks types, not
// policy (the agent checks that).
std::string EncodeSessionSpec(const agent::SessionSpec& spec);
Result<agent::SessionSpec> DecodeSessionSpec(const std::string& json);

}  // namespace berth::remote

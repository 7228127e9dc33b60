// NodeAgent: the life of one `berthd node-agent` (docs/cluster.md §1–2):
// dial the manager, register, create the session's container from the spec
// the manager admits it with (reporting creating, then running with its
// address, or error), serve the request streams (remote/agent_streams.h),
// ping, and reconnect with backoff when the connection drops (re-registering;
// then no spec comes). It ends when the manager asks for a delete, when
// `stop_fd` becomes readable (SIGTERM: scancel or the job's time limit),
// when the manager refuses it, or when the manager stayed unreachable for
// `reconnect_budget`; in every case but a refusal before anything was
// created it deletes the container (SessionAgent::Delete) and reports
// `terminated` where it still can.
//
// Thread-safety: Run is called once, from one thread.
#pragma once

#include <chrono>
#include <string>

#include "agent/session_agent.h"
#include "remote/agent_hub.h"

namespace berth::remote {

struct NodeAgentOptions {
  std::string manager_url;  // ws[s]://host:port/api/v1/agent
  std::string manager_ca;   // PEM CA file for wss:// ("" = system CAs)
  Registration registration;
  agent::SessionAgent* agent = nullptr;  // REQUIRED, not owned
  int stop_fd = -1;                      // readable → stop (e.g. a signalfd); -1: none
  std::chrono::milliseconds ping_interval{5000};
  // Without a pong for this long the connection counts as dropped.
  std::chrono::milliseconds dead_after{20000};
  // Total time to keep trying while the manager is unreachable.
  std::chrono::milliseconds reconnect_budget{30000};
};

// 0 after a clean stop (delete or stop_fd), 1 otherwise.
int RunNodeAgent(const NodeAgentOptions& options);

}  // namespace berth::remote

// NodeAgent: the life of one `berthd node-agent` (docs/cluster.md §1–2):
// dial the manager, register, create the session's container from the spec
// the manager admits it with (reporting creating, then running with its
// address, or error), serve the request streams (remote/agent_streams.h),
// ping, and reconnect with backoff when the connection drops (re-registering;
// then no spec comes). It ends when the manager asks for a delete, when
// `stop_fd` becomes readable (SIGTERM: scancel or the job's time limit),
// when the manager refuses it, or when the manager stayed unreachable for
// `reconnect_budget` (the container and its apps keep running meanwhile: a
// dropped connection ends only its exec, terminal and app streams); in every case but a refusal before anything was
// created it deletes the container (SessionAgent::Delete) and reports
// `terminated` where it still can.
//
// Thread-safety: Run is called once, from one thread.
#pragma once

#include <chrono>
#include <string>

#include "agent/session_agent.h"
#include "remote/agent_hub.h"
#include "remote/slurm_allocation.h"

namespace berth::remote {

struct NodeAgentOptions {
  std::string manager_url;  // ws[s]://host:port/api/v1/agent
  std::string manager_ca;   // PEM CA file for wss:// ("" = system CAs)
  Registration registration;
  agent::SessionAgent* agent = nullptr;  // REQUIRED, not owned
  // The runtime the agent's apps start through (its own AppRegistry); not
  // owned. Null: app requests are refused.
  runtime::ContainerRuntime* runtime = nullptr;
  // Bounds the admitted spec's cpu and memory (remote/slurm_allocation.h).
  SlurmAllocation allocation;
  int stop_fd = -1;                      // readable → stop (e.g. a signalfd); -1: none
  std::chrono::milliseconds ping_interval{5000};
  // Without a pong for this long the connection counts as dropped.
  std::chrono::milliseconds dead_after{20000};
  // Total time to keep trying while the manager is unreachable (a manager
  // restart must be back within it for its sessions to be adopted);
  // `--reconnect-for SECONDS`.
  std::chrono::milliseconds reconnect_budget{600000};
};

// 0 after a clean stop (delete or stop_fd), 1 otherwise.
int RunNodeAgent(const NodeAgentOptions& options);

}  // namespace berth::remote

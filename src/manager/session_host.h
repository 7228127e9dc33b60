// SessionHost: where a session's container lives, as SessionService sees it
// (SPEC §3, §9). Two implementations:
//  - LocalSessionHost (manager/local_session_host.h): this process's
//    SessionAgent, one host; Create returns once the container runs.
//  - ClusterSessionHost (cluster/cluster_session_host.h): a Slurm job whose
//    node agent registers with this manager (remote/agent_hub.h); Create
//    returns once the job is submitted ("pending", or "creating" when Slurm
//    started it at once), and later changes arrive through the
//    SessionStatusSink.
// SessionService plans the session once (image, mounts, limits) and hands
// either host the same complete agent::SessionSpec.
//
// Thread-safety: implementations are safe for concurrent calls.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/session_agent.h"
#include "api/types.h"
#include "common/result.h"
#include "runtime/container_runtime.h"

namespace berth::manager {

// Where a session is after Create returned.
struct Placement {
  // SPEC §3 life cycle: "running" (one host), "pending" or "creating"
  // (cluster: the job is queued, or started and its agent not yet up).
  std::string status = "running";
  std::string status_reason;  // e.g. Slurm's pending reason ("Resources")
  std::string node;           // the node's name; "" on one host
  std::string job_id;         // the cluster's job id; "" on one host
  // Cluster: kept in the session's record (store migration 10) for the
  // agent's registration: the hex SHA-256 of its key, and the encoded spec
  // it gets then.
  std::string agent_key_hash;
  std::string spec_json;
  agent::SessionInfo info;    // complete when status is "running"
};

// Status changes a host reports after Create returned (cluster: the job
// started, the agent's container runs, the node was lost, the job ended).
class SessionStatusSink {
 public:
  virtual ~SessionStatusSink() = default;
  // `status` is a SPEC §3 life-cycle state; `node` "" when unknown. The
  // sink records it and publishes the event; it ignores changes for
  // sessions that are gone or being deleted. Any thread; must not call back
  // into the host synchronously.
  virtual void OnHostStatus(const std::string& session_id, const std::string& status,
                            const std::string& reason, const std::string& node) = 0;
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;

  // Called once, before the first Create or Reconcile. Not owned.
  virtual void SetStatusSink(SessionStatusSink* sink) = 0;

  // On failure nothing is left behind (no job, no container). A request
  // this host cannot satisfy: InvalidArgument "resources_unavailable"
  // (e.g. GPUs on one host) or "unknown_resource_group".
  virtual Result<Placement> Create(const agent::SessionSpec& spec) = 0;
  // Stops the session wherever it is (cluster: cancels the job and has the
  // agent clean up). Idempotent.
  virtual Status Delete(const std::string& id) = 0;
  virtual Result<runtime::ExecResult> Exec(const std::string& id,
                                           const runtime::ExecOptions& options) = 0;
  virtual Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string& id,
                                                                    uint16_t cols,
                                                                    uint16_t rows) = 0;
  virtual Result<std::string> Logs(const std::string& id) = 0;
  // Start-up: `live` = the ids of the store's sessions that are not ended.
  // One host: adopts running containers, cleans leftovers. Cluster: asks
  // Slurm for each job, cancels jobs of unknown sessions, and waits for the
  // agents of running jobs to reconnect (those that do not become "lost"
  // later, through the sink).
  virtual agent::ReconcileReport Reconcile(const std::set<std::string>& live) = 0;
  // The session's address on its session network, "" if none or unknown.
  virtual std::string AddressOf(const std::string& id) const = 0;
  // Where sessions may run (GET /resource-groups): one host has the one
  // group "default"; a cluster its partitions.
  virtual Result<std::vector<api::ResourceGroup>> ResourceGroups() = 0;
};

}  // namespace berth::manager

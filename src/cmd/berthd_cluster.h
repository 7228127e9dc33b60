// berthd --cluster slurm: the pieces that make sessions Slurm jobs (SPEC §9,
// docs/cluster.md), wired together: slurmrestd's client, the
// ClusterSessionHost, the node agents' hub and its listener (--agent-listen,
// remote/agent_listener.h: a server of its own with the one route
// /api/v1/agent, so that users' traffic and agents' never share a port).
// Wiring only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_session_host.h"
#include "cluster/slurm_rest_client.h"
#include "common/result.h"
#include "manager/config.h"
#include "remote/agent_hub.h"
#include "remote/agent_listener.h"
#include "store/store.h"

namespace berth {

struct ClusterParts {
  std::unique_ptr<cluster::SlurmRestClient> backend;
  std::unique_ptr<cluster::ClusterSessionHost> host;
  std::unique_ptr<remote::AgentHub> hub;
  std::unique_ptr<remote::AgentListener> listener;

  ~ClusterParts();  // the listener, then the poller, then the hub
};

// Makes the host and the hub and starts the agents' listener (agents can
// register once this returns); the host's poller starts with host->Start()
// after the sessions were reconciled. `volume_roots`: the folders' roots, the
// same paths on every node.
Result<std::unique_ptr<ClusterParts>> OpenCluster(const manager::DaemonConfig& cfg,
                                                  store::Store& db,
                                                  const std::vector<std::string>& volume_roots);

}  // namespace berth

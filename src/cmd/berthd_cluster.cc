#include "cmd/berthd_cluster.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace berth {

ClusterParts::~ClusterParts() {
  if (listener) listener->Stop();
  if (host) host->Stop();
}

Result<std::unique_ptr<ClusterParts>> OpenCluster(const manager::DaemonConfig& cfg,
                                                  store::Store& db,
                                                  const std::vector<std::string>& volume_roots) {
  BERTH_ASSIGN_OR_RETURN(manager::ListenAddress at, manager::ParseListen(cfg.agent_listen));
  if (at.host == "0.0.0.0" || at.host == "::" || at.host.empty()) {
    return InvalidArgument("--agent-listen needs the address the nodes reach this host at, not " +
                           at.host);
  }
  auto parts = std::make_unique<ClusterParts>();
  BERTH_ASSIGN_OR_RETURN(parts->backend,
                         cluster::SlurmRestClient::Create(
                             {cfg.slurm_rest, cfg.slurm_user, cfg.slurm_jwt_file}));

  cluster::ClusterHostOptions h;
  h.backend = parts->backend.get();
  h.store = &db;
  h.encode_spec = remote::EncodeSessionSpec;
  h.decode_spec = remote::DecodeSessionSpec;
  std::error_code ec;
  h.berthd_path = cfg.node_berthd.empty()
                      ? std::filesystem::canonical("/proc/self/exe", ec).string()
                      : cfg.node_berthd;
  h.node_data_dir = cfg.node_data_dir.empty() ? cfg.data_dir + "/nodes" : cfg.node_data_dir;
  h.job_workdir = h.node_data_dir;  // exists on every node (docs/operations.md)
  h.volume_roots = volume_roots;
  h.session_lifetime = std::chrono::seconds(cfg.session_lifetime_s);
  h.poll_interval = std::chrono::milliseconds(cfg.cluster_poll_ms);
  h.agent_grace = std::chrono::milliseconds(cfg.agent_grace_ms);
  h.manager_name = cfg.manager_name;
  parts->host = std::make_unique<cluster::ClusterSessionHost>(std::move(h));

  remote::AgentHubOptions ho;
  ho.policy = parts->host.get();
  ho.idle_timeout = std::chrono::milliseconds(cfg.agent_grace_ms);
  parts->hub = remote::MakeAgentHub(ho);
  parts->host->AttachHub(parts->hub.get());

  remote::AgentListenerOptions lo;
  lo.host = at.host;
  lo.port = at.port;
  lo.tls_cert_file = cfg.tls_cert;
  lo.tls_key_file = cfg.tls_key;
  BERTH_ASSIGN_OR_RETURN(parts->listener, remote::AgentListener::Start(parts->hub.get(), lo));
  const std::string url = std::string(cfg.tls_cert.empty() ? "ws" : "wss") + "://" + at.host +
                          ":" + std::to_string(parts->listener->port()) + remote::kAgentPath;
  parts->host->SetManagerUrl(url);
  spdlog::info("cluster: slurm at {} as {}; node agents dial {}", cfg.slurm_rest, cfg.slurm_user,
               url);
  return parts;
}

}  // namespace berth

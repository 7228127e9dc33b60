#include "cmd/berthd_cluster.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "http/websocket.h"

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

  // The listener first: its port (0 = any) goes into every job's script.
  ClusterParts* p = parts.get();
  parts->router.AddWebSocket(
      "/api/v1/agent",
      [p](http::Request&) -> std::variant<http::Response, std::shared_ptr<http::WebSocketSession>> {
        if (!p->hub) return http::Response::Text(503, "starting\n");
        return std::shared_ptr<http::WebSocketSession>(p->hub->Accept());
      });
  http::ServerOptions o;
  o.host = at.host;
  o.port = at.port;
  o.io_threads = 1;
  o.worker_threads = 8;
  parts->listener = std::make_unique<http::Server>(o, parts->router);
  BERTH_RETURN_IF_ERROR(parts->listener->Start());
  parts->agent_url =
      "ws://" + at.host + ":" + std::to_string(parts->listener->port()) + "/api/v1/agent";

  cluster::ClusterHostOptions h;
  h.backend = parts->backend.get();
  h.store = &db;
  h.encode_spec = remote::EncodeSessionSpec;
  h.decode_spec = remote::DecodeSessionSpec;
  std::error_code ec;
  h.berthd_path = cfg.node_berthd.empty()
                      ? std::filesystem::canonical("/proc/self/exe", ec).string()
                      : cfg.node_berthd;
  h.manager_url = parts->agent_url;
  h.node_data_dir = cfg.node_data_dir.empty() ? cfg.data_dir + "/nodes" : cfg.node_data_dir;
  h.images_dir = cfg.images_dir;
  h.volume_roots = volume_roots;
  h.session_lifetime = std::chrono::seconds(cfg.session_lifetime_s);
  h.poll_interval = std::chrono::milliseconds(cfg.cluster_poll_ms);
  h.agent_grace = std::chrono::milliseconds(cfg.agent_grace_ms);
  parts->host = std::make_unique<cluster::ClusterSessionHost>(std::move(h));

  remote::AgentHubOptions ho;
  ho.policy = parts->host.get();
  ho.idle_timeout = std::chrono::milliseconds(cfg.agent_grace_ms);
  parts->hub = remote::MakeAgentHub(ho);
  parts->host->AttachHub(parts->hub.get());
  spdlog::info("cluster: slurm at {} as {}; node agents dial {}", cfg.slurm_rest, cfg.slurm_user,
               parts->agent_url);
  return parts;
}

}  // namespace berth

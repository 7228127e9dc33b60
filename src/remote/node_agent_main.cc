// `berthd node-agent`: runs one session's container on this node for the
// manager (the Slurm job's one process), or with --cleanup-job removes what
// a killed agent of that job left (Slurm's Epilog). Wiring only.
#include "remote/node_agent_main.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "agent/session_agent.h"
#include "common/unique_fd.h"
#include "remote/node_agent.h"
#include "remote/node_setup.h"

namespace berth::remote {
namespace {

int Fail(const std::string& message, int rc = 1) {
  spdlog::error("{}", message);
  std::fprintf(stderr, "error: %s\n", message.c_str());
  return rc;
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// The node's machinery, built as berthd builds its own (remote/node_setup.h).
struct Node {
  std::unique_ptr<runtime::RuncRuntime> runtime;
  std::unique_ptr<net::BridgeSessionNetwork> network;
  std::unique_ptr<agent::SessionAgent> agent;
};

Result<Node> OpenNode(const NodeSettings& s, const std::vector<std::string>& volume_roots,
                      bool scratch_tmpfs, const std::string& job) {
  std::error_code ec;
  std::filesystem::create_directories(s.data_dir, ec);
  if (ec) return Internal("cannot make " + s.data_dir + ": " + ec.message());
  ::chmod(s.data_dir.c_str(), 0700);
  Node n;
  BERTH_ASSIGN_OR_RETURN(n.runtime, runtime::RuncRuntime::Open(RuncOptionsFor(s)));
  // Shared by every agent on this node (one per session): it is never shut
  // down here, so an agent leaving keeps the bridge and chains the others use.
  BERTH_ASSIGN_OR_RETURN(n.network, net::BridgeSessionNetwork::Open(NetworkOptionsFor(s)));
  agent::AgentOptions ao;
  ao.data_dir = s.data_dir;
  ao.runtime = n.runtime.get();
  ao.volume_roots = volume_roots;
  ao.network = n.network.get();
  ao.scratch_tmpfs = scratch_tmpfs;
  if (!job.empty()) ao.labels["job"] = job;
  BERTH_ASSIGN_OR_RETURN(n.agent, agent::SessionAgent::Open(std::move(ao)));
  return n;
}

// The Epilog's backstop: every container labelled with `job` is deleted
// (with its scratch dir and address lease).
int CleanupJob(Node& node, const std::string& job) {
  auto list = node.runtime->List();
  if (!list.ok()) return Fail(list.status().message());
  int rc = 0, removed = 0;
  for (const auto& c : *list) {
    auto it = c.labels.find("job");
    if (it == c.labels.end() || it->second != job) continue;
    if (Status st = node.agent->Delete(c.id); !st.ok()) {
      spdlog::error("job {}: deleting session {}: {}", job, c.id, st.message());
      rc = 1;
      continue;
    }
    ++removed;
  }
  std::printf("job %s: %d session container(s) removed\n", job.c_str(), removed);
  return rc;
}

}  // namespace

int NodeAgentMain(int argc, char** argv) {
  CLI::App app{"berthd node-agent: run one session's container on this node for the manager"};
  std::string session, manager_url, manager_ca, data_dir, subnet, job, cleanup_job, log_level = "info";
  std::vector<std::string> volume_roots, dns;
  bool scratch_tmpfs = false;
  app.add_option("--session", session, "the session id (the manager's)");
  app.add_option("--manager", manager_url, "ws[s]://HOST:PORT/api/v1/agent of the manager");
  app.add_option("--manager-ca", manager_ca, "PEM CA certificates to verify a wss:// manager");
  app.add_option("--data-dir", data_dir, "data dir; this node uses DIR/<hostname>")->required();
  app.add_option("--volume-root", volume_roots, "a volume's path on this node (repeatable)");
  app.add_option("--session-subnet", subnet, "CIDR of session addresses (default 10.213.0.0/16)");
  app.add_option("--session-dns", dns, "DNS server for sessions (repeatable or a comma list)");
  app.add_flag("--scratch-tmpfs", scratch_tmpfs, "bound scratch dirs by a tmpfs where not on btrfs");
  app.add_option("--job", job, "the Slurm job id (default $SLURM_JOB_ID)");
  app.add_option("--cleanup-job", cleanup_job,
                 "remove the containers of this job's sessions and exit (Slurm Epilog)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  const std::string host = HostName();
  NodeSettings settings;
  settings.data_dir =
      (std::filesystem::absolute(data_dir) / host).lexically_normal().string();
  // Per node, not per session: every agent of this node shares the state
  // dir (runc finds containers by id).
  settings.runc_root = "/run/berth/agent-" + host + "/runc";
  settings.session_subnet = subnet;
  settings.session_dns = dns;

  if (!cleanup_job.empty()) {
    auto node = OpenNode(settings, volume_roots, scratch_tmpfs, "");
    if (!node.ok()) return Fail(node.status().message());
    return CleanupJob(*node, cleanup_job);
  }
  if (session.empty() || manager_url.empty()) {
    return Fail("--session and --manager are required (or --cleanup-job)", 2);
  }
  if (job.empty() && std::getenv("SLURM_JOB_ID")) job = std::getenv("SLURM_JOB_ID");
  // The key comes from the environment only: flags show in ps.
  const char* key = std::getenv("BERTH_AGENT_KEY");
  if (key == nullptr || *key == '\0') return Fail("BERTH_AGENT_KEY is not set", 2);
  NodeAgentOptions o;
  o.manager_url = manager_url;
  o.manager_ca = manager_ca;
  o.registration = {session, job, host, key};
  ::unsetenv("BERTH_AGENT_KEY");  // not inherited by runc and its children

  // SIGTERM (scancel, the time limit) and SIGINT stop the session.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  UniqueFd stop(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!stop) return Fail("signalfd failed");
  o.stop_fd = stop.get();

  auto node = OpenNode(settings, volume_roots, scratch_tmpfs, job);
  if (!node.ok()) return Fail(node.status().message());
  o.agent = node->agent.get();
  spdlog::info("node agent for session {} (job {}) on {}: manager {}", session, job, host,
               manager_url);
  return RunNodeAgent(o);
}

}  // namespace berth::remote

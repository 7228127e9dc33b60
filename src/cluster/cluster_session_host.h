// ClusterSessionHost: SessionHost on a Slurm cluster (`berthd --cluster
// slurm`, SPEC §9, docs/cluster.md). Each session is one job of the
// ClusterBackend whose batch script runs `berthd node-agent` on the node
// Slurm chose; that agent dials the manager's AgentHub and registers, and
// this class is the hub's RegistrationPolicy: it admits only the agent that
// holds the session's key (32 random bytes, passed in the job's environment,
// stored hashed, compared in constant time), reports the job id the manager
// submitted, and runs on the node Slurm says the job runs on.
//
// Create submits the job and returns "pending" (with Slurm's reason) or
// "creating" (the job started at once); the rest arrives through the
// SessionStatusSink: a poller asks Slurm for every live cluster session's job
// each `poll_interval` and reports pending reasons, the node once running,
// and "lost" when the job's node failed, the job ended or vanished while the
// session lived, or its agent stayed away past `agent_grace` (then the job is
// cancelled too). Exec, terminal and logs go to the registered agent through
// the hub; nothing ever connects to a node.
//
// The session's job id, key hash and encoded spec live in its store record
// (migration 10), so a manager restart loses nothing: Reconcile cancels jobs
// that carry a session id the store does not know as live, and the agents of
// running jobs reconnect by themselves.
//
// Thread-safe. Start() runs the poller on a thread of its own; Stop() (or the
// destructor) ends it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cluster/cluster_backend.h"
#include "manager/session_host.h"
#include "remote/agent_hub.h"
#include "store/store.h"

namespace berth::cluster {

struct ClusterHostOptions {
  ClusterBackend* backend = nullptr;  // REQUIRED, not owned
  store::Store* store = nullptr;      // REQUIRED, not owned: reads session records
  // The spec's wire form (remote::EncodeSessionSpec / DecodeSessionSpec);
  // injected so that this class does not link the hub's implementation.
  std::function<std::string(const agent::SessionSpec&)> encode_spec;      // REQUIRED
  std::function<Result<agent::SessionSpec>(const std::string&)> decode_spec;  // REQUIRED
  // The node agent's command line: `<berthd> node-agent --session ID
  // --manager <manager_url> --data-dir <node_data_dir> [--volume-root PATH]...`
  // (the image's root fs is named in the spec: the same path on every node).
  std::string berthd_path;    // the berthd binary on the nodes
  std::string manager_url;    // ws://HOST:PORT/api/v1/agent (the --agent-listen address)
  std::string node_data_dir;  // the agent's data dir on the node
  std::vector<std::string> volume_roots;  // the volumes' roots, the same paths on every node
  // The job's cwd and where its output (the agent's log) goes on the node,
  // as berthd-agent-<job id>.log; Slurm needs it to exist before the job
  // starts. berthd uses node_data_dir.
  std::string job_workdir = "/tmp";
  // The job's time limit (--session-lifetime); zero = the partition's.
  std::chrono::seconds session_lifetime{0};
  std::chrono::milliseconds poll_interval{10000};
  // How long a running job's agent may stay away (not registered yet, or its
  // connection dropped) before the session is lost.
  std::chrono::milliseconds agent_grace{30000};
  // How long Delete waits for the agent to confirm its cleanup.
  std::chrono::milliseconds delete_timeout{20000};
  // This manager's name: the poller watches only the sessions it runs (their
  // agents dial this manager); "" = every session.
  std::string manager_name;
};

class ClusterSessionHost final : public manager::SessionHost, public remote::RegistrationPolicy {
 public:
  explicit ClusterSessionHost(ClusterHostOptions options);
  ~ClusterSessionHost() override;

  // The hub whose policy this is (it is made with this object as its
  // policy, so it comes after the constructor). Before Start; not owned.
  void AttachHub(remote::AgentHub* hub) { hub_ = hub; }
  // Where the agents dial, once the listener is bound (its port may have
  // been 0); before the first Create. Overrides options.manager_url.
  void SetManagerUrl(std::string url) { options_.manager_url = std::move(url); }
  void Start();
  void Stop();

  // manager::SessionHost
  void SetStatusSink(manager::SessionStatusSink* sink) override { sink_ = sink; }
  Result<manager::Placement> Create(const agent::SessionSpec& spec) override;
  Status Delete(const std::string& id) override;
  Result<runtime::ExecResult> Exec(const std::string& id,
                                   const runtime::ExecOptions& options) override;
  Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string& id, uint16_t cols,
                                                            uint16_t rows) override;
  Result<std::string> Logs(const std::string& id) override;
  agent::ReconcileReport Reconcile(const std::set<std::string>& live) override;
  std::string AddressOf(const std::string& id) const override;
  Result<std::vector<api::ResourceGroup>> ResourceGroups() override;

  // remote::RegistrationPolicy
  Result<remote::Admission> Admit(const remote::Registration& r) override;
  void OnAgentStatus(const std::string& session_id, const std::string& status,
                     const std::string& reason, const std::string& ip) override;
  void OnAgentGone(const std::string& session_id) override;

  // One pass of the poller (tests call it directly).
  void PollOnce();

  // The job's batch script and request for `spec` (pure; unit-tested).
  JobRequest BuildJob(const agent::SessionSpec& spec, const std::string& key) const;

 private:
  using Clock = std::chrono::steady_clock;
  // Reports `status` to the sink; "lost" also cancels the job.
  void Report(const std::string& id, const std::string& status, const std::string& reason,
              const std::string& node);
  void Lose(const store::SessionRecord& r, const std::string& reason);
  // Checks a live session's job and agent; called by PollOnce with the
  // jobs it listed (one request for all), asking for the job alone only
  // when it is not among them (or there is no list).
  void Check(const store::SessionRecord& r, const std::map<std::string, JobState>* listed,
             Clock::time_point now);
  void Forget(const std::string& id);
  void Run();

  ClusterHostOptions options_;  // set before Start; read-only afterwards
  remote::AgentHub* hub_ = nullptr;
  manager::SessionStatusSink* sink_ = nullptr;

  mutable std::mutex mu_;
  std::map<std::string, std::string> ips_;               // session → address (agent's report)
  std::map<std::string, std::string> nodes_;             // session → node its agent registered from
  std::map<std::string, Clock::time_point> away_since_;  // running job, no agent connected
  bool stop_ = false;
  std::condition_variable wake_;
  std::thread poller_;
};

// Hex SHA-256 of an agent key (what the store keeps).
std::string HashAgentKey(const std::string& key);
// Whether `key` hashes to `hash`, in constant time.
bool AgentKeyMatches(const std::string& key, const std::string& hash);

}  // namespace berth::cluster

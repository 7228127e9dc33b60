#include "cluster/cluster_session_host.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cmath>

#include "common/ascii.h"
#include "common/random.h"
#include "common/sh_quote.h"

namespace berth::cluster {

namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kMaxLogBytes = 1 << 20;
constexpr int kRecordWaitSteps = 50;
constexpr std::chrono::milliseconds kRecordWaitStep{100};

bool Ended(const std::string& status) {
  return status == "error" || status == "terminated" || status == "lost";
}

// A live cluster session the poller watches.
bool Watched(const store::SessionRecord& r) {
  return !r.job_id.empty() && !Ended(r.status) && r.status != "terminating";
}

}  // namespace

std::string HashAgentKey(const std::string& key) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool AgentKeyMatches(const std::string& key, const std::string& hash) {
  const std::string got = HashAgentKey(key);
  return hash.size() == got.size() && sodium_memcmp(got.data(), hash.data(), got.size()) == 0;
}

ClusterSessionHost::ClusterSessionHost(ClusterHostOptions options) : options_(std::move(options)) {
  if (sodium_init() < 0) spdlog::error("libsodium failed to initialise");
}

ClusterSessionHost::~ClusterSessionHost() { Stop(); }

void ClusterSessionHost::Start() {
  std::lock_guard lock(mu_);
  if (poller_.joinable()) return;
  stop_ = false;
  poller_ = std::thread([this] { Run(); });
}

void ClusterSessionHost::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (poller_.joinable()) poller_.join();
}

void ClusterSessionHost::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, options_.poll_interval, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    PollOnce();
    lock.lock();
  }
}

JobRequest ClusterSessionHost::BuildJob(const agent::SessionSpec& spec,
                                        const std::string& key) const {
  const agent::SessionRequest& req = spec.request.get();
  JobRequest job;
  job.name = "berth-" + spec.id;
  job.comment = spec.id;
  job.partition = req.resource_group.value_or("");
  job.cpus = std::max(1, static_cast<int>(std::ceil(spec.resources.cpus.value_or(1.0))));
  job.memory_bytes = spec.resources.memory_bytes.value_or(0);
  job.gpus = static_cast<int>(req.resources.gpus.value_or(0));
  job.time_limit = options_.session_lifetime;
  std::string cmd = "exec " + ShQuote(options_.berthd_path) + " node-agent --session " +
                    ShQuote(spec.id) + " --manager " + ShQuote(options_.manager_url) +
                    " --data-dir " + ShQuote(options_.node_data_dir);
  for (const auto& v : options_.volume_roots) cmd += " --volume-root " + ShQuote(v);
  job.script = "#!/bin/sh\n" + cmd + "\n";
  job.workdir = options_.job_workdir;
  job.output = options_.job_workdir + "/berth-agent-%j.log";  // %j: the job id
  job.env = {{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
             {"BERTH_AGENT_KEY", key}};
  return job;
}

Result<manager::Placement> ClusterSessionHost::Create(const agent::SessionSpec& spec) {
  const std::string key = RandomHex(kKeyBytes);
  JobRequest job = BuildJob(spec, key);
  BERTH_ASSIGN_OR_RETURN(std::string job_id, options_.backend->Submit(job));
  manager::Placement p;
  p.job_id = job_id;
  p.agent_key_hash = HashAgentKey(key);
  p.spec_json = options_.encode_spec(spec);
  p.status = "pending";
  if (auto st = options_.backend->State(job_id); st.ok()) {
    if (st->phase == JobPhase::kRunning) {
      p.status = "creating";
      p.node = st->node;
    } else {
      p.status_reason = st->reason;
    }
  }
  spdlog::info("session {}: submitted job {} ({} cpus, partition '{}'): {}", spec.id, job_id,
               job.cpus, job.partition, p.status);
  return p;
}

Status ClusterSessionHost::Delete(const std::string& id) {
  auto rec = options_.store->GetSession(id);
  if (hub_ != nullptr && hub_->Connected(id)) {
    if (Status st = hub_->Delete(id, options_.delete_timeout); !st.ok()) {
      // The job's end (SIGTERM, then the Epilog) cleans the node up.
      spdlog::warn("session {}: the agent's cleanup failed: {}", id, st.message());
    }
  }
  Forget(id);
  if (!rec.ok() || rec->job_id.empty()) return Status::Ok();
  Status st = options_.backend->Cancel(rec->job_id);
  if (!st.ok() && st.code() != Code::kNotFound) return st;
  return Status::Ok();
}

Result<runtime::ExecResult> ClusterSessionHost::Exec(const std::string& id,
                                                     const runtime::ExecOptions& options) {
  if (hub_ == nullptr) return Unavailable("no agent hub", "agent_unavailable");
  return hub_->Exec(id, options);
}

Result<std::unique_ptr<runtime::TtyProcess>> ClusterSessionHost::OpenTerminal(
    const std::string& id, uint16_t cols, uint16_t rows) {
  if (hub_ == nullptr) return Unavailable("no agent hub", "agent_unavailable");
  return hub_->OpenTerminal(id, cols, rows);
}

Result<std::string> ClusterSessionHost::Logs(const std::string& id) {
  if (hub_ == nullptr) return Unavailable("no agent hub", "agent_unavailable");
  return hub_->Logs(id, kMaxLogBytes);
}

std::string ClusterSessionHost::AddressOf(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = ips_.find(id);
  return it == ips_.end() ? "" : it->second;
}

Result<std::vector<api::ResourceGroup>> ClusterSessionHost::ResourceGroups() {
  BERTH_ASSIGN_OR_RETURN(auto parts, options_.backend->Partitions());
  std::vector<api::ResourceGroup> out;
  for (const auto& p : parts) {
    api::ResourceGroup g;
    g.name = p.name;
    g.is_default = p.is_default;
    g.up = p.up;
    g.cpus = p.total_cpus;
    g.nodes = p.total_nodes;
    g.max_time_s = std::chrono::duration_cast<std::chrono::seconds>(p.max_time).count();
    out.push_back(std::move(g));
  }
  return out;
}

agent::ReconcileReport ClusterSessionHost::Reconcile(const std::set<std::string>& live) {
  agent::ReconcileReport rep;
  auto jobs = options_.backend->Jobs();
  if (!jobs.ok()) {
    rep.errors.push_back("listing the cluster's jobs: " + jobs.status().ToString());
    return rep;
  }
  const auto now = Clock::now();
  for (const auto& j : *jobs) {
    const bool active = j.phase == JobPhase::kPending || j.phase == JobPhase::kRunning;
    if (!active || !LooksLikeUuid(j.comment)) continue;
    if (live.count(j.comment) == 0) {
      // A job of a session this deployment does not know as live (a crash
      // between submit and the store's write, or one deleted meanwhile).
      if (Status st = options_.backend->Cancel(j.id); st.ok() || st.code() == Code::kNotFound) {
        rep.removed.push_back(j.comment);
      } else {
        rep.errors.push_back(j.comment + ": cancelling job " + j.id + ": " + st.message());
      }
      continue;
    }
    rep.adopted.push_back(j.comment);
    // Its agent reconnects by itself; the grace starts now.
    if (j.phase == JobPhase::kRunning) {
      std::lock_guard lock(mu_);
      away_since_.emplace(j.comment, now);
    }
  }
  return rep;
}

Result<remote::Admission> ClusterSessionHost::Admit(const remote::Registration& r) {
  auto rec = options_.store->GetSession(r.session_id);
  // A job Slurm started at once can register before Create has recorded
  // its job id and key: wait for that (bounded) rather than refuse it.
  for (int i = 0; i < kRecordWaitSteps && rec.ok() && rec->job_id.empty() &&
                  rec->status == "creating";
       ++i) {
    std::this_thread::sleep_for(kRecordWaitStep);
    rec = options_.store->GetSession(r.session_id);
  }
  if (!rec.ok() || rec->job_id.empty() || Ended(rec->status) || rec->status == "terminating") {
    return PermissionDenied("no live cluster session " + r.session_id);
  }
  if (!AgentKeyMatches(r.key, rec->agent_key_hash)) {
    spdlog::warn("session {}: an agent from node {} registered with a wrong key", r.session_id,
                 r.node);
    return PermissionDenied("wrong key");
  }
  if (r.job_id != rec->job_id) return PermissionDenied("not the session's job");
  BERTH_ASSIGN_OR_RETURN(JobState job, options_.backend->State(rec->job_id));
  if (job.phase != JobPhase::kRunning || job.node != r.node) {
    spdlog::warn("session {}: an agent on node {} registered, but job {} is {} on '{}'",
                 r.session_id, r.node, job.id, job.scheduler_state, job.node);
    return PermissionDenied("the job does not run on that node");
  }
  {
    std::lock_guard lock(mu_);
    nodes_[r.session_id] = r.node;
    away_since_.erase(r.session_id);
  }
  remote::Admission a;
  if (rec->status != "running" && !rec->spec_json.empty()) {
    BERTH_ASSIGN_OR_RETURN(a.spec, options_.decode_spec(rec->spec_json));
  }
  if (rec->status == "pending") Report(r.session_id, "creating", "", r.node);
  spdlog::info("session {}: agent registered from node {} (job {})", r.session_id, r.node,
               r.job_id);
  return a;
}

void ClusterSessionHost::OnAgentStatus(const std::string& session_id, const std::string& status,
                                       const std::string& reason, const std::string& ip) {
  std::string node;
  {
    std::lock_guard lock(mu_);
    if (!ip.empty()) ips_[session_id] = ip;
    if (auto it = nodes_.find(session_id); it != nodes_.end()) node = it->second;
  }
  if (status == "terminated") return;  // the answer to our Delete
  Report(session_id, status, reason, node);
}

void ClusterSessionHost::OnAgentGone(const std::string& session_id) {
  std::lock_guard lock(mu_);
  away_since_.emplace(session_id, Clock::now());
}

void ClusterSessionHost::Report(const std::string& id, const std::string& status,
                                const std::string& reason, const std::string& node) {
  if (sink_ != nullptr) sink_->OnHostStatus(id, status, reason, node);
}

void ClusterSessionHost::Forget(const std::string& id) {
  std::lock_guard lock(mu_);
  ips_.erase(id);
  nodes_.erase(id);
  away_since_.erase(id);
}

void ClusterSessionHost::Lose(const store::SessionRecord& r, const std::string& reason) {
  spdlog::warn("session {} ({}) on node '{}' is lost: {}", r.name, r.id, r.node, reason);
  Status st = options_.backend->Cancel(r.job_id);
  if (!st.ok() && st.code() != Code::kNotFound) {
    spdlog::warn("session {}: cancelling job {}: {}", r.id, r.job_id, st.message());
  }
  Forget(r.id);
  Report(r.id, "lost", reason, "");
}

void ClusterSessionHost::Check(const store::SessionRecord& r,
                               const std::map<std::string, JobState>* listed,
                               Clock::time_point now) {
  const JobState* seen = nullptr;
  if (listed != nullptr) {
    if (auto it = listed->find(r.job_id); it != listed->end()) seen = &it->second;
  }
  Result<JobState> job = seen ? Result<JobState>(*seen) : options_.backend->State(r.job_id);
  if (!job.ok()) {
    if (job.status().code() == Code::kNotFound) Lose(r, "job_vanished");
    // Otherwise slurmrestd is unreachable: nothing is known; ask again later.
    return;
  }
  switch (job->phase) {
    case JobPhase::kPending:
      if (r.status != "pending") {
        // It ran and is queued again (requeued after its node failed): its
        // container is gone with the node.
        Lose(r, "job_requeued");
      } else if (job->reason != r.status_reason) {
        Report(r.id, "pending", job->reason, "");
      }
      return;
    case JobPhase::kNodeLost:
      Lose(r, "node_fail");
      return;
    case JobPhase::kEnding:
    case JobPhase::kEnded:
      Lose(r, "job_" + AsciiLower(job->scheduler_state));
      return;
    case JobPhase::kFailed:
      Forget(r.id);
      Report(r.id, "error", job->reason.empty() ? "job_failed" : job->reason, "");
      return;
    case JobPhase::kRunning:
      break;
  }
  if (r.status == "pending") Report(r.id, "creating", "", job->node);
  const bool connected = hub_ != nullptr && hub_->Connected(r.id);
  std::optional<Clock::time_point> away;
  {
    std::lock_guard lock(mu_);
    if (connected) {
      away_since_.erase(r.id);
    } else {
      away = away_since_.emplace(r.id, now).first->second;
    }
  }
  if (away && now - *away >= options_.agent_grace) Lose(r, "agent_gone");
}

void ClusterSessionHost::PollOnce() {
  auto all = options_.store->ListSessions("");
  if (!all.ok()) {
    spdlog::warn("cluster poller: listing sessions: {}", all.status().ToString());
    return;
  }
  std::vector<const store::SessionRecord*> watched;
  for (const auto& r : *all) {
    if (r.RunBy(options_.manager_name) && Watched(r)) watched.push_back(&r);
  }
  if (watched.empty()) return;
  // One request for every job, not one per session.
  std::map<std::string, JobState> listed;
  auto jobs = options_.backend->Jobs();
  if (jobs.ok()) {
    for (auto& j : *jobs) listed.emplace(j.id, std::move(j));
  }
  const auto now = Clock::now();
  for (const auto* r : watched) Check(*r, jobs.ok() ? &listed : nullptr, now);
}

}  // namespace berth::cluster

// ClusterSessionHost against a scripted ClusterBackend and AgentHub (the
// real Slurm and agent are tests/integration/test_slurm_sessions.py): the
// job it submits, registration (key, job, node), and the poller's mapping of
// job states and agent absence to session states.
#include "cluster/cluster_session_host.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>

#include "common/random.h"
#include "store/sqlite_store.h"

namespace berth::cluster {
namespace {

class FakeBackend : public ClusterBackend {
 public:
  Result<std::string> Submit(const JobRequest& r) override {
    submitted.push_back(r);
    std::string id = std::to_string(next_id++);
    JobState s;
    s.id = id;
    s.phase = JobPhase::kPending;
    s.reason = "Resources";
    s.comment = r.comment;
    jobs[id] = s;
    return id;
  }
  Status Cancel(std::string_view id) override {
    cancelled.emplace_back(id);
    auto it = jobs.find(std::string(id));
    if (it == jobs.end()) return NotFound("no job");
    it->second.phase = JobPhase::kEnded;
    return Status::Ok();
  }
  Result<JobState> State(std::string_view id) override {
    ++state_calls;
    auto it = jobs.find(std::string(id));
    if (it == jobs.end()) return NotFound("no job");
    return it->second;
  }
  Result<std::vector<JobState>> Jobs() override {
    std::vector<JobState> out;
    for (const auto& [id, s] : jobs) out.push_back(s);
    return out;
  }
  Result<std::vector<Partition>> Partitions() override {
    return std::vector<Partition>{{"debug", true, true, 6, 3, std::chrono::minutes(60)}};
  }
  void Run(const std::string& id, const std::string& node) {
    jobs[id].phase = JobPhase::kRunning;
    jobs[id].reason.clear();
    jobs[id].node = node;
  }

  int next_id = 100;
  int state_calls = 0;
  std::map<std::string, JobState> jobs;
  std::vector<JobRequest> submitted;
  std::vector<std::string> cancelled;
};

class FakeHub : public remote::AgentHub {
 public:
  std::unique_ptr<http::WebSocketSession> Accept() override { return nullptr; }
  bool Connected(const std::string& id) const override { return connected.count(id) > 0; }
  Result<runtime::ExecResult> Exec(const std::string&, const runtime::ExecOptions&) override {
    return Unavailable("x", "agent_unavailable");
  }
  Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string&, uint16_t,
                                                            uint16_t) override {
    return Unavailable("x", "agent_unavailable");
  }
  Result<std::string> Logs(const std::string&, size_t) override { return std::string("log"); }
  Status Delete(const std::string& id, std::chrono::milliseconds) override {
    deleted.push_back(id);
    return Status::Ok();
  }
  std::set<std::string> connected;
  std::vector<std::string> deleted;
};

// Records what the host reports, into the store as SessionService would.
class StoreSink : public manager::SessionStatusSink {
 public:
  explicit StoreSink(store::Store* s) : store_(s) {}
  void OnHostStatus(const std::string& id, const std::string& status, const std::string& reason,
                    const std::string& node) override {
    reports.push_back(status + "/" + reason + "/" + node);
    auto r = store_->GetSession(id);
    if (!r.ok()) return;
    r->status = status;
    r->status_reason = reason;
    if (!node.empty()) r->node = node;
    (void)store_->UpdateSession(*r);
  }
  std::vector<std::string> reports;

 private:
  store::Store* store_;
};

agent::SessionSpec Spec(const std::string& id, double cpu, uint32_t gpus, const char* group) {
  agent::SessionRequest req;
  req.resources.gpus = gpus;
  if (group) req.resource_group = group;
  auto valid = agent::ValidateSessionRequest(req);
  EXPECT_TRUE(valid.ok()) << valid.status().ToString();
  agent::SessionSpec spec(std::move(*valid));
  spec.id = id;
  spec.resources.cpus = cpu;
  spec.resources.memory_bytes = 512u << 20;
  return spec;
}

class ClusterHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cluster-host-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto s = store::OpenSqliteStore(dir_ + "/berth.db");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    user_ = store::UserRecord{NewUuid(), "alice", "user", "", false, 1000, 1000, "t"};
    ASSERT_TRUE(store_->CreateUser(user_).ok());
    sink_ = std::make_unique<StoreSink>(store_.get());
    ClusterHostOptions o;
    o.backend = &backend_;
    o.store = store_.get();
    o.encode_spec = [](const agent::SessionSpec& s) { return "spec:" + s.id; };
    o.decode_spec = [](const std::string& j) -> Result<agent::SessionSpec> {
      auto valid = agent::ValidateSessionRequest({});
      agent::SessionSpec s(std::move(*valid));
      s.id = j.substr(5);
      return s;
    };
    o.berthd_path = "/usr/lib/berth/berthd";
    o.manager_url = "ws://10.214.7.1:4000/api/v1/agent";
    o.node_data_dir = "/var/lib/berth-node";
    o.volume_roots = {"/srv/berth it's"};
    o.session_lifetime = std::chrono::seconds(3600);
    o.agent_grace = std::chrono::milliseconds(0);
    host_ = std::make_unique<ClusterSessionHost>(o);
    host_->AttachHub(&hub_);
    host_->SetStatusSink(sink_.get());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Creates session `id` the way SessionService does: record, then host,
  // then the placement recorded.
  manager::Placement Create(const std::string& id) {
    store::SessionRecord r;
    r.id = id;
    r.name = "s" + id.substr(0, 4);
    r.owner_id = user_.id;
    r.created_at = "t";
    r.status = "creating";
    EXPECT_TRUE(store_->CreateSession(r).ok());
    auto p = host_->Create(Spec(id, 1, 0, nullptr));
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    r.status = p->status;
    r.status_reason = p->status_reason;
    r.job_id = p->job_id;
    r.agent_key_hash = p->agent_key_hash;
    r.spec_json = p->spec_json;
    EXPECT_TRUE(store_->UpdateSession(r).ok());
    return *p;
  }
  std::string KeyOf(size_t job) { return backend_.submitted.at(job).env.at("BERTH_AGENT_KEY"); }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  store::UserRecord user_;
  FakeBackend backend_;
  FakeHub hub_;
  std::unique_ptr<StoreSink> sink_;
  std::unique_ptr<ClusterSessionHost> host_;
};

TEST(AgentKey, HashedAndComparedWholly) {
  const std::string h = HashAgentKey("secret");
  EXPECT_EQ(h.size(), 64u);
  EXPECT_TRUE(AgentKeyMatches("secret", h));
  EXPECT_FALSE(AgentKeyMatches("secreT", h));
  EXPECT_FALSE(AgentKeyMatches("secret", h.substr(0, 63)));
  EXPECT_FALSE(AgentKeyMatches("", ""));
}

TEST_F(ClusterHostTest, TheJobAsksForTheSessionsResourcesAndRunsTheAgent) {
  auto spec = Spec("3f2a", 1.5, 2, "gpu");
  JobRequest job = host_->BuildJob(spec, "k3y");
  EXPECT_EQ(job.name, "berth-3f2a");
  EXPECT_EQ(job.comment, "3f2a");
  EXPECT_EQ(job.partition, "gpu");
  EXPECT_EQ(job.cpus, 2);  // whole cpus, rounded up
  EXPECT_EQ(job.memory_bytes, 512u << 20);
  EXPECT_EQ(job.gpus, 2);
  EXPECT_EQ(job.time_limit, std::chrono::seconds(3600));
  EXPECT_EQ(job.env.at("BERTH_AGENT_KEY"), "k3y");
  EXPECT_EQ(job.script,
            "#!/bin/sh\nexec '/usr/lib/berth/berthd' node-agent --session '3f2a' --manager "
            "'ws://10.214.7.1:4000/api/v1/agent' --data-dir '/var/lib/berth-node' --volume-root "
            "'/srv/berth it'\\''s'\n");
  EXPECT_EQ(job.script.find("k3y"), std::string::npos);  // the key is not in the script
}

TEST_F(ClusterHostTest, CreateQueuesAJobWithAFreshKeyStoredHashed) {
  const std::string id = NewUuid();
  auto p = Create(id);
  EXPECT_EQ(p.status, "pending");
  EXPECT_EQ(p.status_reason, "Resources");
  EXPECT_EQ(p.job_id, "100");
  EXPECT_EQ(p.spec_json, "spec:" + id);
  const std::string key = KeyOf(0);
  EXPECT_EQ(key.size(), 64u);  // 32 random bytes, hex
  EXPECT_EQ(p.agent_key_hash, HashAgentKey(key));
  Create(NewUuid());
  EXPECT_NE(KeyOf(1), key);
}

TEST_F(ClusterHostTest, AdmitsOnlyTheSessionsAgentOnTheJobsNode) {
  const std::string id = NewUuid();
  auto p = Create(id);
  const std::string key = KeyOf(0);
  remote::Registration r{id, p.job_id, "node2", key};
  // Still pending in Slurm: no node can be its node.
  EXPECT_FALSE(host_->Admit(r).ok());
  backend_.Run(p.job_id, "node2");
  EXPECT_FALSE(host_->Admit({id, p.job_id, "node2", key + "0"}).ok());        // wrong key
  EXPECT_FALSE(host_->Admit({id, p.job_id, "node2", "x"}).ok());              // wrong key
  EXPECT_FALSE(host_->Admit({id, "999", "node2", key}).ok());                 // not its job
  EXPECT_FALSE(host_->Admit({id, p.job_id, "node1", key}).ok());              // not its node
  EXPECT_FALSE(host_->Admit({NewUuid(), p.job_id, "node2", key}).ok());       // unknown session
  auto a = host_->Admit(r);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(a->spec.has_value());  // the container is still to be made
  EXPECT_EQ(a->spec->id, id);
  EXPECT_EQ(store_->GetSession(id)->status, "creating");
  EXPECT_EQ(store_->GetSession(id)->node, "node2");
  // The agent reports its container up: running, with its address.
  host_->OnAgentStatus(id, "running", "", "10.213.0.5");
  EXPECT_EQ(store_->GetSession(id)->status, "running");
  EXPECT_EQ(host_->AddressOf(id), "10.213.0.5");
  // A reconnect of a running session's agent gets no spec.
  auto again = host_->Admit(r);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->spec.has_value());
}

// Slurm may start the job, and its agent register, before Create's caller
// has recorded the job id: admission waits for the record.
TEST_F(ClusterHostTest, AnAgentFasterThanTheRecordIsAdmittedOnceItIsWritten) {
  const std::string id = NewUuid();
  store::SessionRecord r;
  r.id = id;
  r.name = "fast";
  r.owner_id = user_.id;
  r.created_at = "t";
  r.status = "creating";
  ASSERT_TRUE(store_->CreateSession(r).ok());
  auto p = host_->Create(Spec(id, 1, 0, nullptr));
  ASSERT_TRUE(p.ok());
  backend_.Run(p->job_id, "node1");
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    r.status = "pending";
    r.job_id = p->job_id;
    r.agent_key_hash = p->agent_key_hash;
    r.spec_json = p->spec_json;
    EXPECT_TRUE(store_->UpdateSession(r).ok());
  });
  auto a = host_->Admit({id, p->job_id, "node1", KeyOf(0)});
  writer.join();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_TRUE(a->spec.has_value());
}

TEST_F(ClusterHostTest, PollerFollowsTheJobAndLosesSessionsWhoseNodeOrAgentWent) {
  const std::string a = NewUuid(), b = NewUuid(), c = NewUuid(), d = NewUuid();
  auto pa = Create(a), pb = Create(b), pc = Create(c), pd = Create(d);
  backend_.jobs[pa.job_id].reason = "Priority";
  host_->PollOnce();
  EXPECT_EQ(store_->GetSession(a)->status_reason, "Priority");
  backend_.Run(pa.job_id, "node1");
  backend_.Run(pb.job_id, "node2");
  backend_.Run(pc.job_id, "node3");
  hub_.connected = {a, b, c};
  backend_.state_calls = 0;
  host_->PollOnce();
  EXPECT_EQ(backend_.state_calls, 0);  // one listing of all jobs, not a request each
  EXPECT_EQ(store_->GetSession(a)->status, "creating");
  EXPECT_EQ(store_->GetSession(a)->node, "node1");
  // b's node failed; c's job vanished; a's agent went (grace 0 here); d
  // still pending.
  backend_.jobs[pb.job_id].phase = JobPhase::kNodeLost;
  backend_.jobs.erase(pc.job_id);
  hub_.connected.erase(a);
  host_->OnAgentGone(a);
  host_->PollOnce();
  EXPECT_EQ(store_->GetSession(a)->status, "lost");
  EXPECT_EQ(store_->GetSession(a)->status_reason, "agent_gone");
  EXPECT_EQ(store_->GetSession(b)->status_reason, "node_fail");
  EXPECT_EQ(store_->GetSession(c)->status_reason, "job_vanished");
  EXPECT_EQ(store_->GetSession(d)->status, "pending");
  // Lost sessions' jobs are cancelled (so the Epilog cleans the node).
  EXPECT_NE(std::find(backend_.cancelled.begin(), backend_.cancelled.end(), pa.job_id),
            backend_.cancelled.end());
  EXPECT_NE(std::find(backend_.cancelled.begin(), backend_.cancelled.end(), pb.job_id),
            backend_.cancelled.end());
  // A job that ended while its session lived: lost too.
  backend_.Run(pd.job_id, "node1");
  hub_.connected.insert(d);
  host_->PollOnce();
  backend_.jobs[pd.job_id].phase = JobPhase::kEnded;
  backend_.jobs[pd.job_id].scheduler_state = "TIMEOUT";
  host_->PollOnce();
  EXPECT_EQ(store_->GetSession(d)->status, "lost");
  EXPECT_EQ(store_->GetSession(d)->status_reason, "job_timeout");
  // A job queued again after it ran (Slurm requeued it): lost as well.
  const std::string e = NewUuid();
  auto pe = Create(e);
  backend_.Run(pe.job_id, "node2");
  hub_.connected.insert(e);
  host_->PollOnce();
  backend_.jobs[pe.job_id].phase = JobPhase::kPending;
  host_->PollOnce();
  EXPECT_EQ(store_->GetSession(e)->status_reason, "job_requeued");
}

TEST_F(ClusterHostTest, DeleteHasTheAgentCleanUpThenCancelsTheJob) {
  const std::string id = NewUuid();
  auto p = Create(id);
  backend_.Run(p.job_id, "node1");
  hub_.connected.insert(id);
  ASSERT_TRUE(host_->Delete(id).ok());
  EXPECT_EQ(hub_.deleted, std::vector<std::string>{id});
  EXPECT_EQ(backend_.cancelled, std::vector<std::string>{p.job_id});
  // Again, with the job gone: still fine.
  backend_.jobs.clear();
  EXPECT_TRUE(host_->Delete(id).ok());
}

TEST_F(ClusterHostTest, ReconcileCancelsJobsOfUnknownSessionsAndKeepsLiveOnes) {
  const std::string live = NewUuid(), gone = NewUuid();
  auto pl = Create(live);
  auto pg = Create(gone);
  backend_.Run(pl.job_id, "node1");
  backend_.jobs["7"] = JobState{"7", JobPhase::kRunning, "RUNNING", "", "node2", "not berth"};
  auto rep = host_->Reconcile({live});
  EXPECT_EQ(rep.adopted, std::vector<std::string>{live});
  EXPECT_EQ(rep.removed, std::vector<std::string>{gone});
  EXPECT_EQ(backend_.cancelled, std::vector<std::string>{pg.job_id});  // not job 7
}

TEST_F(ClusterHostTest, ResourceGroupsAreThePartitions) {
  auto g = host_->ResourceGroups();
  ASSERT_TRUE(g.ok());
  ASSERT_EQ(g->size(), 1u);
  EXPECT_EQ((*g)[0].name, "debug");
  EXPECT_TRUE((*g)[0].is_default);
  EXPECT_EQ((*g)[0].cpus, 6);
  EXPECT_EQ((*g)[0].max_time_s, 3600);
}

}  // namespace
}  // namespace berth::cluster

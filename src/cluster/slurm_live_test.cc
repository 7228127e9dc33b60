// SlurmRestClient against a real cluster (scripts/slurm-cluster.sh). Run by
// tests/integration/test_slurm_cluster.py with BERTH_SLURM_REST,
// BERTH_SLURM_USER, BERTH_SLURM_JWT_FILE and BERTH_SLURM_WORKDIR set; skipped
// when they are not.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "cluster/slurm_rest_client.h"

namespace berth::cluster {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class SlurmLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Env("BERTH_SLURM_REST").empty()) {
      GTEST_SKIP() << "no cluster: set BERTH_SLURM_REST (scripts/slurm-cluster.sh start)";
    }
    auto c = SlurmRestClient::Create({Env("BERTH_SLURM_REST"), Env("BERTH_SLURM_USER"),
                                      Env("BERTH_SLURM_JWT_FILE")});
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    client_ = std::move(*c);
  }

  JobRequest Sleep(std::string comment) {
    JobRequest r;
    r.name = "berth-live-" + comment;
    r.comment = std::move(comment);
    r.script = "#!/bin/sh\nexec sleep 120\n";
    r.workdir = Env("BERTH_SLURM_WORKDIR");
    r.output = r.workdir + "/%j.out";
    r.env = {{"PATH", "/usr/bin:/bin"}};
    r.memory_bytes = 64 << 20;
    r.time_limit = std::chrono::minutes(5);
    return r;
  }

  // Polls the job until `done` says so, at most 30 s.
  template <typename Pred>
  JobState WaitFor(const std::string& id, Pred done) {
    JobState last;
    for (int i = 0; i < 150; ++i) {
      auto st = client_->State(id);
      EXPECT_TRUE(st.ok()) << st.status().ToString();
      if (st.ok()) {
        last = *st;
        if (done(last)) return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "job " << id << " stayed " << last.scheduler_state;
    return last;
  }

  std::unique_ptr<SlurmRestClient> client_;
};

TEST_F(SlurmLive, PartitionsAreTheResourceGroups) {
  auto parts = client_->Partitions();
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "batch");
  EXPECT_TRUE((*parts)[0].is_default);
  EXPECT_EQ((*parts)[0].total_cpus, 6);
  EXPECT_EQ((*parts)[1].name, "short");
  EXPECT_EQ((*parts)[1].max_time, std::chrono::minutes(60));
}

TEST_F(SlurmLive, SubmitRunCancel) {
  auto id = client_->Submit(Sleep("live1"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  JobState st = WaitFor(*id, [](const JobState& s) { return s.phase == JobPhase::kRunning; });
  EXPECT_EQ(st.phase, JobPhase::kRunning);
  EXPECT_FALSE(st.node.empty());
  EXPECT_EQ(st.comment, "live1");
  ASSERT_TRUE(client_->Cancel(*id).ok());
  st = WaitFor(*id, [](const JobState& s) { return s.phase == JobPhase::kEnded; });
  EXPECT_EQ(st.scheduler_state, "CANCELLED");
  EXPECT_TRUE(client_->Cancel(*id).ok()) << "cancelling an ended job is OK";
}

TEST_F(SlurmLive, RequestsTheClusterCannotMeetAreTheCallersFault) {
  JobRequest r = Sleep("live2");
  r.partition = "no-such-partition";
  auto id = client_->Submit(r);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().reason(), "unknown_resource_group");

  // GPUs cannot be exercised here (no node has any): the gres request reaches
  // Slurm, which refuses it as unsatisfiable.
  r = Sleep("live3");
  r.gpus = 1;
  id = client_->Submit(r);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), Code::kInvalidArgument) << id.status().ToString();

  r = Sleep("live4");
  r.cpus = 3;  // every node has 2
  id = client_->Submit(r);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().reason(), "resources_unavailable");
}

TEST_F(SlurmLive, UnknownJobIsNotFound) {
  EXPECT_EQ(client_->State("999999").status().code(), Code::kNotFound);
  EXPECT_EQ(client_->Cancel("999999").code(), Code::kNotFound);
  EXPECT_EQ(client_->State("1; rm").status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::cluster

#include "cluster/slurm_rest_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace berth::cluster {
namespace {

using nlohmann::json;

JobRequest Basic() {
  JobRequest r;
  r.name = "berth-s1";
  r.comment = "s1";
  r.script = "#!/bin/sh\nexec berthd node-agent\n";
  r.workdir = "/var/lib/berth";
  r.env = {{"PATH", "/usr/bin:/bin"}};
  return r;
}

json Job(const JobRequest& r) {
  auto body = BuildSlurmSubmitBody(r);
  EXPECT_TRUE(body.ok()) << body.status().ToString();
  json doc = json::parse(*body);
  EXPECT_EQ(doc["script"], r.script);
  return doc["job"];
}

TEST(SlurmSubmitBody, OneTaskWithItsCpusAndNothingUnasked) {
  JobRequest r = Basic();
  r.cpus = 3;
  json job = Job(r);
  EXPECT_EQ(job["name"], "berth-s1");
  EXPECT_EQ(job["comment"], "s1");
  EXPECT_EQ(job["tasks"], 1);
  EXPECT_EQ(job["cpus_per_task"], 3);
  EXPECT_EQ(job["current_working_directory"], "/var/lib/berth");
  EXPECT_EQ(job["environment"], (json{{"PATH", "/usr/bin:/bin"}}));
  EXPECT_EQ(job["requeue"], false);  // a lost node's session is lost, not rerun
  for (const char* absent : {"partition", "memory_per_node", "gres", "time_limit",
                             "standard_output"}) {
    EXPECT_FALSE(job.contains(absent)) << absent;
  }
}

TEST(SlurmSubmitBody, MemoryInMebibytesRoundedUp) {
  struct Case {
    uint64_t bytes;
    uint64_t mib;
  } cases[] = {{1, 1}, {uint64_t{1} << 20, 1}, {(uint64_t{1} << 20) + 1, 2},
               {uint64_t{8} << 30, 8192}};
  for (const auto& c : cases) {
    JobRequest r = Basic();
    r.memory_bytes = c.bytes;
    EXPECT_EQ(Job(r)["memory_per_node"], c.mib) << c.bytes;
  }
}

TEST(SlurmSubmitBody, GpusAsGres) {
  JobRequest r = Basic();
  r.gpus = 2;
  EXPECT_EQ(Job(r)["gres"], "gpu:2");
}

TEST(SlurmSubmitBody, PartitionIsTheResourceGroup) {
  JobRequest r = Basic();
  r.partition = "short";
  EXPECT_EQ(Job(r)["partition"], "short");
}

TEST(SlurmSubmitBody, TimeLimitFromTheSessionLifetimeInMinutesRoundedUp) {
  struct Case {
    int64_t seconds;
    int64_t minutes;
  } cases[] = {{1, 1}, {60, 1}, {61, 2}, {8 * 3600, 480}};
  for (const auto& c : cases) {
    JobRequest r = Basic();
    r.time_limit = std::chrono::seconds(c.seconds);
    EXPECT_EQ(Job(r)["time_limit"], c.minutes) << c.seconds;
  }
}

TEST(SlurmSubmitBody, OutputGoesToOneFile) {
  JobRequest r = Basic();
  r.output = "/var/lib/berth/jobs/%j.log";
  json job = Job(r);
  EXPECT_EQ(job["standard_output"], r.output);
  EXPECT_EQ(job["standard_error"], r.output);
}

TEST(SlurmSubmitBody, RefusesWhatSlurmCannotExpress) {
  struct Case {
    const char* what;
    void (*spoil)(JobRequest&);
  } cases[] = {
      {"no cpu", [](JobRequest& r) { r.cpus = 0; }},
      {"negative gpus", [](JobRequest& r) { r.gpus = -1; }},
      {"no #!", [](JobRequest& r) { r.script = "sleep 1"; }},
      {"relative workdir", [](JobRequest& r) { r.workdir = "tmp"; }},
      {"no environment", [](JobRequest& r) { r.env.clear(); }},
      {"negative time", [](JobRequest& r) { r.time_limit = std::chrono::seconds(-1); }},
  };
  for (const auto& c : cases) {
    JobRequest r = Basic();
    c.spoil(r);
    auto body = BuildSlurmSubmitBody(r);
    ASSERT_FALSE(body.ok()) << c.what;
    EXPECT_EQ(body.status().code(), Code::kInvalidArgument) << c.what;
  }
}

// Replies below are trimmed copies of what slurmrestd 22.05.8 sent.
TEST(SlurmSubmitReply, JobId) {
  auto id = ParseSlurmSubmitReply(200, R"({"errors":[],"job_id":7,"step_id":"BATCH"})");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "7");
}

TEST(SlurmSubmitReply, QueuedWithAWarningIsStillQueued) {
  auto id = ParseSlurmSubmitReply(
      200, R"({"errors":[{"error_code":2015,"error":"Requested partition configuration not available now"}],"job_id":5})");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "5");
}

TEST(SlurmSubmitReply, ErrorsByErrno) {
  struct Case {
    const char* body;
    Code code;
    const char* reason;
  } cases[] = {
      {R"({"errors":[{"error_code":2000,"error":"Invalid partition name specified"}]})",
       Code::kInvalidArgument, "unknown_resource_group"},
      {R"({"errors":[{"error_code":2014,"error":"Requested node configuration is not available"}]})",
       Code::kInvalidArgument, "resources_unavailable"},
      {R"({"errors":[{"error_number":-1,"error":"Unspecified error","description":"slurmctld config is unable to load"}]})",
       Code::kUnavailable, "cluster_unavailable"},
      {R"({"errors":[]})", Code::kUnavailable, "cluster_unavailable"},
      {"<html>", Code::kUnavailable, "cluster_unavailable"},
  };
  for (const auto& c : cases) {
    auto id = ParseSlurmSubmitReply(500, c.body);
    ASSERT_FALSE(id.ok()) << c.body;
    EXPECT_EQ(id.status().code(), c.code) << c.body;
    EXPECT_EQ(id.status().reason(), c.reason) << c.body;
  }
  auto partition = ParseSlurmSubmitReply(
      500, R"({"errors":[{"error_code":2000,"error":"Invalid partition name specified"}]})");
  EXPECT_EQ(partition.status().message(), "slurm: Invalid partition name specified");
}

TEST(SlurmJobReply, PendingWithItsReason) {
  auto st = ParseSlurmJobReply(200, R"({"errors":[],"jobs":[{"job_id":7,
      "job_state":"PENDING","state_reason":"Resources","nodes":"","batch_host":"",
      "comment":"s7"}]})");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->id, "7");
  EXPECT_EQ(st->phase, JobPhase::kPending);
  EXPECT_EQ(st->scheduler_state, "PENDING");
  EXPECT_EQ(st->reason, "Resources");
  EXPECT_EQ(st->node, "");
  EXPECT_EQ(st->comment, "s7");
}

TEST(SlurmJobReply, RunningOnItsNodeWithoutAReason) {
  auto st = ParseSlurmJobReply(200, R"({"jobs":[{"job_id":1,"job_state":"RUNNING",
      "state_reason":"None","nodes":"node2","batch_host":"node2"}]})");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->phase, JobPhase::kRunning);
  EXPECT_EQ(st->reason, "");
  EXPECT_EQ(st->node, "node2");
}

TEST(SlurmJobReply, OutOfMemoryIsOom) {
  auto st = ParseSlurmJobReply(200, R"({"jobs":[{"job_id":1,"job_state":"OUT_OF_MEMORY",
      "state_reason":"OutOfMemory","batch_host":"node1"}]})");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->phase, JobPhase::kFailed);
  EXPECT_EQ(st->reason, "oom");
}

TEST(SlurmJobReply, UnknownJobIsNotFound) {
  auto st = ParseSlurmJobReply(500, R"({"errors":[{"description":"Unable to find JobId=99999",
      "error_number":2017,"error":"Invalid job id specified","source":"slurm_load_job"}],"jobs":[]})");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.status().code(), Code::kNotFound);
  EXPECT_EQ(st.status().message(),
            "slurm: Invalid job id specified: Unable to find JobId=99999");
}

TEST(SlurmJobsReply, EveryJobWithItsComment) {
  auto jobs = ParseSlurmJobsReply(200, R"({"jobs":[{"job_id":3,"job_state":"RUNNING",
      "batch_host":"node1","comment":"a"},{"job_id":4,"job_state":"PENDING",
      "state_reason":"Priority","comment":"b"},7]})");
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ((*jobs)[0].id, "3");
  EXPECT_EQ((*jobs)[0].node, "node1");
  EXPECT_EQ((*jobs)[0].comment, "a");
  EXPECT_EQ((*jobs)[1].reason, "Priority");
  EXPECT_TRUE(ParseSlurmJobsReply(200, R"({"jobs":[]})")->empty());
}

TEST(SlurmJobPhase, EveryStateSlurmNames) {
  struct Case {
    const char* state;
    JobPhase phase;
  } cases[] = {
      {"PENDING", JobPhase::kPending},     {"CONFIGURING", JobPhase::kPending},
      {"RUNNING", JobPhase::kRunning},     {"SUSPENDED", JobPhase::kRunning},
      {"COMPLETING", JobPhase::kEnding},   {"COMPLETED", JobPhase::kEnded},
      {"CANCELLED", JobPhase::kEnded},     {"TIMEOUT", JobPhase::kEnded},
      {"PREEMPTED", JobPhase::kEnded},     {"FAILED", JobPhase::kFailed},
      {"NODE_FAIL", JobPhase::kNodeLost},  {"BOOT_FAIL", JobPhase::kNodeLost},
      {"SOMETHING_NEW", JobPhase::kPending},
  };
  for (const auto& c : cases) EXPECT_EQ(SlurmJobPhase(c.state), c.phase) << c.state;
}

TEST(SlurmPartitionsReply, DefaultFlagStateAndLimits) {
  auto parts = ParseSlurmPartitionsReply(200, R"({"partitions":[
      {"name":"batch","flags":["default"],"state":"UP","total_cpus":6,"total_nodes":3,
       "max_time_limit":-1},
      {"name":"short","flags":[],"state":"DOWN","total_cpus":2,"total_nodes":1,
       "max_time_limit":60}]})");
  ASSERT_TRUE(parts.ok()) << parts.status().ToString();
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "batch");
  EXPECT_TRUE((*parts)[0].is_default);
  EXPECT_TRUE((*parts)[0].up);
  EXPECT_EQ((*parts)[0].total_cpus, 6);
  EXPECT_EQ((*parts)[0].max_time.count(), 0);
  EXPECT_FALSE((*parts)[1].is_default);
  EXPECT_FALSE((*parts)[1].up);
  EXPECT_EQ((*parts)[1].max_time.count(), 60);
}

TEST(SlurmCancelReply, NoErrorsIsOkAndAnUnknownJobNotFound) {
  EXPECT_TRUE(ParseSlurmCancelReply(200, R"({"errors":[]})").ok());
  EXPECT_EQ(ParseSlurmCancelReply(500, R"({"errors":[{"error_number":2017,
      "error":"Invalid job id specified"}]})").code(), Code::kNotFound);
}

}  // namespace
}  // namespace berth::cluster

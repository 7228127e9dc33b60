#include "cluster/slurm_rest_json.h"

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

namespace berth::cluster {
namespace {

using nlohmann::json;

// Slurm errnos (slurm/slurm_errno.h, 22.05) that say the request is at fault.
constexpr int kInvalidPartitionName = 2000;
constexpr int kTooManyRequestedCpus = 2005;
constexpr int kRequestedNodeConfigUnavailable = 2014;
constexpr int kRequestedPartConfigUnavailable = 2015;
constexpr int kInvalidJobId = 2017;

Result<json> ParseBody(std::string_view body) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Unavailable("slurmrestd answered something that is not a JSON object",
                       "cluster_unavailable");
  }
  return doc;
}

int ErrorNumber(const json& e) {
  for (const char* key : {"error_code", "error_number"}) {
    auto it = e.find(key);
    if (it != e.end() && it->is_number_integer()) return it->get<int>();
  }
  return 0;
}

std::string Text(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The reply's first error as a Status, or OK when "errors" is empty and the
// HTTP status says success.
Status ErrorsToStatus(int http_status, const json& doc) {
  auto it = doc.find("errors");
  if (it != doc.end() && it->is_array() && !it->empty()) {
    const json& e = (*it)[0];
    std::string msg = "slurm: " + Text(e, "error");
    if (std::string d = Text(e, "description"); !d.empty()) msg += ": " + d;
    switch (ErrorNumber(e)) {
      case kInvalidPartitionName:
        return InvalidArgument(msg, "unknown_resource_group");
      case kTooManyRequestedCpus:
      case kRequestedNodeConfigUnavailable:
      case kRequestedPartConfigUnavailable:
        return InvalidArgument(msg, "resources_unavailable");
      case kInvalidJobId:
        return NotFound(msg);
      default:
        return Unavailable(msg, "cluster_unavailable");
    }
  }
  if (http_status < 200 || http_status > 299) {
    return Unavailable("slurmrestd answered HTTP " + std::to_string(http_status),
                       "cluster_unavailable");
  }
  return Status::Ok();
}

Result<json> ParseReply(int http_status, std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json doc, ParseBody(body));
  BERTH_RETURN_IF_ERROR(ErrorsToStatus(http_status, doc));
  return doc;
}

int64_t Int(const json& obj, const char* key, int64_t fallback = 0) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

}  // namespace

std::string_view JobPhaseName(JobPhase phase) {
  switch (phase) {
    case JobPhase::kPending: return "pending";
    case JobPhase::kRunning: return "running";
    case JobPhase::kEnding: return "ending";
    case JobPhase::kEnded: return "ended";
    case JobPhase::kFailed: return "failed";
    case JobPhase::kNodeLost: return "node_lost";
  }
  return "pending";
}

JobPhase SlurmJobPhase(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, JobPhase>, 17> kPhases{{
      {"PENDING", JobPhase::kPending},     {"REQUEUED", JobPhase::kPending},
      {"CONFIGURING", JobPhase::kPending}, {"RESIZING", JobPhase::kRunning},
      {"RUNNING", JobPhase::kRunning},     {"SUSPENDED", JobPhase::kRunning},
      {"STOPPED", JobPhase::kRunning},     {"COMPLETING", JobPhase::kEnding},
      {"COMPLETED", JobPhase::kEnded},     {"CANCELLED", JobPhase::kEnded},
      {"TIMEOUT", JobPhase::kEnded},       {"DEADLINE", JobPhase::kEnded},
      {"PREEMPTED", JobPhase::kEnded},     {"FAILED", JobPhase::kFailed},
      {"OUT_OF_MEMORY", JobPhase::kFailed}, {"NODE_FAIL", JobPhase::kNodeLost},
      {"BOOT_FAIL", JobPhase::kNodeLost},
  }};
  for (const auto& [word, phase] : kPhases) {
    if (word == s) return phase;
  }
  return JobPhase::kPending;
}

Result<std::string> BuildSlurmSubmitBody(const JobRequest& r) {
  if (r.cpus < 1) return InvalidArgument("a job needs at least one cpu");
  if (r.gpus < 0) return InvalidArgument("gpus must not be negative");
  if (r.script.rfind("#!", 0) != 0) return InvalidArgument("the job script must start with #!");
  if (r.workdir.empty() || r.workdir[0] != '/') {
    return InvalidArgument("the job's working directory must be an absolute path");
  }
  if (r.env.empty()) return InvalidArgument("a Slurm job needs an environment (at least PATH)");
  if (r.time_limit.count() < 0) return InvalidArgument("the time limit must not be negative");

  json job = {
      {"name", r.name},
      {"tasks", 1},
      {"cpus_per_task", r.cpus},
      {"current_working_directory", r.workdir},
      {"environment", r.env},
      // A session is one container on one node: when its node fails it is
      // lost, not started again somewhere else (Slurm's JobRequeue default).
      {"requeue", false},
  };
  if (!r.comment.empty()) job["comment"] = r.comment;
  if (!r.partition.empty()) job["partition"] = r.partition;
  if (r.memory_bytes > 0) {
    constexpr uint64_t kMiB = uint64_t{1} << 20;
    job["memory_per_node"] = (r.memory_bytes + kMiB - 1) / kMiB;
  }
  if (r.gpus > 0) job["gres"] = "gpu:" + std::to_string(r.gpus);
  if (r.time_limit.count() > 0) {
    job["time_limit"] = (r.time_limit.count() + 59) / 60;
  }
  if (!r.output.empty()) {
    job["standard_output"] = r.output;
    job["standard_error"] = r.output;
  }
  return json{{"script", r.script}, {"job", std::move(job)}}.dump();
}

Result<std::string> ParseSlurmSubmitReply(int http_status, std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json doc, ParseBody(body));
  // A job id means the job is queued, even when "errors" carries a warning.
  if (int64_t id = Int(doc, "job_id"); id > 0 && http_status >= 200 && http_status <= 299) {
    return std::to_string(id);
  }
  BERTH_RETURN_IF_ERROR(ErrorsToStatus(http_status, doc));
  return Unavailable("slurmrestd accepted the job but sent no job id", "cluster_unavailable");
}

namespace {

JobState ReadJob(const json& j) {
  JobState st;
  st.id = std::to_string(Int(j, "job_id"));
  st.scheduler_state = Text(j, "job_state");
  st.phase = SlurmJobPhase(st.scheduler_state);
  st.reason = Text(j, "state_reason");
  if (st.reason == "None") st.reason.clear();
  if (st.scheduler_state == "OUT_OF_MEMORY") st.reason = "oom";
  if (st.phase != JobPhase::kPending) st.node = Text(j, "batch_host");
  st.comment = Text(j, "comment");
  return st;
}

}  // namespace

Result<JobState> ParseSlurmJobReply(int http_status, std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json doc, ParseReply(http_status, body));
  auto jobs = doc.find("jobs");
  if (jobs == doc.end() || !jobs->is_array() || jobs->empty() || !(*jobs)[0].is_object()) {
    return NotFound("slurm: no such job");
  }
  return ReadJob((*jobs)[0]);
}

Result<std::vector<JobState>> ParseSlurmJobsReply(int http_status, std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json doc, ParseReply(http_status, body));
  std::vector<JobState> out;
  auto jobs = doc.find("jobs");
  if (jobs == doc.end() || !jobs->is_array()) return out;
  for (const json& j : *jobs) {
    if (j.is_object()) out.push_back(ReadJob(j));
  }
  return out;
}

Result<std::vector<Partition>> ParseSlurmPartitionsReply(int http_status,
                                                         std::string_view body) {
  BERTH_ASSIGN_OR_RETURN(json doc, ParseReply(http_status, body));
  std::vector<Partition> out;
  auto parts = doc.find("partitions");
  if (parts == doc.end() || !parts->is_array()) return out;
  for (const json& p : *parts) {
    if (!p.is_object()) continue;
    Partition part;
    part.name = Text(p, "name");
    if (auto f = p.find("flags"); f != p.end() && f->is_array()) {
      for (const json& flag : *f) part.is_default |= flag == "default";
    }
    part.up = Text(p, "state") == "UP";
    part.total_cpus = static_cast<int>(Int(p, "total_cpus"));
    part.total_nodes = static_cast<int>(Int(p, "total_nodes"));
    // -1 (INFINITE) or absent: no limit.
    part.max_time = std::chrono::minutes(std::max<int64_t>(0, Int(p, "max_time_limit", -1)));
    out.push_back(std::move(part));
  }
  return out;
}

Status ParseSlurmCancelReply(int http_status, std::string_view body) {
  auto doc = ParseReply(http_status, body);
  return doc.status();
}

}  // namespace berth::cluster

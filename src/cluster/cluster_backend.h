// ClusterBackend: how berthd asks a cluster resource manager for a place to run
// a session (SPEC §9, `--cluster slurm`). Berth does not schedule nodes itself:
// a session is one job of the cluster, and this interface is the whole of what
// the manager needs from the scheduler: submit, cancel, state, partitions
// (offered as resource groups). How the job then runs Berth's node agent and
// how the agent reaches the manager is docs/cluster.md.
//
// Implementations: SlurmRestClient (slurm_rest_client.h, slurmrestd with JWT).
//
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace berth::cluster {

// What one session asks the cluster for. The manager fills it from a validated
// session request (agent::ValidateSessionRequest has checked the numbers).
struct JobRequest {
  std::string name;       // the job's name, e.g. "berth-<session id>"
  std::string comment;    // the session id: how a restarted manager adopts its jobs
  std::string partition;  // the resource group; "" = the cluster's default partition
  int cpus = 1;           // cpus for the one task
  uint64_t memory_bytes = 0;  // 0 = the partition's default (DefMemPerCPU)
  int gpus = 0;               // generic resource "gpu"
  // The job's wall-clock limit: the deployment's session lifetime; zero = the
  // partition's own limit. Slurm counts in minutes, so it is rounded up.
  std::chrono::seconds time_limit{0};
  std::string script;   // the batch script (runs the node agent), "#!..." first
  std::string workdir;  // the job's working directory on the node (absolute)
  std::string output;   // where the script's stdout and stderr go on the node
  std::map<std::string, std::string> env;  // the job's whole environment
};

// Where a job is in its life, in Berth's terms.
enum class JobPhase {
  kPending,   // queued (reason says why) or its node is being set up
  kRunning,   // the batch script runs on `node`
  kEnding,    // cancelled or finished, processes still being cleaned up
  kEnded,     // gone normally: completed, cancelled, time limit, preempted
  kFailed,    // the script failed or ran out of memory
  kNodeLost,  // its node failed (NODE_FAIL, BOOT_FAIL): the session is `lost`
};
std::string_view JobPhaseName(JobPhase phase);

struct JobState {
  std::string id;
  JobPhase phase = JobPhase::kPending;
  std::string scheduler_state;  // the scheduler's own word: "PENDING", "NODE_FAIL", ...
  // Why it is not running ("Resources", "Priority", "PartitionTimeLimit", ...)
  // or why it ended ("oom"); "" when there is nothing to say. Becomes the
  // session's status_reason.
  std::string reason;
  std::string node;     // the node it runs on; "" while pending
  std::string comment;  // JobRequest::comment as the scheduler kept it
};

// A partition: offered to users as a resource group (GET /resource-groups).
struct Partition {
  std::string name;
  bool is_default = false;
  bool up = true;
  int total_cpus = 0;
  int total_nodes = 0;
  std::chrono::minutes max_time{0};  // zero = unlimited
};

class ClusterBackend {
 public:
  virtual ~ClusterBackend() = default;

  // Queues a job; returns its id. InvalidArgument when the cluster refuses the
  // request itself (unknown partition, more than any node has); Unavailable
  // when the scheduler cannot be reached or fails.
  virtual Result<std::string> Submit(const JobRequest& request) = 0;
  // Cancels a job (its processes get SIGKILL). OK for a job that has already
  // ended; NotFound for an id the scheduler does not know (any more).
  virtual Status Cancel(std::string_view job_id) = 0;
  virtual Result<JobState> State(std::string_view job_id) = 0;
  // Every job the scheduler still knows (adoption after a manager restart
  // finds jobs of sessions it does not know by their comment).
  virtual Result<std::vector<JobState>> Jobs() = 0;
  virtual Result<std::vector<Partition>> Partitions() = 0;
};

}  // namespace berth::cluster

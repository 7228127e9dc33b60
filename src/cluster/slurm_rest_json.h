// The JSON of slurmrestd's OpenAPI v0.0.38 (Slurm 22.05), both ways: the body
// of POST /slurm/v0.0.38/job/submit built from a JobRequest, and the replies
// of job/submit, job/{id} and partitions read into the cluster types. Pure
// functions, no I/O; thread-safe. The HTTP side is slurm_rest_client.h.
//
// slurmrestd reports failures in the body's "errors" array (each with an
// "error" text and a Slurm errno as "error_code" or "error_number"), mostly
// with HTTP 500 whatever the cause; SlurmErrorStatus turns them into a Status
// by the errno: the request's fault → InvalidArgument, an unknown job →
// NotFound, anything else → Unavailable (the scheduler failed, not the caller).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster_backend.h"
#include "common/result.h"

namespace berth::cluster {

inline constexpr std::string_view kSlurmApiVersion = "v0.0.38";

// The job/submit body. InvalidArgument for a request Slurm could not express:
// cpus < 1, gpus < 0, no script, a relative workdir, an empty environment
// (slurmrestd 22.05 refuses a job without one).
Result<std::string> BuildSlurmSubmitBody(const JobRequest& request);

// The job id from a job/submit reply (a job may be queued with a warning in
// "errors", e.g. a time limit over the partition's: it is still queued and
// its pending reason says why). `http_status` is the reply's status.
Result<std::string> ParseSlurmSubmitReply(int http_status, std::string_view body);

// The first job of a job/{id} reply.
Result<JobState> ParseSlurmJobReply(int http_status, std::string_view body);
// GET /jobs: every job in the reply.
Result<std::vector<JobState>> ParseSlurmJobsReply(int http_status, std::string_view body);

// A partitions reply, in Slurm's order.
Result<std::vector<Partition>> ParseSlurmPartitionsReply(int http_status,
                                                         std::string_view body);

// OK for a reply without errors (any other reply to a DELETE job/{id}).
Status ParseSlurmCancelReply(int http_status, std::string_view body);

// Slurm's job_state word → JobPhase ("PENDING" → kPending, ...). Unknown
// words are kPending: a state Berth does not know yet is waited out, not
// mistaken for an end.
JobPhase SlurmJobPhase(std::string_view job_state);

}  // namespace berth::cluster

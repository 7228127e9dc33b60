// SlurmRestClient: the ClusterBackend of `berthd --cluster slurm`, talking to
// slurmrestd (OpenAPI v0.0.38, Slurm 22.05) over HTTP with JWT auth: every
// request carries X-SLURM-USER-NAME and X-SLURM-USER-TOKEN. The token is read
// from `jwt_file` on every request, so an operator (or a timer running
// `scontrol token`) can replace the file before the token expires without
// restarting berthd. Why slurmrestd and not sbatch/squeue: one long-lived HTTP
// connection instead of a process per call, JSON instead of parsing command
// output, and no Slurm client config or munge key on the manager's host.
//
// Thread-safe: requests are serialised on one keep-alive connection.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster_backend.h"
#include "common/result.h"

namespace berth::cli {
class HttpClient;
}

namespace berth::cluster {

struct SlurmRestOptions {
  std::string url;       // --slurm-rest: "http://127.0.0.1:16820" (https verified)
  std::string user;      // --slurm-user: X-SLURM-USER-NAME, whom the token is for
  std::string jwt_file;  // --slurm-jwt-file: the token, one line
};

class SlurmRestClient final : public ClusterBackend {
 public:
  // InvalidArgument for a URL that is not http(s)://host[:port] or an empty user.
  static Result<std::unique_ptr<SlurmRestClient>> Create(SlurmRestOptions options);
  ~SlurmRestClient() override;

  Result<std::string> Submit(const JobRequest& request) override;
  Status Cancel(std::string_view job_id) override;
  Result<JobState> State(std::string_view job_id) override;
  Result<std::vector<JobState>> Jobs() override;
  Result<std::vector<Partition>> Partitions() override;

 private:
  struct Reply {
    int status = 0;
    std::string body;
  };
  SlurmRestClient(SlurmRestOptions options, std::unique_ptr<cli::HttpClient> http);
  Result<Reply> Call(std::string_view method, std::string_view path, std::string body = {});

  const SlurmRestOptions options_;
  std::mutex mu_;
  std::unique_ptr<cli::HttpClient> http_;  // guarded by mu_
};

}  // namespace berth::cluster

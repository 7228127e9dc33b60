#include "cluster/slurm_rest_client.h"

#include <utility>

#include "cli/http_client.h"
#include "cli/url.h"
#include "cluster/slurm_rest_json.h"
#include "common/fs_util.h"

namespace berth::cluster {
namespace {

// Job ids are decimal; anything else never reaches the URL.
Status CheckJobId(std::string_view id) {
  if (id.empty() || id.size() > 20 || id.find_first_not_of("0123456789") != std::string_view::npos) {
    return InvalidArgument("not a Slurm job id: " + std::string(id));
  }
  return Status::Ok();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result<std::unique_ptr<SlurmRestClient>> SlurmRestClient::Create(SlurmRestOptions options) {
  if (options.user.empty()) return InvalidArgument("--slurm-user must name the token's user");
  if (options.jwt_file.empty()) return InvalidArgument("--slurm-jwt-file is required");
  BERTH_ASSIGN_OR_RETURN(cli::Endpoint endpoint, cli::ParseEndpoint(options.url));
  auto http = std::make_unique<cli::HttpClient>(std::move(endpoint));
  return std::unique_ptr<SlurmRestClient>(new SlurmRestClient(std::move(options), std::move(http)));
}

SlurmRestClient::SlurmRestClient(SlurmRestOptions options, std::unique_ptr<cli::HttpClient> http)
    : options_(std::move(options)), http_(std::move(http)) {}

SlurmRestClient::~SlurmRestClient() = default;

Result<SlurmRestClient::Reply> SlurmRestClient::Call(std::string_view method,
                                                     std::string_view path, std::string body) {
  auto token = ReadFile(options_.jwt_file);
  if (!token.ok()) {
    return Unavailable("cannot read the Slurm token " + options_.jwt_file + ": " +
                           token.status().message(),
                       "cluster_unavailable");
  }
  cli::HttpRequest req;
  req.method = std::string(method);
  req.target = "/slurm/" + std::string(kSlurmApiVersion) + std::string(path);
  req.headers = {{"X-SLURM-USER-NAME", options_.user},
                 {"X-SLURM-USER-TOKEN", Trim(std::move(*token))},
                 {"Accept", "application/json"}};
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  req.body = std::move(body);
  std::lock_guard<std::mutex> lock(mu_);
  auto resp = http_->Send(req);
  if (!resp.ok()) {
    return Unavailable("slurmrestd at " + options_.url + ": " + resp.status().message(),
                       "cluster_unavailable");
  }
  return Reply{resp->status, std::move(resp->body)};
}

Result<std::string> SlurmRestClient::Submit(const JobRequest& request) {
  BERTH_ASSIGN_OR_RETURN(std::string body, BuildSlurmSubmitBody(request));
  BERTH_ASSIGN_OR_RETURN(Reply r, Call("POST", "/job/submit", std::move(body)));
  return ParseSlurmSubmitReply(r.status, r.body);
}

Status SlurmRestClient::Cancel(std::string_view job_id) {
  BERTH_RETURN_IF_ERROR(CheckJobId(job_id));
  BERTH_ASSIGN_OR_RETURN(Reply r, Call("DELETE", "/job/" + std::string(job_id)));
  return ParseSlurmCancelReply(r.status, r.body);
}

Result<JobState> SlurmRestClient::State(std::string_view job_id) {
  BERTH_RETURN_IF_ERROR(CheckJobId(job_id));
  BERTH_ASSIGN_OR_RETURN(Reply r, Call("GET", "/job/" + std::string(job_id)));
  return ParseSlurmJobReply(r.status, r.body);
}

Result<std::vector<JobState>> SlurmRestClient::Jobs() {
  BERTH_ASSIGN_OR_RETURN(Reply r, Call("GET", "/jobs"));
  return ParseSlurmJobsReply(r.status, r.body);
}

Result<std::vector<Partition>> SlurmRestClient::Partitions() {
  BERTH_ASSIGN_OR_RETURN(Reply r, Call("GET", "/partitions"));
  return ParseSlurmPartitionsReply(r.status, r.body);
}

}  // namespace berth::cluster

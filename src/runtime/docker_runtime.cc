// DockerRuntime's containers: open, create/start, inspect, list, delete,
// logs. Its execs are in docker_exec.cc, its images in docker_image.cc.
#include "runtime/docker_runtime.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/fs_util.h"
#include "common/percent_encode.h"
#include "runtime/docker_image.h"
#include "runtime/docker_layer.h"
#include "runtime/docker_userns.h"
#include "runtime/oci_spec.h"
#include "runtime/staged_binds.h"
#include "runtime/userns_mounts.h"

namespace berth::runtime {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kLabelManaged[] = "berth.managed";
constexpr char kLabelInstance[] = "berth.instance";
constexpr char kLabelId[] = "berth.session-id";
constexpr char kLabelPrefix[] = "berth.label.";
constexpr int kMinApiMajor = 1;
constexpr int kMinApiMinor = 41;

json ParseJson(const std::string& text) { return json::parse(text, nullptr, false); }

ContainerState ParseDockerState(const std::string& s) {
  if (s == "created") return ContainerState::kCreated;
  if (s == "running" || s == "restarting") return ContainerState::kRunning;
  if (s == "paused") return ContainerState::kPaused;
  if (s == "exited" || s == "dead" || s == "removing") return ContainerState::kStopped;
  return ContainerState::kMissing;
}

std::map<std::string, std::string> UserLabels(const json& labels) {
  std::map<std::string, std::string> out;
  if (!labels.is_object()) return out;
  const std::string prefix = kLabelPrefix;
  for (auto it = labels.begin(); it != labels.end(); ++it) {
    if (it.key().rfind(prefix, 0) == 0 && it.value().is_string())
      out[it.key().substr(prefix.size())] = it.value().get<std::string>();
  }
  return out;
}

std::string LabelOf(const json& labels, const char* key) {
  if (!labels.is_object() || !labels.contains(key) || !labels[key].is_string()) return {};
  return labels[key].get<std::string>();
}

}  // namespace

Result<std::unique_ptr<DockerRuntime>> DockerRuntime::Open(DockerOptions options) {
  if (!IsValidContainerId(options.instance))
    return InvalidArgument("DockerOptions.instance must match [A-Za-z0-9][A-Za-z0-9_.-]*");
  DockerClient bare(options.socket_path);
  BERTH_ASSIGN_OR_RETURN(
      HttpResponse r,
      bare.Request("GET", "/version", "", std::min(options.request_timeout, milliseconds(10000))));
  if (r.status != 200)
    return Unavailable("Docker Engine at unix://" + options.socket_path +
                           " answered /version with HTTP " + std::to_string(r.status),
                       "docker_unavailable");
  json v = ParseJson(r.body);
  std::string api = v.is_object() ? v.value("ApiVersion", "") : "";
  int major = 0, minor = 0;
  if (std::sscanf(api.c_str(), "%d.%d", &major, &minor) != 2)
    return Unavailable(
        "Docker Engine at unix://" + options.socket_path + " sent no ApiVersion in /version",
        "docker_unavailable");
  if (major < kMinApiMajor || (major == kMinApiMajor && minor < kMinApiMinor))
    return FailedPrecondition("Docker Engine API " + api + " (Docker " + v.value("Version", "?") +
                                  ") is too old: Berth needs API 1.41 (Docker 20.10) or newer",
                              "docker_too_old");
  DockerClient client = bare.WithApiPrefix("/v1.41");
  BERTH_ASSIGN_OR_RETURN(std::optional<IdRange> userns, DaemonUserns(client, options));
  return std::unique_ptr<DockerRuntime>(
      new DockerRuntime(std::move(options), std::move(client), userns));
}

Result<std::optional<IdRange>> DockerRuntime::DaemonUserns(const DockerClient& client,
                                                           const DockerOptions& options) {
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client.Request("GET", "/info", "", options.request_timeout));
  if (r.status != 200) return DockerError("daemon info", r);
  BERTH_ASSIGN_OR_RETURN(std::optional<IdRange> userns,
                         DockerUsernsFromInfo(r.body, options.userns_size));
  // runc mounts the staged binds from inside the user namespace, as the
  // remap base without any capability over host files: it must be able to
  // walk there (o+x only, never r).
  if (userns && !options.binds_dir.empty()) {
    BERTH_RETURN_IF_ERROR(MkdirAll(options.binds_dir, 0711));
    BERTH_RETURN_IF_ERROR(MakeTraversable(options.binds_dir));
  }
  return userns;
}

std::mutex& DockerRuntime::LockFor(const std::string& id) {
  return locks_[std::hash<std::string>{}(id) % locks_.size()];
}

std::string DockerRuntime::BindsDir(const std::string& id) const {
  return options_.binds_dir.empty() ? std::string() : options_.binds_dir + "/" + id;
}

Result<std::vector<BindMount>> DockerRuntime::StageBindsLocked(const ContainerSpec& spec) {
  const std::string dir = BindsDir(spec.id);
  if (dir.empty()) return spec.mounts;
  if (std::error_code ec; std::filesystem::exists(dir, ec)) {
    auto existing = Inspect(spec.id);
    if (existing.ok() && existing->state != ContainerState::kMissing)
      return AlreadyExists("container " + spec.id + " already exists");
    if (!existing.ok() && existing.status().code() != Code::kNotFound) return existing.status();
    BERTH_RETURN_IF_ERROR(UnstageBinds(dir));  // a crash's leftover
  }
  auto staged = userns_ ? StageIdmappedBinds(spec.mounts, spec.uid, spec.gid, *userns_, dir,
                                                     userns_cache_)
                        : StageBinds(spec.mounts, dir);
  if (!staged.ok()) {
    Status cleanup = UnstageBinds(dir);
    if (!cleanup.ok())
      return Internal(staged.status().message() + " (cleanup also failed: " + cleanup.message() +
                      ")");
  }
  return staged;
}

// ---- images ----
Result<std::string> DockerRuntime::EnsureImage(const std::string& rootfs) {
  std::lock_guard<std::mutex> lock(import_mu_);
  return EnsureDockerImage(client_, rootfs, options_.request_timeout, options_.import_timeout);
}


// ---- containers ----

Status DockerRuntime::Create(const ContainerSpec& spec) {
  if (!IsValidContainerId(spec.id))
    return InvalidArgument("invalid container id '" + spec.id + "'");
  BERTH_ASSIGN_OR_RETURN(std::string image, EnsureImage(spec.rootfs));
  std::lock_guard<std::mutex> lock(LockFor(spec.id));
  return CreateLocked(spec, image);
}

Status DockerRuntime::CreateLocked(const ContainerSpec& spec, const std::string& image) {
  const std::string name = ContainerName(spec.id);
  json labels = {{kLabelManaged, "1"}, {kLabelInstance, options_.instance}, {kLabelId, spec.id}};
  for (const auto& [k, v] : spec.labels) labels[kLabelPrefix + k] = v;

  BERTH_ASSIGN_OR_RETURN(std::vector<BindMount> binds, StageBindsLocked(spec));
  json mounts = json::array();
  for (const auto& m : binds) {
    // A staged bind is already read-only where it must be. Docker would make
    // it so by a remount that drops nosuid,nodev (runc remounts with the
    // flags it was given, and Docker gives none).
    const bool staged = !options_.binds_dir.empty();
    mounts.push_back({{"Type", "bind"},
                      {"Source", m.source},
                      {"Target", m.target},
                      {"ReadOnly", m.read_only && !staged},
                      {"BindOptions", {{"Propagation", "rprivate"}}}});
  }
  json cap_add = json::array();
  for (const auto& c : spec.bounding_capabilities) cap_add.push_back(c);
  json security = json::array({"seccomp=" + DefaultSeccompProfileJson()});
  if (spec.no_new_privileges) security.push_back("no-new-privileges");
  json group_add = json::array();
  for (uint32_t g : spec.additional_gids) group_add.push_back(std::to_string(g));

  json host = {
      {"NetworkMode", DockerNetworkMode(spec.network_namespace || userns_.has_value())},
      {"Init", true},
      {"Mounts", mounts},
      {"CapDrop", {"ALL"}},
      {"CapAdd", cap_add},
      {"SecurityOpt", security},
      {"GroupAdd", group_add},
      {"PidsLimit", spec.resources.pids_limit.value_or(4096)},
      {"RestartPolicy", {{"Name", "no"}}},
      {"LogConfig",
       {{"Type", "json-file"},
        {"Config",
         {{"max-size", std::to_string(options_.log_max_bytes)}, {"max-file", "1"}}}}},
      {"IpcMode", "private"},
  };
  if (spec.resources.cpus && *spec.resources.cpus > 0)
    host["NanoCpus"] = static_cast<int64_t>(*spec.resources.cpus * 1e9);
  if (spec.resources.memory_bytes) {
    host["Memory"] = static_cast<int64_t>(*spec.resources.memory_bytes);
    host["MemorySwap"] = static_cast<int64_t>(*spec.resources.memory_bytes);  // no swap
  }
  if (!options_.cgroup_parent.empty()) host["CgroupParent"] = options_.cgroup_parent;

  json body = {
      {"Image", image},
      {"Cmd", {"sleep", "infinity"}},
      {"Hostname", spec.hostname},
      {"User", std::to_string(spec.uid) + ":" + std::to_string(spec.gid)},
      {"Env", spec.env},
      {"WorkingDir", spec.cwd.empty() ? "/" : spec.cwd},
      {"Labels", labels},
      {"AttachStdin", false},
      {"AttachStdout", false},
      {"AttachStderr", false},
      {"Tty", false},
      {"OpenStdin", false},
      {"HostConfig", host},
  };
  // From here on a failure removes the staging, and the half-made container.
  auto fail = [&](Status s) {
    Status cleanup = DeleteLocked(spec.id);
    if (!cleanup.ok())
      return Internal(s.message() + " (cleanup also failed: " + cleanup.message() + ")");
    return s;
  };
  auto created = client_.Request("POST", "/containers/create?name=" + PercentEncode(name),
                                 body.dump(), options_.start_timeout);
  if (!created.ok()) return fail(created.status());
  // 409: a container of that name that is not this instance's (its own was
  // refused by StageBindsLocked); removal would find nothing of ours.
  if (created->status == 409) {
    if (!options_.binds_dir.empty()) BERTH_RETURN_IF_ERROR(UnstageBinds(BindsDir(spec.id)));
    return AlreadyExists("container " + spec.id + " already exists");
  }
  if (created->status != 201)
    return fail(DockerError("create container " + spec.id, *created, Code::kAlreadyExists));

  auto started =
      client_.Request("POST", "/containers/" + name + "/start", "", options_.start_timeout);
  if (!started.ok()) return fail(started.status());
  if (started->status != 204 && started->status != 304)
    return fail(DockerError("start container " + spec.id, *started, Code::kInternal));
  auto info = Inspect(spec.id);
  if (!info.ok()) return fail(info.status());
  if (info->state != ContainerState::kRunning) {
    auto logs = Logs(spec.id, 4096);
    return fail(Internal("container " + spec.id + " exited right after start" +
                         (logs.ok() && !logs->empty() ? ": " + *logs : std::string())));
  }
  return Status::Ok();
}

Status DockerRuntime::Delete(const std::string& id) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  std::lock_guard<std::mutex> lock(LockFor(id));
  return DeleteLocked(id);
}

Status DockerRuntime::DeleteLocked(const std::string& id) {
  const std::string name = ContainerName(id);
  // Best effort: if something is left, dockerd's own removal below reports it.
  (void)EmptyWritableLayer(client_, name, options_.start_timeout);
  auto deadline = Clock::now() + options_.start_timeout;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(
        HttpResponse r, client_.Request("DELETE", "/containers/" + name + "?force=true&v=true", "",
                                        options_.start_timeout));
    if (r.status == 204 || r.status == 404) break;
    // 409: a removal is already in progress (e.g. a concurrent Delete).
    if (r.status != 409 || Clock::now() > deadline)
      return DockerError("remove container " + id, r, Code::kInternal);
    std::this_thread::sleep_for(milliseconds(100));
  }
  // Only once the container is gone: its binds were made from the staging.
  return options_.binds_dir.empty() ? Status::Ok() : UnstageBinds(BindsDir(id));
}

Result<ContainerInfo> DockerRuntime::Inspect(const std::string& id) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client_.Request("GET", "/containers/" + ContainerName(id) + "/json", "",
                                         options_.request_timeout));
  if (r.status == 404) {
    std::error_code ec;
    if (options_.binds_dir.empty() || !std::filesystem::exists(BindsDir(id), ec))
      return NotFound("container " + id + " does not exist");
    ContainerInfo leftover;  // staged binds of a container gone (a crash)
    leftover.id = id;
    leftover.has_leftovers = true;
    return leftover;
  }
  if (r.status != 200) return DockerError("inspect container " + id, r);
  json j = ParseJson(r.body);
  if (!j.is_object()) return Internal("inspect container " + id + ": unparsable answer");
  json labels = j.contains("Config") && j["Config"].is_object() && j["Config"].contains("Labels")
                    ? j["Config"]["Labels"]
                    : json();
  if (LabelOf(labels, kLabelManaged) != "1" || LabelOf(labels, kLabelInstance) != options_.instance)
    return NotFound("container " + id + " does not exist (a container named " + ContainerName(id) +
                    " exists but is not this Berth instance's)");
  ContainerInfo info;
  info.id = id;
  const json& state = j.contains("State") ? j["State"] : json();
  if (state.is_object()) {
    info.state = ParseDockerState(state.value("Status", ""));
    info.pid = state.value("Pid", 0);
  }
  info.labels = UserLabels(labels);
  std::error_code ec;
  info.has_leftovers = !options_.binds_dir.empty() && std::filesystem::exists(BindsDir(id), ec);
  return info;
}

Result<std::vector<ContainerInfo>> DockerRuntime::List() {
  json filters = {
      {"label",
       {std::string(kLabelManaged) + "=1", std::string(kLabelInstance) + "=" + options_.instance}}};
  BERTH_ASSIGN_OR_RETURN(
      HttpResponse r,
      client_.Request("GET", "/containers/json?all=1&filters=" + PercentEncode(filters.dump()), "",
                      options_.request_timeout));
  if (r.status != 200) return DockerError("list containers", r);
  json list = ParseJson(r.body);
  if (!list.is_array()) return Internal("list containers: unparsable answer");
  std::vector<ContainerInfo> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& id) -> Status {
    if (!IsValidContainerId(id) || !seen.insert(id).second) return Status::Ok();
    auto info = Inspect(id);  // for the pid; a container gone meanwhile is left out
    if (info.ok()) {
      out.push_back(std::move(*info));
    } else if (info.status().code() != Code::kNotFound) {
      return info.status();
    }
    return Status::Ok();
  };
  for (const auto& c : list) BERTH_RETURN_IF_ERROR(add(LabelOf(c.value("Labels", json()), kLabelId)));
  // Staged binds whose container is gone (berthd or dockerd died mid-way).
  std::error_code ec;
  if (!options_.binds_dir.empty())
    for (const auto& e : std::filesystem::directory_iterator(options_.binds_dir, ec))
      BERTH_RETURN_IF_ERROR(add(e.path().filename()));
  return out;
}

Result<std::string> DockerRuntime::Logs(const std::string& id, size_t max_bytes) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  BERTH_ASSIGN_OR_RETURN(
      HttpResponse r,
      client_.Request("GET", "/containers/" + ContainerName(id) + "/logs?stdout=1&stderr=1", "",
                      options_.request_timeout));
  if (r.status == 404) return NotFound("container " + id + " does not exist");
  if (r.status != 200) return DockerError("logs of " + id, r);
  StreamDemuxer demux(/*merge=*/true);
  demux.Feed(r.body.data(), r.body.size());
  std::string out = std::move(demux.out());
  if (out.size() > max_bytes) out.erase(0, out.size() - max_bytes);
  return out;
}

}  // namespace berth::runtime

#include "runtime/docker_runtime.h"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/fs_util.h"
#include "runtime/docker_image.h"
#include "runtime/oci_spec.h"

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

int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
int PidfdSignal(int pidfd, int sig) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

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

// Pids of every descendant of `root` (children first found by a /proc scan).
std::vector<pid_t> Descendants(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  DIR* d = ::opendir("/proc");
  if (d == nullptr) return {};
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    auto stat = ReadFile("/proc/" + std::string(e->d_name) + "/stat");
    if (!stat.ok()) continue;
    size_t paren = stat->rfind(')');
    if (paren == std::string::npos) continue;
    char state;
    int ppid;
    if (std::sscanf(stat->c_str() + paren + 1, " %c %d", &state, &ppid) != 2) continue;
    children.emplace(ppid, static_cast<pid_t>(pid));
  }
  ::closedir(d);
  std::vector<pid_t> out;
  std::vector<pid_t> todo = {root};
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    auto [lo, hi] = children.equal_range(p);
    for (auto it = lo; it != hi; ++it) {
      out.push_back(it->second);
      todo.push_back(it->second);
    }
  }
  return out;
}

struct ExecState {
  bool running = false;
  pid_t pid = 0;
  std::optional<int> exit_code;
};

Result<ExecState> InspectExec(const DockerClient& client, const std::string& exec_id,
                              milliseconds timeout) {
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client.Request("GET", "/exec/" + exec_id + "/json", "", timeout));
  if (r.status != 200) return DockerError("inspect exec " + exec_id, r);
  json j = ParseJson(r.body);
  if (!j.is_object()) return Internal("inspect exec " + exec_id + ": unparsable answer");
  ExecState s;
  s.running = j.value("Running", false);
  s.pid = j.value("Pid", 0);
  if (j.contains("ExitCode") && j["ExitCode"].is_number_integer())
    s.exit_code = j["ExitCode"].get<int>();
  return s;
}

// Waits until the exec's process has a pid (or has already ended).
Result<ExecState> WaitExecStarted(const DockerClient& client, const std::string& exec_id,
                                  milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(ExecState s, InspectExec(client, exec_id, timeout));
    if ((s.running && s.pid > 0) || (!s.running && s.exit_code) || Clock::now() > deadline)
      return s;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

// A pidfd for the exec's process, taken only if the exec still reports that
// very pid afterwards: then the pidfd cannot refer to a recycled pid.
UniqueFd VerifiedPidfd(const DockerClient& client, const std::string& exec_id, pid_t pid,
                       milliseconds timeout) {
  if (pid <= 0) return UniqueFd();
  UniqueFd fd(PidfdOpen(pid));
  if (!fd) return fd;
  auto again = InspectExec(client, exec_id, timeout);
  if (!again.ok() || !again->running || again->pid != pid) return UniqueFd();
  return fd;
}

// SIGKILL to the exec's process and everything it started.
void KillExec(const DockerClient& client, const std::string& exec_id, milliseconds timeout) {
  auto s = InspectExec(client, exec_id, timeout);
  if (!s.ok() || !s->running) return;
  UniqueFd pidfd = VerifiedPidfd(client, exec_id, s->pid, timeout);
  if (!pidfd) return;
  std::vector<pid_t> kids = Descendants(s->pid);
  PidfdSignal(pidfd.get(), SIGKILL);
  for (pid_t k : kids) ::kill(k, SIGKILL);
}

class DockerTtyProcess final : public TtyProcess {
 public:
  DockerTtyProcess(DockerClient client, std::string exec_id, UniqueFd conn, UniqueFd pidfd,
                   milliseconds timeout)
      : client_(std::move(client)),
        exec_id_(std::move(exec_id)),
        conn_(std::move(conn)),
        pidfd_(std::move(pidfd)),
        timeout_(timeout) {}
  ~DockerTtyProcess() override {
    if (!Wait(milliseconds(0))) {
      Kill(SIGHUP);
      if (!Wait(milliseconds(200))) Kill(SIGKILL);
    }
  }
  int fd() const override { return conn_.get(); }
  int exit_fd() const override { return pidfd_.get(); }
  Status Resize(uint16_t cols, uint16_t rows) override {
    auto r = client_.Request(
        "POST",
        "/exec/" + exec_id_ + "/resize?h=" + std::to_string(rows) + "&w=" + std::to_string(cols),
        "", timeout_);
    if (!r.ok()) return r.status();
    if (r->status / 100 != 2) return DockerError("resize exec " + exec_id_, *r);
    return Status::Ok();
  }
  Status Kill(int signal) override {
    if (!pidfd_) return Status::Ok();  // already gone when we looked
    if (PidfdSignal(pidfd_.get(), signal) != 0 && errno != ESRCH)
      return ErrnoStatus("pidfd_send_signal", errno);
    return Status::Ok();
  }
  bool Wait(milliseconds timeout) override {
    if (!pidfd_) return true;
    pollfd p{pidfd_.get(), POLLIN, 0};
    int rc;
    do {
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
    } while (rc < 0 && errno == EINTR);
    return rc > 0;
  }

 private:
  const DockerClient client_;
  const std::string exec_id_;
  UniqueFd conn_;
  UniqueFd pidfd_;
  const milliseconds timeout_;
};

// Moves the daemon's "OCI runtime exec failed: ..." line (which Docker writes
// to the stdout stream) to stderr and reports a missing command like a shell
// (127), as RuncRuntime does.
void FixStartFailure(ExecResult* r) {
  if (r->exit_code != 126) return;
  size_t at = r->stdout_data.find("OCI runtime exec failed");
  if (at == std::string::npos) return;
  r->stderr_data += r->stdout_data.substr(at);
  r->stdout_data.erase(at);
  const std::string& err = r->stderr_data;
  if (err.find("not found") != std::string::npos ||
      err.find("no such file or directory") != std::string::npos)
    r->exit_code = 127;
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
  return std::unique_ptr<DockerRuntime>(new DockerRuntime(std::move(options), std::move(client)));
}

std::mutex& DockerRuntime::LockFor(const std::string& id) {
  return locks_[std::hash<std::string>{}(id) % locks_.size()];
}

// ---- images ----

Result<std::string> DockerRuntime::EnsureImage(const std::string& rootfs) {
  BERTH_ASSIGN_OR_RETURN(DockerImageRef ref, ImageRefForRootfs(rootfs));
  std::lock_guard<std::mutex> lock(import_mu_);
  BERTH_ASSIGN_OR_RETURN(HttpResponse r, client_.Request("GET", "/images/" + ref.ref() + "/json",
                                                         "", options_.request_timeout));
  if (r.status == 200) return ref.ref();
  if (r.status != 404) return DockerError("inspect image " + ref.ref(), r);
  BERTH_RETURN_IF_ERROR(ImportImage(CleanPath(rootfs), ref.repo, ref.tag));

  // Older tags of this image (the image was rebuilt): remove them unless a
  // container still uses them (Docker refuses then; that is fine).
  json filters = {{"reference", {ref.repo}}};
  auto list = client_.Request("GET", "/images/json?filters=" + UrlEncode(filters.dump()), "",
                              options_.request_timeout);
  if (list.ok() && list->status == 200) {
    json images = ParseJson(list->body);
    if (images.is_array()) {
      for (const auto& img : images) {
        if (!img.contains("RepoTags") || !img["RepoTags"].is_array()) continue;
        for (const auto& t : img["RepoTags"]) {
          if (!t.is_string() || t.get<std::string>() == ref.ref()) continue;
          if (t.get<std::string>().rfind(ref.repo + ":", 0) != 0) continue;
          (void)client_.Request("DELETE", "/images/" + t.get<std::string>(), "",
                                options_.request_timeout);
        }
      }
    }
  }
  return ref.ref();
}

Status DockerRuntime::ImportImage(const std::string& rootfs, const std::string& repo,
                                  const std::string& tag) {
  BERTH_ASSIGN_OR_RETURN(std::unique_ptr<RootfsTar> tar, RootfsTar::Open(rootfs));
  const std::string target = "/images/create?fromSrc=-&repo=" + UrlEncode(repo) +
                             "&tag=" + UrlEncode(tag) +
                             "&message=" + UrlEncode("berth import of " + rootfs);
  BERTH_ASSIGN_OR_RETURN(HttpResponse r, client_.StreamRequest(
                                             "POST", target, "application/x-tar",
                                             [&](std::string* chunk) { return tar->Next(chunk); },
                                             options_.import_timeout));
  if (r.status != 200)
    return DockerError("import image " + repo + ":" + tag + " from " + rootfs, r);
  // 200 is sent before the work is done: errors come as {"error": ...}
  // lines in the body.
  size_t pos = 0;
  while (pos < r.body.size()) {
    size_t nl = r.body.find('\n', pos);
    if (nl == std::string::npos) nl = r.body.size();
    json line = ParseJson(r.body.substr(pos, nl - pos));
    pos = nl + 1;
    if (line.is_object() && line.contains("error"))
      return Internal("import image " + repo + ":" + tag + " from " + rootfs + ": " +
                      line["error"].dump());
  }
  return Status::Ok();
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

  json mounts = json::array();
  for (const auto& m : spec.mounts) {
    mounts.push_back({{"Type", "bind"},
                      {"Source", m.source},
                      {"Target", m.target},
                      {"ReadOnly", m.read_only},
                      {"BindOptions", {{"Propagation", "rprivate"}}}});
  }
  json cap_add = json::array();
  for (const auto& c : spec.bounding_capabilities) cap_add.push_back(c);
  json security = json::array({"seccomp=" + DefaultSeccompProfileJson()});
  if (spec.no_new_privileges) security.push_back("no-new-privileges");
  json group_add = json::array();
  for (uint32_t g : spec.additional_gids) group_add.push_back(std::to_string(g));

  json host = {
      {"NetworkMode", "host"},
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
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client_.Request("POST", "/containers/create?name=" + UrlEncode(name),
                                         body.dump(), options_.start_timeout));
  if (r.status == 409) return AlreadyExists("container " + spec.id + " already exists");
  if (r.status != 201) return DockerError("create container " + spec.id, r, Code::kAlreadyExists);

  // From here on a failure removes the half-made container.
  auto fail = [&](Status s) {
    Status cleanup = DeleteLocked(spec.id);
    if (!cleanup.ok())
      return Internal(s.message() + " (cleanup also failed: " + cleanup.message() + ")");
    return s;
  };
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
  auto deadline = Clock::now() + options_.start_timeout;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(
        HttpResponse r, client_.Request("DELETE", "/containers/" + name + "?force=true&v=true", "",
                                        options_.start_timeout));
    if (r.status == 204 || r.status == 404) return Status::Ok();
    // 409: a removal is already in progress (e.g. a concurrent Delete).
    if (r.status != 409 || Clock::now() > deadline)
      return DockerError("remove container " + id, r, Code::kInternal);
    std::this_thread::sleep_for(milliseconds(100));
  }
}

Result<ContainerInfo> DockerRuntime::Inspect(const std::string& id) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client_.Request("GET", "/containers/" + ContainerName(id) + "/json", "",
                                         options_.request_timeout));
  if (r.status == 404) return NotFound("container " + id + " does not exist");
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
  return info;
}

Result<std::vector<ContainerInfo>> DockerRuntime::List() {
  json filters = {
      {"label",
       {std::string(kLabelManaged) + "=1", std::string(kLabelInstance) + "=" + options_.instance}}};
  BERTH_ASSIGN_OR_RETURN(
      HttpResponse r,
      client_.Request("GET", "/containers/json?all=1&filters=" + UrlEncode(filters.dump()), "",
                      options_.request_timeout));
  if (r.status != 200) return DockerError("list containers", r);
  json list = ParseJson(r.body);
  if (!list.is_array()) return Internal("list containers: unparsable answer");
  std::vector<ContainerInfo> out;
  for (const auto& c : list) {
    std::string id = LabelOf(c.value("Labels", json()), kLabelId);
    if (!IsValidContainerId(id)) continue;
    auto info = Inspect(id);  // for the pid; a container gone meanwhile is left out
    if (info.ok()) {
      out.push_back(std::move(*info));
    } else if (info.status().code() != Code::kNotFound) {
      return info.status();
    }
  }
  return out;
}

// ---- exec ----

Result<std::string> DockerRuntime::CreateExec(const std::string& id, const std::string& body) {
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client_.Request("POST", "/containers/" + ContainerName(id) + "/exec", body,
                                         options_.request_timeout));
  if (r.status == 404) return NotFound("container " + id + " does not exist");
  if (r.status == 409)
    return FailedPrecondition("container " + id + " is not running", "not_running");
  if (r.status != 201) return DockerError("exec in " + id, r);
  json j = ParseJson(r.body);
  if (!j.is_object() || !j.contains("Id") || !j["Id"].is_string())
    return Internal("exec in " + id + ": no exec id in the answer");
  return j["Id"].get<std::string>();
}

Result<UniqueFd> DockerRuntime::StartExec(const std::string& id, const std::string& exec_id,
                                          bool tty) {
  HttpResponse error;
  json body = {{"Detach", false}, {"Tty", tty}};
  BERTH_ASSIGN_OR_RETURN(UniqueFd conn, client_.Hijack("/exec/" + exec_id + "/start", body.dump(),
                                                       options_.request_timeout, &error));
  if (conn) return conn;
  if (error.status == 404) return NotFound("container " + id + " does not exist");
  if (error.status == 409)
    return FailedPrecondition("container " + id + " is not running", "not_running");
  return DockerError("start exec in " + id, error);
}

Result<ExecResult> DockerRuntime::Exec(const std::string& id, const ExecOptions& options) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  if (options.argv.empty()) return InvalidArgument("exec needs a command");
  json body = {{"AttachStdin", true}, {"AttachStdout", true}, {"AttachStderr", true},
               {"Tty", false},        {"Cmd", options.argv},  {"Env", options.env}};
  if (options.cwd) body["WorkingDir"] = *options.cwd;
  BERTH_ASSIGN_OR_RETURN(std::string exec_id, CreateExec(id, body.dump()));
  BERTH_ASSIGN_OR_RETURN(UniqueFd conn, StartExec(id, exec_id, false));

  // Pump: stdin out (then half-close, which Docker turns into EOF on the
  // process's stdin), the multiplexed stream in, until the daemon closes.
  const bool has_deadline = options.timeout.count() > 0;
  auto deadline = Clock::now() + options.timeout;
  StreamDemuxer demux;
  ExecResult result;
  size_t written = 0;
  bool wr_open = true;
  if (options.stdin_data.empty()) {
    ::shutdown(conn.get(), SHUT_WR);
    wr_open = false;
  }
  for (;;) {
    int wait_ms = -1;
    if (has_deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        if (!result.timed_out) {
          result.timed_out = true;
          KillExec(client_, exec_id, options_.request_timeout);
          // Output still in flight is collected, but no longer than this.
          deadline = Clock::now() + std::chrono::seconds(5);
          continue;
        }
        break;  // killed, yet the stream stays open (a daemonised grandchild)
      }
      wait_ms = static_cast<int>(left);
    }
    pollfd p{conn.get(), static_cast<short>(POLLIN | (wr_open ? POLLOUT : 0)), 0};
    int rc = ::poll(&p, 1, wait_ms);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("poll exec stream", errno);
    }
    if (rc == 0) continue;
    if (wr_open && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::send(conn.get(), options.stdin_data.data() + written,
                         options.stdin_data.size() - written, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == options.stdin_data.size()) {
        ::shutdown(conn.get(), SHUT_WR);  // the process may not read it all: fine
        wr_open = false;
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[64 << 10];
      ssize_t n = ::recv(conn.get(), buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) {
        demux.Feed(buf, static_cast<size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        break;
      }
    }
  }
  conn.reset();
  result.stdout_data = std::move(demux.out());
  result.stderr_data = std::move(demux.err());

  // The stream ends when the process has exited; the exit code may lag a
  // moment behind.
  auto code_deadline = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto s = InspectExec(client_, exec_id, options_.request_timeout);
    if (!s.ok()) {
      if (s.status().code() == Code::kNotFound)
        return NotFound("container " + id + " was removed during exec");
      return s.status();
    }
    if (!s->running && s->exit_code) {
      result.exit_code = *s->exit_code;
      break;
    }
    if (Clock::now() > code_deadline) {
      if (!result.timed_out)
        return Internal("exec in " + id + ": no exit code after its stream ended");
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  if (result.timed_out) {
    result.exit_code = 124;
    return result;
  }
  FixStartFailure(&result);
  return result;
}

Result<std::unique_ptr<TtyProcess>> DockerRuntime::ExecTty(const std::string& id,
                                                           const TtyOptions& options) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  if (options.argv.empty()) return InvalidArgument("exec needs a command");
  json body = {{"AttachStdin", true}, {"AttachStdout", true}, {"AttachStderr", true},
               {"Tty", true},         {"Cmd", options.argv},  {"Env", options.env}};
  if (options.cwd) body["WorkingDir"] = *options.cwd;
  BERTH_ASSIGN_OR_RETURN(std::string exec_id, CreateExec(id, body.dump()));
  BERTH_ASSIGN_OR_RETURN(UniqueFd conn, StartExec(id, exec_id, true));
  BERTH_ASSIGN_OR_RETURN(ExecState s, WaitExecStarted(client_, exec_id, options_.request_timeout));
  UniqueFd pidfd;
  if (s.running) {
    pidfd = VerifiedPidfd(client_, exec_id, s.pid, options_.request_timeout);
    if (!pidfd) {
      // Running without a usable pid: we could never signal it. Give up
      // cleanly rather than hand out a process we cannot stop.
      return Internal("exec in " + id + ": cannot track the terminal's process (pid " +
                      std::to_string(s.pid) + ")");
    }
  }
  auto proc = std::make_unique<DockerTtyProcess>(client_, exec_id, std::move(conn),
                                                 std::move(pidfd), options_.request_timeout);
  if (s.running) BERTH_RETURN_IF_ERROR(proc->Resize(options.cols, options.rows));
  return std::unique_ptr<TtyProcess>(std::move(proc));
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

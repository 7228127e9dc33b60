#include "runtime/runc_runtime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "common/fs_util.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "common/unique_fd.h"
#include "runtime/console_socket.h"
#include "runtime/log_trim.h"
#include "runtime/oci_spec.h"
#include "runtime/pidfd.h"
#include "runtime/userns_mounts.h"

namespace berth::runtime {
namespace {

using nlohmann::json;

bool IsDir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

ContainerState ParseState(const std::string& s) {
  if (s == "creating") return ContainerState::kCreating;
  if (s == "created") return ContainerState::kCreated;
  if (s == "running") return ContainerState::kRunning;
  if (s == "paused") return ContainerState::kPaused;
  if (s == "stopped") return ContainerState::kStopped;
  return ContainerState::kMissing;
}

std::map<std::string, std::string> LabelsFromAnnotations(const json& annotations) {
  std::map<std::string, std::string> labels;
  if (!annotations.is_object()) return labels;
  static const std::string kPrefix = "berth.label.";
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    if (it.key().rfind(kPrefix, 0) == 0 && it.value().is_string())
      labels[it.key().substr(kPrefix.size())] = it.value().get<std::string>();
  }
  return labels;
}

ContainerInfo InfoFromStateJson(const json& j) {
  ContainerInfo info;
  info.id = j.value("id", "");
  info.state = ParseState(j.value("status", ""));
  info.pid = j.value("pid", 0);
  if (j.contains("annotations")) info.labels = LabelsFromAnnotations(j["annotations"]);
  return info;
}

// The last error runc wrote to its --log file (JSON lines), if any.
std::string LastRuncError(const std::string& log_path) {
  auto text = ReadFile(log_path);
  if (!text.ok()) return {};
  std::string last;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    if (nl == std::string::npos) nl = text->size();
    std::string line = text->substr(pos, nl - pos);
    pos = nl + 1;
    json j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("level", "") == "error") last = j.value("msg", line);
  }
  return last;
}

Result<pid_t> ReadPidFile(const std::string& path) {
  BERTH_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    long v = std::stol(text);
    if (v <= 0) return Internal("bad pid file " + path);
    return static_cast<pid_t>(v);
  } catch (...) {
    return Internal("bad pid file " + path);
  }
}

// `runc ... exec` flags shared by Exec and ExecTty: head, then --cwd/--env,
// the container id and the command.
std::vector<std::string> ExecArgv(std::vector<std::string> head,
                                  const std::optional<std::string>& cwd,
                                  const std::vector<std::string>& env, const std::string& id,
                                  const std::vector<std::string>& command) {
  if (cwd) {
    head.push_back("--cwd");
    head.push_back(*cwd);
  }
  for (const auto& e : env) {
    head.push_back("--env");
    head.push_back(e);
  }
  head.push_back(id);
  head.insert(head.end(), command.begin(), command.end());
  return head;
}

class RuncTtyProcess final : public TtyProcess {
 public:
  RuncTtyProcess(UniqueFd master, UniqueFd pidfd)
      : master_(std::move(master)), pidfd_(std::move(pidfd)) {}
  ~RuncTtyProcess() override {
    if (!Wait(std::chrono::milliseconds(0))) {
      PidfdSignal(pidfd_.get(), SIGHUP);
      if (!Wait(std::chrono::milliseconds(200))) PidfdSignal(pidfd_.get(), SIGKILL);
    }
  }
  int fd() const override { return master_.get(); }
  int exit_fd() const override { return pidfd_.get(); }
  Status Resize(uint16_t cols, uint16_t rows) override {
    winsize ws{};
    ws.ws_col = cols;
    ws.ws_row = rows;
    if (::ioctl(master_.get(), TIOCSWINSZ, &ws) != 0) return ErrnoStatus("TIOCSWINSZ", errno);
    return Status::Ok();
  }
  Status Kill(int signal) override {
    if (PidfdSignal(pidfd_.get(), signal) != 0 && errno != ESRCH)
      return ErrnoStatus("pidfd_send_signal", errno);
    return Status::Ok();
  }
  bool Wait(std::chrono::milliseconds timeout) override {
    if (!pidfd_) return true;
    return PidfdWaitExit(pidfd_.get(), timeout);
  }

 private:
  UniqueFd master_;
  UniqueFd pidfd_;
};

}  // namespace

Result<std::unique_ptr<RuncRuntime>> RuncRuntime::Open(RuncOptions options) {
  if (options.bundles_dir.empty()) return InvalidArgument("RuncOptions.bundles_dir is required");
  if (::access(options.init_path.c_str(), X_OK) != 0)
    return FailedPrecondition("init binary not executable: " + options.init_path +
                              " (install the tini package)");
  options.bundles_dir = CleanPath(options.bundles_dir);
  options.state_dir = CleanPath(options.state_dir);
  BERTH_RETURN_IF_ERROR(MkdirAll(options.bundles_dir, 0700));
  BERTH_RETURN_IF_ERROR(MkdirAll(options.state_dir, 0700));
  if (options.userns) BERTH_RETURN_IF_ERROR(MakeTraversable(options.bundles_dir));
  SubprocessOptions probe;
  probe.argv = {options.runc_path, "--version"};
  probe.timeout = std::chrono::seconds(10);
  auto r = RunSubprocess(probe);
  if (!r.ok() || !r->ok())
    return FailedPrecondition("runc not usable at '" + options.runc_path + "' (install runc)");
  return std::unique_ptr<RuncRuntime>(new RuncRuntime(std::move(options)));
}

RuncRuntime::RuncRuntime(RuncOptions options)
    : options_(std::move(options)),
      log_trimmer_(std::make_unique<LogTrimmer>(options_.bundles_dir, "container.log",
                                                options_.log_max_bytes,
                                                options_.log_trim_interval)) {}

RuncRuntime::~RuncRuntime() = default;

std::string RuncRuntime::BundleDir(const std::string& id) const {
  return options_.bundles_dir + "/" + id;
}

std::mutex& RuncRuntime::LockFor(const std::string& id) {
  return locks_[std::hash<std::string>{}(id) % locks_.size()];
}

std::vector<std::string> RuncRuntime::RuncArgv(std::initializer_list<std::string> args) const {
  std::vector<std::string> argv = {options_.runc_path, "--root", options_.state_dir};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Result<ContainerInfo> RuncRuntime::StateOf(const std::string& id) {
  SubprocessOptions o;
  o.argv = RuncArgv({"state", id});
  o.timeout = options_.command_timeout;
  BERTH_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(o));
  if (r.ok()) {
    json j = json::parse(r.stdout_data, nullptr, false);
    if (!j.is_object()) return Internal("runc state " + id + ": unparsable output");
    ContainerInfo info = InfoFromStateJson(j);
    info.has_leftovers = IsDir(BundleDir(id));
    return info;
  }
  if (r.stderr_data.find("does not exist") == std::string::npos)
    return Internal(DescribeFailure(o.argv, r));
  if (!IsDir(BundleDir(id))) return NotFound("container " + id + " does not exist");
  ContainerInfo info;
  info.id = id;
  info.state = ContainerState::kMissing;
  info.has_leftovers = true;
  auto config = ReadFile(BundleDir(id) + "/config.json");
  if (config.ok()) {
    json j = json::parse(*config, nullptr, false);
    if (j.is_object() && j.contains("annotations"))
      info.labels = LabelsFromAnnotations(j["annotations"]);
  }
  return info;
}

Status RuncRuntime::Create(const ContainerSpec& spec) {
  if (!IsValidContainerId(spec.id))
    return InvalidArgument("invalid container id '" + spec.id + "'");
  std::lock_guard<std::mutex> lock(LockFor(spec.id));
  std::string bundle = BundleDir(spec.id);
  if (IsDir(options_.state_dir + "/" + spec.id))
    return AlreadyExists("container " + spec.id + " already exists");
  if (::mkdir(bundle.c_str(), 0700) != 0) {
    if (errno == EEXIST) return AlreadyExists("container " + spec.id + " already exists");
    return ErrnoStatus("mkdir " + bundle, errno);
  }
  Status s = CreateLocked(spec);
  if (!s.ok()) {
    Status cleanup = DeleteLocked(spec.id);
    if (!cleanup.ok())
      return Internal(s.message() + " (cleanup also failed: " + cleanup.message() + ")");
  }
  return s;
}

Status RuncRuntime::CreateLocked(const ContainerSpec& spec) {
  const std::string bundle = BundleDir(spec.id);
  const std::string lower = CleanPath(spec.rootfs);
  if (lower.empty() || lower[0] != '/' || !IsDir(lower))
    return FailedPrecondition("image rootfs " + spec.rootfs + " is not a directory");
  // The writable layer: in the caller's dir (the agent's bounded scratch
  // dir) when it names one, else in the bundle.
  const std::string layer = spec.writable_dir.empty() ? bundle : CleanPath(spec.writable_dir);
  if (lower.find_first_of(",:\\") != std::string::npos ||
      bundle.find_first_of(",:\\") != std::string::npos ||
      layer.find_first_of(",:\\") != std::string::npos)
    return InvalidArgument("overlay paths must not contain ',', ':' or '\\'");
  if (layer != bundle && ::mkdir(layer.c_str(), 0700) != 0)
    return ErrnoStatus("mkdir " + layer, errno);
  for (const char* d : {"/rootfs", "/etc"}) {
    if (::mkdir((bundle + d).c_str(), 0755) != 0) return ErrnoStatus("mkdir " + bundle + d, errno);
  }
  for (const char* d : {"/upper", "/work"}) {
    if (::mkdir((layer + d).c_str(), 0755) != 0) return ErrnoStatus("mkdir " + layer + d, errno);
  }
  // Bundle files are not fsynced: after a host crash the bundle is
  // reconciled away, never reused.
  constexpr bool kDurable = false;
  BERTH_RETURN_IF_ERROR(
      WriteFileAtomic(bundle + "/etc/hostname", spec.hostname + "\n", 0644, kDurable));
  BERTH_RETURN_IF_ERROR(
      WriteFileAtomic(bundle + "/etc/hosts",
                      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                      "127.0.1.1\t" +
                          spec.hostname + "\n",
                      0644, kDurable));
  auto resolv = ReadFile(options_.resolv_conf);
  BERTH_RETURN_IF_ERROR(WriteFileAtomic(bundle + "/etc/resolv.conf", resolv.ok() ? *resolv : "",
                                        0644, kDurable));

  ContainerSpec staged = spec;
  std::string lowerdir = lower;
  if (options_.userns) {
    // The container's root must reach the bundle (0711) and own the
    // writable layer; the image and the binds are seen through idmaps.
    if (::chmod(bundle.c_str(), 0711) != 0) return ErrnoStatus("chmod " + bundle, errno);
    for (const char* d : {"/upper", "/work"}) {
      if (::chown((layer + d).c_str(), options_.userns->base, options_.userns->base) != 0)
        return ErrnoStatus("chown " + layer + d, errno);
    }
    BERTH_ASSIGN_OR_RETURN(StagedMounts m,
                           StageUsernsMounts(spec, *options_.userns, bundle + "/userns", userns_cache_));
    lowerdir = m.lower;
    staged.mounts = std::move(m.mounts);
  }
  const std::string rootfs = bundle + "/rootfs";
  const std::string data =
      "lowerdir=" + lowerdir + ",upperdir=" + layer + "/upper,workdir=" + layer + "/work";
  if (::mount("overlay", rootfs.c_str(), "overlay", 0, data.c_str()) != 0)
    return ErrnoStatus("mount overlay on " + rootfs, errno);

  OciConfigOptions oci;
  oci.rootfs = rootfs;
  oci.init_path = options_.init_path;
  oci.etc_dir = bundle + "/etc";
  oci.cgroups_path = options_.cgroup_parent + "/" + spec.id;
  oci.userns = options_.userns;
  BERTH_RETURN_IF_ERROR(
      WriteFileAtomic(bundle + "/config.json", BuildOciConfig(staged, oci), 0600, kDurable));

  UniqueFd log(
      ::open((bundle + "/container.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  if (!log) return ErrnoStatus("open container.log", errno);
  SubprocessOptions o;
  o.argv = RuncArgv({"--log", bundle + "/runc.log", "--log-format", "json", "run", "--detach",
                     "--bundle", bundle, "--pid-file", bundle + "/init.pid", spec.id});
  o.stdout_fd = log.get();
  o.stderr_fd = log.get();
  o.timeout = options_.command_timeout;
  // runc in berthd's session (its own process group): a new session is a
  // new scheduler autogroup, which made `runc run` 10-20 % slower under
  // load (docs/benchmarks.md). The container does not inherit it: runc's
  // nsexec makes the container's init a session leader of its own.
  o.new_session = false;
  BERTH_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(o));
  if (!r.ok()) {
    std::string why = LastRuncError(bundle + "/runc.log");
    return Internal("runc run " + spec.id + " failed" + (why.empty() ? "" : ": " + why));
  }
  return Status::Ok();
}

Status RuncRuntime::Delete(const std::string& id) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  std::lock_guard<std::mutex> lock(LockFor(id));
  return DeleteLocked(id);
}

Status RuncRuntime::DeleteLocked(const std::string& id) {
  const std::string bundle = BundleDir(id);
  // Kill PID 1 ourselves first: `runc delete --force` on a running container
  // sends SIGKILL and then sleeps a fixed 100 ms before it looks again; on a
  // stopped one it returns at once. The pidfd pins the process, and the
  // cgroup check makes sure it is still this container's init.
  pid_t pid = 0;
  if (UniqueFd pidfd = InitPidfd(id, &pid); pidfd && PidfdSignal(pidfd.get(), SIGKILL) == 0)
    PidfdWaitExit(pidfd.get(), std::chrono::seconds(10));
  if (IsDir(options_.state_dir + "/" + id)) {
    SubprocessOptions o;
    o.argv = RuncArgv({"delete", "--force", id});
    o.timeout = options_.command_timeout;
    BERTH_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(o));
    if (!r.ok() && r.stderr_data.find("does not exist") == std::string::npos &&
        IsDir(options_.state_dir + "/" + id)) {
      return Internal(DescribeFailure(o.argv, r));
    }
  }
  // Unmount what we mounted (the overlay), deepest first. Lazy unmount: a
  // process still holding a file open must not make Delete fail.
  for (const std::string& mp : MountPointsUnder(bundle)) {
    if (::umount2(mp.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      return ErrnoStatus("umount " + mp, errno);
  }
  // RemoveTree refuses to cross a mount point, so a leftover mount can never
  // make us delete through it.
  return RemoveTree(bundle);
}

UniqueFd RuncRuntime::InitPidfd(const std::string& id, pid_t* pid) {
  auto p = ReadPidFile(BundleDir(id) + "/init.pid");
  if (!p.ok()) return UniqueFd();
  UniqueFd pidfd(PidfdOpen(*p));
  auto cgroup = ReadFile("/proc/" + std::to_string(*p) + "/cgroup");
  if (!pidfd || !cgroup.ok() ||
      cgroup->find(options_.cgroup_parent + "/" + id + "\n") == std::string::npos)
    return UniqueFd();
  *pid = *p;
  return pidfd;
}

Result<std::string> RuncRuntime::NetworkNamespacePath(const std::string& id) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  pid_t pid = 0;
  if (!InitPidfd(id, &pid)) return FailedPrecondition("container " + id + " is not running");
  return "/proc/" + std::to_string(pid) + "/ns/net";
}

Result<ContainerInfo> RuncRuntime::Inspect(const std::string& id) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  return StateOf(id);
}

Result<std::vector<ContainerInfo>> RuncRuntime::List() {
  SubprocessOptions o;
  o.argv = RuncArgv({"list", "--format", "json"});
  o.timeout = options_.command_timeout;
  BERTH_ASSIGN_OR_RETURN(SubprocessResult r, RunSubprocess(o));
  if (!r.ok()) return Internal(DescribeFailure(o.argv, r));
  json j = json::parse(r.stdout_data, nullptr, false);
  std::vector<ContainerInfo> out;
  std::set<std::string> seen;
  if (j.is_array()) {
    for (const auto& c : j) {
      ContainerInfo info = InfoFromStateJson(c);
      info.has_leftovers = IsDir(BundleDir(info.id));
      seen.insert(info.id);
      out.push_back(std::move(info));
    }
  }
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.bundles_dir, ec)) {
    std::string id = entry.path().filename();
    if (seen.count(id) || !IsValidContainerId(id) || !entry.is_directory()) continue;
    auto info = StateOf(id);
    if (info.ok()) out.push_back(std::move(*info));
  }
  return out;
}

// How much of a streamed exec's stderr RuncRuntime::Exec keeps to classify
// a failed start (runc's own message is one line).
constexpr size_t kErrTailBytes = 4096;

Result<ExecResult> RuncRuntime::Exec(const std::string& id, const ExecOptions& options) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  if (options.argv.empty()) return InvalidArgument("exec needs a command");
  const std::string pid_file = BundleDir(id) + "/exec-" + RandomHex(8) + ".pid";
  if (!IsDir(BundleDir(id))) return NotFound("container " + id + " does not exist");
  std::vector<std::string> argv =
      ExecArgv(RuncArgv({"exec", "--pid-file", pid_file}), options.cwd, options.env, id, options.argv);

  SubprocessOptions o;
  o.argv = std::move(argv);
  o.stdin_data = options.stdin_data;
  o.timeout = options.timeout;
  // runc forwards signals it gets, but SIGKILL cannot be forwarded: kill the
  // process inside the container by its pid, runc then exits on its own.
  o.on_timeout = [&pid_file](pid_t runc_pid) {
    auto pid = ReadPidFile(pid_file);
    if (pid.ok()) {
      ::kill(*pid, SIGKILL);
    } else {
      ::kill(-runc_pid, SIGKILL);
    }
  };
  // Streamed: output goes to the caller; the end of stderr is kept to tell
  // "not found" from "cannot run" below.
  std::string err_tail;
  if (options.on_output) {
    o.on_output = [&options, &err_tail](int fd, std::string_view bytes) {
      if (fd == 2) {
        err_tail.append(bytes);
        if (err_tail.size() > kErrTailBytes) err_tail.erase(0, err_tail.size() - kErrTailBytes);
      }
      return options.on_output(fd == 1 ? ExecStream::kStdout : ExecStream::kStderr, bytes);
    };
  }
  auto r = RunSubprocess(o);
  bool started = ::access(pid_file.c_str(), F_OK) == 0;
  ::unlink(pid_file.c_str());
  if (!r.ok()) return r.status();
  ExecResult out;
  out.exit_code = r->exit_code;
  out.timed_out = r->timed_out;
  out.aborted = r->aborted;
  out.stdout_data = std::move(r->stdout_data);
  out.stderr_data = std::move(r->stderr_data);
  if (options.on_output) out.stderr_data = std::move(err_tail);
  if (out.timed_out) out.exit_code = 124;
  if (!started && !out.timed_out && !out.aborted && out.exit_code != 0) {
    // runc could not start the process: either the container is not running
    // or the command is not there (reported like a shell would: 127/126).
    auto info = StateOf(id);
    if (!info.ok()) return info.status();
    if (info->state != ContainerState::kRunning)
      return FailedPrecondition("container " + id + " is not running", "not_running");
    const std::string& err = out.stderr_data;
    out.exit_code = (err.find("not found") != std::string::npos ||
                     err.find("no such file") != std::string::npos)
                        ? 127
                        : 126;
  }
  if (options.on_output) out.stderr_data.clear();
  return out;
}

Result<std::unique_ptr<TtyProcess>> RuncRuntime::ExecTty(const std::string& id,
                                                         const TtyOptions& options) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  if (options.argv.empty()) return InvalidArgument("exec needs a command");
  const std::string bundle = BundleDir(id);
  if (!IsDir(bundle)) return NotFound("container " + id + " does not exist");
  const std::string tag = RandomHex(6);
  // The console socket's path must fit sockaddr_un (107 bytes): beside the
  // bundle when it does, else in runc's own state dir (short, root-only;
  // runc lists directories only there).
  const std::string sock_name = "/tty-" + tag + ".sock";
  const std::string sock_path =
      (bundle + sock_name).size() < sizeof(sockaddr_un::sun_path) ? bundle + sock_name
                                                                  : options_.state_dir + sock_name;
  const std::string pid_file = bundle + "/tty-" + tag + ".pid";
  BERTH_ASSIGN_OR_RETURN(UniqueFd listener, ListenUnix(sock_path));
  std::vector<std::string> argv = ExecArgv(
      RuncArgv({"exec", "--tty", "--detach", "--console-socket", sock_path, "--pid-file", pid_file}),
      options.cwd, options.env, id, options.argv);
  SubprocessOptions o;
  o.argv = std::move(argv);
  o.timeout = options_.command_timeout;
  auto r = RunSubprocess(o);
  auto cleanup = [&] {
    ::unlink(sock_path.c_str());
    ::unlink(pid_file.c_str());
  };
  if (!r.ok()) {
    cleanup();
    return r.status();
  }
  if (!r->ok()) {
    cleanup();
    auto info = StateOf(id);
    if (info.ok() && info->state != ContainerState::kRunning)
      return FailedPrecondition("container " + id + " is not running", "not_running");
    return Internal(DescribeFailure(o.argv, *r));
  }
  // runc has exited; the master it sent waits in the socket buffer.
  auto master = ReceiveFd(listener.get(), std::chrono::seconds(5), 0);
  auto pid = ReadPidFile(pid_file);
  cleanup();
  if (!master.ok()) {
    if (pid.ok()) ::kill(*pid, SIGKILL);
    return master.status();
  }
  if (!pid.ok()) return pid.status();
  UniqueFd pidfd(PidfdOpen(*pid));
  if (!pidfd) return ErrnoStatus("pidfd_open", errno);
  auto proc = std::make_unique<RuncTtyProcess>(std::move(*master), std::move(pidfd));
  BERTH_RETURN_IF_ERROR(proc->Resize(options.cols, options.rows));
  return std::unique_ptr<TtyProcess>(std::move(proc));
}

Result<std::string> RuncRuntime::Logs(const std::string& id, size_t max_bytes) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  const std::string path = BundleDir(id) + "/container.log";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return NotFound("container " + id + " does not exist");
    return ErrnoStatus("open " + path, errno);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("fstat " + path, errno);
  off_t start =
      st.st_size > static_cast<off_t>(max_bytes) ? st.st_size - static_cast<off_t>(max_bytes) : 0;
  std::string out(static_cast<size_t>(st.st_size - start), '\0');
  ssize_t n = ::pread(fd.get(), out.data(), out.size(), start);
  if (n < 0) return ErrnoStatus("read " + path, errno);
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace berth::runtime

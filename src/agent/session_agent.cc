#include "agent/session_agent.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "agent/scratch_home.h"
#include "common/fs_util.h"
#include "images/image_store.h"
#include "runtime/oci_spec.h"

namespace berth::agent {
namespace {

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr char kSudoersTarget[] = "/etc/sudoers.d/berth-session";

bool IsValidEnvKey(const std::string& k) {
  if (k.empty() || k.size() > 255) return false;
  for (size_t i = 0; i < k.size(); ++i) {
    char c = k[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

bool IsValidSessionName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || c != '-')) return false;
  }
  return true;
}

Result<std::unique_ptr<SessionAgent>> SessionAgent::Open(AgentOptions options) {
  if (options.data_dir.empty() || options.runtime == nullptr || options.images == nullptr)
    return InvalidArgument("AgentOptions needs data_dir, runtime and images");
  options.data_dir = CleanPath(options.data_dir);
  BERTH_RETURN_IF_ERROR(MkdirAll(options.data_dir + "/sessions", 0711));
  return std::unique_ptr<SessionAgent>(new SessionAgent(std::move(options)));
}

std::string SessionAgent::SessionDir(const std::string& id) const {
  return options_.data_dir + "/sessions/" + id;
}

Result<SessionInfo> SessionAgent::Create(const SessionSpec& spec) {
  if (!runtime::IsValidContainerId(spec.id))
    return InvalidArgument("invalid session id '" + spec.id + "'", "invalid_session_id");
  if (!IsValidSessionName(spec.name))
    return InvalidArgument("session name must match [a-z0-9][a-z0-9-]{0,62}",
                           "invalid_session_name");
  if (spec.uid == 0 || spec.gid == 0)
    return InvalidArgument("sessions never run as root", "invalid_session_user");
  for (const auto& [k, v] : spec.env) {
    if (!IsValidEnvKey(k))
      return InvalidArgument("invalid environment variable name '" + k + "'", "invalid_env");
    if (k.rfind("BERTH_", 0) == 0)
      return InvalidArgument("environment variable " + k + " is reserved", "invalid_env");
    if (v.find('\0') != std::string::npos)
      return InvalidArgument("NUL in environment value", "invalid_env");
  }
  if (spec.resources.cpus && *spec.resources.cpus <= 0)
    return InvalidArgument("cpu must be positive", "invalid_resources");
  if (spec.resources.memory_bytes && *spec.resources.memory_bytes < (16u << 20))
    return InvalidArgument("memory must be at least 16 MiB", "invalid_resources");
  BERTH_ASSIGN_OR_RETURN(MountPlan plan, PlanMounts(spec.mounts));
  BERTH_ASSIGN_OR_RETURN(images::ImageInfo image, options_.images->Get(spec.image));

  const std::string dir = SessionDir(spec.id);
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) return AlreadyExists("session " + spec.id + " already exists");
    return ErrnoStatus("mkdir " + dir, errno);
  }
  // From here on, any failure removes the session dir (and the runtime
  // cleans up its own half-made container).
  auto fail = [&](Status s) -> Result<SessionInfo> {
    Status cleanup = RemoveTree(dir);
    if (!cleanup.ok())
      return Internal(s.message() + " (cleanup failed: " + cleanup.message() + ")");
    return s;
  };

  SessionInfo info;
  info.id = spec.id;
  info.name = spec.name;
  info.image = spec.image;
  info.home_dir = dir + "/home";
  Status s = CreateScratchHome(image.rootfs, image.skeleton, info.home_dir, spec.uid, spec.gid,
                               NoticeText(spec.name, plan.persistent_paths));
  if (!s.ok()) return fail(s);

  runtime::ContainerSpec c;
  c.id = spec.id;
  c.rootfs = image.rootfs;
  c.hostname = spec.name;
  c.uid = spec.uid;
  c.gid = spec.gid;
  c.cwd = kHome;
  c.resources = spec.resources;
  c.labels = {{"session", spec.name}, {"owner", spec.owner}, {"image", spec.image}};
  c.mounts.push_back({info.home_dir, kHome, false});
  for (const auto& m : plan.mounts) c.mounts.push_back({m.host_path, m.target, m.read_only});

  if (spec.sudo_allowed) {
    const std::string sudoers = dir + "/sudoers";
    s = WriteFileAtomic(sudoers, "#" + std::to_string(spec.uid) + " ALL=(ALL:ALL) NOPASSWD: ALL\n",
                        0440);
    if (!s.ok()) return fail(s);
    c.mounts.push_back({sudoers, kSudoersTarget, true});
    c.no_new_privileges = false;
    c.bounding_capabilities = runtime::SudoBoundingCapabilities();
  }

  // Environment: image env (imports), then ours, then the user's.
  std::string image_path = kDefaultPath;
  for (const auto& e : image.env) {
    if (e.rfind("PATH=", 0) == 0) {
      image_path = e.substr(5);
    } else {
      c.env.push_back(e);
    }
  }
  std::vector<std::string> path = plan.path_prepend;
  path.push_back(image_path);
  c.env.push_back("PATH=" + Join(path, ":"));
  c.env.push_back(std::string("HOME=") + kHome);
  c.env.push_back("USER=work");
  c.env.push_back("LANG=C.UTF-8");
  c.env.push_back("BERTH_SESSION_NAME=" + spec.name);
  c.env.push_back("BERTH_PERSISTENT_PATHS=" + Join(plan.persistent_paths, ":"));
  for (const auto& [k, v] : spec.env) c.env.push_back(k + "=" + v);

  s = options_.runtime->Create(c);
  if (!s.ok()) return fail(s);
  info.mounts = std::move(plan);
  info.env = c.env;
  return info;
}

Status SessionAgent::Delete(const std::string& id) {
  if (!runtime::IsValidContainerId(id))
    return InvalidArgument("invalid session id '" + id + "'", "invalid_session_id");
  BERTH_RETURN_IF_ERROR(options_.runtime->Delete(id));
  // The container (and so every bind mount of a folder) is gone; RemoveTree
  // still refuses to cross a mount point, should one have been left.
  return RemoveTree(SessionDir(id));
}

Result<runtime::ExecResult> SessionAgent::Exec(const std::string& id,
                                               const runtime::ExecOptions& options) {
  return options_.runtime->Exec(id, options);
}

Result<std::unique_ptr<runtime::TtyProcess>> SessionAgent::OpenTerminal(const std::string& id,
                                                                        uint16_t cols,
                                                                        uint16_t rows) {
  runtime::TtyOptions t;
  // bash if the image has it: `[ -x ]` is checked by the shell itself so the
  // agent need not look into the container's file system.
  t.argv = {"/bin/sh", "-c",
            "if [ -x /bin/bash ]; then exec /bin/bash -l; else exec /bin/sh -l; fi"};
  t.env = {"TERM=xterm-256color"};
  t.cwd = kHome;
  t.cols = cols;
  t.rows = rows;
  return options_.runtime->ExecTty(id, t);
}

Result<std::string> SessionAgent::Logs(const std::string& id, size_t max_bytes) {
  return options_.runtime->Logs(id, max_bytes);
}

ReconcileReport SessionAgent::Reconcile(const std::set<std::string>& live) {
  ReconcileReport report;
  std::set<std::string> seen;
  auto containers = options_.runtime->List();
  if (!containers.ok()) {
    report.errors.push_back("list containers: " + containers.status().message());
  } else {
    for (const auto& c : *containers) {
      seen.insert(c.id);
      if (live.count(c.id)) {
        (c.state == runtime::ContainerState::kRunning ? report.adopted : report.lost)
            .push_back(c.id);
        continue;
      }
      Status s = Delete(c.id);
      if (s.ok()) {
        report.removed.push_back(c.id);
      } else {
        report.errors.push_back(c.id + ": " + s.message());
      }
    }
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(options_.data_dir + "/sessions", ec)) {
    std::string id = e.path().filename();
    if (live.count(id) || seen.count(id)) continue;
    Status s = RemoveTree(e.path());
    if (s.ok()) {
      report.removed.push_back(id);
    } else {
      report.errors.push_back(id + ": " + s.message());
    }
  }
  for (const auto& id : live)
    if (!seen.count(id)) report.lost.push_back(id);
  for (auto* v : {&report.adopted, &report.lost, &report.removed}) std::sort(v->begin(), v->end());
  return report;
}

}  // namespace berth::agent

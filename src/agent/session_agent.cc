#include "agent/session_agent.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "agent/scratch_home.h"
#include "common/fs_util.h"
#include "runtime/oci_spec.h"

namespace berth::agent {
namespace {

constexpr char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr char kSudoersTarget[] = "/etc/sudoers.d/berth-session";

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

bool HasDotDot(const std::string& path) {
  return path == ".." || path.starts_with("../") || path.find("/../") != std::string::npos ||
         path.ends_with("/..");
}

// The node's own guard on what the manager asks it to mount: a bind source
// must be an absolute path without ".." (which CleanPath keeps) strictly
// beneath a volume root. Lexical on purpose: the directories from a volume
// root down to a folder's data are made by Berth, never by a user, so no
// symlink can sit on that path.
Status CheckBindSources(const MountPlan& plan, const std::vector<std::string>& volume_roots) {
  for (const auto& m : plan.mounts) {
    const std::string src = CleanPath(m.host_path);
    bool ok = !src.empty() && src[0] == '/' && !HasDotDot(src) &&
              std::any_of(volume_roots.begin(), volume_roots.end(), [&](const std::string& r) {
                return src != r && IsWithin(src, r);
              });
    if (!ok) {
      return PermissionDenied("folder '" + m.folder + "' is not on a volume of this node",
                              "mount_source_outside_volumes");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SessionAgent>> SessionAgent::Open(AgentOptions options) {
  if (options.data_dir.empty() || options.runtime == nullptr)
    return InvalidArgument("AgentOptions needs data_dir and runtime");
  options.data_dir = CleanPath(options.data_dir);
  for (auto& r : options.volume_roots) {
    if (r.empty() || r[0] != '/') return InvalidArgument("volume root '" + r + "' is not absolute");
    r = CleanPath(r);
  }
  BERTH_RETURN_IF_ERROR(MkdirAll(options.data_dir + "/sessions", 0711));
  return std::unique_ptr<SessionAgent>(new SessionAgent(std::move(options)));
}

std::string SessionAgent::SessionDir(const std::string& id) const {
  return options_.data_dir + "/sessions/" + id;
}

Result<SessionInfo> SessionAgent::Create(const SessionSpec& spec) {
  if (!runtime::IsValidContainerId(spec.id))
    return InvalidArgument("invalid session id '" + spec.id + "'", "invalid_session_id");
  if (spec.uid == 0 || spec.gid == 0)
    return InvalidArgument("sessions never run as root", "invalid_session_user");
  BERTH_RETURN_IF_ERROR(CheckBindSources(spec.mounts, options_.volume_roots));
  const MountPlan& plan = spec.mounts;
  const images::ImageInfo& image = spec.image;

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
  info.image = image.name;
  info.home_dir = dir + "/home";
  Status s = CreateScratchHome(image.rootfs, image.skeleton, info.home_dir, spec.uid, spec.gid,
                               NoticeText(spec.name, plan.persistent_paths) +
                                   QuotaNoticeText(spec.quotas));
  if (!s.ok()) return fail(s);

  runtime::ContainerSpec c;
  c.id = spec.id;
  c.rootfs = image.rootfs;
  c.hostname = spec.name;
  c.uid = spec.uid;
  c.gid = spec.gid;
  c.cwd = kHome;
  c.resources = spec.resources;
  c.labels = {{"session", spec.name}, {"owner", spec.owner}, {"image", image.name}};
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
  for (const auto& [k, v] : spec.request->env) c.env.push_back(k + "=" + v);

  s = options_.runtime->Create(c);
  if (!s.ok()) return fail(s);
  info.mounts = plan;
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

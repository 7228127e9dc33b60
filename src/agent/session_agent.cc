#include "agent/session_agent.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <filesystem>

#include "agent/python_versions.h"
#include "agent/scratch_home.h"
#include "agent/shell_env.h"
#include "common/fs_util.h"
#include "runtime/oci_spec.h"

namespace berth::agent {
namespace {

constexpr char kSudoersTarget[] = "/etc/sudoers.d/berth-session";

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

// The Python-version notice (agent/python_versions.h) for a session whose
// image has Python `python_version` with `plan`'s mounts: only .local at its
// own target is the user base pip --user writes to.
std::string SessionPythonNotice(const std::string& python_version, const MountPlan& plan) {
  for (const auto& m : plan.mounts) {
    if (m.folder == ".local" && m.target == std::string(kHome) + "/.local")
      return PythonVersionNotice(python_version, UserSitePythonVersions(m.host_path));
  }
  return "";
}

// PYTHONUSERBASE for a per_version user: /home/work/.local/py3.X for the
// image's Python 3.X (`python_version`); none for a shared user or an image
// without Python 3.
std::optional<std::string> PythonUserBase(const SessionSpec& spec,
                                          const std::string& python_version) {
  if (!spec.python_user_base_per_version || python_version.empty()) return std::nullopt;
  return PerVersionUserBase(python_version);
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
  const std::string sessions = options.data_dir + "/sessions";
  BERTH_RETURN_IF_ERROR(MkdirAll(sessions, 0711));
  BERTH_ASSIGN_OR_RETURN(storage::ScratchKind kind,
                         storage::ChooseScratchKind(sessions, options.scratch_tmpfs));
  return std::unique_ptr<SessionAgent>(new SessionAgent(std::move(options), kind));
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
  const ScratchNote scratch = ScratchNoteFor(spec);
  if (Status made = storage::CreateScratchDir(dir, scratch_kind_, scratch.limit_bytes);
      !made.ok()) {
    if (made.code() == Code::kAlreadyExists)
      return AlreadyExists("session " + spec.id + " already exists");
    return made;
  }
  // From here on, any failure removes the session dir (and the runtime
  // cleans up its own half-made container).
  auto fail = [&](Status s) -> Result<SessionInfo> {
    Status cleanup = storage::RemoveScratchDir(dir);
    if (!cleanup.ok())
      return Internal(s.message() + " (cleanup failed: " + cleanup.message() + ")");
    return s;
  };

  SessionInfo info;
  info.id = spec.id;
  info.name = spec.name;
  info.image = image.name;
  info.home_dir = dir + "/home";
  // Read once: the notice and a per_version user base both need it.
  const std::string python_version = ImagePythonVersion(image.rootfs);
  const std::string python_notice = SessionPythonNotice(python_version, plan);
  Status s = CreateScratchHome(
      image.rootfs, image.skeleton, info.home_dir, spec.uid, spec.gid,
      NoticeText(spec.name, plan.persistent_paths) +
          (python_notice.empty() ? "" : "\n" + python_notice) +
          QuotaNoticeText(spec.quotas, scratch));
  if (!s.ok()) return fail(s);
  std::vector<std::string> mount_targets;
  for (const auto& m : plan.mounts) mount_targets.push_back(m.target);
  auto dotfiles = WriteDotfiles(info.home_dir, spec.dotfiles, mount_targets, spec.uid, spec.gid);
  if (!dotfiles.ok()) return fail(dotfiles.status());
  info.dotfiles = std::move(*dotfiles);
  // ~/.berth/quota, by the dotfile writer (never follows a symlink the
  // skeleton may have put at .berth). Users cannot store dotfiles under
  // .berth/, so nothing of theirs is replaced.
  auto quota_file = WriteDotfiles(
      info.home_dir, {{kQuotaFilePath, 0444, QuotaFileText(spec.quotas, scratch)}}, mount_targets,
      spec.uid, spec.gid);
  if (!quota_file.ok()) return fail(quota_file.status());

  runtime::ContainerSpec c;
  c.id = spec.id;
  c.rootfs = image.rootfs;
  c.hostname = spec.name;
  c.uid = spec.uid;
  c.gid = spec.gid;
  c.cwd = kHome;
  c.resources = spec.resources;
  c.writable_dir = dir + "/layer";  // inside the scratch dir: its limit bounds it
  c.labels = options_.labels;
  c.labels["session"] = spec.name;
  c.labels["owner"] = spec.owner;
  c.labels["image"] = image.name;
  c.mounts.push_back({info.home_dir, kHome, false});
  for (const auto& m : plan.mounts) c.mounts.push_back({m.host_path, m.target, m.read_only});

  // The session dir's own files (resolv.conf, sudoers, profile.sh) are not
  // fsynced, like the runtime's bundle files: a host crash takes the
  // container with it and the session is reconciled away; a berthd crash
  // leaves them in the page cache. (Three fsyncs were 3-30 ms of a create.)
  constexpr bool kDurable = false;
  if (options_.network != nullptr) {
    c.network_namespace = true;
    const std::string resolv = dir + "/resolv.conf";
    s = WriteFileAtomic(resolv, options_.network->ResolvConf(), 0644, kDurable);
    if (!s.ok()) return fail(s);
    c.mounts.push_back({resolv, "/etc/resolv.conf", true});
  }

  if (spec.sudo_allowed) {
    const std::string sudoers = dir + "/sudoers";
    s = WriteFileAtomic(sudoers, "#" + std::to_string(spec.uid) + " ALL=(ALL:ALL) NOPASSWD: ALL\n",
                        0440, kDurable);
    if (!s.ok()) return fail(s);
    c.mounts.push_back({sudoers, kSudoersTarget, true});
    c.no_new_privileges = false;
    c.bounding_capabilities = runtime::SudoBoundingCapabilities();
  }

  // Environment: one list for the process env and the login shells' drop-in.
  // python_user_base per_version (SPEC §3 Dotfiles): its bin first on PATH.
  const std::optional<std::string> user_base = PythonUserBase(spec, python_version);
  std::vector<std::string> path_prepend = plan.path_prepend;
  if (user_base) path_prepend.insert(path_prepend.begin(), *user_base + "/bin");
  c.env = SessionEnv({.session_name = spec.name,
                      .image_env = image.env,
                      .path_prepend = path_prepend,
                      .persistent_paths = plan.persistent_paths,
                      .brew_prefix = plan.brew_prefix,
                      .pip_break_system_packages = image.source.starts_with("import:"),
                      .user_env = spec.request->env});
  if (user_base) SetEnv(&c.env, "PYTHONUSERBASE", *user_base);
  const std::string drop_in = dir + "/profile.sh";
  const std::string quota_notice = QuotaShellNotice(spec.quotas, scratch);
  s = WriteFileAtomic(drop_in,
                      ProfileDropIn(c.env, {spec.name, plan.persistent_paths,
                                            python_notice.empty() || quota_notice.empty()
                                                ? python_notice + quota_notice
                                                : python_notice + "\n" + quota_notice}),
                      0644, kDurable);
  if (!s.ok()) return fail(s);
  c.mounts.push_back({drop_in, kProfileDropInTarget, true});

  s = options_.runtime->Create(c);
  if (!s.ok()) return fail(s);
  if (options_.network != nullptr) {
    s = AttachNetwork(spec.id, info);
    if (!s.ok()) {
      Status cleanup = options_.runtime->Delete(spec.id);
      return fail(cleanup.ok() ? s : Internal(s.message() + " (" + cleanup.message() + ")"));
    }
  }
  info.mounts = plan;
  info.env = c.env;
  return info;
}

Status SessionAgent::AttachNetwork(const std::string& id, SessionInfo& info) {
  auto netns = options_.runtime->NetworkNamespacePath(id);
  if (!netns.ok())
    return Internal("session " + id + " stopped before its network was attached");
  BERTH_ASSIGN_OR_RETURN(net::Attachment a, options_.network->Attach(id, *netns));
  info.ip = a.ip;
  return Status::Ok();
}

std::string SessionAgent::AddressOf(const std::string& id) const {
  return options_.network != nullptr ? options_.network->AddressOf(id) : "";
}

Status SessionAgent::Delete(const std::string& id) {
  if (!runtime::IsValidContainerId(id))
    return InvalidArgument("invalid session id '" + id + "'", "invalid_session_id");
  BERTH_RETURN_IF_ERROR(options_.runtime->Delete(id));
  // The namespace went with the container, and its veth with it (a veth
  // dies with either end's namespace): only the address lease is left.
  if (options_.network != nullptr) BERTH_RETURN_IF_ERROR(options_.network->Detach(id, ""));
  // The container (and so every bind mount of a folder) is gone; the
  // removal still refuses to cross a mount point, should one have been left.
  return storage::RemoveScratchDir(SessionDir(id));
}

ScratchNote SessionAgent::ScratchNoteFor(const SessionSpec& spec) const {
  ScratchNote n;
  if (scratch_kind_ == storage::ScratchKind::kPlain) return n;  // unbounded
  n.limit_bytes = spec.resources.scratch_bytes.value_or(0);
  if (n.limit_bytes > 0) n.enforced_by = storage::ScratchKindName(scratch_kind_);
  return n;
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
    Status s = storage::RemoveScratchDir(e.path());
    if (s.ok()) {
      report.removed.push_back(id);
    } else {
      report.errors.push_back(id + ": " + s.message());
    }
  }
  for (const auto& id : live)
    if (!seen.count(id)) report.lost.push_back(id);
  if (options_.network != nullptr) {
    // Leases of sessions that no longer exist (their namespace, and so
    // their veth, went with their container).
    auto leased = options_.network->LeasedIds();
    if (!leased.ok()) report.errors.push_back("list address leases: " + leased.status().message());
    for (const auto& id : leased.ok() ? *leased : std::set<std::string>{}) {
      if (live.count(id)) continue;
      Status s = options_.network->Detach(id, "");
      if (!s.ok()) report.errors.push_back(id + ": " + s.message());
      else if (!seen.count(id)) report.removed.push_back(id);
    }
  }
  for (auto* v : {&report.adopted, &report.lost, &report.removed}) std::sort(v->begin(), v->end());
  return report;
}

}  // namespace berth::agent

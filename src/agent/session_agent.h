// SessionAgent: compute sessions on one node, independent of HTTP (SPEC §3).
// It turns a SessionSpec into a running container: makes the scratch home,
// sets the environment and privileges, and asks the ContainerRuntime to run
// it. It also deletes sessions and reconciles leftovers after a restart.
//
// The spec arrives complete: the request was validated once where it entered
// (ValidSessionRequest, agent/session_request.h), and the manager looked the
// image up and planned the mounts (agent/mount_plan.h). The agent does not
// repeat any of that. What it does check is what only the node can vouch
// for: every bind source lies under one of its volume roots (so a spec from
// a confused or compromised manager cannot bind-mount /etc or another
// node's data into a session), the id is a container id, and the session
// never runs as root.
//
// On disk, per session: the scratch dir <data_dir>/sessions/<id>, which holds
// home/ (the scratch home, bind-mounted at /home/work), layer/ (where a
// runtime that can keeps the container's writable layer: runc's overlay
// upper and work dirs), resolv.conf, profile.sh and, when sudo is allowed,
// sudoers. The scratch dir is bounded to the session's scratch_bytes
// (storage/scratch_dir.h): a btrfs subvolume with a qgroup limit when the
// data dir is on btrfs, else a size-capped tmpfs when the deployment asks
// for one, else unbounded. The rest of the container (bundle, logs; on
// docker the writable layer, in the daemon's own storage) belongs to the
// runtime.
//
// Privileges: sessions run as uid/gid 1000 with no capabilities,
// no_new_privileges and the default seccomp profile. sudo is blocked by
// default twice over: the image's user is not in sudoers, and
// no_new_privileges stops setuid sudo from gaining root. With sudo_allowed
// the agent bind-mounts a read-only sudoers drop-in
// ("#<uid> ALL=(ALL:ALL) NOPASSWD: ALL") and lifts no_new_privileges, with a
// bounding set limited to runtime::SudoBoundingCapabilities() (Docker's
// defaults minus NET_RAW and MKNOD; no SYS_ADMIN, so no mounts, no
// namespaces, seccomp unchanged): root inside the session, not on the host.
//
// Thread-safety: safe for concurrent calls; the manager must not create and
// delete the same session id concurrently (it serialises by session).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/dotfiles.h"
#include "agent/mount_plan.h"
#include "agent/quota_notice.h"
#include "agent/session_request.h"
#include "common/result.h"
#include "images/image_store.h"
#include "net/session_network.h"
#include "runtime/container_runtime.h"
#include "storage/scratch_dir.h"

namespace berth::agent {

struct SessionSpec {
  explicit SessionSpec(ValidSessionRequest r) : request(std::move(r)) {}

  std::string id;     // the store's session id (a UUID); also the container id
  std::string name;   // request->name or one the manager chose (same rule); the hostname
  std::string owner;  // user name, kept as a label
  ValidSessionRequest request;  // env is taken from here
  // cpu, memory and pids as the manager resolved them from the request and
  // the user's limits (manager/session_limits.h); the agent passes them on.
  runtime::Resources resources;
  images::ImageInfo image;      // as the manager looked it up
  MountPlan mounts;             // as the manager planned it (PlanMounts)
  std::vector<FolderQuotaNote> quotas;  // mounted folders with a quota (for the notice)
  uint32_t uid = 1000;
  uint32_t gid = 1000;
  bool sudo_allowed = false;
  // The owner's dotfiles, written into the scratch home before the first
  // process starts (agent/dotfiles.h); those under a mount target are skipped.
  std::vector<Dotfile> dotfiles;
  // python_user_base "per_version": PYTHONUSERBASE=/home/work/.local/py3.X
  // for the image's Python 3.X (agent/python_versions.h).
  bool python_user_base_per_version = false;
};

struct SessionInfo {
  std::string id;
  std::string name;
  std::string image;
  MountPlan mounts;
  std::string home_dir;  // host path of the scratch home
  std::vector<std::string> env;
  DotfileReport dotfiles;
  std::string ip;  // the session's address on the session network ("" without one)
};

struct ReconcileReport {
  std::vector<std::string> adopted;  // in the store and running: keep
  std::vector<std::string> lost;     // in the store, container not running
  std::vector<std::string> removed;  // not in the store: leftovers cleaned
  std::vector<std::string> errors;   // "id: message" for cleanups that failed
};

struct AgentOptions {
  std::string data_dir;                          // REQUIRED
  runtime::ContainerRuntime* runtime = nullptr;  // REQUIRED, not owned
  // Absolute host paths of this node's volume roots: every folder bind
  // mount must come from beneath one. None: no folder can be mounted.
  std::vector<std::string> volume_roots;
  // Each session's own network namespace is attached here (SPEC §3
  // "Network"); not owned. Null: sessions share the host's network (unit
  // tests with a fake runtime only).
  net::SessionNetwork* network = nullptr;
  // Bound scratch dirs by a size-capped tmpfs where the data dir is not on
  // btrfs (storage::ChooseScratchKind).
  bool scratch_tmpfs = false;
  // Added to every container's labels (the node agent's "job": the Slurm
  // job id, which `berthd node-agent --cleanup-job` looks for).
  std::map<std::string, std::string> labels;
};

class SessionAgent {
 public:
  static Result<std::unique_ptr<SessionAgent>> Open(AgentOptions options);

  // Returns once the container runs. On any failure nothing is left behind
  // (no container, mount or directory). Errors: InvalidArgument for a bad id
  // or uid/gid 0, PermissionDenied (reason "mount_source_outside_volumes")
  // for a bind source outside the volume roots, AlreadyExists if the id is
  // in use, or the runtime's error.
  Result<SessionInfo> Create(const SessionSpec& spec);

  // Stops everything, removes the container and the scratch home. Folder
  // contents are never touched. Idempotent.
  Status Delete(const std::string& id);

  Result<runtime::ExecResult> Exec(const std::string& id, const runtime::ExecOptions& options);
  // A login shell (bash -l, else sh -l) in /home/work on a new PTY.
  Result<std::unique_ptr<runtime::TtyProcess>> OpenTerminal(const std::string& id, uint16_t cols,
                                                            uint16_t rows);
  Result<std::string> Logs(const std::string& id, size_t max_bytes = 1 << 20);

  // `live` = the ids the store says exist. Cleans up containers, scratch
  // dirs and address leases of every other session, reports which live
  // ones still run (those keep their network).
  ReconcileReport Reconcile(const std::set<std::string>& live);

  // The session's address on the session network, "" if none.
  std::string AddressOf(const std::string& id) const;

  std::string SessionDir(const std::string& id) const;

  // How this node bounds scratch dirs (chosen once at Open).
  storage::ScratchKind scratch_kind() const { return scratch_kind_; }

 private:
  SessionAgent(AgentOptions options, storage::ScratchKind kind)
      : options_(std::move(options)), scratch_kind_(kind) {}
  Status AttachNetwork(const std::string& id, SessionInfo& info);
  ScratchNote ScratchNoteFor(const SessionSpec& spec) const;
  const AgentOptions options_;
  const storage::ScratchKind scratch_kind_;
};

}  // namespace berth::agent

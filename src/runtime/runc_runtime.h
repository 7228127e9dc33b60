// RuncRuntime: ContainerRuntime on the runc binary (daemonless). Per
// container it keeps an OCI bundle directory
//
//   <bundles_dir>/<id>/config.json    generated (runtime/oci_spec.h)
//                      rootfs/        overlayfs: lower = image rootfs (never
//                                     written), upper/work below
//                      userns/        with a user namespace: the idmapped
//                                     image root (the overlay's lower) and
//                                     bind sources (runtime/userns_mounts.h)
//                      upper/ work/   the container's writable layer
//                      etc/           hostname, hosts, resolv.conf (bound ro)
//                      container.log  PID 1 stdout+stderr (Logs)
//                      runc.log       runc's own log
//
// and runs `runc --root <state_dir> run --detach`. Exec uses `runc exec`;
// ExecTty uses `runc exec --tty --detach --console-socket` and receives the
// PTY master over SCM_RIGHTS. Every runc call is a posix_spawn with an
// explicit argv (no shell) and is reaped; exec'd processes that outlive runc
// are reaped by tini (PID 1 of the container).
//
// Thread-safety: safe for concurrent use. Create/Delete of the same id are
// serialised by a striped lock; different ids proceed in parallel.
//
// REQUIRES: root (mounts overlayfs, runs runc), overlayfs in the kernel.
// berthd must not be PID 1 of its own PID namespace unless it reaps orphans.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/unique_fd.h"
#include "runtime/container_runtime.h"
#include "runtime/idmap.h"
#include "runtime/userns_cache.h"

namespace berth::runtime {

struct RuncOptions {
  std::string runc_path = "runc";
  // runc --root. On tmpfs by default so that a reboot forgets containers
  // that no longer exist; bundles (on disk) are then cleaned by List/Delete.
  std::string state_dir = "/run/berth/runc";
  std::string bundles_dir;  // REQUIRED, e.g. <data-dir>/containers
  std::string init_path = "/usr/bin/tini-static";
  std::string cgroup_parent = "/berth";
  std::string resolv_conf = "/etc/resolv.conf";      // copied into each container
  std::chrono::milliseconds command_timeout{60000};  // per runc invocation
  // Containers run in a user namespace: container ids 0..size-1 are host
  // ids base..; folders and the image appear through idmapped mounts
  // (SPEC §3 "User"). Unset: no user namespace (container root = host root).
  // Open makes bundles_dir and its ancestors o+x (runc walks there as the
  // container's root).
  std::optional<IdRange> userns = IdRange{};
  // Cap of each container.log (runtime/log_trim.h), checked every interval.
  uint64_t log_max_bytes = uint64_t{8} << 20;
  std::chrono::milliseconds log_trim_interval{500};
};

class LogTrimmer;

class RuncRuntime final : public ContainerRuntime {
 public:
  // Checks the options (runc and tini present, dirs creatable).
  static Result<std::unique_ptr<RuncRuntime>> Open(RuncOptions options);
  ~RuncRuntime() override;

  Status Create(const ContainerSpec& spec) override;
  Status Delete(const std::string& id) override;
  Result<ContainerInfo> Inspect(const std::string& id) override;
  // From init.pid (no `runc state`), checked to be this container's init.
  Result<std::string> NetworkNamespacePath(const std::string& id) override;
  Result<std::vector<ContainerInfo>> List() override;
  Result<ExecResult> Exec(const std::string& id, const ExecOptions& options) override;
  Result<std::unique_ptr<TtyProcess>> ExecTty(const std::string& id,
                                              const TtyOptions& options) override;
  Result<std::string> Logs(const std::string& id, size_t max_bytes) override;

  std::string BundleDir(const std::string& id) const;

 private:
  explicit RuncRuntime(RuncOptions options);
  std::mutex& LockFor(const std::string& id);
  std::vector<std::string> RuncArgv(std::initializer_list<std::string> args) const;
  Status CreateLocked(const ContainerSpec& spec);
  Status DeleteLocked(const std::string& id);
  // A pidfd of the container's PID 1 if it still runs and is this
  // container's init (its cgroup), with its pid; an invalid fd otherwise.
  UniqueFd InitPidfd(const std::string& id, pid_t* pid);
  Result<ContainerInfo> StateOf(const std::string& id);
  Status RequireRunning(const std::string& id);

  const RuncOptions options_;
  std::array<std::mutex, 32> locks_;
  std::unique_ptr<LogTrimmer> log_trimmer_;
  UsernsCache userns_cache_;  // the idmaps' user namespaces, kept across creates
};

}  // namespace berth::runtime

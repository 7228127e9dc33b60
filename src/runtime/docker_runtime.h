// DockerRuntime: ContainerRuntime on the Docker Engine API (SPEC §3
// "Runtime drivers"), spoken over the daemon's unix socket by DockerClient
// (runtime/docker_client.h); never the docker CLI. API v1.41 (Docker 20.10)
// or newer is required and used with /v1.41 paths.
//
// Mapping of a ContainerSpec (same behaviour as RuncRuntime, checked by the
// shared conformance suite):
//   * image: spec.rootfs (an image-store directory) becomes the Docker image
//     berth/<name>:<key>, imported on first use and again whenever the image
//     changes (runtime/docker_image.h). No ContainerSpec change was needed.
//   * container "<name_prefix><id>", labels berth.managed=1,
//     berth.instance=<instance>, berth.session-id=<id> and
//     berth.label.<k>=<v> for spec.labels; List() finds them by label, so a
//     restarted berthd sees its containers again;
//   * PID 1 is docker-init (Init: true) running `sleep infinity`; host
//     network (like runc); binds with ro, nosuid, nodev: with binds_dir set
//     each bind source is first staged under binds_dir/<id> with those
//     flags (runtime/staged_binds.h) and Docker binds the staged path
//     (ReadOnly false: Docker's ro remount would drop nosuid,nodev);
//     Delete and a failed Create unmount and remove the staging; Inspect and
//     List report a staging without its container (a crash's leftover) as
//     kMissing with has_leftovers, for Delete; User uid:gid (+ GroupAdd);
//     CapDrop ALL + CapAdd = bounding set; no-new-privileges when asked; the
//     same seccomp profile as runc (oci_spec.h DefaultSeccompProfileJson);
//     NanoCpus, Memory = MemorySwap (no swap), PidsLimit (default 4096).
//   * Exec: exec create + hijacked exec start, stdin written then half-closed,
//     Docker's multiplexed stream decoded. On timeout the exec's process
//     (host pid from /exec/{id}/json, held by a pidfd and re-checked, so a
//     recycled pid is never hit) and its descendants get SIGKILL.
//   * ExecTty: Tty exec; fd() is the hijacked socket itself (raw bytes both
//     ways), exit_fd() a pidfd of the process, Resize = /exec/{id}/resize.
//   * Delete: DELETE ?force=true&v=true; idempotent, also for containers
//     removed behind Berth's back.
//   * User namespaces (SPEC §3 "User"): when the daemon runs with
//     --userns-remap (GET /info at Open, runtime/docker_userns.h), the
//     binds are staged as idmapped mounts instead (StageIdmappedBinds in
//     runtime/userns_mounts.h: a folder's disk owner meets the session user,
//     root inside writes as the unprivileged remap base), nosuid,nodev too;
//     Docker shifts the image itself. Without remap, plain staged binds and
//     userns() is nullopt (berthd warns at start).
// The imported image stays in Docker as a cache shared by sessions; older
// tags of the same image are removed (best effort) after a re-import.
//
// Errors: daemon down / socket missing / no answer in time -> Unavailable
// (reason "docker_unavailable"); API too old -> FailedPrecondition.
//
// Thread-safety: safe for concurrent use. Create/Delete of one id are
// serialised by a striped lock; imports are serialised by one mutex.
// REQUIRES: a reachable dockerd; for timeouts/terminals, the same PID
// namespace as dockerd (host pids from the API are signalled directly).
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "runtime/container_runtime.h"
#include "runtime/docker_client.h"
#include "runtime/idmap.h"
#include "runtime/userns_cache.h"

namespace berth::runtime {

struct DockerOptions {
  std::string socket_path = "/var/run/docker.sock";
  // Scopes List/Inspect/Delete: containers labelled with another instance
  // are not this runtime's (two deployments or test runs can share a daemon).
  std::string instance = "default";
  std::string name_prefix = "berth-";                // container name = name_prefix + id
  std::string cgroup_parent;                         // empty: Docker's default (/docker)
  std::chrono::milliseconds request_timeout{30000};  // per API call
  std::chrono::milliseconds start_timeout{120000};   // container create/start
  std::chrono::milliseconds import_timeout{std::chrono::minutes(15)};
  // Cap of each container's json-file log (one file, rotated by Docker).
  uint64_t log_max_bytes = uint64_t{8} << 20;
  // Where folder binds are staged nosuid,nodev, one directory per container
  // (runtime/staged_binds.h); owned by this runtime: a directory there
  // without its container is a leftover that List() reports for Delete.
  // Empty: plain binds, without nosuid/nodev (nor idmaps under remap).
  std::string binds_dir;
  // The size of a remapping daemon's id range (not in its /info; berthd's
  // userns_size). Its base is read from the daemon.
  uint32_t userns_size = 65536;
};

class DockerRuntime final : public ContainerRuntime {
 public:
  // Checks that the daemon answers and speaks API >= 1.41.
  static Result<std::unique_ptr<DockerRuntime>> Open(DockerOptions options);

  Status Create(const ContainerSpec& spec) override;
  Status Delete(const std::string& id) override;
  Result<ContainerInfo> Inspect(const std::string& id) override;
  Result<std::vector<ContainerInfo>> List() override;
  Result<ExecResult> Exec(const std::string& id, const ExecOptions& options) override;
  Result<std::unique_ptr<TtyProcess>> ExecTty(const std::string& id,
                                              const TtyOptions& options) override;
  Result<std::string> Logs(const std::string& id, size_t max_bytes) override;

  // The Docker image standing for `rootfs`, imported first if missing.
  Result<std::string> EnsureImage(const std::string& rootfs);
  std::string ContainerName(const std::string& id) const { return options_.name_prefix + id; }
  const DockerClient& client() const { return client_; }
  // The daemon's user-namespace range; nullopt when it does not remap
  // (root in a session is then host root).
  const std::optional<IdRange>& userns() const { return userns_; }

 private:
  DockerRuntime(DockerOptions options, DockerClient client, std::optional<IdRange> userns)
      : options_(std::move(options)), client_(std::move(client)), userns_(userns) {}
  // The daemon's remap range from GET /info (nullopt: no remap); makes
  // binds_dir traversable for the remapped root when there is one.
  static Result<std::optional<IdRange>> DaemonUserns(const DockerClient& client,
                                                     const DockerOptions& options);
  std::mutex& LockFor(const std::string& id);
  Status CreateLocked(const ContainerSpec& spec, const std::string& image);
  Status DeleteLocked(const std::string& id);
  // The staging of `id`'s binds (empty without binds_dir).
  std::string BindsDir(const std::string& id) const;
  // Stages spec.mounts under BindsDir(spec.id) (as given without
  // binds_dir); AlreadyExists if they are staged for a live container.
  Result<std::vector<BindMount>> StageBindsLocked(const ContainerSpec& spec);
  // Starts an exec and returns its id; NotFound / FailedPrecondition
  // ("not_running") when the container is missing or stopped.
  Result<std::string> CreateExec(const std::string& id, const std::string& json_body);
  Result<UniqueFd> StartExec(const std::string& id, const std::string& exec_id, bool tty);

  const DockerOptions options_;
  const DockerClient client_;
  const std::optional<IdRange> userns_;
  std::array<std::mutex, 32> locks_;
  std::mutex import_mu_;
  UsernsCache userns_cache_;  // the idmaps' user namespaces, kept across creates
};

}  // namespace berth::runtime

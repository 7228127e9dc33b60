// ContainerRuntime: the edge between an agent and whatever runs containers
// (SPEC §3 "Runtime drivers"). Two drivers implement it: RuncRuntime drives
// runc directly (runtime/runc_runtime.h), DockerRuntime speaks the Docker
// Engine API (runtime/docker_runtime.h). Both pass the same conformance
// suite (agent/runtime_conformance_test.cc).
//
// A container here is one long-lived sandbox per session: PID 1 is an idle
// init (tini + sleep), work happens through Exec/ExecTty. The runtime is
// told *what* to mount and with which limits; policy (which folders, which
// targets are allowed) lives in the agent.
//
// Thread-safety: implementations must be safe for concurrent calls from
// several threads, including concurrent calls on the same container id
// (e.g. Exec while Delete runs: Exec then fails cleanly).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace berth::runtime {

// A bind mount from the host into the container.
struct BindMount {
  std::string source;  // absolute host path (directory or file)
  std::string target;  // absolute path inside the container
  bool read_only = false;
};

struct Resources {
  std::optional<double> cpus;            // CFS quota = cpus * period
  std::optional<uint64_t> memory_bytes;  // hard limit (swap limited to the same)
  std::optional<int64_t> pids_limit;     // default 4096 in RuncRuntime
  // Not applied by the runtime: the agent bounds the session's scratch dir
  // (scratch home, runc's writable layer) to it (storage/scratch_dir.h).
  std::optional<uint64_t> scratch_bytes;
};

struct ContainerSpec {
  // [A-Za-z0-9][A-Za-z0-9_.-]{0,127}; the agent uses the session id.
  std::string id;
  std::string rootfs;    // host path of the image root fs; never written to
  std::string hostname;  // also written to /etc/hostname and /etc/hosts
  uint32_t uid = 1000;
  uint32_t gid = 1000;
  std::vector<uint32_t> additional_gids;
  std::string cwd = "/home/work";
  std::vector<std::string> env;  // "K=V"; exec'd processes inherit these
  // Applied in order; a target inside another target must come after it.
  std::vector<BindMount> mounts;
  Resources resources;
  // When false (sudo allowed), setuid binaries may raise privileges up to
  // `bounding_capabilities`. The process itself always starts with no
  // effective/permitted/ambient capabilities.
  bool no_new_privileges = true;
  std::vector<std::string> bounding_capabilities;  // e.g. "CAP_SETUID"; empty = none
  std::map<std::string, std::string> labels;       // kept with the container
  // A network namespace of its own (only lo, down for runc, until the agent
  // attaches it: net/session_network.h); false: the host's (tests only).
  bool network_namespace = false;
  // Where the container's writable layer goes if the driver keeps it in a
  // directory of its own (runc: the overlay upper and work dirs, made here;
  // removed by the caller, after Delete). "" = the driver's own place (runc:
  // the bundle). Docker keeps its layers in the daemon's storage and
  // ignores it. Must not contain ',', ':' or '\\'.
  std::string writable_dir;
};

enum class ContainerState { kCreating, kCreated, kRunning, kPaused, kStopped, kMissing };
const char* ContainerStateName(ContainerState s);

struct ContainerInfo {
  std::string id;
  ContainerState state = ContainerState::kMissing;
  pid_t pid = 0;  // host pid of PID 1 while running
  std::map<std::string, std::string> labels;
  // Whether runtime-owned leftovers exist (bundle dir, mounts) even if the
  // container itself is gone; Delete removes them.
  bool has_leftovers = false;
};

enum class ExecStream { kStdout, kStderr };

// Receives an exec's output as it is produced (streamed exec). It runs on
// the exec's own thread and may block: the driver then stops reading and the
// command blocks on its full pipe (back-pressure). Returning false stops the
// command (as a timeout would) and the exec returns with `aborted`.
using ExecOutputFn = std::function<bool(ExecStream stream, std::string_view bytes)>;

struct ExecOptions {
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "K=V", added to the container's env
  std::string stdin_data;
  std::chrono::milliseconds timeout{0};  // 0: none
  std::optional<std::string> cwd;        // default: the container's cwd
  // When set, output goes here and ExecResult's stdout/stderr stay empty.
  ExecOutputFn on_output;
};

struct ExecResult {
  // 128+signal when killed; 124 after a timeout kill; 127 / 126 when the
  // command was not found / could not be run (both drivers, like a shell).
  int exit_code = -1;
  bool timed_out = false;
  std::string stdout_data;
  std::string stderr_data;
  bool aborted = false;  // on_output returned false
};

struct TtyOptions {
  std::vector<std::string> argv;  // e.g. {"/bin/bash", "-l"}
  std::vector<std::string> env;
  uint16_t cols = 80;
  uint16_t rows = 24;
  std::optional<std::string> cwd;
};

// An interactive process on a terminal. fd() is a bidirectional byte stream
// (the PTY master for runc) that the caller may poll/read/write directly.
// Destroying the handle kills the process if it is still running.
// Thread-safety: Resize/Kill/Wait may be called from any thread; the caller
// serialises its own reads and writes on fd().
class TtyProcess {
 public:
  virtual ~TtyProcess() = default;
  virtual int fd() const = 0;
  // A descriptor that becomes readable when the process has exited (a
  // pidfd for runc), for integration into an event loop. -1 if none.
  virtual int exit_fd() const = 0;
  virtual Status Resize(uint16_t cols, uint16_t rows) = 0;
  virtual Status Kill(int signal) = 0;
  // Waits up to `timeout` for exit; true once it has exited.
  virtual bool Wait(std::chrono::milliseconds timeout) = 0;
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;

  // Creates and starts the container; returns once PID 1 runs. On failure
  // nothing is left behind (no container, mount or directory).
  // AlreadyExists if `spec.id` is in use.
  virtual Status Create(const ContainerSpec& spec) = 0;

  // Stops every process, removes the container and everything the runtime
  // made for it (writable layer, mounts, bundle). Idempotent: deleting a
  // missing container is OK. Never touches bind-mount sources.
  virtual Status Delete(const std::string& id) = 0;

  // NotFound if neither the container nor leftovers exist.
  virtual Result<ContainerInfo> Inspect(const std::string& id) = 0;

  // Every container (and leftover) this runtime instance owns, for
  // reconciliation after a restart.
  virtual Result<std::vector<ContainerInfo>> List() = 0;

  // Runs a command to completion. FailedPrecondition if not running.
  virtual Result<ExecResult> Exec(const std::string& id, const ExecOptions& options) = 0;

  virtual Result<std::unique_ptr<TtyProcess>> ExecTty(const std::string& id,
                                                      const TtyOptions& options) = 0;

  // "/proc/<pid>/ns/net" of the running container's PID 1 (the session's
  // own network namespace when ContainerSpec.network_namespace), for the
  // agent to wire; FailedPrecondition if it does not run. The default asks
  // Inspect; a driver may know it cheaper.
  virtual Result<std::string> NetworkNamespacePath(const std::string& id);

  // The container's own output (PID 1 stdout/stderr), at most the last
  // `max_bytes` bytes.
  virtual Result<std::string> Logs(const std::string& id, size_t max_bytes) = 0;
};

// Ids accepted by every driver: [A-Za-z0-9][A-Za-z0-9_.-]{0,127}.
bool IsValidContainerId(const std::string& id);

}  // namespace berth::runtime

// Subprocess: run a program with an explicit argv (never through a shell),
// feed it stdin, capture or redirect its output, enforce a timeout, and always
// reap it. Used wherever Berth drives another binary (runc, mmdebstrap).
//
// Thread-safety: RunSubprocess is reentrant; concurrent calls from several
// threads are fine (each uses its own pipes and pidfd). The child starts in a
// new session (setsid), or in a new process group of the caller's session
// (`new_session` false), so that a timeout can signal its whole group.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace berth {

struct SubprocessOptions {
  // argv[0] is an absolute path or a name looked up in PATH.
  std::vector<std::string> argv;
  // Full environment ("K=V"); empty means inherit the caller's.
  std::vector<std::string> env;
  std::string stdin_data;  // written to the child's stdin, then closed
  // When >= 0 the child's stdout/stderr go to this fd instead of being
  // captured (e.g. a log file). The fd is not closed.
  int stdout_fd = -1;
  int stderr_fd = -1;
  // Zero: no timeout. On expiry `on_timeout(pid)` runs (default: SIGKILL to
  // the child's process group); the child is then given a short grace period
  // before its group is SIGKILLed regardless.
  std::chrono::milliseconds timeout{0};
  std::function<void(pid_t)> on_timeout;
  // Captured output beyond this many bytes per stream is dropped.
  size_t max_capture_bytes = 16 << 20;
  // When set, output is handed here as it is read (fd 1 or 2, bytes)
  // instead of being captured. It may block: the child then blocks on its
  // full pipe (back-pressure). Returning false stops the child as a timeout
  // would (on_timeout, then SIGKILL); `aborted` is then set.
  std::function<bool(int fd, std::string_view bytes)> on_output;
  // false: the child gets its own process group but stays in the caller's
  // session. With the kernel's scheduler autogroups (sched_autogroup_enabled,
  // Debian's default) every new session is also a new scheduling group, and
  // under CPU contention that made each `runc run` 10-20 % slower
  // (docs/benchmarks.md, sessions with their own network namespace). Only
  // for children that never keep berthd's controlling terminal themselves.
  bool new_session = true;
  // Called with the child's pid right after it started.
  std::function<void(pid_t)> on_started;
};

struct SubprocessResult {
  int exit_code = -1;   // exit status, or 128+signal when killed
  int term_signal = 0;  // the signal that killed it, 0 if it exited
  bool timed_out = false;
  bool aborted = false;  // on_output returned false
  std::string stdout_data;
  std::string stderr_data;
  bool ok() const { return exit_code == 0; }
};

// Runs and reaps the child. Returns an error only when it could not be
// started; a non-zero exit is a successful Result with exit_code set.
// Output is read until the child exits (plus a short drain), so a grandchild
// that keeps the pipes open cannot hang the caller.
Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options);

// "argv0: exit 3: <last line of stderr>" for error messages.
std::string DescribeFailure(const std::vector<std::string>& argv, const SubprocessResult& r);

}  // namespace berth

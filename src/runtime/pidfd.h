// pidfds (pidfd_open(2), Linux 5.3+): a handle on one process that never
// refers to a recycled pid. Both drivers hold their terminal processes and
// container inits by pidfd, signal through it, and wait for exit by polling
// it (it turns readable when the process ends; no waitpid needed, so it
// works for processes that are not our children).
//
// Thread-safety: thin syscall wrappers; safe from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>

namespace berth::runtime {

// A pidfd for `pid`, or -1 with errno set.
int PidfdOpen(pid_t pid);
// pidfd_send_signal(2): 0, or -1 with errno set (ESRCH: it has exited).
int PidfdSignal(int pidfd, int sig);
// Whether the process has exited within `timeout` (0: just look).
// REQUIRES: pidfd is a valid pidfd.
bool PidfdWaitExit(int pidfd, std::chrono::milliseconds timeout);

}  // namespace berth::runtime

// The process tree as the kernel shows it in /proc: which pids descend from
// a given pid. DockerRuntime uses it to kill an exec's whole tree on timeout
// (the Engine API has no "kill exec"), since the processes are not in a
// process group Berth controls.
//
// The answer is a snapshot: processes may start or end (and pids be reused)
// while /proc is read. Callers that signal the result must accept that, as
// DockerRuntime does by pinning the root with a pidfd first.
//
// Thread-safety: a pure function of /proc; safe from any thread.
#pragma once

#include <sys/types.h>

#include <vector>

namespace berth::runtime {

// Pids of every descendant of `root` (children, grandchildren, ...), found
// by one scan of /proc/<pid>/stat. Empty when /proc cannot be read.
std::vector<pid_t> DescendantPids(pid_t root);

}  // namespace berth::runtime

// Test helper for net_test (not part of berth_net): a network namespace of
// the test's own, with no process in it, alive while its fd is open.
// REQUIRES: root.
#pragma once

#include <fcntl.h>
#include <sched.h>

#include <string>
#include <thread>

#include "common/unique_fd.h"

namespace berth::net {

// unshare(CLONE_NEWNET) on a throw-away thread (the namespace is per
// thread), keeping the namespace by its fd. Invalid fd on failure.
inline UniqueFd NewTestNetns() {
  int fd = -1;
  std::thread t([&] {
    if (::unshare(CLONE_NEWNET) == 0) fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  });
  t.join();
  return UniqueFd(fd);
}

// The path a netns-path API takes for `fd`.
inline std::string NetnsFdPath(const UniqueFd& fd) {
  return "/proc/self/fd/" + std::to_string(fd.get());
}

}  // namespace berth::net

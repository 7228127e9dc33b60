#include "apps/netns_dialer.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

namespace berth::apps {

Result<int> NetnsSocket(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  int nsfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) {
    return NotFound("the session's process " + std::to_string(pid) + " is gone", "app_unreachable");
  }
  int fd = -1;
  int err = 0;
  // A fresh thread so that berthd's own threads never change namespace;
  // the thread (and its namespace membership) ends right after.
  std::thread t([&] {
    if (::setns(nsfd, CLONE_NEWNET) != 0) {
      err = errno;
      return;
    }
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) err = errno;
  });
  t.join();
  ::close(nsfd);
  if (fd < 0) {
    return Internal("cannot make a socket in the session's network namespace: " +
                    std::string(std::strerror(err)));
  }
  return fd;
}

bool SameNetns(pid_t pid) {
  struct stat mine {}, theirs {};
  const std::string path = "/proc/" + std::to_string(pid) + "/ns/net";
  if (::stat("/proc/thread-self/ns/net", &mine) != 0 || ::stat(path.c_str(), &theirs) != 0)
    return false;
  return mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
}

}  // namespace berth::apps

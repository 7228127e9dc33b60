#include "apps/netns_dialer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
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

Result<int> ConnectInNetns(pid_t pid, uint16_t port, std::chrono::milliseconds timeout) {
  BERTH_ASSIGN_OR_RETURN(int fd, NetnsSocket(pid));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int err = 0;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    err = errno;
    if (err == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int rc;
      do {
        rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
      } while (rc < 0 && errno == EINTR);
      socklen_t len = sizeof err;
      if (rc <= 0) {
        err = ETIMEDOUT;
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
      }
    }
  }
  if (err != 0) {
    ::close(fd);
    return Unavailable("nothing accepts connections on the app's port " + std::to_string(port) +
                           " (" + std::strerror(err) + ")",
                       "app_not_listening");
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

#include "runtime/console_socket.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth::runtime {

Result<UniqueFd> ListenUnix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path))
    return InvalidArgument("unix socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return ErrnoStatus("socket", errno);
  ::unlink(path.c_str());
  mode_t old = ::umask(077);
  int rc = ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  int err = errno;
  ::umask(old);
  if (rc != 0) return ErrnoStatus("bind " + path, err);
  if (::listen(fd.get(), 4) != 0) return ErrnoStatus("listen " + path, errno);
  return fd;
}

Result<UniqueFd> ReceiveFd(int listen_fd, std::chrono::milliseconds timeout, uid_t expected_uid) {
  pollfd p{listen_fd, POLLIN, 0};
  int pr;
  do {
    pr = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (pr < 0 && errno == EINTR);
  if (pr == 0) return Unavailable("timed out waiting for the console socket");
  if (pr < 0) return ErrnoStatus("poll console socket", errno);
  UniqueFd conn(::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) return ErrnoStatus("accept console socket", errno);
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (::getsockopt(conn.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
    return ErrnoStatus("SO_PEERCRED", errno);
  if (cred.uid != expected_uid)
    return PermissionDenied("console socket peer has uid " + std::to_string(cred.uid));

  pollfd c{conn.get(), POLLIN, 0};
  do {
    pr = ::poll(&c, 1, static_cast<int>(timeout.count()));
  } while (pr < 0 && errno == EINTR);
  if (pr <= 0) return Unavailable("timed out receiving the console fd");

  char data[256];
  iovec iov{data, sizeof(data)};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  ssize_t n;
  do {
    n = ::recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return ErrnoStatus("recvmsg console socket", errno);
  UniqueFd received;
  for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int fds[4];
    std::memcpy(fds, CMSG_DATA(cm), std::min<size_t>(count, 4) * sizeof(int));
    for (size_t i = 0; i < count && i < 4; ++i) {
      if (!received) {
        received.reset(fds[i]);
      } else {
        ::close(fds[i]);  // only one is expected
      }
    }
  }
  if (!received) return Internal("console socket message carried no fd");
  return received;
}

Status SendFd(int sock, int fd) {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cm), &fd, sizeof(int));
  if (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) return ErrnoStatus("sendmsg", errno);
  return Status::Ok();
}

}  // namespace berth::runtime

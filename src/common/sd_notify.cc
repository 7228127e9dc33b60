#include "common/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "common/unique_fd.h"

namespace berth {

Status NotifyServiceManagerAt(const std::string& socket_path, const std::string& state) {
  if (socket_path.empty()) return Status::Ok();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // Only absolute paths and abstract names, as sd_notify accepts.
  if ((socket_path[0] != '/' && socket_path[0] != '@') ||
      socket_path.size() >= sizeof(addr.sun_path)) {
    return InvalidArgument("NOTIFY_SOCKET is not an absolute path or @name: " + socket_path);
  }
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  if (socket_path[0] == '@') addr.sun_path[0] = '\0';
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path.size());

  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return Internal(std::string("socket: ") + std::strerror(errno));
  ssize_t n = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  if (n < 0) {
    return Unavailable("notify " + socket_path + ": " + std::strerror(errno));
  }
  if (static_cast<size_t>(n) != state.size()) return Internal("notify: short datagram");
  return Status::Ok();
}

Status NotifyServiceManager(const std::string& state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  return NotifyServiceManagerAt(path ? path : "", state);
}

}  // namespace berth

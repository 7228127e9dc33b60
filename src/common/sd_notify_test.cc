#include "common/sd_notify.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "common/unique_fd.h"

namespace berth {
namespace {

// A datagram socket bound at `path` (a file or "@abstract"), as a service
// manager listens.
UniqueFd BindDatagram(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (path[0] == '@') addr.sun_path[0] = '\0';
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size());
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) return UniqueFd();
  return fd;
}

// One datagram, waiting at most a second.
std::string Receive(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 1000) != 1) return "<timeout>";
  char buf[256];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n < 0 ? "<error>" : std::string(buf, static_cast<size_t>(n));
}

std::string TempDir() {
  char tmpl[] = "/tmp/berth-notify-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

TEST(SdNotifyTest, SendsReadyToAPathSocket) {
  std::string dir = TempDir();
  std::string path = dir + "/notify";
  UniqueFd listener = BindDatagram(path);
  ASSERT_TRUE(listener);
  ASSERT_TRUE(NotifyServiceManagerAt(path, "READY=1").ok());
  EXPECT_EQ(Receive(listener.get()), "READY=1");
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(SdNotifyTest, SendsToAnAbstractSocket) {
  std::string name = "@berth-notify-test-" + std::to_string(::getpid());
  UniqueFd listener = BindDatagram(name);
  ASSERT_TRUE(listener);
  ASSERT_TRUE(NotifyServiceManagerAt(name, "READY=1\nSTATUS=listening").ok());
  EXPECT_EQ(Receive(listener.get()), "READY=1\nSTATUS=listening");
}

TEST(SdNotifyTest, ReadsNotifySocketFromTheEnvironment) {
  std::string dir = TempDir();
  std::string path = dir + "/notify";
  UniqueFd listener = BindDatagram(path);
  ASSERT_TRUE(listener);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  Status st = NotifyServiceManager("READY=1");
  ::unsetenv("NOTIFY_SOCKET");
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Receive(listener.get()), "READY=1");
  // Unset: nothing to do, and not an error.
  EXPECT_TRUE(NotifyServiceManager("READY=1").ok());
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(SdNotifyTest, RefusesRelativePathsAndReportsAMissingSocket) {
  EXPECT_EQ(NotifyServiceManagerAt("relative/sock", "READY=1").code(), Code::kInvalidArgument);
  EXPECT_TRUE(NotifyServiceManagerAt("", "READY=1").ok());
  EXPECT_FALSE(NotifyServiceManagerAt("/nonexistent/berth/notify", "READY=1").ok());
}

}  // namespace
}  // namespace berth

#include "runtime/console_socket.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace berth::runtime {
namespace {

TEST(ConsoleSocketTest, ReceivesFdOverScmRights) {
  char tmpl[] = "/tmp/berth-cs-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/c.sock";
  auto listener = ListenUnix(path);
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  std::thread sender([&] {
    int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    ASSERT_EQ(::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_TRUE(SendFd(s, p[1]).ok());
    ::close(s);
  });
  auto fd = ReceiveFd(listener->get(), std::chrono::seconds(5), ::getuid());
  sender.join();
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  ::close(p[1]);
  ASSERT_EQ(::write(fd->get(), "x", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(p[0], &c, 1), 1);
  EXPECT_EQ(c, 'x');
  ::close(p[0]);
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(ConsoleSocketTest, RefusesUnexpectedPeerUid) {
  char tmpl[] = "/tmp/berth-cs-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/c.sock";
  auto listener = ListenUnix(path);
  ASSERT_TRUE(listener.ok());
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  auto fd = ReceiveFd(listener->get(), std::chrono::seconds(1), ::getuid() + 4242);
  EXPECT_EQ(fd.status().code(), Code::kPermissionDenied);
  ::close(s);
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(ConsoleSocketTest, TimesOut) {
  char tmpl[] = "/tmp/berth-cs-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto listener = ListenUnix(dir + "/c.sock");
  ASSERT_TRUE(listener.ok());
  EXPECT_EQ(ReceiveFd(listener->get(), std::chrono::milliseconds(50), 0).status().code(),
            Code::kUnavailable);
  ::unlink((dir + "/c.sock").c_str());
  ::rmdir(dir.c_str());
}

TEST(ConsoleSocketTest, PathTooLong) {
  EXPECT_EQ(ListenUnix("/tmp/" + std::string(200, 'x')).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::runtime

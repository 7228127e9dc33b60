// Root only (skipped otherwise): makes its own bridge and network
// namespace, with addresses in 10.252.<pid>.0/24, and removes both.
#include "net/link_wiring.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "common/random.h"
#include "common/unique_fd.h"
#include "net/test_netns.h"

namespace berth::net {
namespace {

// Runs `f` on a thread inside the namespace `ns`.
template <typename F>
void InNetns(int ns, F f) {
  std::thread t([&] {
    if (::setns(ns, CLONE_NEWNET) == 0) f();
  });
  t.join();
}

class LinkWiringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CAP_NET_ADMIN)";
    prefix_ = "10.252." + std::to_string(::getpid() % 250) + ".";
    bridge_ = "btw" + RandomHex(4);
    host_ = "vtw" + RandomHex(4);
  }
  void TearDown() override {
    if (::geteuid() != 0) return;
    EXPECT_TRUE(DeleteLink(host_).ok());
    EXPECT_TRUE(DeleteLink(bridge_).ok());
  }
  std::string prefix_, bridge_, host_;
};

TEST_F(LinkWiringTest, AVethInANamespaceReachesTheBridgeAndIsRemovedWithItsHostEnd) {
  ASSERT_TRUE(EnsureBridge(bridge_, prefix_ + "1/24").ok());
  ASSERT_TRUE(EnsureBridge(bridge_, prefix_ + "1/24").ok());  // idempotent
  UniqueFd ns = NewTestNetns();
  ASSERT_TRUE(ns.valid());
  const std::string path = NetnsFdPath(ns);
  Status s = WireVeth({host_, bridge_, path, "eth0", prefix_ + "2/24", prefix_ + "1"});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_NE(::if_nametoindex(host_.c_str()), 0u);
  std::string isolated;
  {
    UniqueFd f(::open(("/sys/class/net/" + host_ + "/brport/isolated").c_str(), O_RDONLY));
    char c = 0;
    if (f && ::read(f.get(), &c, 1) == 1) isolated = c;
  }
  EXPECT_EQ(isolated, "1");

  // A listener on the gateway address (host side) is reached from inside,
  // through eth0's address; the default route is checked by a UDP
  // connect() to TEST-NET-1, a route lookup that sends nothing.
  UniqueFd lst(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, (prefix_ + "1").c_str(), &a.sin_addr);
  ASSERT_EQ(::bind(lst.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(lst.get(), 1), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(lst.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
  bool connected = false, routed = false;
  std::string source;
  InNetns(ns.get(), [&] {
    UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    connected = ::connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    sockaddr_in self{};
    socklen_t n = sizeof self;
    if (connected && ::getsockname(c.get(), reinterpret_cast<sockaddr*>(&self), &n) == 0) {
      char buf[INET_ADDRSTRLEN] = {};
      source = ::inet_ntop(AF_INET, &self.sin_addr, buf, sizeof buf);
    }
    UniqueFd u(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in far{};
    far.sin_family = AF_INET;
    far.sin_port = htons(9);
    ::inet_pton(AF_INET, "192.0.2.1", &far.sin_addr);  // TEST-NET-1, nothing is sent
    routed = ::connect(u.get(), reinterpret_cast<sockaddr*>(&far), sizeof far) == 0;
  });
  EXPECT_TRUE(connected);
  EXPECT_EQ(source, prefix_ + "2");
  EXPECT_TRUE(routed) << "no default route inside";

  ASSERT_TRUE(DeleteLink(host_).ok());
  EXPECT_EQ(::if_nametoindex(host_.c_str()), 0u);
  bool inner_gone = false;
  InNetns(ns.get(), [&] { inner_gone = ::if_nametoindex("eth0") == 0; });
  EXPECT_TRUE(inner_gone) << "a veth pair goes as a whole";
  ASSERT_TRUE(DeleteLink(host_).ok());  // missing is fine
}

TEST_F(LinkWiringTest, ANamespaceThatIsGoneFailsWithoutAVeth) {
  ASSERT_TRUE(EnsureBridge(bridge_, prefix_ + "1/24").ok());
  Status s = WireVeth({host_, bridge_, "/proc/self/fd/999999", "eth0", prefix_ + "3/24",
                       prefix_ + "1"});
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(::if_nametoindex(host_.c_str()), 0u);
}

}  // namespace
}  // namespace berth::net

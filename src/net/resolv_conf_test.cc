#include "net/resolv_conf.h"

#include <gtest/gtest.h>

namespace berth::net {
namespace {

TEST(ResolvConfTest, HostNameserversWithoutLoopbackOnes) {
  auto r = BuildResolvConf(
      "# generated\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nnameserver ::1\n"
      "nameserver 2001:db8::53\nsearch example.org\noptions edns0\n",
      {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r,
            "# generated\nnameserver 192.0.2.53\nnameserver 2001:db8::53\nsearch example.org\n"
            "options edns0\n");
}

TEST(ResolvConfTest, GivenDnsReplacesTheHosts) {
  auto r = BuildResolvConf("nameserver 192.0.2.53\nsearch example.org\n", {"198.18.0.2", "fd00::1"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "nameserver 198.18.0.2\nnameserver fd00::1\n");
}

TEST(ResolvConfTest, RefusesANonAddress) {
  auto r = BuildResolvConf("", {"dns.example.org"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
}

TEST(ResolvConfTest, SplitsCommaListsAndRepeats) {
  EXPECT_EQ(SplitDnsList({"1.1.1.1,8.8.8.8", "9.9.9.9", ","}),
            (std::vector<std::string>{"1.1.1.1", "8.8.8.8", "9.9.9.9"}));
}

}  // namespace
}  // namespace berth::net

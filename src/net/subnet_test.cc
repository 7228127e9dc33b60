#include "net/subnet.h"

#include <gtest/gtest.h>

namespace berth::net {
namespace {

TEST(Ipv4SubnetTest, ParsesAndDerivesTheGateway) {
  auto s = Ipv4Subnet::Parse("10.213.0.0/16");
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->ToString(), "10.213.0.0/16");
  EXPECT_EQ(s->Gateway(), "10.213.0.1");
}

TEST(Ipv4SubnetTest, RefusesWhatIsNotASubnet) {
  for (const char* bad : {"", "10.0.0.0", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/33", "10.0.0.0/4",
                          "10.0.0.0/30", "10.0.0.1/16", "fd00::/64", "300.0.0.0/16", "10.0.0.0/016"}) {
    auto s = Ipv4Subnet::Parse(bad);
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) EXPECT_EQ(s.status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(Ipv4SubnetTest, HostBitsSuggestTheNetwork) {
  auto s = Ipv4Subnet::Parse("10.213.4.5/16");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("10.213.0.0/16"), std::string::npos);
}

}  // namespace
}  // namespace berth::net

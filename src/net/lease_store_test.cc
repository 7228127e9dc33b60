#include "net/lease_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/fs_util.h"
#include "common/random.h"

namespace berth::net {
namespace {

class LeaseStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("lease-test-" + RandomHex(6));
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  LeaseStore Store(const std::string& cidr) { return LeaseStore(dir_, *Ipv4Subnet::Parse(cidr)); }
  std::string dir_;
};

TEST_F(LeaseStoreTest, LeasesDistinctAddressesAfterTheGatewayInHostLocalsFormat) {
  LeaseStore s = Store("10.9.0.0/24");
  auto a = s.Acquire("sa", "eth0");
  auto b = s.Acquire("sb", "eth0");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, "10.9.0.2");
  EXPECT_EQ(*b, "10.9.0.3");
  // The files host-local itself writes and reads.
  EXPECT_EQ(*ReadFile(dir_ + "/10.9.0.2"), "sa\r\neth0");
  EXPECT_EQ(*ReadFile(dir_ + "/last_reserved_ip.0"), "10.9.0.3");
  EXPECT_EQ(s.Leases(), (std::map<std::string, std::string>{{"sa", "10.9.0.2"},
                                                             {"sb", "10.9.0.3"}}));
}

TEST_F(LeaseStoreTest, ReleaseFreesOnlyThatSessionAndIsIdempotent) {
  LeaseStore s = Store("10.9.0.0/24");
  ASSERT_TRUE(s.Acquire("sa", "eth0").ok());
  ASSERT_TRUE(s.Acquire("sb", "eth0").ok());
  ASSERT_TRUE(s.Release("sa").ok());
  ASSERT_TRUE(s.Release("sa").ok());
  ASSERT_TRUE(s.Release("never").ok());
  EXPECT_EQ(s.Leases(), (std::map<std::string, std::string>{{"sb", "10.9.0.3"}}));
}

TEST_F(LeaseStoreTest, RoundRobinWrapsAndSkipsTakenAddresses) {
  // /28: hosts .1 (gateway) to .14; sessions get .2 to .14, 13 addresses.
  LeaseStore s = Store("10.9.0.0/28");
  for (int i = 0; i < 13; ++i) ASSERT_TRUE(s.Acquire("s" + std::to_string(i), "eth0").ok()) << i;
  auto full = s.Acquire("over", "eth0");
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), Code::kUnavailable);
  ASSERT_TRUE(s.Release("s4").ok());  // 10.9.0.6
  auto again = s.Acquire("next", "eth0");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "10.9.0.6");
}

TEST_F(LeaseStoreTest, ALeaseFileWrittenByHostLocalIsRead) {
  LeaseStore s = Store("10.9.0.0/24");
  ASSERT_TRUE(MkdirAll(dir_).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/10.9.0.7", "old-session\r\neth0", 0600, false).ok());
  EXPECT_EQ(s.Leases().at("old-session"), "10.9.0.7");
  auto next = s.Acquire("new", "eth0");
  ASSERT_TRUE(next.ok());
  EXPECT_NE(*next, "10.9.0.7");
}

}  // namespace
}  // namespace berth::net

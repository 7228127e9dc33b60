// The root-only case makes its own bridge (btb<hex>), subnet
// (10.251.<pid>.0/24), firewall chains and network namespaces, and removes
// them all.
#include "net/bridge_network.h"

#include <gtest/gtest.h>
#include <net/if.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/random.h"
#include "common/subprocess.h"
#include "common/unique_fd.h"
#include "net/test_netns.h"

namespace berth::net {
namespace {

// The bridge's MAC address as sysfs shows it.
std::string BridgeMac(const std::string& bridge) {
  std::ifstream in("/sys/class/net/" + bridge + "/address");
  std::string mac;
  std::getline(in, mac);
  return mac;
}

TEST(BridgeSessionNetworkTest, HostVethNamesAreShortStableAndPerSession) {
  const std::string a = BridgeSessionNetwork::HostVethName("6f1c2d0e-aaaa-bbbb-cccc-0123456789ab");
  EXPECT_EQ(a.size(), 15u);  // IFNAMSIZ - 1
  EXPECT_TRUE(a.starts_with("veth")) << a;
  EXPECT_EQ(a, BridgeSessionNetwork::HostVethName("6f1c2d0e-aaaa-bbbb-cccc-0123456789ab"));
  EXPECT_NE(a, BridgeSessionNetwork::HostVethName("6f1c2d0e-aaaa-bbbb-cccc-0123456789ac"));
}

TEST(BridgeSessionNetworkTest, RefusesABadBridgeName) {
  BridgeNetworkOptions o;
  o.state_dir = "/nonexistent";
  o.bridge = "Bad Name";
  auto n = BridgeSessionNetwork::Open(o);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), Code::kInvalidArgument);
}

TEST(BridgeSessionNetworkTest, AttachDetachAndShutdownLeaveNothingBehind) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (links, iptables)";
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("bridge-net-test-" + RandomHex(6))).string();
  BridgeNetworkOptions o;
  o.state_dir = dir;
  o.bridge = "btb" + RandomHex(4);
  o.subnet = "10.251." + std::to_string(::getpid() % 250) + ".0/24";
  o.dns = {"198.18.0.53"};
  auto opened = BridgeSessionNetwork::Open(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto& n = **opened;
  EXPECT_NE(::if_nametoindex(o.bridge.c_str()), 0u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/berth.conflist"));

  const std::string bridge_mac = BridgeMac(o.bridge);
  UniqueFd ns1 = NewTestNetns(), ns2 = NewTestNetns();
  ASSERT_TRUE(ns1.valid() && ns2.valid());
  auto a = n.Attach("sess-a", NetnsFdPath(ns1));
  auto b = n.Attach("sess-b", NetnsFdPath(ns2));
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE(a->ip, b->ip);
  EXPECT_EQ(a->host_veth, BridgeSessionNetwork::HostVethName("sess-a"));
  EXPECT_EQ(n.AddressOf("sess-a"), a->ip);
  EXPECT_EQ(*n.LeasedIds(), (std::set<std::string>{"sess-a", "sess-b"}));
  // A second Attach of the same id fails (its veth name is taken); its
  // cleanup releases what that id held (ids are unique: never in berthd).
  EXPECT_FALSE(n.Attach("sess-a", NetnsFdPath(ns1)).ok());

  // The namespaces are still alive (held by fds, as by a process that
  // stayed): Detach removes the veth pair by its host name anyway.
  // The gateway's MAC (in every session's ARP cache) stays while ports come
  // and go: an unpinned bridge takes its lowest port's MAC.
  EXPECT_EQ(BridgeMac(o.bridge), bridge_mac);
  ASSERT_TRUE(n.Detach("sess-a", "").ok());
  EXPECT_EQ(BridgeMac(o.bridge), bridge_mac);
  ASSERT_TRUE(n.Detach("sess-b", "").ok());
  ASSERT_TRUE(n.Detach("sess-b", "").ok());  // idempotent
  EXPECT_EQ(::if_nametoindex(a->host_veth.c_str()), 0u);
  EXPECT_EQ(::if_nametoindex(b->host_veth.c_str()), 0u);
  EXPECT_TRUE(n.LeasedIds()->empty());
  EXPECT_EQ(n.AddressOf("sess-a"), "");

  ASSERT_TRUE(n.Shutdown().ok());
  EXPECT_EQ(::if_nametoindex(o.bridge.c_str()), 0u);
  SubprocessOptions save;
  save.argv = {"iptables-save"};
  auto rules = RunSubprocess(save);
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(rules->stdout_data.find(o.bridge), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace berth::net

#include "runtime/oci_spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace berth::runtime {
namespace {

using nlohmann::json;

ContainerSpec SampleSpec() {
  ContainerSpec s;
  s.id = "abc";
  s.rootfs = "/img/rootfs";
  s.hostname = "my-session";
  s.env = {"PATH=/usr/bin:/bin", "HOME=/home/work"};
  s.mounts = {{"/vol/a", "/home/work/a", false}, {"/vol/b", "/data/b", true}};
  s.resources.cpus = 1.5;
  s.resources.memory_bytes = 1 << 30;
  s.labels = {{"session", "my-session"}};
  return s;
}

json Build(const ContainerSpec& s) {
  OciConfigOptions o{"/b/rootfs", "/usr/bin/tini-static", "/b/etc", "/berth/abc", {}};
  return json::parse(BuildOciConfig(s, o));
}

TEST(OciSpecTest, ProcessIsUnprivileged) {
  json c = Build(SampleSpec());
  const json& p = c["process"];
  EXPECT_EQ(p["user"]["uid"], 1000);
  EXPECT_EQ(p["user"]["gid"], 1000);
  EXPECT_TRUE(p["noNewPrivileges"].get<bool>());
  for (const char* set : {"bounding", "effective", "inheritable", "permitted", "ambient"})
    EXPECT_TRUE(p["capabilities"][set].empty()) << set;
  EXPECT_EQ(p["args"][0], kInitTarget);
  EXPECT_EQ(p["cwd"], "/home/work");
  EXPECT_EQ(c["hostname"], "my-session");
  EXPECT_EQ(c["root"]["path"], "/b/rootfs");
}

TEST(OciSpecTest, SudoSpecKeepsEffectiveSetsEmpty) {
  ContainerSpec s = SampleSpec();
  s.no_new_privileges = false;
  s.bounding_capabilities = SudoBoundingCapabilities();
  json p = Build(s)["process"];
  EXPECT_FALSE(p["noNewPrivileges"].get<bool>());
  EXPECT_EQ(p["capabilities"]["bounding"].size(), SudoBoundingCapabilities().size());
  EXPECT_TRUE(p["capabilities"]["effective"].empty());
  for (const auto& cap : p["capabilities"]["bounding"]) {
    EXPECT_NE(cap, "CAP_SYS_ADMIN");
    EXPECT_NE(cap, "CAP_NET_RAW");
  }
}

TEST(OciSpecTest, UserNamespaceMapsRootToTheRangeBase) {
  OciConfigOptions o{"/b/rootfs", "/usr/bin/tini-static", "/b/etc", "/berth/abc", IdRange{}};
  json c = json::parse(BuildOciConfig(SampleSpec(), o));
  bool has_user = false;
  for (const auto& ns : c["linux"]["namespaces"]) has_user |= ns["type"] == "user";
  EXPECT_TRUE(has_user);
  const json want = json::array({{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}});
  EXPECT_EQ(c["linux"]["uidMappings"], want);
  EXPECT_EQ(c["linux"]["gidMappings"], want);
  for (const auto& m : c["mounts"]) {
    if (m["destination"] == "/sys") {
      EXPECT_EQ(m["type"], "bind");
      EXPECT_NE(std::find(m["options"].begin(), m["options"].end(), "ro"), m["options"].end());
    }
  }
  // Without one, no mappings (container root would be host root).
  EXPECT_FALSE(Build(SampleSpec())["linux"].contains("uidMappings"));
}

TEST(OciSpecTest, OwnNetworkNamespaceGetsItsOwnSysfs) {
  ContainerSpec s = SampleSpec();
  s.network_namespace = true;
  OciConfigOptions o{"/b/rootfs", "/usr/bin/tini-static", "/b/etc", "/berth/abc", IdRange{}};
  json c = json::parse(BuildOciConfig(s, o));
  int network = 0;
  for (const auto& ns : c["linux"]["namespaces"]) {
    network += ns["type"] == "network";
    EXPECT_FALSE(ns.contains("path"));  // runc makes it, inside the user namespace
  }
  EXPECT_EQ(network, 1);
  int sysfs = 0;
  for (const auto& m : c["mounts"]) {
    if (m["destination"] != "/sys") continue;
    ++sysfs;
    EXPECT_EQ(m["type"], "sysfs");
    EXPECT_NE(std::find(m["options"].begin(), m["options"].end(), "ro"), m["options"].end());
  }
  EXPECT_EQ(sysfs, 1);
}

TEST(OciSpecTest, MountsInOrderWithReadOnly) {
  json mounts = Build(SampleSpec())["mounts"];
  std::vector<std::string> dests;
  for (const auto& m : mounts) dests.push_back(m["destination"]);
  auto pos = [&](const std::string& d) {
    return std::find(dests.begin(), dests.end(), d) - dests.begin();
  };
  ASSERT_LT(pos("/home/work/a"), static_cast<long>(dests.size()));
  EXPECT_LT(pos("/home/work/a"), pos("/data/b"));
  EXPECT_LT(pos("/proc"), pos("/home/work/a"));
  for (const auto& m : mounts) {
    if (m["destination"] == "/data/b" || m["destination"] == kInitTarget) {
      auto opts = m["options"].get<std::vector<std::string>>();
      EXPECT_NE(std::find(opts.begin(), opts.end(), "ro"), opts.end());
      EXPECT_NE(std::find(opts.begin(), opts.end(), "nosuid"), opts.end());
    }
    if (m["destination"] == "/home/work/a") {
      EXPECT_EQ(m["source"], "/vol/a");
      EXPECT_EQ(m["type"], "bind");
    }
  }
}

TEST(OciSpecTest, ResourcesAndNamespaces) {
  json l = Build(SampleSpec())["linux"];
  EXPECT_EQ(l["resources"]["cpu"]["quota"], 150000);
  EXPECT_EQ(l["resources"]["cpu"]["period"], 100000);
  EXPECT_EQ(l["resources"]["memory"]["limit"], 1 << 30);
  EXPECT_EQ(l["resources"]["pids"]["limit"], 4096);
  EXPECT_EQ(l["cgroupsPath"], "/berth/abc");
  // network_namespace unset: the host's network (tests of the runtime only)
  for (const auto& ns : l["namespaces"]) EXPECT_NE(ns["type"], "network");
  EXPECT_FALSE(l["maskedPaths"].empty());
  EXPECT_FALSE(l["readonlyPaths"].empty());
  EXPECT_EQ(Build(SampleSpec())["annotations"]["berth.label.session"], "my-session");
}

TEST(OciSpecTest, NoLimitsWhenUnset) {
  ContainerSpec s = SampleSpec();
  s.resources = {};
  json r = Build(s)["linux"]["resources"];
  EXPECT_FALSE(r.contains("cpu"));
  EXPECT_FALSE(r.contains("memory"));
}

TEST(OciSpecTest, SeccompDeniesDangerousSyscalls) {
  json sc = json::parse(DefaultSeccompProfileJson());
  EXPECT_EQ(sc["defaultAction"], "SCMP_ACT_ALLOW");
  std::set<std::string> denied;
  bool clone_newuser = false;
  for (const auto& rule : sc["syscalls"]) {
    EXPECT_EQ(rule["action"], "SCMP_ACT_ERRNO");
    for (const auto& n : rule["names"]) {
      if (!rule.contains("args")) denied.insert(n);
      if (n == "clone" && rule["args"][0]["value"] == 0x10000000) clone_newuser = true;
    }
  }
  for (const char* s :
       {"mount", "unshare", "setns", "bpf", "kexec_load", "init_module", "keyctl", "reboot"}) {
    EXPECT_TRUE(denied.count(s)) << s;
  }
  EXPECT_FALSE(denied.count("ptrace"));  // allowed, like Docker on kernels >= 4.8
  EXPECT_TRUE(denied.count("clone3"));
  EXPECT_TRUE(clone_newuser);
}

}  // namespace
}  // namespace berth::runtime

#include "runtime/docker_userns.h"

#include <gtest/gtest.h>

namespace berth::runtime {
namespace {

TEST(DockerUsernsFromInfo, NoRemapIsNullopt) {
  auto r = DockerUsernsFromInfo(
      R"({"SecurityOptions":["name=seccomp,profile=default"],"DockerRootDir":"/var/lib/docker"})",
      65536);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->has_value());
  r = DockerUsernsFromInfo(R"({"DockerRootDir":"/var/lib/docker"})", 65536);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(DockerUsernsFromInfo, RemapBaseFromDockerRootDir) {
  auto r = DockerUsernsFromInfo(
      R"({"SecurityOptions":["name=seccomp,profile=default","name=userns"],)"
      R"("DockerRootDir":"/tmp/berth-dockerd/data/100000.100000"})",
      65536);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->base, 100000u);
  EXPECT_EQ((*r)->size, 65536u);
}

TEST(DockerUsernsFromInfo, RefusesWhatItCannotMap) {
  const char* bad[] = {
      R"({"SecurityOptions":["name=userns"],"DockerRootDir":"/var/lib/docker/100000.200000"})",
      R"({"SecurityOptions":["name=userns"],"DockerRootDir":"/var/lib/docker"})",
      R"({"SecurityOptions":["name=userns"],"DockerRootDir":"/var/lib/docker/1.x"})",
      R"({"SecurityOptions":["name=userns"]})",
  };
  for (const char* info : bad) {
    auto r = DockerUsernsFromInfo(info, 65536);
    ASSERT_FALSE(r.ok()) << info;
    EXPECT_EQ(r.status().code(), Code::kFailedPrecondition) << info;
  }
  EXPECT_EQ(DockerUsernsFromInfo("not json", 65536).status().code(), Code::kInternal);
}

TEST(DockerNetworkMode, HostUnlessRemapped) {
  EXPECT_STREQ(DockerNetworkMode(false), "host");
  EXPECT_STREQ(DockerNetworkMode(true), "none");
}

}  // namespace
}  // namespace berth::runtime

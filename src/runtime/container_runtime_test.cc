#include "runtime/container_runtime.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace berth::runtime {
namespace {

TEST(ContainerStateNameTest, EveryStateHasItsOwnName) {
  const struct {
    ContainerState state;
    const char* name;
  } kCases[] = {
      {ContainerState::kCreating, "creating"}, {ContainerState::kCreated, "created"},
      {ContainerState::kRunning, "running"},   {ContainerState::kPaused, "paused"},
      {ContainerState::kStopped, "stopped"},   {ContainerState::kMissing, "missing"},
  };
  std::set<std::string> seen;
  for (const auto& c : kCases) {
    EXPECT_STREQ(ContainerStateName(c.state), c.name);
    EXPECT_TRUE(seen.insert(c.name).second) << c.name;
  }
  // A value outside the enum (e.g. from a corrupt cast) is not a crash.
  EXPECT_STREQ(ContainerStateName(static_cast<ContainerState>(99)), "unknown");
}

TEST(IsValidContainerIdTest, AcceptsTheDocumentedAlphabet) {
  for (const char* id : {"a", "Z", "0", "s-1", "abc_DEF.ghi-123", "9.9.9"}) {
    EXPECT_TRUE(IsValidContainerId(id)) << id;
  }
  EXPECT_TRUE(IsValidContainerId(std::string(128, 'a')));
}

TEST(IsValidContainerIdTest, RejectsEverythingElse) {
  for (const char* id : {"", "-a", ".a", "_a", "a/b", "../x", "a b", "a:b", "a\nb", "é"}) {
    EXPECT_FALSE(IsValidContainerId(id)) << id;
  }
  EXPECT_FALSE(IsValidContainerId(std::string(129, 'a')));
  EXPECT_FALSE(IsValidContainerId(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace berth::runtime

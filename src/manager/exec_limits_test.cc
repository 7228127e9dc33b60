#include "manager/exec_limits.h"

#include <gtest/gtest.h>

namespace berth::manager {
namespace {

TEST(ExecTimeoutTest, SpecSection5) {
  ExecLimits limits{/*default_timeout_s=*/600, /*max_timeout_s=*/3600};
  struct Case {
    std::optional<uint64_t> requested;
    int64_t want_ms;  // -1: invalid_timeout
  } cases[] = {
      {std::nullopt, 600000}, {1, 1000},  {3600, 3600000},
      {0, -1},  // "never" is not allowed: it held a worker forever
      {3601, -1}, {UINT64_MAX, -1},
  };
  for (const auto& c : cases) {
    auto t = ExecTimeout(c.requested, limits);
    if (c.want_ms < 0) {
      ASSERT_FALSE(t.ok()) << c.requested.value_or(0);
      EXPECT_EQ(t.status().reason(), "invalid_timeout");
    } else {
      ASSERT_TRUE(t.ok()) << t.status().ToString();
      EXPECT_EQ(t->count(), c.want_ms);
    }
  }
}

}  // namespace
}  // namespace berth::manager

#include "http/connection_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace berth::http {
namespace {

TEST(ConnectionLimiterTest, PerClientCapLeavesOtherClientsServed) {
  ConnectionLimiter limiter(/*max_total=*/10, /*max_per_client=*/2);
  auto a1 = limiter.TryAcquire("10.0.0.1");
  auto a2 = limiter.TryAcquire("10.0.0.1");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(limiter.TryAcquire("10.0.0.1"));
  EXPECT_TRUE(limiter.TryAcquire("10.0.0.2"));  // released again at once
  EXPECT_EQ(limiter.open(), 2u);
  a1.reset();
  EXPECT_TRUE(limiter.TryAcquire("10.0.0.1"));
}

TEST(ConnectionLimiterTest, GlobalCap) {
  ConnectionLimiter limiter(/*max_total=*/3, /*max_per_client=*/0);
  std::vector<ConnectionLimiter::Slot> held;
  for (int i = 0; i < 3; ++i) {
    auto s = limiter.TryAcquire("10.0.0." + std::to_string(i));
    ASSERT_TRUE(s);
    held.push_back(std::move(*s));
  }
  EXPECT_FALSE(limiter.TryAcquire("10.0.0.9"));
  held.pop_back();
  EXPECT_TRUE(limiter.TryAcquire("10.0.0.9"));
}

TEST(ConnectionLimiterTest, MovedSlotReleasesOnce) {
  ConnectionLimiter limiter(1, 1);
  {
    auto s = limiter.TryAcquire("a");
    ASSERT_TRUE(s);
    ConnectionLimiter::Slot moved(std::move(*s));
    s.reset();  // the moved-from slot releases nothing
    EXPECT_EQ(limiter.open(), 1u);
  }
  EXPECT_EQ(limiter.open(), 0u);
  EXPECT_TRUE(limiter.TryAcquire("a"));
}

}  // namespace
}  // namespace berth::http

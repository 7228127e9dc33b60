#include "manager/exec_slots.h"

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "manager/rest/handler_util.h"

namespace berth::manager {
namespace {

// Each step acquires (or, with release >= 0, releases the slot taken at step
// `release`) and says whether an acquire must succeed.
TEST(ExecSlotsTest, PerUserCap) {
  struct Step {
    const char* user;
    int release;  // -1: acquire; else: drop the slot of that step
    bool want_ok;
  };
  struct Case {
    const char* name;
    int64_t cap;
    int64_t total;
    std::vector<Step> steps;
  } cases[] = {
      {"one allowed, second refused", 1, 8, {{"a", -1, true}, {"a", -1, false}}},
      {"cap is per user", 1, 8, {{"a", -1, true}, {"b", -1, true}, {"a", -1, false}}},
      {"global cap across users", 2, 3,
       {{"a", -1, true}, {"b", -1, true}, {"c", -1, true}, {"d", -1, false}, {"a", -1, false}}},
      {"global release lets another user in", 1, 2,
       {{"a", -1, true}, {"b", -1, true}, {"c", -1, false}, {"a", 0, true}, {"c", -1, true},
        {"d", -1, false}}},
      {"release frees a slot", 2, 8,
       {{"a", -1, true}, {"a", -1, true}, {"a", -1, false}, {"a", 0, true}, {"a", -1, true},
        {"a", -1, false}}},
      {"refusal takes no slot", 1, 8, {{"a", -1, true}, {"a", -1, false}, {"a", 0, true},
                                    {"a", -1, true}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ExecSlots slots(c.cap, c.total);
    std::vector<std::optional<ExecSlots::Slot>> held(c.steps.size());
    for (size_t i = 0; i < c.steps.size(); ++i) {
      const Step& s = c.steps[i];
      if (s.release >= 0) {
        held[s.release].reset();
        continue;
      }
      auto r = slots.Acquire(s.user);
      ASSERT_EQ(r.ok(), s.want_ok) << "step " << i;
      if (r.ok()) {
        held[i].emplace(std::move(r).value());
      } else {
        EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
        EXPECT_EQ(r.status().reason(), "too_many_execs");
      }
      EXPECT_LE(slots.InUse(s.user), c.cap);
      EXPECT_LE(slots.TotalInUse(), c.total);
    }
    held.clear();
    EXPECT_EQ(slots.InUse("a"), 0);
    EXPECT_EQ(slots.InUse("b"), 0);
    EXPECT_EQ(slots.TotalInUse(), 0);
  }
}

TEST(ExecSlotsTest, MovedSlotReleasesOnce) {
  ExecSlots slots(1, 4);
  {
    auto r = slots.Acquire("a");
    ASSERT_TRUE(r.ok());
    ExecSlots::Slot moved = std::move(r).value();
    ExecSlots::Slot again = std::move(moved);
    EXPECT_EQ(slots.InUse("a"), 1);
  }
  EXPECT_EQ(slots.InUse("a"), 0);
  EXPECT_TRUE(slots.Acquire("a").ok());
}

// Many threads of two users acquire and release at once: a user never holds
// more than the cap, and every slot comes back.
TEST(ExecSlotsTest, ConcurrentAcquireRelease) {
  constexpr int64_t kCap = 3;
  constexpr int kThreads = 16;
  constexpr int kRounds = 2000;
  ExecSlots slots(kCap, 2 * kCap);
  std::atomic<int64_t> holding[2] = {0, 0};
  std::atomic<int64_t> most[2] = {0, 0};
  std::atomic<int64_t> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const int u = t % 2;
      const std::string user = u == 0 ? "a" : "b";
      for (int i = 0; i < kRounds; ++i) {
        auto r = slots.Acquire(user);
        if (!r.ok()) continue;
        ++granted;
        int64_t now = ++holding[u];
        int64_t seen = most[u].load();
        while (now > seen && !most[u].compare_exchange_weak(seen, now)) {
        }
        --holding[u];  // before the Slot in `r` is released
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(most[0].load(), kCap);
  EXPECT_LE(most[1].load(), kCap);
  EXPECT_GT(granted.load(), 0);
  EXPECT_EQ(slots.InUse("a"), 0);
  EXPECT_EQ(slots.InUse("b"), 0);
}

// Sixteen users race for a global cap smaller than their caps together:
// never more than the global cap at once, and every slot comes back.
TEST(ExecSlotsTest, ConcurrentGlobalCap) {
  constexpr int64_t kTotal = 5;
  constexpr int kThreads = 16;
  constexpr int kRounds = 2000;
  ExecSlots slots(2, kTotal);
  std::atomic<int64_t> holding{0}, most{0}, granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string user = "u" + std::to_string(t);
      for (int i = 0; i < kRounds; ++i) {
        auto r = slots.Acquire(user);
        if (!r.ok()) continue;
        ++granted;
        int64_t now = ++holding;
        int64_t seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        --holding;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(most.load(), kTotal);
  EXPECT_GT(granted.load(), 0);
  EXPECT_EQ(slots.TotalInUse(), 0);
}

// SPEC §5: the refusal is a 429 with Retry-After, not the 413 other
// ResourceExhausted errors get.
TEST(ExecSlotsTest, RefusalIs429WithRetryAfter) {
  ExecSlots slots(1, 4);
  auto held = slots.Acquire("a");
  ASSERT_TRUE(held.ok());
  auto refused = slots.Acquire("a");
  ASSERT_FALSE(refused.ok());
  http::Response resp = ErrorResponse(refused.status());
  EXPECT_EQ(resp.status, 429);
  std::string retry_after;
  for (const auto& [name, value] : resp.headers) {
    if (name == "Retry-After") retry_after = value;
  }
  EXPECT_EQ(retry_after, std::to_string(ExecSlots::kRetryAfterSeconds));
}

}  // namespace
}  // namespace berth::manager

#include "manager/clone_runner.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace berth::manager {
namespace {

TEST(CloneRunnerTest, RunsJobsInTheBackground) {
  CloneRunner runner(2, 8);
  std::promise<bool> done;
  ASSERT_TRUE(runner.Submit([&](const std::atomic<bool>& stop) { done.set_value(stop.load()); })
                  .ok());
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(f.get());
}

TEST(CloneRunnerTest, RefusesPastTheQueueBoundAndStopsQueuedJobsOnDestruction) {
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0}, stopped{0};
  std::thread opener;
  {
    CloneRunner runner(1, 2);
    std::promise<void> started;
    ASSERT_TRUE(runner
                    .Submit([&](const std::atomic<bool>&) {
                      started.set_value();
                      gate.wait();
                      ++ran;
                    })
                    .ok());
    ASSERT_EQ(started.get_future().wait_for(std::chrono::seconds(10)),
              std::future_status::ready);
    auto queued = [&](const std::atomic<bool>& stop) {
      ++ran;
      if (stop) ++stopped;
    };
    ASSERT_TRUE(runner.Submit(queued).ok());
    ASSERT_TRUE(runner.Submit(queued).ok());
    Status busy = runner.Submit(queued);
    EXPECT_EQ(busy.code(), Code::kUnavailable);
    EXPECT_EQ(busy.reason(), "clone_busy");
    // The destructor below sets the stop flag at once; the gate opens from
    // another thread a moment later, while the destructor joins.
    opener = std::thread([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      release.set_value();
    });
  }
  opener.join();
  EXPECT_EQ(ran.load(), 3);
  EXPECT_EQ(stopped.load(), 2);
}

}  // namespace
}  // namespace berth::manager

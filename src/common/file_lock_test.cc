#include "common/file_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>
#include <thread>

#include "common/random.h"

namespace berth {
namespace {

TEST(FileLockTest, ASecondHolderWaitsUntilTheFirstLetsGo) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("file-lock-test-" + RandomHex(6))).string();
  std::optional<FileLock> first;
  {
    auto l = FileLock::Acquire(path);
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    first.emplace(std::move(*l));
  }
  std::atomic<bool> second_held{false};
  std::thread t([&] {
    auto l = FileLock::Acquire(path);  // its own open file description: blocks
    second_held = l.ok();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(second_held.load());
  first.reset();
  t.join();
  EXPECT_TRUE(second_held.load());
  std::filesystem::remove(path);
}

TEST(FileLockTest, AMissingDirectoryIsAnError) {
  EXPECT_FALSE(FileLock::Acquire("/nonexistent-berth-dir/lock").ok());
}

}  // namespace
}  // namespace berth

#include "runtime/log_trim.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/fs_util.h"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

class LogTrimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("berth-logtrim-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "c1");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LogTrimTest, SmallLogIsLeftAlone) {
  const std::string p = dir_ / "c1" / "container.log";
  ASSERT_TRUE(WriteFileAtomic(p, "hello\n").ok());
  ASSERT_TRUE(TrimLogFile(p, 100).ok());
  EXPECT_EQ(*ReadFile(p), "hello\n");
}

TEST_F(LogTrimTest, MissingLogIsFine) {
  EXPECT_TRUE(TrimLogFile(dir_ / "nope" / "container.log", 100).ok());
}

TEST_F(LogTrimTest, LargeLogKeepsItsNewestHalfCap) {
  const std::string p = dir_ / "c1" / "container.log";
  std::string text;
  for (int i = 0; i < 1000; ++i) text += std::to_string(i % 10);
  ASSERT_TRUE(WriteFileAtomic(p, text).ok());
  ASSERT_TRUE(TrimLogFile(p, 100).ok());
  EXPECT_EQ(*ReadFile(p), text.substr(950));
}

TEST_F(LogTrimTest, TrimmerCutsEveryContainersLog) {
  fs::create_directories(dir_ / "c2");
  const std::string big(5000, 'x');
  ASSERT_TRUE(WriteFileAtomic(dir_ / "c1" / "container.log", big).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ / "c2" / "container.log", big).ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ / "c2" / "other.log", big).ok());
  {
    LogTrimmer t(dir_, "container.log", 1000, std::chrono::hours(1));
    t.TrimAll();
  }
  EXPECT_EQ(fs::file_size(dir_ / "c1" / "container.log"), 500u);
  EXPECT_EQ(fs::file_size(dir_ / "c2" / "container.log"), 500u);
  EXPECT_EQ(fs::file_size(dir_ / "c2" / "other.log"), 5000u);
}

}  // namespace
}  // namespace berth::runtime

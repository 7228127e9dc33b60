#include "manager/readiness.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/random.h"

namespace berth::manager {
namespace {

namespace fs = std::filesystem;

class ReadinessDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("berth-ready-" + RandomHex(6));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(ReadinessDir, WritableDirectoryIsReadyAndLeavesNothing) {
  ReadinessCheck c = Readiness::CheckDirectory("volume:x", dir_);
  EXPECT_TRUE(c.ok) << c.message;
  EXPECT_EQ(c.name, "volume:x");
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(ReadinessDir, MissingDirectoryIsNotReady) {
  ReadinessCheck c = Readiness::CheckDirectory("volume:x", (dir_ / "gone").string());
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.message.find("gone"), std::string::npos) << c.message;
}

TEST_F(ReadinessDir, FileIsNotADirectory) {
  std::ofstream(dir_ / "f") << "x";
  ReadinessCheck c = Readiness::CheckDirectory("volume:x", (dir_ / "f").string());
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.message.find("not a directory"), std::string::npos) << c.message;
}

}  // namespace
}  // namespace berth::manager

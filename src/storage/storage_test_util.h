// Test helpers for the storage tests: a fixture that owns a fresh mkdtemp
// directory (removed in TearDown, even after a failed assertion) and small
// file helpers that use plain paths (tests set up the adversarial layout
// directly, bypassing the code under test).
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace berth::storage {

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Absolute path of `rel` inside the temp directory.
  std::string Path(const std::string& rel) const { return dir_ + "/" + rel; }

  std::string dir_;
};

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);
bool Exists(const std::string& path);  // lstat succeeds
bool IsSymlink(const std::string& path);

}  // namespace berth::storage

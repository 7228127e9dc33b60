// SecureDataDir: new and old deployments end with the same modes.
#include "manager/file_modes.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace berth::manager {
namespace {

unsigned Mode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST(FileModesTest, CreatesAndFixesModes) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/file-modes-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl + "/data";
  // New deployment.
  ASSERT_TRUE(SecureDataDir(dir).ok());
  EXPECT_EQ(Mode(dir), 0711u);
  EXPECT_EQ(Mode(dir + "/berth.db"), 0600u);
  // An older one: world-readable files are fixed.
  ::chmod(dir.c_str(), 0755);
  for (const char* f : {"berth.db", "berth.db-wal", "audit.log", "admin.token"}) {
    std::ofstream(dir + "/" + f) << "x";
    ::chmod((dir + "/" + f).c_str(), 0644);
  }
  ASSERT_TRUE(SecureDataDir(dir).ok());
  EXPECT_EQ(Mode(dir), 0711u);
  for (const char* f : {"berth.db", "berth.db-wal", "audit.log", "admin.token"}) {
    EXPECT_EQ(Mode(dir + "/" + f), 0600u) << f;
  }
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}

// With the store in PostgreSQL (--store) no empty berth.db is left to
// suggest the data is here; the other files still get their modes.
TEST(FileModesTest, NoDatabaseFileForAnotherStore) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/file-modes-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
  const std::string dir = tmpl + "/data";
  ASSERT_TRUE(SecureDataDir(dir, /*sqlite_store=*/false).ok());
  EXPECT_EQ(Mode(dir), 0711u);
  EXPECT_FALSE(std::filesystem::exists(dir + "/berth.db"));
  std::ofstream(dir + "/audit.log") << "x";
  ::chmod((dir + "/audit.log").c_str(), 0644);
  ASSERT_TRUE(SecureDataDir(dir, false).ok());
  EXPECT_EQ(Mode(dir + "/audit.log"), 0600u);
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}

}  // namespace
}  // namespace berth::manager

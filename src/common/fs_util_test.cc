#include "common/fs_util.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace berth {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/berth-fs-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

TEST(FsUtilTest, CleanPath) {
  EXPECT_EQ(CleanPath("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(CleanPath("/"), "/");
  EXPECT_EQ(CleanPath("a/../b"), "a/../b");
  EXPECT_EQ(CleanPath("./x"), "x");
}

TEST(FsUtilTest, WriteReadAndRemoveTree) {
  std::string d = TempDir();
  ASSERT_TRUE(MkdirAll(d + "/x/y/z").ok());
  ASSERT_TRUE(WriteFileAtomic(d + "/x/y/z/f", "hello", 0600).ok());
  auto r = ReadFile(d + "/x/y/z/f");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "hello");
  // A symlink to outside must be removed, not followed.
  std::string outside = TempDir();
  ASSERT_TRUE(WriteFileAtomic(outside + "/keep", "k").ok());
  ASSERT_EQ(::symlink(outside.c_str(), (d + "/x/link").c_str()), 0);
  ASSERT_TRUE(RemoveTree(d).ok());
  EXPECT_FALSE(std::filesystem::exists(d));
  EXPECT_TRUE(std::filesystem::exists(outside + "/keep"));
  EXPECT_TRUE(RemoveTree(outside).ok());
  EXPECT_TRUE(RemoveTree(outside).ok());  // missing is fine
  EXPECT_EQ(ReadFile(outside + "/nope").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace berth

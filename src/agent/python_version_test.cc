#include "agent/python_version.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/fs_util.h"

namespace berth::agent {
namespace {

class PythonVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-pyver-test-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    ASSERT_TRUE(MkdirAll(root_ + "/usr/bin").ok());
    ASSERT_TRUE(MkdirAll(root_ + "/usr/lib").ok());
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(root_).ok()); }
  void Lib(const std::string& name) {
    ASSERT_TRUE(MkdirAll(root_ + "/usr/lib/" + name).ok());
    ASSERT_TRUE(WriteFileAtomic(root_ + "/usr/lib/" + name + "/os.py", "", 0644).ok());
  }
  std::string root_;
};

TEST_F(PythonVersionTest, FromTheSymlink) {
  ASSERT_EQ(::symlink("python3.13", (root_ + "/usr/bin/python3").c_str()), 0);
  EXPECT_EQ(DetectPython3Version(root_), "3.13");
}

TEST_F(PythonVersionTest, FromUsrLibTheHighestWithOsPy) {
  Lib("python3.9");
  Lib("python3.11");
  ASSERT_TRUE(MkdirAll(root_ + "/usr/lib/python3.12").ok());  // no os.py: not a stdlib
  EXPECT_EQ(DetectPython3Version(root_), "3.11");
}

TEST_F(PythonVersionTest, NoneAndTheUserBase) {
  EXPECT_EQ(DetectPython3Version(root_), std::nullopt);
  EXPECT_EQ(DetectPython3Version(root_ + "/missing"), std::nullopt);
  // A symlink out of the root does not count.
  ASSERT_EQ(::symlink("/usr/lib", (root_ + "/usr/lib2").c_str()), 0);
  EXPECT_EQ(PerVersionUserBase("3.11"), "/home/work/.local/py3.11");
}

}  // namespace
}  // namespace berth::agent

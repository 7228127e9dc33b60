#include "agent/python_versions.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/fs_util.h"

namespace berth::agent {
namespace {

class PythonVersionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-pyver-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(dir_).ok()); }
  std::string dir_;
};

TEST_F(PythonVersionsTest, ImageVersionFromThePython3Link) {
  const std::string root = dir_ + "/rootfs";
  ASSERT_TRUE(MkdirAll(root + "/usr/bin").ok());
  EXPECT_EQ(ImagePythonVersion(root), "");
  ASSERT_EQ(::symlink("python3.11", (root + "/usr/bin/python3").c_str()), 0);
  EXPECT_EQ(ImagePythonVersion(root), "3.11");
  // Official python images: /usr/local/bin/python3 -> python3.12.
  const std::string other = dir_ + "/other";
  ASSERT_TRUE(MkdirAll(other + "/usr/local/bin").ok());
  ASSERT_EQ(::symlink("/usr/local/bin/python3.12", (other + "/usr/local/bin/python3").c_str()), 0);
  EXPECT_EQ(ImagePythonVersion(other), "3.12");
  // A link that says nothing about a version, and an absent rootfs.
  const std::string odd = dir_ + "/odd";
  ASSERT_TRUE(MkdirAll(odd + "/usr/bin").ok());
  ASSERT_EQ(::symlink("python3.x", (odd + "/usr/bin/python3").c_str()), 0);
  EXPECT_EQ(ImagePythonVersion(odd), "");
  EXPECT_EQ(ImagePythonVersion(dir_ + "/nope"), "");
}

TEST_F(PythonVersionsTest, UserSiteVersionsNeedSitePackagesAndStayInTheFolder) {
  const std::string local = dir_ + "/local";
  ASSERT_TRUE(MkdirAll(local + "/lib/python3.11/site-packages").ok());
  ASSERT_TRUE(MkdirAll(local + "/lib/python3.9/site-packages").ok());
  ASSERT_TRUE(MkdirAll(local + "/lib/python3.13").ok());  // no site-packages
  ASSERT_TRUE(MkdirAll(local + "/lib/python3.x/site-packages").ok());
  EXPECT_EQ(UserSitePythonVersions(local), (std::vector<std::string>{"3.9", "3.11"}));
  EXPECT_TRUE(UserSitePythonVersions(dir_ + "/none").empty());
  // A user's `lib` link to a host directory is read inside the folder.
  const std::string host = dir_ + "/host";
  ASSERT_TRUE(MkdirAll(host + "/lib/python3.7/site-packages").ok());
  const std::string evil = dir_ + "/evil";
  ASSERT_TRUE(MkdirAll(evil).ok());
  ASSERT_EQ(::symlink((host + "/lib").c_str(), (evil + "/lib").c_str()), 0);
  EXPECT_TRUE(UserSitePythonVersions(evil).empty());
}

TEST(PythonVersionNoticeTest, SaysWhichOtherVersionsHavePackages) {
  EXPECT_EQ(PythonVersionNotice("3.11", {}), "");
  EXPECT_EQ(PythonVersionNotice("3.11", {"3.11"}), "");
  EXPECT_EQ(PythonVersionNotice("", {"3.9"}), "");
  const std::string one = PythonVersionNotice("3.11", {"3.9", "3.11"});
  EXPECT_NE(one.find("runs Python 3.11"), std::string::npos) << one;
  EXPECT_NE(one.find("packages of Python 3.9 (lib/python3.9)"), std::string::npos) << one;
  EXPECT_NE(one.find("/home/work/.local/bin may belong to Python 3.9"), std::string::npos) << one;
  const std::string two = PythonVersionNotice("3.13", {"3.9", "3.11"});
  EXPECT_NE(two.find("Pythons 3.9 and 3.11 (lib/python3.9, lib/python3.11)"), std::string::npos)
      << two;
}

TEST(PerVersionUserBaseTest, IsUnderLocal) {
  EXPECT_EQ(PerVersionUserBase("3.11"), "/home/work/.local/py3.11");
  EXPECT_EQ(PerVersionUserBase("3.13"), "/home/work/.local/py3.13");
}

}  // namespace
}  // namespace berth::agent

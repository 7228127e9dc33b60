#include "agent/scratch_home.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "common/fs_util.h"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

class ScratchHomeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-home-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    uid_ = ::geteuid() == 0 ? 1000 : ::geteuid();
    gid_ = ::geteuid() == 0 ? 1000 : ::getegid();
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(dir_).ok()); }
  std::string dir_;
  uid_t uid_;
  gid_t gid_;
};

TEST_F(ScratchHomeTest, CopiesSkeletonAndWritesNotice) {
  std::string root = dir_ + "/rootfs";
  ASSERT_TRUE(MkdirAll(root + "/etc/skel/.config/app").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/etc/skel/.bashrc", "# rc\n", 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/etc/skel/.config/app/x", "x").ok());
  ASSERT_EQ(::symlink("/etc/shadow", (root + "/etc/skel/link").c_str()), 0);
  ASSERT_EQ(::mkfifo((root + "/etc/skel/fifo").c_str(), 0600), 0);
  std::string home = dir_ + "/home";
  ASSERT_TRUE(
      CreateScratchHome(root, "/etc/skel", home, uid_, gid_, NoticeText("s1", {"/home/work/data"}))
          .ok());
  EXPECT_EQ(*ReadFile(home + "/.bashrc"), "# rc\n");
  EXPECT_EQ(*ReadFile(home + "/.config/app/x"), "x");
  EXPECT_TRUE(fs::is_symlink(home + "/link"));  // copied as a link, not followed
  EXPECT_FALSE(fs::exists(home + "/fifo"));
  auto notice = ReadFile(home + "/" + kNoticeFileName);
  ASSERT_TRUE(notice.ok());
  EXPECT_NE(notice->find("/home/work/data"), std::string::npos);
  struct stat st;
  ASSERT_EQ(::lstat((home + "/.config/app/x").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid_);
  ASSERT_EQ(::stat(home.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid_);
}

TEST_F(ScratchHomeTest, SkeletonSymlinkStaysInsideRoot) {
  // An imported image whose /etc/skel points at "/" must copy the image's
  // root, not the host's.
  std::string root = dir_ + "/rootfs";
  ASSERT_TRUE(MkdirAll(root + "/etc").ok());
  ASSERT_TRUE(WriteFileAtomic(root + "/marker", "image").ok());
  ASSERT_EQ(::symlink("/", (root + "/etc/skel").c_str()), 0);
  std::string home = dir_ + "/home";
  ASSERT_TRUE(CreateScratchHome(root, "/etc/skel", home, uid_, gid_, "n").ok());
  EXPECT_EQ(*ReadFile(home + "/marker"), "image");
  EXPECT_FALSE(fs::exists(home + "/proc"));
}

TEST_F(ScratchHomeTest, MissingSkeletonGivesEmptyHome) {
  ASSERT_TRUE(MkdirAll(dir_ + "/rootfs").ok());
  ASSERT_TRUE(CreateScratchHome(dir_ + "/rootfs", "/etc/skel", dir_ + "/home", uid_, gid_,
                                NoticeText("s", {}))
                  .ok());
  EXPECT_NE(ReadFile(dir_ + "/home/" + kNoticeFileName)->find("none"), std::string::npos);
  EXPECT_FALSE(CreateScratchHome(dir_ + "/rootfs", "/etc/skel", dir_ + "/home", uid_, gid_, "")
                   .ok());  // exists already
}

}  // namespace
}  // namespace berth::agent

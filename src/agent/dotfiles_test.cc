#include "agent/dotfiles.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/fs_util.h"

namespace berth::agent {
namespace {

class DotfilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-dotfiles-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    home_ = dir_ + "/home";
    ASSERT_EQ(::mkdir(home_.c_str(), 0755), 0);
    uid_ = ::geteuid() == 0 ? 1000 : ::geteuid();
    gid_ = ::geteuid() == 0 ? 1000 : ::getegid();
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(dir_).ok()); }
  std::string Read(const std::string& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  struct stat Lstat(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st;
  }
  std::string dir_, home_;
  uid_t uid_;
  gid_t gid_;
};

TEST_F(DotfilesTest, WritesFilesWithModesOwnersAndParents) {
  ASSERT_TRUE(WriteFileAtomic(home_ + "/.bashrc", "# skeleton\n", 0644).ok());
  auto r = WriteDotfiles(home_,
                         {{".bashrc", 0644, "export X=1\n"},
                          {".ssh/authorized_keys", 0600, "ssh-ed25519 AAAA\n"},
                          {".config/app/conf", 0640, "a"}},
                         {}, uid_, gid_);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->written.size(), 3u);
  EXPECT_TRUE(r->skipped.empty());
  EXPECT_EQ(Read(home_ + "/.bashrc"), "export X=1\n");
  EXPECT_EQ(Lstat(home_ + "/.bashrc").st_mode & 07777, 0644u);
  EXPECT_EQ(Lstat(home_ + "/.ssh").st_mode & 07777, 0700u);
  EXPECT_EQ(Lstat(home_ + "/.ssh/authorized_keys").st_mode & 07777, 0600u);
  EXPECT_EQ(Lstat(home_ + "/.ssh/authorized_keys").st_uid, uid_);
  EXPECT_EQ(Lstat(home_ + "/.config").st_mode & 07777, 0755u);
  EXPECT_EQ(Lstat(home_ + "/.config/app/conf").st_mode & 07777, 0640u);
  EXPECT_EQ(Lstat(home_ + "/.config/app").st_gid, gid_);
}

TEST_F(DotfilesTest, SkipsUnderAndAboveMountTargets) {
  auto r = WriteDotfiles(home_,
                         {{".local/share/x", 0644, "x"}, {"data", 0644, "d"}, {".vimrc", 0644, "v"}},
                         {"/home/work/.local", "/home/work/data/sub"}, uid_, gid_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->written, std::vector<std::string>{".vimrc"});
  EXPECT_EQ(r->skipped.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(home_ + "/.local"));
  EXPECT_FALSE(std::filesystem::exists(home_ + "/data"));
}

// Security (docs/security.md): a symlink the image skeleton put in the home
// is never followed, neither as a directory on the way nor as the file.
TEST_F(DotfilesTest, NeverFollowsSkeletonSymlinks) {
  std::string outside = dir_ + "/outside";
  ASSERT_EQ(::mkdir(outside.c_str(), 0755), 0);
  ASSERT_TRUE(WriteFileAtomic(outside + "/victim", "keep", 0644).ok());
  ASSERT_EQ(::symlink(outside.c_str(), (home_ + "/.ssh").c_str()), 0);
  ASSERT_EQ(::symlink((outside + "/victim").c_str(), (home_ + "/.profile").c_str()), 0);
  auto r = WriteDotfiles(home_,
                         {{".ssh/authorized_keys", 0600, "k"},
                          {".profile", 0644, "p"},
                          {"../outside/victim", 0644, "x"}},
                         {}, uid_, gid_);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->written, std::vector<std::string>{".profile"});
  EXPECT_EQ(r->skipped.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(outside + "/authorized_keys"));
  EXPECT_EQ(Read(outside + "/victim"), "keep");
  // .profile replaced the symlink itself.
  EXPECT_TRUE(S_ISREG(Lstat(home_ + "/.profile").st_mode));
  EXPECT_EQ(Read(home_ + "/.profile"), "p");
}

TEST_F(DotfilesTest, ADirectoryInTheWayIsSkipped) {
  ASSERT_EQ(::mkdir((home_ + "/.vimrc").c_str(), 0755), 0);
  auto r = WriteDotfiles(home_, {{".vimrc", 0644, "v"}}, {}, uid_, gid_);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->written.empty());
  EXPECT_EQ(r->skipped.size(), 1u);
}

}  // namespace
}  // namespace berth::agent

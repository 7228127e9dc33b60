#include "common/tree_remove.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/fs_util.h"
#include "common/unique_fd.h"

namespace berth {
namespace {

size_t OpenFdCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n - 1;  // the iterator's own fd
}

// Lowers RLIMIT_NOFILE for one test and restores it.
class NoFileLimit {
 public:
  explicit NoFileLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit r = saved_;
    r.rlim_cur = soft;
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &r), 0);
  }
  ~NoFileLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

class TreeRemoveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // tmpfs when there is one: removing 25,000 levels on a busy ext4 takes
    // a minute of journal waits (rm -rf too), on tmpfs under a second.
    std::string tmpl = std::string(::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                       "/berth-tree-remove-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    dir_fd_.reset(::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(dir_fd_);
  }
  void TearDown() override {
    dir_fd_.reset();
    EXPECT_TRUE(RemoveTree(dir_).ok());
  }

  // dir_/name/d/d/.../d, `depth` levels below `name`, built with *at calls
  // because the total path is far longer than PATH_MAX.
  void MakeDeep(const std::string& name, int depth, const std::string& level = "dddddddd") {
    ASSERT_EQ(::mkdirat(dir_fd_.get(), name.c_str(), 0755), 0);
    UniqueFd fd(::openat(dir_fd_.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (int i = 0; i < depth; ++i) {
      ASSERT_EQ(::mkdirat(fd.get(), level.c_str(), 0755), 0) << i;
      if (i % 1000 == 0) WriteAt(fd.get(), "f");
      fd.reset(::openat(fd.get(), level.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      ASSERT_TRUE(fd) << i;
    }
    WriteAt(fd.get(), "leaf");
  }
  static void WriteAt(int dir_fd, const std::string& name) {
    UniqueFd f(::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_TRUE(f);
  }
  bool Exists(const std::string& rel) const {
    struct stat st;
    return ::fstatat(dir_fd_.get(), rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  }

  std::string dir_;
  UniqueFd dir_fd_;
};

TEST_F(TreeRemoveTest, RemovesDeepTreeUnderLowNofileWithoutLeakingFds) {
  // 25,000 levels, ~225,000 bytes of path: what a session made in /tmp.
  MakeDeep("deep", 25000);
  size_t before = OpenFdCount();
  {
    NoFileLimit limit(64);
    Status s = RemoveTreeAt(dir_fd_.get(), "deep");
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_FALSE(Exists("deep"));
  EXPECT_EQ(OpenFdCount(), before);
}

// Regression: the recursive RemoveTree held one fd per level and failed with
// "Too many open files" (in a 50 KB message) on a session's deep /tmp.
TEST_F(TreeRemoveTest, RemoveTreePathRemovesDeepTreeUnderLowNofile) {
  MakeDeep("deep", 25000);
  size_t before = OpenFdCount();
  {
    NoFileLimit limit(64);
    Status s = RemoveTree(dir_ + "/deep");
    EXPECT_TRUE(s.ok()) << s.ToString().substr(0, 2000);
  }
  EXPECT_FALSE(Exists("deep"));
  EXPECT_EQ(OpenFdCount(), before);
}

TEST_F(TreeRemoveTest, FallsBackToHoistingWhenOpenSaysEmfile) {
  MakeDeep("deep", 3000);
  size_t before = OpenFdCount();
  {
    // Room for only a few more fds: the walk must hoist instead of failing.
    NoFileLimit limit(before + 5);
    Status s = RemoveTreeAt(dir_fd_.get(), "deep", RemoveTreeLimits{.max_open_dirs = 1000});
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_FALSE(Exists("deep"));
  EXPECT_EQ(OpenFdCount(), before);
}

TEST_F(TreeRemoveTest, RemovesWideDirectory) {
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "wide", 0755), 0);
  UniqueFd w(::openat(dir_fd_.get(), "wide", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (int i = 0; i < 50000; ++i) WriteAt(w.get(), "file-with-a-longish-name-" + std::to_string(i));
  for (int i = 0; i < 2000; ++i) ASSERT_EQ(::mkdirat(w.get(), ("d" + std::to_string(i)).c_str(), 0755), 0);
  w.reset();
  size_t before = OpenFdCount();
  {
    NoFileLimit limit(64);
    Status s = RemoveTreeAt(dir_fd_.get(), "wide");
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_FALSE(Exists("wide"));
  EXPECT_EQ(OpenFdCount(), before);
}

TEST_F(TreeRemoveTest, NeverFollowsSymlinks) {
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "outside", 0755), 0);
  WriteAt(dir_fd_.get(), "outside/keep");
  const std::string outside = dir_ + "/outside";
  MakeDeep("t", 100);
  // Links to a directory and a file outside, at the top and deep down.
  ASSERT_EQ(::symlinkat(outside.c_str(), dir_fd_.get(), "t/dir-link"), 0);
  ASSERT_EQ(::symlinkat((outside + "/keep").c_str(), dir_fd_.get(), "t/file-link"), 0);
  ASSERT_EQ(::symlinkat(outside.c_str(), dir_fd_.get(), "t/dddddddd/dddddddd/deep-link"), 0);
  ASSERT_EQ(::symlinkat("/", dir_fd_.get(), "t/root-link"), 0);
  ASSERT_EQ(::symlinkat(outside.c_str(), dir_fd_.get(), "top-link"), 0);
  EXPECT_TRUE(RemoveTreeAt(dir_fd_.get(), "t").ok());
  EXPECT_TRUE(RemoveTreeAt(dir_fd_.get(), "top-link").ok());  // the link, not its target
  EXPECT_FALSE(Exists("t"));
  EXPECT_FALSE(Exists("top-link"));
  EXPECT_TRUE(Exists("outside/keep"));
}

TEST_F(TreeRemoveTest, RemoveTreeContentsKeepsTheDirectory) {
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "layer", 0755), 0);
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "layer/tmp", 0755), 0);
  ASSERT_EQ(::symlinkat("/", dir_fd_.get(), "layer/root-link"), 0);
  WriteAt(dir_fd_.get(), "layer/tmp/f");
  UniqueFd layer(::openat(dir_fd_.get(), "layer", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  Status s = RemoveTreeContentsAt(layer.get());
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Exists("layer"));
  EXPECT_FALSE(Exists("layer/tmp"));
  EXPECT_FALSE(Exists("layer/root-link"));
}

TEST_F(TreeRemoveTest, MissingIsNotFoundByTheErrorFunction) {
  Status s = RemoveTreeAt(dir_fd_.get(), "nope", {}, [](std::string_view name, int err) {
    return err == ENOENT ? NotFound(std::string(name) + " is gone") : ErrnoStatus(name, err);
  });
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "nope is gone");
}

TEST_F(TreeRemoveTest, ErrorsAreBoundedAndPrintable) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop to another uid";
  // A directory we may not write into, full of entries with long,
  // non-UTF-8 names: every unlink fails with EACCES.
  ASSERT_EQ(::chmod(dir_.c_str(), 0777), 0);
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "t", 0777), 0);
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "t/locked", 0755), 0);
  UniqueFd locked(::openat(dir_fd_.get(), "t/locked", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (int i = 0; i < 300; ++i) WriteAt(locked.get(), std::string(200, '\xff') + std::to_string(i));
  WriteAt(dir_fd_.get(), "t/removable");
  ASSERT_EQ(::chown((dir_ + "/t").c_str(), 65534, 65534), 0);
  ASSERT_EQ(::seteuid(65534), 0);
  Status s = RemoveTreeAt(dir_fd_.get(), "t", RemoveTreeLimits{.max_errors = 1000});
  Status capped = RemoveTreeAt(dir_fd_.get(), "t", RemoveTreeLimits{.max_errors = 10});
  ASSERT_EQ(::seteuid(0), 0);
  EXPECT_NE(capped.message().find("(and 9 more errors, gave up)"), std::string::npos)
      << capped.message();
  EXPECT_FALSE(s.ok());
  EXPECT_LE(s.message().size(), kMaxRemoveErrorBytes);
  EXPECT_NE(s.message().find("more errors"), std::string::npos) << s.message();
  for (char c : s.message()) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << s.message();
  EXPECT_FALSE(Exists("t/removable"));  // best effort: the rest went
  EXPECT_TRUE(Exists("t/locked"));
}

TEST_F(TreeRemoveTest, DoesNotDescendIntoAMountPoint) {
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "t", 0755), 0);
  ASSERT_EQ(::mkdirat(dir_fd_.get(), "t/mnt", 0755), 0);
  const std::string mnt = dir_ + "/t/mnt";
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, nullptr) != 0) GTEST_SKIP() << "cannot mount";
  UniqueFd m(::open(mnt.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  WriteAt(m.get(), "keep");
  m.reset();
  Status s = RemoveTreeAt(dir_fd_.get(), "t");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Exists("t/mnt/keep"));
  ASSERT_EQ(::umount2(mnt.c_str(), MNT_DETACH), 0);
}

}  // namespace
}  // namespace berth

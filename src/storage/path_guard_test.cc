#include "storage/path_guard.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

using Parts = std::vector<std::string>;

struct SplitCase {
  std::string path;
  bool ok;
  Parts parts;
};

class SplitPathTest : public ::testing::TestWithParam<SplitCase> {};

TEST_P(SplitPathTest, Splits) {
  const SplitCase& c = GetParam();
  auto r = SplitPath(c.path);
  ASSERT_EQ(r.ok(), c.ok) << "'" << c.path << "': " << r.status().ToString();
  if (c.ok) {
    EXPECT_EQ(*r, c.parts);
  } else {
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(r.status().reason(), "invalid_path");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, SplitPathTest,
    ::testing::Values(
        SplitCase{"", true, {}}, SplitCase{".", true, {}}, SplitCase{"./", true, {}},
        SplitCase{"a", true, {"a"}}, SplitCase{"a/b/c", true, {"a", "b", "c"}},
        SplitCase{"a//b///c/", true, {"a", "b", "c"}}, SplitCase{"./a/./b/.", true, {"a", "b"}},
        SplitCase{"...", true, {"..."}}, SplitCase{"..a", true, {"..a"}},
        SplitCase{"a..", true, {"a.."}}, SplitCase{".hidden", true, {".hidden"}},
        SplitCase{std::string(255, 'n'), true, {std::string(255, 'n')}},
        // Refused.
        SplitCase{"..", false, {}}, SplitCase{"../x", false, {}}, SplitCase{"a/..", false, {}},
        SplitCase{"a/../b", false, {}}, SplitCase{"a/b/../../..", false, {}},
        SplitCase{"/", false, {}}, SplitCase{"/etc/passwd", false, {}},
        SplitCase{"//etc", false, {}}, SplitCase{std::string("a\0b", 3), false, {}},
        SplitCase{std::string("\0", 1), false, {}}, SplitCase{std::string(256, 'n'), false, {}},
        SplitCase{"a/" + std::string(256, 'n') + "/b", false, {}}));

TEST(SplitPathLengthTest, PathOver4096BytesIsRefused) {
  std::string ok;
  while (ok.size() + 101 <= 4096) ok += std::string(100, 'a') + "/";
  ok += std::string(4096 - ok.size(), 'b');
  ASSERT_EQ(ok.size(), 4096u);
  EXPECT_TRUE(SplitPath(ok).ok());
  auto r = SplitPath(ok + "b");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "invalid_path");
}

class PathGuardTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    // <dir>/root is the folder; <dir>/outside stands for everything else.
    ASSERT_EQ(::mkdir(Path("root").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(Path("outside").c_str(), 0755), 0);
    WriteFile(Path("outside/secret"), "secret");
    ASSERT_EQ(::mkdir(Path("root/sub").c_str(), 0755), 0);
    WriteFile(Path("root/sub/file"), "data");
    ASSERT_EQ(::symlink("/etc", Path("root/abs").c_str()), 0);
    ASSERT_EQ(::symlink("../outside", Path("root/rel").c_str()), 0);
    ASSERT_EQ(::symlink("sub", Path("root/inside").c_str()), 0);
    ASSERT_EQ(::symlink("../sub/file", Path("root/sub/up").c_str()), 0);
    auto guard = PathGuard::Open(Path("root"));
    ASSERT_TRUE(guard.ok()) << guard.status().ToString();
    guard_.emplace(std::move(*guard));
  }

  std::optional<PathGuard> guard_;
};

TEST_F(PathGuardTest, OpensPlainPaths) {
  auto fd = guard_->OpenBeneath({"sub", "file"}, O_RDONLY);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  char buf[8] = {};
  EXPECT_EQ(::read(fd->get(), buf, sizeof(buf)), 4);
  EXPECT_EQ(std::string(buf), "data");
  EXPECT_TRUE(guard_->OpenBeneath({}, O_RDONLY | O_DIRECTORY).ok());
}

TEST_F(PathGuardTest, MissingIsNotFound) {
  auto fd = guard_->OpenBeneath({"sub", "nope"}, O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Code::kNotFound);
  auto parent = guard_->OpenParent({"nope", "x"});
  ASSERT_FALSE(parent.ok());
  EXPECT_EQ(parent.status().code(), Code::kNotFound);
}

TEST_F(PathGuardTest, FileAsDirectoryIsNotADirectory) {
  auto fd = guard_->OpenBeneath({"sub", "file", "x"}, O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().reason(), "not_a_directory");
}

TEST_F(PathGuardTest, AbsoluteSymlinkEscapesAsIntermediate) {
  auto fd = guard_->OpenBeneath({"abs", "passwd"}, O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(fd.status().reason(), "path_escapes_folder");
}

TEST_F(PathGuardTest, RelativeSymlinkEscapesAsIntermediate) {
  auto fd = guard_->OpenBeneath({"rel", "secret"}, O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().reason(), "path_escapes_folder");
  auto parent = guard_->OpenParent({"rel", "secret"});
  ASSERT_FALSE(parent.ok());
  EXPECT_EQ(parent.status().reason(), "path_escapes_folder");
}

TEST_F(PathGuardTest, EscapingSymlinkIsRefusedEvenWhenFollowingLast) {
  auto fd = guard_->OpenBeneath({"rel"}, O_RDONLY | O_DIRECTORY, 0, /*follow_last=*/true);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().reason(), "path_escapes_folder");
  fd = guard_->OpenBeneath({"abs"}, O_RDONLY | O_DIRECTORY, 0, /*follow_last=*/true);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().reason(), "path_escapes_folder");
}

TEST_F(PathGuardTest, InsideSymlinksAreFollowedAsIntermediates) {
  auto fd = guard_->OpenBeneath({"inside", "file"}, O_RDONLY);
  EXPECT_TRUE(fd.ok()) << fd.status().ToString();
  fd = guard_->OpenBeneath({"sub", "up"}, O_RDONLY, 0, /*follow_last=*/true);
  EXPECT_TRUE(fd.ok()) << fd.status().ToString();
}

TEST_F(PathGuardTest, LastSymlinkIsNotFollowedByDefault) {
  auto fd = guard_->OpenBeneath({"sub", "up"}, O_RDONLY);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().reason(), "is_a_symlink");
  // O_PATH|O_NOFOLLOW gives the link itself.
  auto link = guard_->OpenBeneath({"abs"}, O_PATH);
  ASSERT_TRUE(link.ok()) << link.status().ToString();
  struct stat st;
  ASSERT_EQ(::fstat(link->get(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST_F(PathGuardTest, RootMustBeARealDirectory) {
  ASSERT_EQ(::symlink(Path("root").c_str(), Path("rootlink").c_str()), 0);
  auto g = PathGuard::Open(Path("rootlink"));
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().reason(), "not_a_directory");
  EXPECT_EQ(PathGuard::Open(Path("missing")).status().code(), Code::kNotFound);
  EXPECT_FALSE(PathGuard::Open(Path("outside/secret")).ok());
}

TEST_F(PathGuardTest, ProcMagicLinksAreRefused) {
  ASSERT_EQ(::symlink("/proc/self/root", Path("root/magic").c_str()), 0);
  auto fd = guard_->OpenBeneath({"magic", "etc"}, O_PATH);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().reason(), "path_escapes_folder");
}

}  // namespace
}  // namespace berth::storage

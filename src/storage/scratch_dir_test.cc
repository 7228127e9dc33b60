#include "storage/scratch_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <gtest/gtest.h>

#include "common/fs_util.h"
#include "storage/btrfs_ioctl.h"
#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

class ScratchDirTest : public TempDirTest {};

// Writes `bytes` zeros to `path`; the errno of the first failed write (0 if
// all went in).
int FillFile(const std::string& path, size_t bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  std::string chunk(1 << 20, '\0');
  int err = 0;
  for (size_t done = 0; done < bytes && err == 0;) {
    ssize_t n = ::write(fd, chunk.data(), std::min(chunk.size(), bytes - done));
    if (n < 0) err = errno;
    else done += static_cast<size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  return err;
}

TEST_F(ScratchDirTest, KindFollowsTheFileSystemAndTheTmpfsWish) {
  const bool btrfs = btrfs::IsBtrfs(dir_);
  if (btrfs && ::geteuid() != 0) GTEST_SKIP() << "btrfs quota groups need root";
  auto plain = ChooseScratchKind(dir_, false);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(*plain, btrfs ? ScratchKind::kBtrfs : ScratchKind::kPlain);
  // btrfs bounds scratch without RAM: it wins over a tmpfs wish.
  EXPECT_EQ(*ChooseScratchKind(dir_, true), btrfs ? ScratchKind::kBtrfs : ScratchKind::kTmpfs);
  EXPECT_STREQ(ScratchKindName(ScratchKind::kTmpfs), "tmpfs");
}

TEST_F(ScratchDirTest, PlainDirIsMadeOnceAndRemovedWithItsContents) {
  const std::string d = Path("s1");
  ASSERT_TRUE(CreateScratchDir(d, ScratchKind::kPlain, 1 << 20).ok());
  struct stat st;
  ASSERT_EQ(::stat(d.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(CreateScratchDir(d, ScratchKind::kPlain, 0).code(), Code::kAlreadyExists);
  ASSERT_TRUE(MkdirAll(d + "/home/deep", 0755).ok());
  WriteFile(d + "/home/deep/f", "x");
  EXPECT_TRUE(RemoveScratchDir(d).ok());
  EXPECT_FALSE(Exists(d));
  EXPECT_TRUE(RemoveScratchDir(d).ok()) << "a missing dir is removed already";
}

TEST_F(ScratchDirTest, TmpfsIsCappedAndUnmountedOnRemove) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting tmpfs needs root";
  const std::string d = Path("s2");
  ASSERT_TRUE(CreateScratchDir(d, ScratchKind::kTmpfs, 4 << 20).ok());
  EXPECT_EQ(MountPointsUnder(d).size(), 1u);
  EXPECT_EQ(FillFile(d + "/big", 8 << 20), ENOSPC);
  ASSERT_EQ(::unlink((d + "/big").c_str()), 0);
  EXPECT_EQ(FillFile(d + "/small", 1 << 10), 0) << "room again once the big file is gone";
  EXPECT_TRUE(RemoveScratchDir(d).ok());
  EXPECT_TRUE(MountPointsUnder(d).empty());
  EXPECT_FALSE(Exists(d));
}

TEST_F(ScratchDirTest, NeverRemovesThroughAnotherMountBeneath) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting tmpfs needs root";
  const std::string d = Path("s3");
  ASSERT_TRUE(CreateScratchDir(d, ScratchKind::kPlain, 0).ok());
  // A leftover mount inside (as a folder bind would be): refused, untouched.
  ASSERT_TRUE(CreateScratchDir(d + "/inner", ScratchKind::kTmpfs, 1 << 20).ok());
  WriteFile(d + "/inner/keep", "x");
  EXPECT_EQ(RemoveScratchDir(d).code(), Code::kFailedPrecondition);
  EXPECT_TRUE(Exists(d + "/inner/keep"));
  EXPECT_TRUE(RemoveScratchDir(d + "/inner").ok());
  EXPECT_TRUE(RemoveScratchDir(d).ok());
  EXPECT_FALSE(Exists(d));
}

}  // namespace
}  // namespace berth::storage

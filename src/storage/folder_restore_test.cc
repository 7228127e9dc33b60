// FolderFs::RestoreFrom and the snapshot name rules, on plain directories
// (a btrfs snapshot is a read-only directory tree to this code; the btrfs
// side is covered by tests/integration/test_btrfs_snapshots.py).
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/folder_fs.h"
#include "storage/names.h"
#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

class FolderRestoreTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ASSERT_EQ(::mkdir(Path("live").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(Path("snap").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(Path("snap/d").c_str(), 0755), 0);
    WriteFile(Path("snap/a.txt"), "old a");
    WriteFile(Path("snap/d/b.txt"), "old b");
    ASSERT_EQ(::symlink("/etc/passwd", Path("snap/link").c_str()), 0);
    WriteFile(Path("outside.txt"), "secret");
  }
  FolderFs Live() { return *FolderFs::Open(Path("live")); }
  FolderFs Snap() { return *FolderFs::Open(Path("snap")); }
};

TEST_F(FolderRestoreTest, RestoresAFileOverTheLiveOne) {
  WriteFile(Path("live/a.txt"), "new a");
  auto r = Live().RestoreFrom(Snap(), "a.txt");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFile(Path("live/a.txt")), "old a");
  EXPECT_EQ(r->name, "a.txt");
}

TEST_F(FolderRestoreTest, RestoresADirectoryTreeAndMakesMissingParents) {
  ASSERT_TRUE(Live().RestoreFrom(Snap(), "d/b.txt").ok());
  EXPECT_EQ(ReadFile(Path("live/d/b.txt")), "old b");
  WriteFile(Path("live/d/extra"), "x");
  ASSERT_TRUE(Live().RestoreFrom(Snap(), "d").ok());
  EXPECT_FALSE(Exists(Path("live/d/extra")));  // the directory is replaced, not merged
  EXPECT_EQ(ReadFile(Path("live/d/b.txt")), "old b");
}

TEST_F(FolderRestoreTest, CopiesSymlinksAsSymlinks) {
  ASSERT_TRUE(Live().RestoreFrom(Snap(), "link").ok());
  EXPECT_TRUE(IsSymlink(Path("live/link")));
}

TEST_F(FolderRestoreTest, NeverLeavesEitherRoot) {
  // A live-side symlink parent pointing out of the folder is refused.
  ASSERT_EQ(::symlink(dir_.c_str(), Path("live/d").c_str()), 0);
  auto r = Live().RestoreFrom(Snap(), "d/b.txt");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(Exists(Path("b.txt")));
  // A snapshot-side path that escapes is 400.
  auto up = Live().RestoreFrom(Snap(), "../outside.txt");
  EXPECT_EQ(up.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Live().RestoreFrom(Snap(), "").status().code(), Code::kInvalidArgument);
}

TEST_F(FolderRestoreTest, MissingPathIsNotFoundAndLeavesNoTemp) {
  auto r = Live().RestoreFrom(Snap(), "nope");
  EXPECT_EQ(r.status().code(), Code::kNotFound);
  auto list = Live().List("", 0, "");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->entries.empty());
  EXPECT_EQ(::rmdir(Path("live").c_str()), 0);  // truly empty: no hidden temp left
  ASSERT_EQ(::mkdir(Path("live").c_str(), 0755), 0);
}

TEST(SnapshotNameTest, Rules) {
  const std::vector<std::string> good = {"s1", "20250101T000000Z", "a.b_c-d", "-x",
                                         std::string(64, 'a')};
  for (const auto& ok : good) {
    EXPECT_TRUE(ValidateSnapshotName(ok).ok()) << ok;
  }
  const std::vector<std::string> bad_names = {"", ".", "..", "a/b", "sp ace", "é",
                                              std::string(65, 'a')};
  for (const auto& bad : bad_names) {
    Status s = ValidateSnapshotName(bad);
    EXPECT_EQ(s.reason(), "invalid_snapshot_name") << bad;
  }
  EXPECT_TRUE(IsScheduledSnapshotName("auto-20250101T000000Z"));
  EXPECT_FALSE(IsScheduledSnapshotName("manual"));
}

}  // namespace
}  // namespace berth::storage

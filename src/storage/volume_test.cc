#include "storage/local_volume.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

constexpr char kOwner[] = "5b0c7a2e-1111-4222-8333-444455556666";
constexpr char kFolder[] = "0f8e1d2c-aaaa-4bbb-8ccc-dddddddddddd";

class VolumeTest : public TempDirTest {
 protected:
  std::unique_ptr<LocalVolume> MakeVolume() {
    VolumeOptions o;
    o.name = "local";
    o.root = Path("vol/nested");
    return std::make_unique<LocalVolume>(o);
  }
  // Init, then the folder kFolder; returns its path.
  std::string InitWithFolder(LocalVolume& v) {
    EXPECT_TRUE(v.Init().ok());
    EXPECT_TRUE(v.CreateFolderDir(kOwner, kFolder).ok());
    return v.FolderPath(kOwner, kFolder);
  }
};

TEST_F(VolumeTest, LayoutAndCreate) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  ASSERT_TRUE(v.Init().ok());
  ASSERT_TRUE(v.Init().ok());  // idempotent
  struct stat st;
  ASSERT_EQ(::stat(v.root().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  std::string path = v.FolderPath(kOwner, kFolder);
  EXPECT_EQ(path, v.root() + "/u-" + kOwner + "/0f/8e/1d2c-aaaa-4bbb-8ccc-dddddddddddd");
  ASSERT_TRUE(v.CreateFolderDir(kOwner, kFolder).ok());
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  if (::geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 1000u);
    EXPECT_EQ(st.st_gid, 1000u);
  }
  EXPECT_EQ(v.CreateFolderDir(kOwner, kFolder).code(), Code::kAlreadyExists);
  EXPECT_EQ(v.CreateFolderDir("../x", kFolder).code(), Code::kInvalidArgument);
  EXPECT_EQ(v.CreateFolderDir(kOwner, "ab/../../cd").code(), Code::kInvalidArgument);
}

TEST_F(VolumeTest, PurgeRemovesEverythingAndNeverFollowsLinks) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  ASSERT_TRUE(v.Init().ok());
  ASSERT_TRUE(v.CreateFolderDir(kOwner, kFolder).ok());
  std::string f = v.FolderPath(kOwner, kFolder);
  ::mkdir(Path("keep").c_str(), 0755);
  WriteFile(Path("keep/precious"), "precious");
  std::filesystem::create_directories(f + "/a/b");
  WriteFile(f + "/a/b/file", "x");
  ::symlink(Path("keep").c_str(), (f + "/a/abs").c_str());
  ::symlink("../../../../../../../keep", (f + "/rel").c_str());
  ::mkfifo((f + "/a/fifo").c_str(), 0600);
  ASSERT_TRUE(v.PurgeFolderDir(kOwner, kFolder).ok());
  EXPECT_FALSE(Exists(f));
  EXPECT_EQ(ReadFile(Path("keep/precious")), "precious");
  EXPECT_TRUE(v.PurgeFolderDir(kOwner, kFolder).ok());  // already gone
  EXPECT_TRUE(v.PurgeFolderDir("nobody", kFolder).ok());
}

TEST_F(VolumeTest, PurgeRefusesASymlinkedLayoutDirectory) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  ASSERT_TRUE(v.Init().ok());
  // u-<owner> replaced by a link to somewhere else: never followed.
  ::mkdir(Path("elsewhere").c_str(), 0755);
  std::filesystem::create_directories(Path("elsewhere/0f/8e/1d2c-aaaa-4bbb-8ccc-dddddddddddd"));
  WriteFile(Path("elsewhere/0f/8e/1d2c-aaaa-4bbb-8ccc-dddddddddddd/x"), "x");
  ::symlink(Path("elsewhere").c_str(), (v.root() + "/u-" + kOwner).c_str());
  EXPECT_FALSE(v.PurgeFolderDir(kOwner, kFolder).ok());
  EXPECT_TRUE(Exists(Path("elsewhere/0f/8e/1d2c-aaaa-4bbb-8ccc-dddddddddddd/x")));
}

TEST_F(VolumeTest, Info) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  ASSERT_TRUE(v.Init().ok());
  auto info = v.Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->name, "local");
  EXPECT_EQ(info->path, v.root());
  EXPECT_GT(info->capacity_bytes, 0u);
  EXPECT_LE(info->free_bytes, info->capacity_bytes);
  EXPECT_EQ(info->kind, "local");
  EXPECT_FALSE(info->capabilities.kernel_quota);
  EXPECT_FALSE(info->capabilities.snapshots);
}

TEST_F(VolumeTest, UsageWalksAndQuotaIsANoOp) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  std::string f = InitWithFolder(v);
  std::filesystem::create_directories(f + "/d");
  WriteFile(f + "/d/a", std::string(1000, 'a'));
  WriteFile(f + "/b", "bb");
  EXPECT_TRUE(v.SetQuota(kOwner, kFolder, 10).ok());
  EXPECT_TRUE(v.Reconcile(kOwner, kFolder, 10).ok());
  auto u = v.Usage(kOwner, kFolder);
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->bytes, 1002u);
  EXPECT_EQ(u->files, 2u);
  EXPECT_EQ(u->dirs, 1u);
  EXPECT_TRUE(u->counted);
}

TEST_F(VolumeTest, CloneCopiesTreeLinksAndModes) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  std::string f = InitWithFolder(v);
  std::filesystem::create_directories(f + "/d/e");
  WriteFile(f + "/d/e/deep", "deep");
  WriteFile(f + "/x.sh", "#!/bin/sh");
  ::chmod((f + "/x.sh").c_str(), 0751);
  ::symlink("/etc/passwd", (f + "/link").c_str());
  ::mkfifo((f + "/fifo").c_str(), 0600);
  WriteFile(f + "/.berth-upload-123", "partial");
  constexpr char kClone[] = "1a2b3c4d-aaaa-4bbb-8ccc-eeeeeeeeeeee";
  ASSERT_TRUE(v.CloneFolder(kOwner, kFolder, kOwner, kClone).ok());
  std::string c = v.FolderPath(kOwner, kClone);
  EXPECT_EQ(ReadFile(c + "/d/e/deep"), "deep");
  struct stat st;
  ASSERT_EQ(::stat((c + "/x.sh").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0751u);
  EXPECT_TRUE(IsSymlink(c + "/link"));
  EXPECT_FALSE(Exists(c + "/fifo"));
  EXPECT_FALSE(Exists(c + "/.berth-upload-123"));
  // The source is untouched, and a clone onto an existing folder fails.
  EXPECT_EQ(ReadFile(f + "/d/e/deep"), "deep");
  EXPECT_EQ(v.CloneFolder(kOwner, kFolder, kOwner, kClone).code(), Code::kAlreadyExists);
}

TEST_F(VolumeTest, CloneReportsProgressPerFileAndPerChunk) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  std::string f = InitWithFolder(v);
  std::filesystem::create_directories(f + "/d");
  WriteFile(f + "/a", std::string(1000, 'a'));
  WriteFile(f + "/d/b", std::string(24, 'b'));
  {
    // Sparse and larger than one 64 MiB copy chunk: reported in between.
    int fd = ::open((f + "/big").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 70 << 20), 0);
    ::close(fd);
  }
  std::vector<CopyProgress> seen;
  constexpr char kClone[] = "1a2b3c4d-aaaa-4bbb-8ccc-ffffffffffff";
  ASSERT_TRUE(v.CloneFolder(kOwner, kFolder, kOwner, kClone,
                            [&](const CopyProgress& p) {
                              seen.push_back(p);
                              return true;
                            })
                  .ok());
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().files, 3u);
  EXPECT_EQ(seen.back().bytes, 1024u + (70u << 20));
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i].bytes, seen[i - 1].bytes);
    EXPECT_GE(seen[i].files, seen[i - 1].files);
  }
  // Reflinked (FICLONE) file systems copy the big file in one step.
  if (!v.capabilities().instant_clone) EXPECT_GE(seen.size(), 4u);
}

TEST_F(VolumeTest, CloneStoppedByProgressLeavesNoCopy) {
  auto owned = MakeVolume();
  LocalVolume& v = *owned;
  std::string f = InitWithFolder(v);
  WriteFile(f + "/a", "a");
  WriteFile(f + "/b", "b");
  constexpr char kClone[] = "1a2b3c4d-aaaa-4bbb-8ccc-eeeeeeeeeeee";
  Status st = v.CloneFolder(kOwner, kFolder, kOwner, kClone,
                            [](const CopyProgress&) { return false; });
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_EQ(st.reason(), "copy_stopped");
  EXPECT_FALSE(std::filesystem::exists(v.FolderPath(kOwner, kClone)));
}

TEST_F(VolumeTest, InitRefusesRelativeRoot) {
  VolumeOptions o;
  o.root = "relative/path";
  EXPECT_EQ(LocalVolume(o).Init().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::storage

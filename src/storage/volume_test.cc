#include "storage/volume.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

constexpr char kOwner[] = "5b0c7a2e-1111-4222-8333-444455556666";
constexpr char kFolder[] = "0f8e1d2c-aaaa-4bbb-8ccc-dddddddddddd";

class VolumeTest : public TempDirTest {
 protected:
  Volume MakeVolume() {
    VolumeOptions o;
    o.name = "local";
    o.root = Path("vol/nested");
    return Volume(o);
  }
};

TEST_F(VolumeTest, LayoutAndCreate) {
  Volume v = MakeVolume();
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
  Volume v = MakeVolume();
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
  Volume v = MakeVolume();
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
  Volume v = MakeVolume();
  ASSERT_TRUE(v.Init().ok());
  auto info = v.Info();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->name, "local");
  EXPECT_EQ(info->path, v.root());
  EXPECT_GT(info->capacity_bytes, 0u);
  EXPECT_LE(info->free_bytes, info->capacity_bytes);
}

TEST_F(VolumeTest, InitRefusesRelativeRoot) {
  VolumeOptions o;
  o.root = "relative/path";
  EXPECT_EQ(Volume(o).Init().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::storage

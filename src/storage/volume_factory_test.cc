#include "storage/volume_factory.h"

#include <gtest/gtest.h>

#include "storage/btrfs_ioctl.h"
#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

class VolumeFactoryTest : public TempDirTest {};

TEST_F(VolumeFactoryTest, PicksTheBackendByFileSystem) {
  VolumeOptions o;
  o.name = "fast";
  o.root = Path("vol");
  auto v = OpenVolume(o);
  ASSERT_TRUE(v.ok()) << v.status().message();
  // The temp dir's own file system decides; on anything but btrfs this is
  // the plain-directory backend.
  std::string want = btrfs::IsBtrfs(Path("vol")) ? "btrfs" : "local";
  EXPECT_EQ((*v)->kind(), want);
  EXPECT_EQ((*v)->name(), "fast");
  EXPECT_EQ((*v)->capabilities().kernel_quota, want == "btrfs");
  EXPECT_FALSE((*v)->capabilities().snapshots);
}

TEST_F(VolumeFactoryTest, LocalKindIsForced) {
  VolumeOptions o;
  o.root = Path("vol");
  auto v = OpenVolume(o, VolumeKind::kLocal);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(std::string((*v)->kind()), "local");
  EXPECT_FALSE((*v)->capabilities().instant_clone);
}

TEST_F(VolumeFactoryTest, RefusesARelativeRoot) {
  VolumeOptions o;
  o.root = "rel/path";
  EXPECT_EQ(OpenVolume(o).status().code(), Code::kInvalidArgument);
}

TEST(ParseVolumeFlagTest, NameEqualsAbsolutePath) {
  auto ok = ParseVolumeFlag("fast=/mnt/fast");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "fast");
  EXPECT_EQ(ok->second, "/mnt/fast");
  EXPECT_TRUE(ParseVolumeFlag("a.b-c_1=/x=y").ok());
  for (const char* bad : {"fast", "=/mnt", "fast=", "fast=rel", "a/b=/mnt", "-x=/mnt", "..=/m",
                          "sp ace=/m"}) {
    EXPECT_EQ(ParseVolumeFlag(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace berth::storage

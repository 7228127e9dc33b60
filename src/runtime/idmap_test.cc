#include "runtime/idmap.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "common/fs_util.h"

namespace berth::runtime {
namespace {

const IdRange kRange{100000, 65536};

TEST(IdMapTest, ShiftMapIsTheContainerMap) {
  EXPECT_EQ(ShiftMap(kRange), (IdMap{{0, 100000, 65536}}));
  EXPECT_EQ(IdMapText(ShiftMap(kRange)), "0 100000 65536\n");
}

// Trap 1 of issue 10: reusing the container map for a folder stores root's
// files as disk uid 0. FolderMap never maps disk 0 and gives host base+0
// (root inside) disk id base.
TEST(IdMapTest, FolderMapMeetsOnlyTheSessionUser) {
  struct Case {
    uint32_t disk_owner, inside;
    IdMap want;
  };
  const Case cases[] = {
      // The default: disk 1000 <-> container 1000; the range maps to itself
      // with a hole at host 101000.
      {1000, 1000, {{100000, 100000, 1000}, {101001, 101001, 64535}, {1000, 101000, 1}}},
      // A session user other than the folder owner.
      {1000, 2000, {{100000, 100000, 2000}, {102001, 102001, 63535}, {1000, 102000, 1}}},
      // A disk owner inside the range leaves a second hole.
      {100005, 1000,
       {{100000, 100000, 5}, {100006, 100006, 994}, {101001, 101001, 64535}, {100005, 101000, 1}}},
      // The disk owner already is the session user's host id.
      {101000, 1000, {{100000, 100000, 1000}, {101001, 101001, 64535}, {101000, 101000, 1}}},
      // Root-owned read-only sources (sudoers): disk 0 <-> container 0.
      {0, 0, {{100001, 100001, 65535}, {0, 100000, 1}}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(FolderMap(kRange, c.disk_owner, c.inside), c.want)
        << c.disk_owner << " -> " << c.inside << ": " << IdMapText(FolderMap(kRange, c.disk_owner, c.inside));
  }
}

TEST(IdMapTest, FolderMapNeverMapsDiskRootForAUser) {
  for (uint32_t owner : {1000u, 2000u, 100000u, 165535u}) {
    for (const auto& l : FolderMap(kRange, owner, 1000)) {
      EXPECT_FALSE(l.inner == 0) << IdMapText(FolderMap(kRange, owner, 1000));
      EXPECT_GE(l.outer, kRange.base);
      EXPECT_LE(uint64_t{l.outer} + l.count, uint64_t{kRange.base} + kRange.size);
    }
  }
}

// Needs root and idmapped mounts: a file the folder owner has on disk is
// the session user's through the mount, and host root (unmapped) cannot
// create files through it at all.
TEST(IdmappedBindTest, FolderOwnerAppearsAsSessionUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  char tmpl[] = "/tmp/berth-idmap-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  const std::string src = dir + "/src", dst = dir + "/dst";
  ASSERT_TRUE(MkdirAll(src).ok());
  ASSERT_TRUE(MkdirAll(dst).ok());
  ASSERT_TRUE(WriteFileAtomic(src + "/f", "x").ok());
  ASSERT_EQ(::chown(src.c_str(), 1000, 1000), 0);
  ASSERT_EQ(::chown((src + "/f").c_str(), 1000, 1000), 0);

  auto ns = MakeUserNamespace(FolderMap(kRange, 1000, 1000), FolderMap(kRange, 1000, 1000));
  ASSERT_TRUE(ns.ok()) << ns.status().ToString();
  Status s = IdmappedBind(src, dst, ns->get(), {});
  ASSERT_TRUE(s.ok()) << s.ToString();
  struct stat st;
  ASSERT_EQ(::stat((dst + "/f").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 101000u);
  EXPECT_EQ(st.st_gid, 101000u);
  int fd = ::open((dst + "/root-file").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  EXPECT_LT(fd, 0) << "host root created a file through the idmapped mount";
  EXPECT_EQ(errno, EOVERFLOW);
  if (fd >= 0) ::close(fd);
  // nosuid + nodev by default.
  EXPECT_EQ(::umount2(dst.c_str(), MNT_DETACH), 0);
  EXPECT_TRUE(MountPointsUnder(dir).empty());
  EXPECT_TRUE(RemoveTree(dir).ok());
}

}  // namespace
}  // namespace berth::runtime

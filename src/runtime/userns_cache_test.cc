#include "runtime/userns_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::runtime {
namespace {

ino_t Inode(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

TEST(UsernsCacheTest, SameMapsShareOneNamespaceOtherMapsGetTheirOwn) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (writes id maps of a range)";
  UsernsCache cache;
  const IdRange range{200000, 65536};
  auto a = cache.Get(ShiftMap(range), ShiftMap(range));
  auto b = cache.Get(ShiftMap(range), ShiftMap(range));
  auto c = cache.Get(FolderMap(range, 1000, 1000), FolderMap(range, 1000, 1000));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status().ToString();
  EXPECT_NE(a->get(), b->get());  // each caller owns its descriptor
  EXPECT_EQ(Inode(a->get()), Inode(b->get()));
  EXPECT_NE(Inode(a->get()), Inode(c->get()));
  EXPECT_EQ(cache.size(), 2u);
}

}  // namespace
}  // namespace berth::runtime

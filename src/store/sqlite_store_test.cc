#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/store_suite.h"

namespace berth::store {
namespace {

std::unique_ptr<Store> MakeSqlite() {
  auto s = OpenSqliteStore(":memory:");
  if (!s.ok()) ADD_FAILURE() << s.status().ToString();
  return std::move(*s);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(&MakeSqlite));

TEST(SqliteStoreTest, ReopenKeepsDataAndDoesNotRemigrate) {
  char tmpl[] = "/tmp/berth-store-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/berth.db";
  {
    auto s = OpenSqliteStore(path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    UserRecord u{"id1", "admin", "superadmin", "", false, 1000, 1000, "t"};
    ASSERT_TRUE((*s)->CreateUser(u).ok());
  }
  {
    auto s = OpenSqliteStore(path);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ((*s)->GetUserByName("admin")->role, "superadmin");
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace berth::store

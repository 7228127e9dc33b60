#include "store/store_factory.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/store_url.h"

namespace berth::store {
namespace {

TEST(StoreUrlTest, MaskUrlPasswordHidesEveryPassword) {
  struct Case {
    const char* url;
    const char* shown;
  } cases[] = {
      {"postgresql://berth:s3cret@db.example:5432/berth",
       "postgresql://berth:***@db.example:5432/berth"},
      {"postgresql://berth:p@ss@db/berth", "postgresql://berth:***@db/berth"},
      {"postgresql://berth@db:5432/berth", "postgresql://berth@db:5432/berth"},
      {"postgresql://db:5432/berth", "postgresql://db:5432/berth"},
      {"postgresql:///berth?host=/run/pg&password=x1&user=b",
       "postgresql:///berth?host=/run/pg&password=***&user=b"},
      {"postgres://u:pw@h/d?password=pw", "postgres://u:***@h/d?password=***"},
      {"sqlite:/var/lib/berth/berth.db", "sqlite:/var/lib/berth/berth.db"},
  };
  for (const auto& c : cases) EXPECT_EQ(MaskUrlPassword(c.url), c.shown) << c.url;
}

TEST(StoreFactoryTest, EmptyUrlIsSqliteInTheDataDir) {
  char tmpl[] = "/tmp/berth-store-factory-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  {
    auto s = OpenStore("", tmpl);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_TRUE(std::filesystem::exists(std::string(tmpl) + "/berth.db"));
    EXPECT_EQ(s->description, std::string("sqlite ") + tmpl + "/berth.db");
    // One manager alone: locks are granted at once, broadcasts go nowhere.
    EXPECT_TRUE(s->coordination->Lock("startup").ok());
    EXPECT_TRUE(s->coordination->Broadcast("x").ok());
  }
  std::filesystem::remove_all(tmpl);
}

TEST(StoreFactoryTest, UnknownKindsAreInvalidAndMasked) {
  for (const char* url : {"mysql://u:topsecret@h/d", "sqlite:/x.db", "postgresql://", "berth.db"}) {
    auto s = OpenStore(url, "/tmp");
    EXPECT_EQ(s.status().code(), Code::kInvalidArgument) << url;
    EXPECT_EQ(s.status().message().find("topsecret"), std::string::npos);
  }
}

}  // namespace
}  // namespace berth::store

#include "cli/session_args.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace berth::cli {
namespace {

using nlohmann::json;

struct MountCase {
  const char* spec;
  bool ok;
  MountSpec want;
};

TEST(ParseMountSpecTest, Table) {
  const std::optional<std::string> none;
  const MountCase cases[] = {
      {"data", true, {"data", none, none}},
      {"data:ro", true, {"data", none, "ro"}},
      {"data:rw", true, {"data", none, "rw"}},
      {"data:/mnt/data", true, {"data", "/mnt/data", none}},
      {"data:/mnt/data:ro", true, {"data", "/mnt/data", "ro"}},
      {"data:sub/dir:rw", true, {"data", "sub/dir", "rw"}},
      {"data:work", true, {"data", "work", none}},
      {".local:ro", true, {".local", none, "ro"}},
      // Only exactly "ro"/"rw" is a permission; anything else is the target.
      {"data:RO", true, {"data", "RO", none}},
      {"data:ro:rw", true, {"data", "ro", "rw"}},
      {"data:rox", true, {"data", "rox", none}},
      {"data:/a:b", true, {"data", "/a:b", none}},
      {"data:/a:b:ro", true, {"data", "/a:b", "ro"}},
      {"data:x:ro:ro", true, {"data", "x:ro", "ro"}},
      {"", false, {}},
      {":x", false, {}},
      {":ro", false, {}},
      {"data:", false, {}},
      {"data::ro", false, {}},
  };
  for (const MountCase& c : cases) {
    Result<MountSpec> got = ParseMountSpec(c.spec);
    ASSERT_EQ(got.ok(), c.ok) << c.spec << ": " << got.status().message();
    if (!c.ok) {
      EXPECT_NE(got.status().message().find("FOLDER[:TARGET][:ro|rw]"), std::string::npos);
      continue;
    }
    EXPECT_EQ(*got, c.want) << c.spec;
  }
}

TEST(ParseEnvAssignmentTest, Table) {
  struct Case {
    const char* in;
    bool ok;
    const char* key;
    const char* value;
  } cases[] = {
      {"A=1", true, "A", "1"},
      {"PATH_2=/x:/y", true, "PATH_2", "/x:/y"},
      {"_X=", true, "_X", ""},
      {"OPTS=a=b=c", true, "OPTS", "a=b=c"},
      {"lower=ok", true, "lower", "ok"},
      {"NOEQUALS", false, "", ""},
      {"=v", false, "", ""},
      {"1A=x", false, "", ""},
      {"A-B=x", false, "", ""},
      {"A B=x", false, "", ""},
  };
  for (const Case& c : cases) {
    auto got = ParseEnvAssignment(c.in);
    ASSERT_EQ(got.ok(), c.ok) << c.in;
    if (!c.ok) continue;
    EXPECT_EQ(got->first, c.key);
    EXPECT_EQ(got->second, c.value);
  }
}

TEST(IsValidSessionNameTest, Table) {
  EXPECT_TRUE(IsValidSessionName("s"));
  EXPECT_TRUE(IsValidSessionName("my-session-2"));
  EXPECT_TRUE(IsValidSessionName("0abc"));
  EXPECT_TRUE(IsValidSessionName(std::string(63, 'a')));
  EXPECT_FALSE(IsValidSessionName(""));
  EXPECT_FALSE(IsValidSessionName(std::string(64, 'a')));
  EXPECT_FALSE(IsValidSessionName("-x"));
  EXPECT_FALSE(IsValidSessionName("Upper"));
  EXPECT_FALSE(IsValidSessionName("a_b"));
  EXPECT_FALSE(IsValidSessionName("a.b"));
}

TEST(SessionCreateBodyTest, Minimal) {
  Result<std::string> body = SessionCreateBody({});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(json::parse(*body), json({{"mounts", json::array()}}));
}

TEST(SessionCreateBodyTest, Everything) {
  SessionCreateArgs a;
  a.name = "s1";
  a.image = "python";
  a.mounts = {"data", "models:/mnt/models:ro"};
  a.no_automount = true;
  a.cpu = 1.5;
  a.memory = "2G";
  a.env = {"A=1", "B=x=y", "A=2"};
  Result<std::string> body = SessionCreateBody(a);
  ASSERT_TRUE(body.ok()) << body.status().message();
  json want = {
      {"name", "s1"},
      {"image", "python"},
      {"mounts",
       {{{"folder", "data"}},
        {{"folder", "models"}, {"target", "/mnt/models"}, {"permission", "ro"}}}},
      {"automount", false},
      {"resources", {{"cpu", 1.5}, {"memory_bytes", 2ull << 30}}},
      {"env", {{"A", "2"}, {"B", "x=y"}}},
  };
  EXPECT_EQ(json::parse(*body), want);
}

TEST(SessionCreateBodyTest, RejectsBadArguments) {
  auto bad = [](auto mutate) {
    SessionCreateArgs a;
    mutate(a);
    Result<std::string> r = SessionCreateBody(a);
    return !r.ok() && r.status().code() == Code::kInvalidArgument;
  };
  EXPECT_TRUE(bad([](SessionCreateArgs& a) { a.name = "Bad_Name"; }));
  EXPECT_TRUE(bad([](SessionCreateArgs& a) { a.mounts = {"data::ro"}; }));
  EXPECT_TRUE(bad([](SessionCreateArgs& a) { a.memory = "lots"; }));
  EXPECT_TRUE(bad([](SessionCreateArgs& a) { a.memory = "0"; }));
  EXPECT_TRUE(bad([](SessionCreateArgs& a) { a.cpu = 0; }));
  EXPECT_TRUE(bad([](SessionCreateArgs& a) { a.cpu = -1; }));
  EXPECT_TRUE(bad([](SessionCreateArgs& a) { a.env = {"NOVALUE"}; }));
}

}  // namespace
}  // namespace berth::cli

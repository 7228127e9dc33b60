#include "cli/config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace berth::cli {
namespace {

namespace fs = std::filesystem;

Environment FakeEnv(std::map<std::string, std::string> vars, uid_t euid = 1000) {
  Environment env;
  env.get = [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  env.euid = euid;
  return env;
}

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-cli-config-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& path, const std::string& content) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << content;
  }
  std::string dir_;
};

TEST_F(ConfigTest, DataDir) {
  EXPECT_EQ(DataDir(FakeEnv({{"HOME", "/h"}}, 0)), "/var/lib/berth");
  EXPECT_EQ(DataDir(FakeEnv({{"HOME", "/h"}})), "/h/.local/share/berth");
  EXPECT_EQ(DataDir(FakeEnv({{"HOME", "/h"}, {"XDG_DATA_HOME", "/x"}})), "/x/berth");
  EXPECT_EQ(DataDir(FakeEnv({{"BERTH_DATA_DIR", "/d"}}, 0)), "/d");
  EXPECT_EQ(ConfigDir(FakeEnv({{"HOME", "/h"}})), "/h/.config/berth");
  EXPECT_EQ(ConfigDir(FakeEnv({{"HOME", "/h"}, {"XDG_CONFIG_HOME", "/c"}})), "/c/berth");
}

TEST_F(ConfigTest, EndpointOrder) {
  auto env = FakeEnv({{"HOME", dir_}});
  EXPECT_EQ(ResolveEndpoint("", env), "http://127.0.0.1:8470");
  Write(dir_ + "/.config/berth/endpoint", "http://saved:1\n");
  EXPECT_EQ(ResolveEndpoint("", env), "http://saved:1");
  auto env2 = FakeEnv({{"HOME", dir_}, {"BERTH_ENDPOINT", "http://env:2"}});
  EXPECT_EQ(ResolveEndpoint("", env2), "http://env:2");
  EXPECT_EQ(ResolveEndpoint("http://flag:3", env2), "http://flag:3");
}

TEST_F(ConfigTest, TokenOrder) {
  auto env = FakeEnv({{"HOME", dir_}, {"BERTH_DATA_DIR", dir_ + "/data"}});
  EXPECT_EQ(ResolveToken("", env).token, "");
  Write(dir_ + "/data/admin.token", "admin-tok\n");
  EXPECT_EQ(ResolveToken("", env).token, "admin-tok");
  EXPECT_EQ(ResolveToken("", env).source, dir_ + "/data/admin.token");
  ASSERT_TRUE(SaveLogin(env, "login-tok", "").ok());
  EXPECT_EQ(ResolveToken("", env).token, "login-tok");
  auto env2 = FakeEnv({{"HOME", dir_}, {"BERTH_TOKEN", "env-tok"}});
  EXPECT_EQ(ResolveToken("", env2).token, "env-tok");
  EXPECT_EQ(ResolveToken("flag-tok", env2).token, "flag-tok");
}

TEST_F(ConfigTest, SaveLoginWritesPrivateFiles) {
  auto env = FakeEnv({{"XDG_CONFIG_HOME", dir_ + "/cfg"}});
  ASSERT_TRUE(SaveLogin(env, "secret", "http://h:1").ok());
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/cfg/berth/token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((dir_ + "/cfg/berth").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(ReadTrimmedFile(dir_ + "/cfg/berth/token").value_or(""), "secret");
  EXPECT_EQ(ReadTrimmedFile(dir_ + "/cfg/berth/endpoint").value_or(""), "http://h:1");
}

}  // namespace
}  // namespace berth::cli

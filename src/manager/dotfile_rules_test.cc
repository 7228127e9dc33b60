#include "manager/dotfile_rules.h"

#include <gtest/gtest.h>

namespace berth::manager {
namespace {

TEST(DotfileRulesTest, Paths) {
  struct Case {
    std::string in;
    const char* want;  // nullptr: invalid_path
  } cases[] = {
      {".bashrc", ".bashrc"},
      {".ssh/authorized_keys", ".ssh/authorized_keys"},
      {"./.vimrc", ".vimrc"},
      {".config/./git/config", ".config/git/config"},
      {"bin/tool", "bin/tool"},
      {".berthrc", ".berthrc"},
      {"", nullptr},
      {".", nullptr},
      {"/etc/passwd", nullptr},
      {"..", nullptr},
      {"../x", nullptr},
      {"a/../../x", nullptr},
      {"a/..", nullptr},
      {"a//b", nullptr},
      {"a/", nullptr},
      {".berth", nullptr},
      {".berth/x", nullptr},
      {"./.berth/x", nullptr},
      {std::string("a\0b", 3), nullptr},
      {std::string(2000, 'a'), nullptr},
  };
  for (const auto& c : cases) {
    auto r = NormalizeDotfilePath(c.in);
    if (c.want) {
      ASSERT_TRUE(r.ok()) << c.in << ": " << r.status().ToString();
      EXPECT_EQ(*r, c.want);
    } else {
      ASSERT_FALSE(r.ok()) << c.in;
      EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
      EXPECT_EQ(r.status().reason(), "invalid_path") << c.in;
    }
  }
}

TEST(DotfileRulesTest, Modes) {
  struct Case {
    const char* mode;
    const char* path;
    int want;  // -1: invalid_mode
  } cases[] = {
      {"", ".bashrc", 0644},       {"", ".ssh/config", 0600},     {"", ".sshrc", 0644},
      {"0600", ".bashrc", 0600},   {"644", ".bashrc", 0644},      {"0755", "bin/x", 0755},
      {"0000", ".x", 0},           {"0777", ".x", 0777},          {"0644", ".ssh/k", 0644},
      {"1777", ".x", -1},          {"0800", ".x", -1},            {"0o644", ".x", -1},
      {"64", ".x", -1},            {"00644", ".x", -1},           {"-644", ".x", -1},
      {"rw", ".x", -1},
  };
  for (const auto& c : cases) {
    auto r = ParseDotfileMode(c.mode, c.path);
    if (c.want >= 0) {
      ASSERT_TRUE(r.ok()) << c.mode;
      EXPECT_EQ(*r, static_cast<uint32_t>(c.want)) << c.mode;
    } else {
      ASSERT_FALSE(r.ok()) << c.mode;
      EXPECT_EQ(r.status().reason(), "invalid_mode");
    }
  }
  EXPECT_EQ(FormatDotfileMode(0600), "0600");
  EXPECT_EQ(FormatDotfileMode(0), "0000");
}

}  // namespace
}  // namespace berth::manager

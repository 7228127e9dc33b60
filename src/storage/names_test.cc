#include "storage/names.h"

#include <gtest/gtest.h>

#include <string>

namespace berth::storage {
namespace {

struct NameCase {
  std::string name;
  bool valid;
  const char* hint;  // a word the error message must contain
};

class FolderNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(FolderNameTest, Validates) {
  const NameCase& c = GetParam();
  Status s = ValidateFolderName(c.name);
  EXPECT_EQ(s.ok(), c.valid) << "'" << c.name << "': " << s.ToString();
  if (!c.valid) {
    EXPECT_EQ(s.code(), Code::kInvalidArgument);
    EXPECT_EQ(s.reason(), "invalid_folder_name");
    EXPECT_NE(s.message().find(c.hint), std::string::npos) << s.message();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, FolderNameTest,
    ::testing::Values(
        // Valid names.
        NameCase{"a", true, ""}, NameCase{"data", true, ""}, NameCase{"My_Data-2.0", true, ""},
        NameCase{std::string(64, 'x'), true, ""}, NameCase{".local", true, ""},
        NameCase{".linuxbrew", true, ""}, NameCase{".cache", true, ""}, NameCase{"a-", true, ""},
        NameCase{"...", true, ""}, NameCase{"_", true, ""},
        // Near misses of the reserved patterns are allowed.
        NameCase{".rc", true, ""}, NameCase{"._profile", true, ""}, NameCase{".BASHRC", true, ""},
        NameCase{".bash-rc", true, ""}, NameCase{"bashrc", true, ""},
        NameCase{".bashrc.d", true, ""}, NameCase{".Bash_profile", true, ""},
        NameCase{".ssh2", true, ""}, NameCase{"ssh", true, ""},
        NameCase{".bash_profile_x", true, ""},
        // Lengths.
        NameCase{"", false, "empty"}, NameCase{std::string(65, 'x'), false, "64"},
        NameCase{std::string(300, 'x'), false, "64"},
        // Characters.
        NameCase{"a b", false, "letters"}, NameCase{"a/b", false, "letters"},
        NameCase{"a\\b", false, "letters"}, NameCase{std::string("a\0b", 3), false, "letters"},
        NameCase{"caf\xc3\xa9", false, "letters"}, NameCase{"a:b", false, "letters"},
        NameCase{"a\nb", false, "letters"}, NameCase{"*", false, "letters"},
        // Dots and dashes.
        NameCase{".", false, "'.'"}, NameCase{"..", false, "'..'"},
        NameCase{"-a", false, "start with '-'"}, NameCase{"-", false, "start with '-'"},
        // Reserved names.
        NameCase{".ssh", false, "reserved"}, NameCase{".terminfo", false, "reserved"},
        NameCase{".jupyter", false, "reserved"}, NameCase{".tmux.conf", false, "reserved"},
        NameCase{".berth", false, "reserved"},
        // ^\.[a-z0-9]+rc$
        NameCase{".bashrc", false, ".bashrc"}, NameCase{".zshrc", false, ".bashrc"},
        NameCase{".vimrc", false, ".bashrc"}, NameCase{".npmrc", false, ".bashrc"},
        NameCase{".xrc", false, ".bashrc"}, NameCase{".rcrc", false, ".bashrc"},
        NameCase{".0rc", false, ".bashrc"},
        // ^\.[a-z0-9]+_profile$
        NameCase{".bash_profile", false, "_profile"}, NameCase{".zsh_profile", false, "_profile"},
        NameCase{".x1_profile", false, "_profile"}));

TEST(AutomountNameTest, DotPrefixMeansAutomount) {
  EXPECT_TRUE(IsAutomountName(".local"));
  EXPECT_TRUE(IsAutomountName(".linuxbrew"));
  EXPECT_FALSE(IsAutomountName("local"));
  EXPECT_FALSE(IsAutomountName(""));
  EXPECT_FALSE(IsAutomountName("a.b"));
}

}  // namespace
}  // namespace berth::storage

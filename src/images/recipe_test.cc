#include "images/recipe.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/digest.h"
#include "common/fs_util.h"
#include "images/image_store.h"

namespace berth::images {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(RecipeTest, RepoRecipesParse) {
  for (const char* name : {"python", "python-trixie"}) {
    auto text = ReadFile(std::string(BERTH_SOURCE_RECIPES_DIR) + "/" + name + ".toml");
    ASSERT_TRUE(text.ok()) << name;
    auto r = ParseRecipe(name, *text);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->uid, 1000u);
    EXPECT_EQ(r->user_name, "work");
    for (const char* p : {"python3", "python3-pip", "python3-venv", "bash", "coreutils", "procps",
                          "sudo", "less", "ca-certificates"})
      EXPECT_TRUE(Has(r->packages, p)) << name << " lacks " << p;
    // Homebrew's documented prerequisites (issue 11): the guide's installer line.
    for (const char* p : {"build-essential", "curl", "file", "git", "procps"})
      EXPECT_TRUE(Has(r->packages, p)) << name << " lacks Homebrew's " << p;
    EXPECT_TRUE(r->pip_allow_user_install);
  }
}

// `berthd build-image` keeps an image only while its digest is the recipe's
// (a changed recipe is rebuilt): the digest is that of the recipe file.
TEST(RecipeTest, RecipeDigestIsTheRecipeFilesSha256) {
  auto store = ImageStore::Open({.root = ::testing::TempDir() + "berth-recipe-digest",
                                 .recipes_dir = BERTH_SOURCE_RECIPES_DIR});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto text = ReadFile(std::string(BERTH_SOURCE_RECIPES_DIR) + "/python.toml");
  ASSERT_TRUE(text.ok());
  auto digest = (*store)->RecipeDigest("python");
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  EXPECT_EQ(*digest, "sha256:" + Sha256Hex(*text));
  EXPECT_EQ((*store)->RecipeDigest("no-such-recipe").status().reason(), "recipe_not_found");
  EXPECT_EQ((*store)->RecipeDigest("../etc").status().reason(), "invalid_image_name");
}

TEST(RecipeTest, ArgvIsExplicitAndComplete) {
  auto r = ParseRecipe(
      "t",
      "suite = \"bookworm\"\npackages = [\"bash\", \"less\"]\n"
      "extra_sources = [\"deb http://deb.debian.org/debian-security bookworm-security main\"]\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto argv = MmdebstrapArgv(*r, "/x/rootfs", "http://mirror.local:3142");
  EXPECT_EQ(argv[0], "mmdebstrap");
  EXPECT_TRUE(Has(argv, "--mode=root"));
  EXPECT_TRUE(Has(argv, "--variant=apt"));
  EXPECT_TRUE(Has(argv, "--include=bash,less"));
  auto it = std::find(argv.begin(), argv.end(), "bookworm");
  ASSERT_NE(it, argv.end());
  EXPECT_EQ(*(it + 1), "/x/rootfs");
  EXPECT_EQ(*(it + 2), "http://mirror.local:3142/debian");
  EXPECT_EQ(*(it + 3), "deb http://mirror.local:3142/debian-security bookworm-security main");
  int hooks = 0;
  for (const auto& a : argv) hooks += a.rfind("--customize-hook=", 0) == 0;
  EXPECT_EQ(hooks, static_cast<int>(CustomizeHooks(*r).size()));
}

TEST(RecipeTest, HooksCreateUserAndAllowPip) {
  auto r = ParseRecipe("t", "suite = \"bookworm\"\n[user]\nuid = 1234\ngid = 1235\n");
  ASSERT_TRUE(r.ok());
  std::string all;
  for (const auto& h : CustomizeHooks(*r)) all += h + "\n";
  EXPECT_NE(all.find("useradd -m -u 1234 -g 1235"), std::string::npos);
  EXPECT_NE(all.find("EXTERNALLY-MANAGED"), std::string::npos);
  EXPECT_NE(all.find("break-system-packages = true"), std::string::npos);
  EXPECT_NE(all.find("/etc/bash.bashrc"), std::string::npos);
  EXPECT_EQ(all.find("sudo"), std::string::npos);  // never added to sudoers

  auto no_pip = ParseRecipe("t", "suite = \"bookworm\"\n[pip]\nallow_user_install = false\n");
  ASSERT_TRUE(no_pip.ok());
  all.clear();
  for (const auto& h : CustomizeHooks(*no_pip)) all += h;
  EXPECT_EQ(all.find("EXTERNALLY-MANAGED"), std::string::npos);
}

TEST(RecipeTest, Rejects) {
  struct Case {
    const char* name;
    const char* toml;
  } cases[] = {
      {"ok-name", "packages = [\"bash\"]\n"},                      // no suite
      {"ok-name", "suite = \"bookworm\"\npackages = \"bash\"\n"},  // not an array
      {"ok-name", "suite = \"bookworm\"\npackages = [\"-oops\"]\n"},
      {"ok-name", "suite = \"book worm\"\n"},
      {"ok-name", "suite = \"bookworm\"\n[user]\nuid = 0\n"},
      {"ok-name", "suite = \"bookworm\"\nmirror = \"http://x;rm -rf /\"\n"},
      {"ok-name", "this is not toml"},
      {"Bad/Name", "suite = \"bookworm\"\n"},
  };
  for (const auto& c : cases) {
    auto r = ParseRecipe(c.name, c.toml);
    EXPECT_EQ(r.status().code(), Code::kInvalidArgument) << c.toml;
  }
}

TEST(RecipeTest, ImageNames) {
  EXPECT_TRUE(IsValidImageName("python"));
  EXPECT_TRUE(IsValidImageName("python-trixie"));
  EXPECT_TRUE(IsValidImageName("py3.13_x"));
  EXPECT_FALSE(IsValidImageName(""));
  EXPECT_FALSE(IsValidImageName(".hidden"));
  EXPECT_FALSE(IsValidImageName("-x"));
  EXPECT_FALSE(IsValidImageName("Upper"));
  EXPECT_FALSE(IsValidImageName("a/b"));
  EXPECT_FALSE(IsValidImageName(std::string(65, 'a')));
}

}  // namespace
}  // namespace berth::images

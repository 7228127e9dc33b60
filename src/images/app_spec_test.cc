#include "images/app_spec.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/fs_util.h"
#include "images/image_manifest.h"
#include "images/recipe.h"

namespace berth::images {
namespace {

AppSpec Jupyter() { return {"jupyter", "Jupyter", 8888, "jupyter notebook --port={port} --base={base_url}"}; }

TEST(AppSpecTest, ValidatesEachField) {
  EXPECT_TRUE(ValidateApp(Jupyter()).ok());
  struct Case {
    const char* what;
    AppSpec app;
  } cases[] = {
      {"upper-case name", {"Jupyter", "J", 1, "x"}},
      {"slash in name", {"a/b", "J", 1, "x"}},
      {"empty display name", {"j", "", 1, "x"}},
      {"port 0", {"j", "J", 0, "x"}},
      {"empty command", {"j", "J", 1, ""}},
      {"newline in command", {"j", "J", 1, "a\nb"}},
  };
  for (const auto& c : cases) EXPECT_FALSE(ValidateApp(c.app).ok()) << c.what;
}

TEST(AppSpecTest, ExpandsEveryPlaceholder) {
  AppSpec a = Jupyter();
  a.command += " {port}";
  EXPECT_EQ(ExpandAppCommand(a, 9000, "/s/abc/jupyter/"),
            "jupyter notebook --port=9000 --base=/s/abc/jupyter/ 9000");
}

TEST(AppSpecTest, RecipeDeclaresApps) {
  auto r = ParseRecipe("t",
                       "suite = \"bookworm\"\n[[app]]\nname = \"jupyter\"\ndisplay_name = "
                       "\"Jupyter\"\nport = 8888\ncommand = \"jupyter notebook --port={port}\"\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->apps.size(), 1u);
  EXPECT_EQ(r->apps[0].display_name, "Jupyter");
  EXPECT_EQ(r->apps[0].port, 8888);
  for (const char* bad : {"[[app]]\nname = \"j\"\n", "app = 3\n",
                          "[[app]]\nname=\"j\"\ndisplay_name=\"J\"\nport=70000\ncommand=\"x\"\n",
                          "[[app]]\nname=\"j\"\ndisplay_name=\"J\"\nport=1\ncommand=\"x\"\n"
                          "[[app]]\nname=\"j\"\ndisplay_name=\"K\"\nport=2\ncommand=\"y\"\n"}) {
    EXPECT_FALSE(ParseRecipe("t", std::string("suite = \"bookworm\"\n") + bad).ok()) << bad;
  }
}

TEST(AppSpecTest, RepoPythonRecipesShipJupyter) {
  for (const char* name : {"python", "python-trixie"}) {
    auto text = ReadFile(std::string(BERTH_SOURCE_RECIPES_DIR) + "/" + name + ".toml");
    ASSERT_TRUE(text.ok()) << name;
    auto r = ParseRecipe(name, *text);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->apps.size(), 1u) << name;
    EXPECT_EQ(r->apps[0].name, "jupyter");
    EXPECT_EQ(r->apps[0].display_name, "Jupyter");
    EXPECT_NE(r->apps[0].command.find("--NotebookApp.base_url={base_url}"), std::string::npos);
    EXPECT_NE(std::find(r->packages.begin(), r->packages.end(), "jupyter-notebook"),
              r->packages.end());
  }
}

TEST(AppSpecTest, ManifestKeepsApps) {
  ImageInfo i;
  i.name = "python";
  i.apps = {Jupyter()};
  auto back = ParseImageManifest(FormatImageManifest(i));
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->apps.size(), 1u);
  EXPECT_EQ(back->apps[0].name, "jupyter");
  EXPECT_EQ(back->apps[0].port, 8888);
  EXPECT_EQ(back->apps[0].command, Jupyter().command);
  // An app that does not validate is dropped, not trusted.
  auto odd = ParseImageManifest(R"({"apps":[{"name":"../x","display_name":"X","port":1,"command":"y"}]})");
  ASSERT_TRUE(odd.ok());
  EXPECT_TRUE(odd->apps.empty());
}

}  // namespace
}  // namespace berth::images

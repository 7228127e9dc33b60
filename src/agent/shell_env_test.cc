#include "agent/shell_env.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/fs_util.h"
#include "common/subprocess.h"

namespace berth::agent {
namespace {

const std::vector<std::string> kAllPrepends = {
    "/home/work/.local/bin", "/home/linuxbrew/.linuxbrew/bin", "/home/linuxbrew/.linuxbrew/sbin",
    "/home/work/.linuxbrew/bin"};

SessionEnvFacts Facts() {
  SessionEnvFacts f;
  f.session_name = "s1";
  f.path_prepend = kAllPrepends;
  f.persistent_paths = {"/home/linuxbrew/.linuxbrew", "/home/work/.linuxbrew", "/home/work/.local"};
  f.brew_prefix = "/home/linuxbrew/.linuxbrew";
  return f;
}

std::string Get(const std::vector<std::string>& env, const std::string& name) {
  std::string found = "<unset>";
  int n = 0;
  for (const auto& e : env) {
    if (e.starts_with(name + "=")) {
      found = e.substr(name.size() + 1);
      ++n;
    }
  }
  return n > 1 ? "<twice>" : found;
}

TEST(SessionEnvTest, PathFollowsTheSpecOrderThenTheImagePath) {
  auto env = SessionEnv(Facts());
  EXPECT_EQ(Get(env, "PATH"),
            "/home/work/.local/bin:/home/linuxbrew/.linuxbrew/bin:/home/linuxbrew/.linuxbrew/sbin:"
            "/home/work/.linuxbrew/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  SessionEnvFacts f = Facts();
  f.image_env = {"PATH=/opt/py/bin:/usr/bin", "PYTHON_VERSION=3.12", "LANG=de_DE.UTF-8", "junk"};
  env = SessionEnv(f);
  EXPECT_EQ(Get(env, "PATH"),
            "/home/work/.local/bin:/home/linuxbrew/.linuxbrew/bin:/home/linuxbrew/.linuxbrew/sbin:"
            "/home/work/.linuxbrew/bin:/opt/py/bin:/usr/bin");
  EXPECT_EQ(Get(env, "PYTHON_VERSION"), "3.12");
  EXPECT_EQ(Get(env, "LANG"), "de_DE.UTF-8");  // the image's own stays
  EXPECT_EQ(std::count(env.begin(), env.end(), "junk"), 0);
}

TEST(SessionEnvTest, BerthVariablesAndBrewShellenv) {
  auto env = SessionEnv(Facts());
  EXPECT_EQ(Get(env, "BERTH_SESSION_NAME"), "s1");
  EXPECT_EQ(Get(env, "BERTH_PERSISTENT_PATHS"),
            "/home/linuxbrew/.linuxbrew:/home/work/.linuxbrew:/home/work/.local");
  EXPECT_EQ(Get(env, "HOME"), "/home/work");
  EXPECT_EQ(Get(env, "LANG"), "C.UTF-8");
  EXPECT_EQ(Get(env, "HOMEBREW_PREFIX"), "/home/linuxbrew/.linuxbrew");
  EXPECT_EQ(Get(env, "HOMEBREW_CELLAR"), "/home/linuxbrew/.linuxbrew/Cellar");
  EXPECT_EQ(Get(env, "HOMEBREW_REPOSITORY"), "/home/linuxbrew/.linuxbrew/Homebrew");
  EXPECT_EQ(Get(env, "INFOPATH"), "/home/linuxbrew/.linuxbrew/share/info:");
  EXPECT_EQ(Get(env, "MANPATH"), "<unset>");
  // HOMEBREW_PREFIX comes first of brew's variables.
  auto pos = [&](const std::string& n) {
    return std::find_if(env.begin(), env.end(), [&](auto& e) { return e.starts_with(n + "="); }) -
           env.begin();
  };
  EXPECT_LT(pos("HOMEBREW_PREFIX"), pos("HOMEBREW_CELLAR"));
  EXPECT_EQ(Get(env, "PIP_BREAK_SYSTEM_PACKAGES"), "<unset>");

  SessionEnvFacts plain;
  plain.session_name = "p";
  env = SessionEnv(plain);
  EXPECT_EQ(Get(env, "HOMEBREW_PREFIX"), "<unset>");
  EXPECT_EQ(Get(env, "INFOPATH"), "<unset>");
  EXPECT_EQ(Get(env, "BERTH_PERSISTENT_PATHS"), "");
}

TEST(SessionEnvTest, ImportsGetPipFlagAndTheUserEnvWinsOnce) {
  SessionEnvFacts f = Facts();
  f.pip_break_system_packages = true;
  f.user_env = {{"PATH", "/mine"}, {"GREETING", "hi"}};
  auto env = SessionEnv(f);
  EXPECT_EQ(Get(env, "PIP_BREAK_SYSTEM_PACKAGES"), "1");
  EXPECT_EQ(Get(env, "PATH"), "/mine");
  EXPECT_EQ(Get(env, "GREETING"), "hi");
  SetEnv(&env, "PYTHONUSERBASE", "/home/work/.local/py3.11");
  EXPECT_EQ(Get(env, "PYTHONUSERBASE"), "/home/work/.local/py3.11");
}

class ProfileDropInTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-dropin-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { EXPECT_TRUE(RemoveTree(dir_).ok()); }

  // Sources `text` in `shell` (with `pre` run first, `-i` when
  // interactive) under an empty environment, then `after`; its stdout.
  std::string Run(const std::string& shell, const std::string& text, const std::string& pre,
                  bool interactive, const std::string& after) {
    EXPECT_TRUE(WriteFileAtomic(dir_ + "/drop-in.sh", text).ok());
    std::vector<std::string> argv = {"/usr/bin/env", "-i", "HOME=" + dir_, shell};
    if (shell == "/bin/bash") argv.push_back("--norc");  // not the host's bash.bashrc
    if (interactive) argv.push_back("-i");
    argv.insert(argv.end(), {"-c", pre + ". " + dir_ + "/drop-in.sh; " + after});
    SubprocessOptions o;
    o.argv = argv;
    auto r = RunSubprocess(o);
    EXPECT_TRUE(r.ok());
    return r.ok() ? r->stdout_data : "";  // stderr: bash -i without a tty complains
  }
  std::string dir_;
};

TEST_F(ProfileDropInTest, ExportsTheEnvInDashAndBash) {
  SessionEnvFacts f = Facts();
  f.user_env = {{"QUOTED", "it's $HOME `x`"}};
  auto env = SessionEnv(f);
  const std::string text = ProfileDropIn(env, {"s1", f.persistent_paths, ""});
  EXPECT_EQ(text.find("export HOME="), std::string::npos);  // login / sudo -i set it
  for (const char* sh : {"/bin/sh", "/bin/bash"}) {
    std::string out = Run(sh, text, "", false,
                          "echo \"$PATH\"; echo \"$HOMEBREW_PREFIX|$BERTH_SESSION_NAME|$QUOTED\"; "
                          "sh -c 'echo $BERTH_PERSISTENT_PATHS'");
    EXPECT_EQ(out, Get(env, "PATH") + "\n/home/linuxbrew/.linuxbrew|s1|it's $HOME `x`\n" +
                       Get(env, "BERTH_PERSISTENT_PATHS") + "\n")
        << sh;
  }
}

TEST_F(ProfileDropInTest, InteractiveShellsAreToldOnce) {
  auto env = SessionEnv(Facts());
  const std::string text =
      ProfileDropIn(env, {"s1", {"/home/work/.local"}, "berth: Python note\n  second line\n"});
  for (const char* sh : {"/bin/sh", "/bin/bash"}) {
    std::string out = Run(sh, text, "", true, ". " + dir_ + "/drop-in.sh");
    EXPECT_EQ(out,
              "berth: session s1. Only these paths persist after it is deleted:\n"
              "  /home/work/.local\n"
              "berth: Python note\n"
              "  second line\n")
        << sh;
    // Non-interactive: silent.
    EXPECT_EQ(Run(sh, text, "", false, "true"), "") << sh;
    // A recipe image's bash.bashrc already printed the paths: only the rest.
    EXPECT_EQ(Run(sh, text, "export BERTH_PATHS_SHOWN=1; ", true, "true"),
              "berth: Python note\n  second line\n")
        << sh;
  }
  const std::string none = ProfileDropIn(env, {"s2", {}, ""});
  EXPECT_EQ(Run("/bin/sh", none, "", true, "true"),
            "berth: session s2. No folder is mounted: nothing here persists after it is deleted.\n");
}

}  // namespace
}  // namespace berth::agent

// SessionAgent on a FakeRuntime: what the agent itself decides (the bind
// source guard, the container spec it builds, cleanup on failure). Running
// real containers is the runtime conformance suite's job.
#include "agent/session_agent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <unistd.h>

#include <filesystem>

#include "agent/agent_testing.h"
#include "common/fs_util.h"
#include "common/random.h"

namespace berth::agent {
namespace {

namespace fs = std::filesystem;

class SessionAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = TestNode::Create();
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
  }

  // A spec for a valid request, the fake image and one planned mount of
  // `host_path` at /home/work/data.
  SessionSpec Spec(const std::string& host_path) {
    SessionRequest r;
    r.env = {{"GREETING", "hi"}};
    auto valid = ValidateSessionRequest(r);
    EXPECT_TRUE(valid.ok());
    SessionSpec s(std::move(*valid));
    s.id = NewUuid();
    s.name = "web";
    s.owner = "alice";
    s.resources = {1.5, 1ull << 30, 64};
    auto image = node_->images().Get("python");
    EXPECT_TRUE(image.ok()) << image.status().ToString();
    if (image.ok()) s.image = *image;
    if (!host_path.empty()) {
      s.mounts.mounts.push_back({"data", host_path, "/home/work/data", false, false});
      s.mounts.persistent_paths.push_back("/home/work/data");
    }
    return s;
  }

  std::unique_ptr<TestNode> node_;
};

TEST_F(SessionAgentTest, CreateBuildsTheContainerFromTheSpec) {
  const std::string data = node_->volume_root() + "/u/ab/cd/data";
  ASSERT_TRUE(MkdirAll(data).ok());
  SessionSpec spec = Spec(data);
  auto info = node_->agent().Create(spec);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->image, "python");
  EXPECT_TRUE(fs::exists(info->home_dir + "/.profile"));
  auto c = node_->runtime().SpecOf(spec.id);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->hostname, "web");
  EXPECT_EQ(c->rootfs, spec.image.rootfs);
  EXPECT_EQ(c->resources.cpus, 1.5);
  EXPECT_EQ(c->resources.memory_bytes, 1ull << 30);
  EXPECT_EQ(c->resources.pids_limit, 64);
  // The writable layer goes in the session's scratch dir, beside the home;
  // on a plain temp dir scratch is unbounded, and the quota file says so.
  EXPECT_EQ(c->writable_dir, node_->agent().SessionDir(spec.id) + "/layer");
  auto quota = ReadFile(info->home_dir + "/.berth/quota");
  ASSERT_TRUE(quota.ok()) << quota.status().ToString();
  if (node_->agent().scratch_kind() == storage::ScratchKind::kPlain)  // else a btrfs /tmp
    EXPECT_NE(quota->find("\nscratch\t/home/work\t-\t-\t-\n"), std::string::npos) << *quota;
  ASSERT_EQ(c->mounts.size(), 3u);  // the scratch home, the folder, the profile drop-in
  EXPECT_EQ(c->mounts[1].source, data);
  EXPECT_EQ(c->mounts[1].target, "/home/work/data");
  EXPECT_EQ(c->mounts[2].target, "/etc/profile.d/zz-berth.sh");
  EXPECT_TRUE(c->mounts[2].read_only);
  auto drop_in = ReadFile(c->mounts[2].source);
  ASSERT_TRUE(drop_in.ok());
  EXPECT_NE(drop_in->find("export BERTH_PERSISTENT_PATHS='/home/work/data'\n"), std::string::npos);
  EXPECT_NE(drop_in->find("export GREETING='hi'\n"), std::string::npos);
  auto has = [&](const std::string& e) {
    return std::find(c->env.begin(), c->env.end(), e) != c->env.end();
  };
  EXPECT_TRUE(has("GREETING=hi"));
  EXPECT_TRUE(has("LANG=C"));
  EXPECT_TRUE(has("BERTH_SESSION_NAME=web"));
  EXPECT_TRUE(has("BERTH_PERSISTENT_PATHS=/home/work/data"));
  EXPECT_TRUE(c->no_new_privileges);

  ASSERT_TRUE(node_->agent().Delete(spec.id).ok());
  EXPECT_TRUE(node_->runtime().Ids().empty());
  EXPECT_FALSE(fs::exists(node_->agent().SessionDir(spec.id)));
}

// The one check the agent repeats: a bind source must lie beneath a volume
// root of this node, whatever the manager says.
TEST_F(SessionAgentTest, RefusesBindSourcesOutsideTheVolumeRoots) {
  const std::string root = node_->volume_root();
  const struct {
    const char* what;
    std::string host_path;
  } cases[] = {
      {"system dir", "/etc"},
      {"root of the host", "/"},
      {"the volume root itself", root},
      {"a sibling sharing the prefix", root + "2/data"},
      {"dot-dot out of the volume", root + "/../../etc"},
      {"trailing dot-dot", root + "/x/.."},
      {"relative", "volumes/local/data"},
      {"unclean dot-dot", root + "//x/../../etc"},
      {"empty", ""},
  };
  for (const auto& c : cases) {
    SessionSpec spec = Spec("/placeholder");
    spec.mounts.mounts[0].host_path = c.host_path;
    auto r = node_->agent().Create(spec);
    ASSERT_FALSE(r.ok()) << c.what;
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << c.what;
    EXPECT_EQ(r.status().reason(), "mount_source_outside_volumes") << c.what;
    EXPECT_FALSE(fs::exists(node_->agent().SessionDir(spec.id))) << c.what;
  }
  EXPECT_EQ(node_->runtime().create_calls(), 0);
}

TEST_F(SessionAgentTest, NoVolumeRootsMeansNoFolderMounts) {
  AgentOptions o;
  o.data_dir = node_->dir() + "/agent2";
  o.runtime = &node_->runtime();
  auto agent = SessionAgent::Open(o);
  ASSERT_TRUE(agent.ok());
  auto r = (*agent)->Create(Spec(node_->volume_root() + "/data"));
  EXPECT_EQ(r.status().reason(), "mount_source_outside_volumes");
  // Without folder mounts it runs.
  EXPECT_TRUE((*agent)->Create(Spec("")).ok());
}

TEST_F(SessionAgentTest, RefusesRootAndBadIds) {
  SessionSpec root_user = Spec("");
  root_user.uid = 0;
  EXPECT_EQ(node_->agent().Create(root_user).status().reason(), "invalid_session_user");
  SessionSpec bad_id = Spec("");
  bad_id.id = "../x";
  EXPECT_EQ(node_->agent().Create(bad_id).status().reason(), "invalid_session_id");
  EXPECT_EQ(node_->runtime().create_calls(), 0);
}

TEST_F(SessionAgentTest, RuntimeFailureLeavesNothing) {
  node_->runtime().FailNextCreate(Internal("boom"));
  SessionSpec spec = Spec("");
  auto r = node_->agent().Create(spec);
  EXPECT_EQ(r.status().message(), "boom");
  EXPECT_FALSE(fs::exists(node_->agent().SessionDir(spec.id)));
  EXPECT_TRUE(node_->runtime().Ids().empty());
}

TEST_F(SessionAgentTest, OpenRefusesRelativeVolumeRoots) {
  AgentOptions o;
  o.data_dir = node_->dir() + "/agent3";
  o.runtime = &node_->runtime();
  o.volume_roots = {"volumes/local"};
  EXPECT_EQ(SessionAgent::Open(o).status().code(), Code::kInvalidArgument);
}

TEST_F(SessionAgentTest, DotfilesAreWrittenBeforeStartAndPerVersionSetsTheUserBase) {
  const std::string data = node_->volume_root() + "/u/ab/cd/data";
  ASSERT_TRUE(MkdirAll(data).ok());
  SessionSpec spec = Spec(data);
  spec.dotfiles = {{".profile", 0600, "export FROM_DOTFILE=1\n"}, {"data/x", 0644, "hidden"}};
  spec.python_user_base_per_version = true;
  // Give the fake image a Python 3.12.
  ASSERT_TRUE(MkdirAll(spec.image.rootfs + "/usr/bin").ok());
  ASSERT_EQ(::symlink("python3.12", (spec.image.rootfs + "/usr/bin/python3").c_str()), 0);
  auto info = node_->agent().Create(spec);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->dotfiles.written, std::vector<std::string>{".profile"});
  EXPECT_EQ(info->dotfiles.skipped.size(), 1u);
  EXPECT_FALSE(fs::exists(data + "/x"));
  auto c = node_->runtime().SpecOf(spec.id);
  ASSERT_TRUE(c.has_value());
  auto env = [&](const std::string& key) {
    for (const auto& e : c->env)
      if (e.rfind(key + "=", 0) == 0) return e.substr(key.size() + 1);
    return std::string("<unset>");
  };
  EXPECT_EQ(env("PYTHONUSERBASE"), "/home/work/.local/py3.12");
  EXPECT_EQ(env("PATH").rfind("/home/work/.local/py3.12/bin:", 0), 0u) << env("PATH");
  ASSERT_TRUE(node_->agent().Delete(spec.id).ok());

  // A shared user gets no PYTHONUSERBASE.
  SessionSpec shared = Spec("");
  auto info2 = node_->agent().Create(shared);
  ASSERT_TRUE(info2.ok());
  c = node_->runtime().SpecOf(shared.id);
  EXPECT_EQ(env("PYTHONUSERBASE"), "<unset>");
  ASSERT_TRUE(node_->agent().Delete(shared.id).ok());
}

}  // namespace
}  // namespace berth::agent

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "remote/agent_hub.h"

namespace berth::remote {
namespace {

agent::SessionSpec FullSpec() {
  agent::SessionRequest req;
  req.name = "s-1";
  req.image = "python";
  req.mounts = {{"data", "/home/work/d", "ro"}, {"code", "", ""}};
  req.automount = false;
  req.resources.cpu = 1.5;
  req.resources.memory_bytes = uint64_t{1} << 30;
  req.env = {{"A", "1"}, {"LANG", "C.UTF-8"}};
  auto valid = agent::ValidateSessionRequest(req);
  EXPECT_TRUE(valid.ok());
  agent::SessionSpec s(std::move(*valid));
  s.id = "0b9f2a8e-1c1d-4c55-9c3e-5b1a2f3e4d5c";
  s.name = "s-1";
  s.owner = "alice";
  s.resources.cpus = 1.5;
  s.resources.memory_bytes = uint64_t{1} << 30;
  s.resources.pids_limit = 4096;
  s.resources.scratch_bytes = uint64_t{5} << 30;
  s.image.name = "python";
  s.image.rootfs = "/var/lib/berth/images/python/rootfs";
  s.image.created_at = "2024-01-02T03:04:05Z";
  s.image.size_bytes = 123456789;
  s.image.digest = "sha256:abc";
  s.image.source = "recipe:python";
  s.image.description = "Python 3.11";
  s.image.skeleton = "/etc/skel2";
  s.image.uid = 1001;
  s.image.gid = 1002;
  s.image.env = {"PATH=/usr/bin"};
  s.image.apps = {{"jupyter", "JupyterLab", 8888, "jupyter lab --port {port}"}};
  s.mounts.mounts = {{"data", "/vol/a/data", "/home/work/d", true, false},
                     {"code", "/vol/a/code", "/home/work/code", false, true}};
  s.mounts.persistent_paths = {"/home/work/code", "/home/work/d"};
  s.mounts.path_prepend = {"/home/work/code/bin"};
  s.mounts.brew_prefix = "/home/linuxbrew/.linuxbrew";
  s.quotas = {{"/home/work/code", 1 << 20, 4096, true}, {"/home/work/d", 2 << 20, std::nullopt, false}};
  s.uid = 1000;
  s.gid = 1000;
  s.sudo_allowed = true;
  s.dotfiles = {{".bashrc", 0600, "echo hi\n"}, {".bin", 0755, std::string("\xff\x00\x01", 3)}};
  s.python_user_base_per_version = true;
  return s;
}

TEST(SpecJson, EveryFieldRoundTrips) {
  agent::SessionSpec in = FullSpec();
  auto out = DecodeSessionSpec(EncodeSessionSpec(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->id, in.id);
  EXPECT_EQ(out->name, in.name);
  EXPECT_EQ(out->owner, in.owner);
  const auto& r = out->request.get();
  EXPECT_EQ(r.name, in.request->name);
  EXPECT_EQ(r.image, in.request->image);
  ASSERT_EQ(r.mounts.size(), 2u);
  EXPECT_EQ(r.mounts[0].folder, "data");
  EXPECT_EQ(r.mounts[0].target, "/home/work/d");
  EXPECT_EQ(r.mounts[0].permission, "ro");
  EXPECT_EQ(r.mounts[1].target, "");
  EXPECT_FALSE(r.automount);
  EXPECT_EQ(r.resources.cpu, 1.5);
  EXPECT_EQ(r.resources.memory_bytes, uint64_t{1} << 30);
  EXPECT_EQ(r.env, in.request->env);
  EXPECT_EQ(out->resources.cpus, 1.5);
  EXPECT_EQ(out->resources.memory_bytes, uint64_t{1} << 30);
  EXPECT_EQ(out->resources.pids_limit, 4096);
  EXPECT_EQ(out->resources.scratch_bytes, uint64_t{5} << 30);
  const auto& im = out->image;
  EXPECT_EQ(im.name, "python");
  EXPECT_EQ(im.rootfs, in.image.rootfs);
  EXPECT_EQ(im.created_at, in.image.created_at);
  EXPECT_EQ(im.size_bytes, in.image.size_bytes);
  EXPECT_EQ(im.digest, in.image.digest);
  EXPECT_EQ(im.source, in.image.source);
  EXPECT_EQ(im.description, in.image.description);
  EXPECT_EQ(im.skeleton, "/etc/skel2");
  EXPECT_EQ(im.uid, 1001u);
  EXPECT_EQ(im.gid, 1002u);
  EXPECT_EQ(im.env, in.image.env);
  ASSERT_EQ(im.apps.size(), 1u);
  EXPECT_EQ(im.apps[0].name, "jupyter");
  EXPECT_EQ(im.apps[0].display_name, "JupyterLab");
  EXPECT_EQ(im.apps[0].port, 8888);
  EXPECT_EQ(im.apps[0].command, in.image.apps[0].command);
  ASSERT_EQ(out->mounts.mounts.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(out->mounts.mounts[i].folder, in.mounts.mounts[i].folder);
    EXPECT_EQ(out->mounts.mounts[i].host_path, in.mounts.mounts[i].host_path);
    EXPECT_EQ(out->mounts.mounts[i].target, in.mounts.mounts[i].target);
    EXPECT_EQ(out->mounts.mounts[i].read_only, in.mounts.mounts[i].read_only);
    EXPECT_EQ(out->mounts.mounts[i].automount, in.mounts.mounts[i].automount);
  }
  EXPECT_EQ(out->mounts.persistent_paths, in.mounts.persistent_paths);
  EXPECT_EQ(out->mounts.path_prepend, in.mounts.path_prepend);
  EXPECT_EQ(out->mounts.brew_prefix, in.mounts.brew_prefix);
  ASSERT_EQ(out->quotas.size(), 2u);
  EXPECT_EQ(out->quotas[0].target, "/home/work/code");
  EXPECT_EQ(out->quotas[0].quota_bytes, 1u << 20);
  EXPECT_EQ(out->quotas[0].used_bytes, 4096u);
  EXPECT_TRUE(out->quotas[0].kernel_enforced);
  EXPECT_EQ(out->quotas[1].used_bytes, std::nullopt);
  EXPECT_FALSE(out->quotas[1].kernel_enforced);
  EXPECT_EQ(out->uid, 1000u);
  EXPECT_EQ(out->gid, 1000u);
  EXPECT_TRUE(out->sudo_allowed);
  ASSERT_EQ(out->dotfiles.size(), 2u);
  EXPECT_EQ(out->dotfiles[0].path, ".bashrc");
  EXPECT_EQ(out->dotfiles[0].mode, 0600u);
  EXPECT_EQ(out->dotfiles[0].content, "echo hi\n");
  EXPECT_EQ(out->dotfiles[1].content, std::string("\xff\x00\x01", 3));
  EXPECT_TRUE(out->python_user_base_per_version);
}

TEST(SpecJson, DefaultsRoundTrip) {
  agent::SessionSpec in(*agent::ValidateSessionRequest({}));
  auto out = DecodeSessionSpec(EncodeSessionSpec(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_FALSE(out->request->name.has_value());
  EXPECT_FALSE(out->resources.cpus.has_value());
  EXPECT_FALSE(out->resources.pids_limit.has_value());
  EXPECT_EQ(out->image.skeleton, "/etc/skel");
  EXPECT_TRUE(out->request->automount);
}

// Each case replaces one field of a valid spec by a value of the wrong type.
TEST(SpecJson, WrongTypesAreInvalidArgument) {
  const std::string good = EncodeSessionSpec(FullSpec());
  struct Case {
    const char* pointer;
    nlohmann::json value;
    const char* names;  // in the message
  };
  const Case cases[] = {
      {"/id", 7, "spec.id"},
      {"/uid", -1, "spec.uid"},
      {"/uid", 5000000000ull, "spec.uid"},
      {"/sudo_allowed", "yes", "spec.sudo_allowed"},
      {"/request", "x", "spec.request"},
      {"/request/automount", 1, "spec.request.automount"},
      {"/request/env/A", 1, "spec.request.env.A"},
      {"/request/resources/cpu", "2", "spec.request.resources.cpu"},
      {"/resources/pids_limit", 1.5, "spec.resources.pids_limit"},
      {"/image/apps/0/port", 70000, "spec.image.apps[0].port"},
      {"/image/env", "PATH=/bin", "spec.image.env"},
      {"/mounts/mounts/1/read_only", "true", "spec.mounts.mounts[1].read_only"},
      {"/mounts/mounts", nlohmann::json::object(), "spec.mounts.mounts"},
      {"/quotas/0/used_bytes", "1", "spec.quotas[0].used_bytes"},
      {"/dotfiles/0/content_base64", "!!", "spec.dotfiles[0].content_base64"},
      {"/dotfiles/1", 3, "spec.dotfiles[1]"},
  };
  for (const auto& c : cases) {
    auto j = nlohmann::json::parse(good);
    j[nlohmann::json::json_pointer(c.pointer)] = c.value;
    auto out = DecodeSessionSpec(j.dump());
    ASSERT_FALSE(out.ok()) << c.pointer;
    EXPECT_EQ(out.status().code(), Code::kInvalidArgument) << c.pointer;
    EXPECT_NE(out.status().message().find(c.names), std::string::npos)
        << c.pointer << ": " << out.status().message();
  }
}

TEST(SpecJson, NotAnObjectOrBadRequestIsInvalidArgument) {
  for (const char* text : {"", "[]", "\"x\"", "{", "null"}) {
    auto out = DecodeSessionSpec(text);
    ASSERT_FALSE(out.ok()) << text;
    EXPECT_EQ(out.status().code(), Code::kInvalidArgument) << text;
  }
  // Well-typed but not a valid request (ValidateSessionRequest's rule).
  auto j = nlohmann::json::parse(EncodeSessionSpec(FullSpec()));
  j["request"]["name"] = "Not A Name";
  auto out = DecodeSessionSpec(j.dump());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth::remote

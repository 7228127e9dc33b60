#include "agent/session_request.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace berth::agent {
namespace {

// One row per rule, accepted and refused: `edit` changes a valid request.
struct Case {
  const char* what;
  std::function<void(SessionRequest&)> edit;
  const char* reason;  // nullptr: accepted
};

MountRequest Mount(std::string folder, std::string permission = "") {
  return MountRequest{std::move(folder), "", std::move(permission)};
}

TEST(ValidateSessionRequestTest, Table) {
  const std::vector<Case> cases = {
      {"empty request (all defaults)", [](SessionRequest&) {}, nullptr},
      // name
      {"name short", [](SessionRequest& r) { r.name = "s"; }, nullptr},
      {"name digits and dash", [](SessionRequest& r) { r.name = "0-my-session-2"; }, nullptr},
      {"name 63", [](SessionRequest& r) { r.name = std::string(63, 'a'); }, nullptr},
      {"name 64", [](SessionRequest& r) { r.name = std::string(64, 'a'); },
       "invalid_session_name"},
      {"name empty", [](SessionRequest& r) { r.name = ""; }, "invalid_session_name"},
      {"name leading dash", [](SessionRequest& r) { r.name = "-x"; }, "invalid_session_name"},
      {"name upper", [](SessionRequest& r) { r.name = "Bad_Name"; }, "invalid_session_name"},
      {"name dot", [](SessionRequest& r) { r.name = "a.b"; }, "invalid_session_name"},
      // image
      {"image", [](SessionRequest& r) { r.image = "python-trixie"; }, nullptr},
      {"image dots", [](SessionRequest& r) { r.image = "py3.13_x"; }, nullptr},
      {"image path", [](SessionRequest& r) { r.image = "../etc"; }, "invalid_image_name"},
      {"image slash", [](SessionRequest& r) { r.image = "a/b"; }, "invalid_image_name"},
      {"image hidden", [](SessionRequest& r) { r.image = ".x"; }, "invalid_image_name"},
      {"image empty", [](SessionRequest& r) { r.image = ""; }, "invalid_image_name"},
      {"image upper", [](SessionRequest& r) { r.image = "Python"; }, "invalid_image_name"},
      {"image long", [](SessionRequest& r) { r.image = std::string(65, 'a'); },
       "invalid_image_name"},
      // cpu
      {"cpu fraction", [](SessionRequest& r) { r.resources.cpu = 0.5; }, nullptr},
      {"cpu max", [](SessionRequest& r) { r.resources.cpu = kMaxCpus; }, nullptr},
      {"cpu zero", [](SessionRequest& r) { r.resources.cpu = 0; }, "invalid_resources"},
      {"cpu negative", [](SessionRequest& r) { r.resources.cpu = -1; }, "invalid_resources"},
      {"cpu too many", [](SessionRequest& r) { r.resources.cpu = kMaxCpus + 1; },
       "invalid_resources"},
      {"cpu nan", [](SessionRequest& r) { r.resources.cpu = std::nan(""); }, "invalid_resources"},
      // gpus and resource group (a cluster's; one host refuses them later)
      {"gpus max", [](SessionRequest& r) { r.resources.gpus = kMaxGpus; }, nullptr},
      {"gpus too many", [](SessionRequest& r) { r.resources.gpus = kMaxGpus + 1; },
       "invalid_resources"},
      {"group", [](SessionRequest& r) { r.resource_group = "gpu-a100_x.1"; }, nullptr},
      {"group empty", [](SessionRequest& r) { r.resource_group = ""; }, "invalid_resource_group"},
      {"group space", [](SessionRequest& r) { r.resource_group = "a b"; },
       "invalid_resource_group"},
      {"group comma", [](SessionRequest& r) { r.resource_group = "a,b"; },
       "invalid_resource_group"},
      {"group leading dash", [](SessionRequest& r) { r.resource_group = "-p"; },
       "invalid_resource_group"},
      {"group long", [](SessionRequest& r) { r.resource_group = std::string(65, 'p'); },
       "invalid_resource_group"},
      // memory
      {"memory min", [](SessionRequest& r) { r.resources.memory_bytes = kMinMemoryBytes; },
       nullptr},
      {"memory max", [](SessionRequest& r) { r.resources.memory_bytes = kMaxMemoryBytes; },
       nullptr},
      {"memory tiny", [](SessionRequest& r) { r.resources.memory_bytes = 5; },
       "invalid_resources"},
      {"memory below min",
       [](SessionRequest& r) { r.resources.memory_bytes = kMinMemoryBytes - 1; },
       "invalid_resources"},
      {"memory above max",
       [](SessionRequest& r) { r.resources.memory_bytes = kMaxMemoryBytes + 1; },
       "invalid_resources"},
      {"memory uint64 max", [](SessionRequest& r) { r.resources.memory_bytes = UINT64_MAX; },
       "invalid_resources"},
      // env
      {"env", [](SessionRequest& r) { r.env = {{"A", "1"}, {"_x9", ""}}; }, nullptr},
      {"env key 255", [](SessionRequest& r) { r.env[std::string(255, 'K')] = "v"; }, nullptr},
      {"env key 256", [](SessionRequest& r) { r.env[std::string(256, 'K')] = "v"; },
       "invalid_env"},
      {"env key empty", [](SessionRequest& r) { r.env[""] = "v"; }, "invalid_env"},
      {"env key digit first", [](SessionRequest& r) { r.env["1X"] = "v"; }, "invalid_env"},
      {"env key '='", [](SessionRequest& r) { r.env["A=B"] = "v"; }, "invalid_env"},
      {"env key dash", [](SessionRequest& r) { r.env["A-B"] = "v"; }, "invalid_env"},
      {"env BERTH_ reserved", [](SessionRequest& r) { r.env["BERTH_X"] = "1"; }, "invalid_env"},
      {"env BERTH_SESSION_NAME",
       [](SessionRequest& r) { r.env["BERTH_SESSION_NAME"] = "x"; }, "invalid_env"},
      {"env berth_ lower is the user's", [](SessionRequest& r) { r.env["berth_x"] = "1"; },
       nullptr},
      {"env value 64 KiB",
       [](SessionRequest& r) { r.env["V"] = std::string(kMaxEnvValueBytes, 'v'); }, nullptr},
      {"env value too long",
       [](SessionRequest& r) { r.env["V"] = std::string(kMaxEnvValueBytes + 1, 'v'); },
       "invalid_env"},
      {"env value NUL", [](SessionRequest& r) { r.env["V"] = std::string("a\0b", 3); },
       "invalid_env"},
      // mounts
      {"mounts", [](SessionRequest& r) { r.mounts = {Mount("data"), Mount("m", "ro")}; },
       nullptr},
      {"mount rw", [](SessionRequest& r) { r.mounts = {Mount("data", "rw")}; }, nullptr},
      {"mounts max",
       [](SessionRequest& r) { r.mounts.assign(kMaxMounts, Mount("data")); }, nullptr},
      {"mounts too many",
       [](SessionRequest& r) { r.mounts.assign(kMaxMounts + 1, Mount("data")); },
       "too_many_mounts"},
      {"mount permission rx", [](SessionRequest& r) { r.mounts = {Mount("data", "rx")}; },
       "invalid_mount"},
      {"mount permission RO", [](SessionRequest& r) { r.mounts = {Mount("data", "RO")}; },
       "invalid_mount"},
      {"mount without folder", [](SessionRequest& r) { r.mounts = {Mount("")}; },
       "invalid_mount"},
  };
  for (const auto& c : cases) {
    SessionRequest r;
    c.edit(r);
    auto v = ValidateSessionRequest(r);
    if (c.reason == nullptr) {
      EXPECT_TRUE(v.ok()) << c.what << ": " << v.status().ToString();
    } else {
      ASSERT_FALSE(v.ok()) << c.what;
      EXPECT_EQ(v.status().code(), Code::kInvalidArgument) << c.what;
      EXPECT_EQ(v.status().reason(), c.reason) << c.what;
      EXPECT_FALSE(v.status().message().empty()) << c.what;
    }
  }
}

TEST(ValidateSessionRequestTest, KeepsTheRequestAsGiven) {
  SessionRequest r;
  r.name = "web";
  r.image = "python";
  r.mounts = {Mount("data", "ro")};
  r.automount = false;
  r.resources.cpu = 2;
  r.resources.memory_bytes = 1ull << 30;
  r.env = {{"A", "1"}};
  auto v = ValidateSessionRequest(r);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ((*v)->name, "web");
  EXPECT_EQ((*v)->image, "python");
  ASSERT_EQ((*v)->mounts.size(), 1u);
  EXPECT_EQ((*v)->mounts[0].permission, "ro");
  EXPECT_FALSE((*v)->automount);
  EXPECT_EQ((*v)->resources.cpu, 2);
  EXPECT_EQ((*v)->resources.memory_bytes, 1ull << 30);
  EXPECT_EQ(v->get().env, r.env);
}

// The validated type has no other way in: no default or converting
// constructor from a SessionRequest.
static_assert(!std::is_default_constructible_v<ValidSessionRequest>);
static_assert(!std::is_constructible_v<ValidSessionRequest, SessionRequest>);
static_assert(!std::is_convertible_v<SessionRequest, ValidSessionRequest>);

}  // namespace
}  // namespace berth::agent

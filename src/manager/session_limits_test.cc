#include "manager/session_limits.h"

#include <gtest/gtest.h>

#include <cmath>

namespace berth::manager {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

LimitSettings Deployment() {
  LimitSettings s;
  s.default_cpu = 1;
  s.default_memory_bytes = 2 * kGiB;
  s.default_pids = 1024;
  s.max_cpu = 2;
  s.max_memory_bytes = 16 * kGiB;
  s.max_pids = 4096;
  s.max_sessions = 8;
  return s;
}

struct Case {
  const char* name;
  api::UserLimits overrides;
  api::SessionResources requested;
  size_t live;
  // "ok cpu/memory GiB/pids" or "HTTP reason"
  const char* want;
};

std::string Describe(const Result<runtime::Resources>& r) {
  if (!r.ok()) {
    int http = r.status().code() == Code::kPermissionDenied  ? 403
               : r.status().code() == Code::kInvalidArgument ? 400
                                                             : 500;
    return std::to_string(http) + " " + r.status().reason();
  }
  char buf[128];
  std::snprintf(buf, sizeof buf, "ok %g/%g/%lld", r->cpus.value_or(-1),
                static_cast<double>(r->memory_bytes.value_or(0)) / kGiB,
                static_cast<long long>(r->pids_limit.value_or(-1)));
  return buf;
}

TEST(SessionLimitsTest, Table) {
  const Case cases[] = {
      {"defaults applied", {}, {}, 0, "ok 1/2/1024"},
      {"asked within max", {}, {2.0, 8 * kGiB}, 0, "ok 2/8/1024"},
      {"cpu over max", {}, {2.5, std::nullopt}, 0, "400 limit_exceeded"},
      {"memory over max", {}, {std::nullopt, 17 * kGiB}, 0, "400 limit_exceeded"},
      {"user override higher",
       {std::nullopt, 8.0, 64 * kGiB, std::nullopt},
       {8.0, 32 * kGiB},
       0,
       "ok 8/32/1024"},
      {"user override lower caps the defaults",
       {std::nullopt, 0.5, kGiB, 64},
       {},
       0,
       "ok 0.5/1/64"},
      {"user override lower refuses",
       {std::nullopt, 0.5, std::nullopt, std::nullopt},
       {1.0, {}},
       0,
       "400 limit_exceeded"},
      {"below the session cap", {}, {}, 7, "ok 1/2/1024"},
      {"at the session cap", {}, {}, 8, "403 session_limit"},
      {"user cap 2, third session",
       {2, std::nullopt, std::nullopt, std::nullopt},
       {},
       2,
       "403 session_limit"},
      {"user cap 20 above the deployment's",
       {20, std::nullopt, std::nullopt, std::nullopt},
       {},
       8,
       "ok 1/2/1024"},
  };
  const LimitSettings s = Deployment();
  for (const auto& c : cases) {
    api::UserLimits eff = EffectiveLimits(s, c.overrides);
    EXPECT_EQ(Describe(ResolveSessionResources(s, eff, c.requested, c.live)), c.want) << c.name;
  }
}

TEST(SessionLimitsTest, EffectiveLimitsAreTheOverrideElseTheDeploymentMaximum) {
  api::UserLimits eff = EffectiveLimits(Deployment(), {3, std::nullopt, kGiB, std::nullopt});
  EXPECT_EQ(eff.max_sessions, 3);
  EXPECT_EQ(eff.max_cpu, 2.0);
  EXPECT_EQ(eff.max_memory_bytes, kGiB);
  EXPECT_EQ(eff.max_pids, 4096);
}

TEST(SessionLimitsTest, SettingsAndOverridesMustBeSane) {
  EXPECT_TRUE(CheckLimitSettings(Deployment()).ok());
  LimitSettings s = Deployment();
  s.default_cpu = 4;  // over max_cpu 2
  EXPECT_FALSE(CheckLimitSettings(s).ok());
  s = Deployment();
  s.max_pids = 0;
  EXPECT_FALSE(CheckLimitSettings(s).ok());
  s = Deployment();
  s.max_cpu = std::nan("");
  EXPECT_FALSE(CheckLimitSettings(s).ok());
  s = Deployment();
  s.default_scratch_bytes = s.max_scratch_bytes + 1;
  EXPECT_FALSE(CheckLimitSettings(s).ok());
  s = Deployment();
  s.max_scratch_bytes = 0;
  EXPECT_FALSE(CheckLimitSettings(s).ok());

  EXPECT_TRUE(CheckUserLimits({}).ok());
  EXPECT_TRUE(CheckUserLimits({1, 0.25, kGiB, 10}).ok());
  EXPECT_EQ(CheckUserLimits({0, {}, {}, {}}).reason(), "invalid_limits");
  EXPECT_EQ(CheckUserLimits({{}, -1.0, {}, {}}).reason(), "invalid_limits");
  EXPECT_EQ(CheckUserLimits({{}, {}, uint64_t{0}, {}}).reason(), "invalid_limits");
}

// Requests cannot ask for scratch (SPEC's resources has no field): every
// session gets the deployment's default.
TEST(SessionLimitsTest, EverySessionGetsTheDefaultScratch) {
  LimitSettings s = Deployment();
  s.default_scratch_bytes = 3 * kGiB;
  auto r = ResolveSessionResources(s, EffectiveLimits(s, {}), {}, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scratch_bytes, 3 * kGiB);
}

TEST(SessionLimitsTest, BuiltInDefaultsAreSaneOnThisHost) {
  LimitSettings s;
  EXPECT_EQ(s.max_cpu, HostCpuCount());
  EXPECT_TRUE(CheckLimitSettings(s).ok());
}

}  // namespace
}  // namespace berth::manager

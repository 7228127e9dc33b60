// AppsOrigin: the absolute origin GET /sessions/{name}/apps and /open give
// for an app (SPEC §3 "Apps": `url` is absolute, on the apps origin).
#include <gtest/gtest.h>

#include "manager/rest/api_routes.h"

namespace berth::manager {
namespace {

TEST(AppsOriginTest, OneOriginForAllApps) {
  EXPECT_EQ(AppsOrigin({"127.0.0.1", 8471, false, ""}, "127.0.0.1:8470", "s1", "jupyter"),
            "http://127.0.0.1:8471");
  EXPECT_EQ(AppsOrigin({"::1", 8471, true, ""}, "[::1]:8470", "s1", "jupyter"), "https://[::1]:8471");
  // The scheme's own port is left out.
  EXPECT_EQ(AppsOrigin({"berth.lab", 443, true, ""}, "berth.lab", "s1", "jupyter"),
            "https://berth.lab");
}

TEST(AppsOriginTest, AnUnspecifiedAddressTakesTheHostTheClientUsed) {
  const AppsEndpoint any{"0.0.0.0", 8471, false, ""};
  EXPECT_EQ(AppsOrigin(any, "Berth.Lab:8470", "s1", "jupyter"), "http://berth.lab:8471");
  EXPECT_EQ(AppsOrigin(any, "[2001:db8::1]:8470", "s1", "jupyter"), "http://[2001:db8::1]:8471");
  EXPECT_EQ(AppsOrigin({"::", 8471, false, ""}, "berth.lab", "s1", "jupyter"),
            "http://berth.lab:8471");
  EXPECT_EQ(AppsOrigin(any, "", "s1", "jupyter"), "http://127.0.0.1:8471");
}

TEST(AppsOriginTest, WildcardHostModeGivesEachAppItsOwnHost) {
  const AppsEndpoint wild{"0.0.0.0", 8471, true, "apps.berth.lab"};
  EXPECT_EQ(AppsOrigin(wild, "berth.lab:8470", "0f1e2d3c-aaaa-bbbb-cccc-000000000001", "jupyter"),
            "https://jupyter-0f1e2d3c-aaaa-bbbb-cccc-000000000001.apps.berth.lab:8471");
}

}  // namespace
}  // namespace berth::manager

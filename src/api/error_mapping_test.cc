#include "api/error_mapping.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

namespace berth::api {
namespace {

TEST(ErrorMappingTest, RoundTripsThroughHttp) {
  Status s = NotFound("folder 'x' does not exist", "folder_not_found");
  EXPECT_EQ(HttpStatusFor(s.code()), 404);
  Status back = StatusFromHttp(404, ErrorBody(s));
  EXPECT_EQ(back.code(), Code::kNotFound);
  EXPECT_EQ(back.reason(), "folder_not_found");
  EXPECT_EQ(back.message(), "folder 'x' does not exist");
}

TEST(ErrorMappingTest, NonJsonBodyStillReadable) {
  Status s = StatusFromHttp(502, "<html>bad gateway</html>");
  EXPECT_EQ(s.code(), Code::kInternal);
  EXPECT_NE(s.message().find("502"), std::string::npos);
}

// Walks every Code (CodeName knows each one: -Wswitch flags a new code it
// lacks), so a code added without an entry here fails the test.
TEST(ErrorMappingTest, EveryCodeHasAStatus) {
  const std::map<Code, int> kWant = {
      {Code::kOk, 200},
      {Code::kInvalidArgument, 400},
      {Code::kUnauthenticated, 401},
      {Code::kPermissionDenied, 403},
      {Code::kNotFound, 404},
      {Code::kAlreadyExists, 409},
      {Code::kFailedPrecondition, 409},
      {Code::kResourceExhausted, 413},
      {Code::kUnavailable, 503},
      {Code::kInternal, 500},
  };
  int seen = 0;
  for (int i = 0; CodeName(static_cast<Code>(i)) != "unknown"; ++i, ++seen) {
    const Code code = static_cast<Code>(i);
    auto want = kWant.find(code);
    ASSERT_NE(want, kWant.end()) << "no expected HTTP status for code " << CodeName(code);
    EXPECT_EQ(HttpStatusFor(code), want->second) << CodeName(code);
    if (code == Code::kOk) continue;
    // And back: the client recovers the code from the status and the body.
    Status back = StatusFromHttp(HttpStatusFor(code), ErrorBody(Status(code, "m")));
    EXPECT_EQ(back.code(), code) << CodeName(code);
    EXPECT_EQ(back.message(), "m");
  }
  EXPECT_EQ(seen, static_cast<int>(kWant.size()));
}

}  // namespace
}  // namespace berth::api

namespace berth::api {
namespace {

TEST(ErrorMappingTest, QuotaExceededCarriesAvailableBytes) {
  Status s = QuotaExceeded("upload of 'a' does not fit", 12345);
  EXPECT_EQ(HttpStatusFor(s.code()), 413);
  auto j = nlohmann::json::parse(ErrorBody(s));
  EXPECT_EQ(j["error"]["code"], "quota_exceeded");
  EXPECT_EQ(j["error"]["available_bytes"], 12345);
  EXPECT_EQ(StatusFromHttp(413, ErrorBody(s)).reason(), "quota_exceeded");
  // Other errors have no available_bytes.
  auto other = nlohmann::json::parse(ErrorBody(Status(Code::kResourceExhausted, "m", "x")));
  EXPECT_FALSE(other["error"].contains("available_bytes"));
}

}  // namespace
}  // namespace berth::api

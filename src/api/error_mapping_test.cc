#include "api/error_mapping.h"

#include <gtest/gtest.h>

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

TEST(ErrorMappingTest, EveryCodeHasAStatus) {
  EXPECT_EQ(HttpStatusFor(Code::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(Code::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(Code::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(Code::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(Code::kFailedPrecondition), 409);
  EXPECT_EQ(HttpStatusFor(Code::kResourceExhausted), 413);
}

}  // namespace
}  // namespace berth::api

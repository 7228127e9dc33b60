#include "common/status.h"

#include <gtest/gtest.h>

#include "common/result.h"

namespace berth {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  BERTH_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, ReasonDefaultsToCodeName) {
  EXPECT_EQ(NotFound("x").reason(), "not_found");
  EXPECT_EQ(NotFound("x", "folder_not_found").reason(), "folder_not_found");
  EXPECT_TRUE(Status().ok());
}

TEST(ResultTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace berth

#include "cli/app.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {
TEST(AppTest, Placeholder) {}
}  // namespace
}  // namespace berth::cli

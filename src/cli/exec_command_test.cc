#include "cli/exec_command.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

api::ExecEvent Final(std::optional<int> code, bool error) {
  api::ExecEvent e;
  e.exit_code = code;
  if (error) e.error = Unavailable("x");
  return e;
}

TEST(ExecExitCode, IsTheCommandsOwn) {
  EXPECT_EQ(ExecExitCode(Final(0, false)), 0);
  EXPECT_EQ(ExecExitCode(Final(3, false)), 3);
  EXPECT_EQ(ExecExitCode(Final(126, false)), 126);  // could not be run
  EXPECT_EQ(ExecExitCode(Final(127, false)), 127);  // not found
  EXPECT_EQ(ExecExitCode(Final(124, true)), 124);   // stopped at its timeout
}

TEST(ExecExitCode, FoldsIntoAByte) {
  EXPECT_EQ(ExecExitCode(Final(-9, false)), 137);
  EXPECT_EQ(ExecExitCode(Final(256 + 5, false)), 5);
}

TEST(ExecExitCode, BerthFailureIs125) {
  EXPECT_EQ(ExecExitCode(Final(std::nullopt, true)), kExecBerthFailed);
  EXPECT_EQ(kExecBerthFailed, 125);
}

}  // namespace
}  // namespace berth::cli

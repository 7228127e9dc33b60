#include "common/subprocess.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(SubprocessTest, CapturesOutputAndExitCode) {
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
  auto r = RunSubprocess(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->stdout_data, "out\n");
  EXPECT_EQ(r->stderr_data, "err\n");
}

TEST(SubprocessTest, FeedsStdin) {
  SubprocessOptions o;
  o.argv = {"cat"};
  o.stdin_data = std::string(1 << 20, 'x');
  auto r = RunSubprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data.size(), size_t{1} << 20);
}

TEST(SubprocessTest, TimeoutKillsGroup) {
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "sleep 30 & sleep 30"};
  o.timeout = std::chrono::milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto r = RunSubprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SubprocessTest, GrandchildHoldingPipeDoesNotHang) {
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "(sleep 5 &) ; echo done"};
  auto start = std::chrono::steady_clock::now();
  auto r = RunSubprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_data, "done\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(SubprocessTest, MissingBinaryIsError) {
  SubprocessOptions o;
  o.argv = {"/nonexistent/berth-binary"};
  EXPECT_FALSE(RunSubprocess(o).ok());
}

}  // namespace
}  // namespace berth

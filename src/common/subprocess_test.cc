#include "common/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <thread>

#include "common/fs_util.h"

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

// Dead or a zombie (killed, not yet reaped by whoever inherited it).
bool ProcessIsDead(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat.ok()) return true;
  size_t paren = stat->rfind(')');
  return paren != std::string::npos && paren + 2 < stat->size() &&
         ((*stat)[paren + 2] == 'Z' || (*stat)[paren + 2] == 'X');
}

TEST(SubprocessTest, TimeoutKillsGroup) {
  char dir_template[] = "/tmp/berth-subprocess-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string pid_file = std::string(dir_template) + "/grandchild.pid";
  SubprocessOptions o;
  // The background sleep is a grandchild: it is only killed if the whole
  // process group is, not just the shell.
  o.argv = {"/bin/sh", "-c", "sleep 30 & echo $! > " + pid_file + "; sleep 30"};
  o.timeout = std::chrono::milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  auto r = RunSubprocess(o);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));

  auto text = ReadFile(pid_file);
  ASSERT_TRUE(text.ok()) << "the shell never wrote the grandchild's pid";
  const pid_t grandchild = static_cast<pid_t>(std::stol(*text));
  ASSERT_GT(grandchild, 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (!ProcessIsDead(grandchild) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(ProcessIsDead(grandchild)) << "grandchild " << grandchild << " survived the timeout";
  if (!ProcessIsDead(grandchild)) ::kill(grandchild, SIGKILL);
  std::filesystem::remove_all(dir_template);
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

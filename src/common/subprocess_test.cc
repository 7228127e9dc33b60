#include "common/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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

// In a session of its own (the default) or only a process group of its own
// (new_session false): a timeout kills the whole group either way.
void ExpectTimeoutKillsGroup(bool new_session) {
  SCOPED_TRACE(new_session ? "new session" : "own process group");
  char dir_template[] = "/tmp/berth-subprocess-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  const std::string pid_file = std::string(dir_template) + "/grandchild.pid";
  SubprocessOptions o;
  // The background sleep is a grandchild: it is only killed if the whole
  // process group is, not just the shell.
  o.argv = {"/bin/sh", "-c", "sleep 30 & echo $! > " + pid_file + "; sleep 30"};
  o.timeout = std::chrono::milliseconds(300);
  o.new_session = new_session;
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

TEST(SubprocessTest, TimeoutKillsGroup) {
  ExpectTimeoutKillsGroup(true);
  ExpectTimeoutKillsGroup(false);
}

// The child leads its process group; it leads a session only with
// new_session, else it stays in ours (fields 5 and 6 of /proc/PID/stat).
TEST(SubprocessTest, NewSessionOrOnlyProcessGroup) {
  for (bool new_session : {true, false}) {
    SubprocessOptions o;
    o.argv = {"/bin/sh", "-c", "cut -d' ' -f1,5,6 /proc/$$/stat"};
    o.new_session = new_session;
    auto r = RunSubprocess(o);
    ASSERT_TRUE(r.ok());
    long pid = 0, pgrp = 0, sid = 0;
    ASSERT_EQ(std::sscanf(r->stdout_data.c_str(), "%ld %ld %ld", &pid, &pgrp, &sid), 3)
        << r->stdout_data;
    EXPECT_EQ(pgrp, pid);
    EXPECT_EQ(sid, new_session ? pid : static_cast<long>(::getsid(0))) << new_session;
  }
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

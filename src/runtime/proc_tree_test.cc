#include "runtime/proc_tree.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

namespace berth::runtime {
namespace {

bool Contains(const std::vector<pid_t>& v, pid_t p) {
  return std::find(v.begin(), v.end(), p) != v.end();
}

TEST(ProcTreeTest, FindsChildAndGrandchild) {
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipefd[0]);
    pid_t grandchild = ::fork();
    if (grandchild == 0) {
      ::pause();
      ::_exit(0);
    }
    (void)!::write(pipefd[1], &grandchild, sizeof(grandchild));
    ::pause();
    ::_exit(0);
  }
  ::close(pipefd[1]);
  pid_t grandchild = 0;
  ASSERT_EQ(::read(pipefd[0], &grandchild, sizeof(grandchild)),
            static_cast<ssize_t>(sizeof(grandchild)));
  ::close(pipefd[0]);

  std::vector<pid_t> mine = DescendantPids(::getpid());
  EXPECT_TRUE(Contains(mine, child));
  EXPECT_TRUE(Contains(mine, grandchild));
  std::vector<pid_t> of_child = DescendantPids(child);
  EXPECT_FALSE(Contains(of_child, child));
  EXPECT_TRUE(Contains(of_child, grandchild));
  EXPECT_TRUE(DescendantPids(grandchild).empty());

  ::kill(grandchild, SIGKILL);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
}

TEST(ProcTreeTest, UnknownPidHasNoDescendants) {
  EXPECT_TRUE(DescendantPids(0x7ffffff0).empty());
}

}  // namespace
}  // namespace berth::runtime

#include "runtime/pidfd.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/unique_fd.h"

namespace berth::runtime {
namespace {

TEST(PidfdTest, SignalThenWaitExit) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  UniqueFd fd(PidfdOpen(child));
  ASSERT_TRUE(fd) << "pidfd_open: " << errno;
  EXPECT_FALSE(PidfdWaitExit(fd.get(), std::chrono::milliseconds(0)));
  ASSERT_EQ(PidfdSignal(fd.get(), SIGKILL), 0);
  EXPECT_TRUE(PidfdWaitExit(fd.get(), std::chrono::seconds(5)));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  // Reaped: the pidfd stays valid and signalling it reports ESRCH, never
  // another process that got the pid.
  EXPECT_NE(PidfdSignal(fd.get(), 0), 0);
  EXPECT_EQ(errno, ESRCH);
}

}  // namespace
}  // namespace berth::runtime

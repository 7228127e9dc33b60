#include "manager/pty_input_queue.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

namespace berth::manager {
namespace {

// A non-blocking pipe stands in for the PTY master: it too takes a bounded
// amount and then says EAGAIN, like a shell that stopped reading.
struct Pipe {
  Pipe() {
    EXPECT_EQ(::pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
    ::fcntl(fds[1], F_SETPIPE_SZ, 4096);
  }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  std::string Drain() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
  int fds[2];
};

TEST(PtyInputQueueTest, WritesInOrderWithoutBlocking) {
  Pipe p;
  PtyInputQueue q(1024);
  EXPECT_TRUE(q.Push("ab"));
  EXPECT_TRUE(q.Push("cd"));
  auto r = q.WriteTo(p.fds[1]);
  EXPECT_TRUE(r.status.ok());
  EXPECT_FALSE(r.resume);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(p.Drain(), "abcd");
}

// The regression behind issue 10 item 1: input to a shell that does not
// read must neither block the writer nor be dropped; the producer is told to
// pause, and to resume once the reader caught up.
TEST(PtyInputQueueTest, FullReaderPausesProducerAndLosesNothing) {
  Pipe p;
  PtyInputQueue q(16 << 10);
  std::string sent;
  int pushes = 0;
  for (bool room = true; room && pushes < 1000; ++pushes) {
    std::string chunk(1000, static_cast<char>('a' + pushes % 26));
    sent += chunk;
    room = q.Push(chunk);
    EXPECT_TRUE(q.WriteTo(p.fds[1]).status.ok());  // returns at EAGAIN
  }
  EXPECT_LT(pushes, 1000) << "Push never reported full";
  EXPECT_FALSE(q.empty());

  std::string got;
  bool resumed = false;
  for (int i = 0; i < 1000 && !q.empty(); ++i) {
    got += p.Drain();
    auto r = q.WriteTo(p.fds[1]);
    ASSERT_TRUE(r.status.ok());
    resumed = resumed || r.resume;
  }
  got += p.Drain();
  EXPECT_TRUE(resumed);
  EXPECT_EQ(got, sent);
  EXPECT_TRUE(q.Push("x"));  // room again
}

TEST(PtyInputQueueTest, OneMessageOverTheLimitIsQueuedWhole) {
  Pipe p;
  PtyInputQueue q(10);
  EXPECT_FALSE(q.Push(std::string(100, 'x')));
  std::string got;
  for (int i = 0; i < 10 && !q.empty(); ++i) {
    q.WriteTo(p.fds[1]);
    got += p.Drain();
  }
  EXPECT_EQ(got, std::string(100, 'x'));
}

TEST(PtyInputQueueTest, ClosedReaderIsAnError) {
  Pipe p;
  ::close(p.fds[0]);
  p.fds[0] = ::open("/dev/null", O_RDONLY);
  signal(SIGPIPE, SIG_IGN);
  PtyInputQueue q(10);
  q.Push("x");
  EXPECT_FALSE(q.WriteTo(p.fds[1]).status.ok());
}

}  // namespace
}  // namespace berth::manager

#include "manager/exec_stream.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "api/exec_ndjson.h"

namespace berth::manager {
namespace {

using namespace std::chrono_literals;
using runtime::ExecOptions;
using runtime::ExecResult;

// Reads the stream until it ends (bounded: 10 s).
std::string Drain(ExecStream& s) {
  std::string all;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!s.TryRead(all)) return all;
    std::this_thread::sleep_for(1ms);
  }
  ADD_FAILURE() << "stream did not end";
  return all;
}

TEST(ExecStream, SendsOutputThenTheExitCode) {
  ExecStream s(std::nullopt, ExecOptions{}, [](const ExecOptions& o) -> Result<ExecResult> {
    EXPECT_TRUE(o.on_output(runtime::ExecStream::kStdout, "out"));
    EXPECT_TRUE(o.on_output(runtime::ExecStream::kStderr, std::string("\0e", 2)));
    ExecResult r;
    r.exit_code = 3;
    return r;
  });
  s.SetWaker([] {});
  std::string body = Drain(s);
  EXPECT_EQ(body, api::ExecOutputLine(api::ExecStreamKind::kStdout, "out") +
                      api::ExecOutputLine(api::ExecStreamKind::kStderr, std::string("\0e", 2)) +
                      api::ExecExitLine(3));
}

TEST(ExecStream, EndsWithTheErrorOrTimeout) {
  ExecStream failed(std::nullopt, ExecOptions{},
                    [](const ExecOptions&) -> Result<ExecResult> { return NotFound("gone"); });
  failed.SetWaker([] {});
  EXPECT_EQ(Drain(failed), api::ExecErrorLine(NotFound("gone")));

  ExecOptions o;
  o.timeout = 2s;
  ExecStream timed(std::nullopt, o, [](const ExecOptions&) -> Result<ExecResult> {
    ExecResult r;
    r.exit_code = 124;
    r.timed_out = true;
    return r;
  });
  timed.SetWaker([] {});
  EXPECT_EQ(Drain(timed), api::ExecTimeoutLine(124, 2000));
}

TEST(ExecStream, BlocksTheCommandWhileTheClientLags) {
  std::atomic<int> sent{0};
  ExecStream s(
      std::nullopt, ExecOptions{},
      [&](const ExecOptions& o) -> Result<ExecResult> {
        for (int i = 0; i < 100; ++i) {
          if (!o.on_output(runtime::ExecStream::kStdout, std::string(1000, 'x'))) break;
          ++sent;
        }
        return ExecResult{0};
      },
      /*max_buffered=*/4096);
  s.SetWaker([] {});
  std::this_thread::sleep_for(100ms);  // nobody reads: the producer waits
  EXPECT_LE(sent.load(), 4);
  std::string body = Drain(s);
  EXPECT_EQ(sent.load(), 100);
  EXPECT_NE(body.find("{\"exit_code\":0}"), std::string::npos);
}

TEST(ExecStream, DestroyingStopsTheCommandAndFreesTheSlot) {
  ExecSlots slots(1, 1);
  std::atomic<bool> refused{false};
  {
    auto slot = slots.Acquire("u");
    ASSERT_TRUE(slot.ok());
    ExecStream s(
        std::move(*slot), ExecOptions{},
        [&](const ExecOptions& o) -> Result<ExecResult> {
          for (int i = 0; i < 1000; ++i) {
            if (!o.on_output(runtime::ExecStream::kStdout, std::string(1000, 'x'))) {
              refused = true;
              break;
            }
          }
          return ExecResult{137};
        },
        /*max_buffered=*/4096);
    EXPECT_EQ(slots.InUse("u"), 1);
  }  // the client went away
  EXPECT_TRUE(refused.load());
  EXPECT_EQ(slots.InUse("u"), 0);
}

}  // namespace
}  // namespace berth::manager

// The hub and a node agent talking over a real loopback WebSocket in one
// process (remote/hub_agent_fixture.h): registration, exec, terminal, logs,
// delete, replacement, idle links.
#include "remote/hub_agent_fixture.h"

namespace berth::remote {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

TEST_F(HubAgentTest, RegistersCreatesAndReportsRunning) {
  StartRunningAgent();
  auto st = policy_->statuses();
  ASSERT_GE(st.size(), 2u);
  EXPECT_EQ(st[0], "creating");
  EXPECT_EQ(st[1], "running");
  EXPECT_TRUE(runtime_.SpecOf(session_id_).has_value());
  EXPECT_EQ(runtime_.SpecOf(session_id_)->hostname, "web");
}

TEST_F(HubAgentTest, RefusedRegistrationEndsTheAgent) {
  StartAgent(AgentOptions("wrong-key"));
  agent_thread_.join();
  EXPECT_EQ(rc_, 1);
  EXPECT_FALSE(hub_->Connected(session_id_));
  EXPECT_TRUE(policy_->statuses().empty());
  EXPECT_EQ(runtime_.create_calls(), 0);
  auto r = hub_->Exec(session_id_, {.argv = {"true"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "agent_unavailable");
}

TEST_F(HubAgentTest, ExecStreamsOutputAndExitCode) {
  StartRunningAgent();
  // 1 MB: four times the window, so credit must flow back.
  runtime::ExecOptions o;
  o.argv = {"emit", "1000000"};
  o.stdin_data = "in";
  size_t out_bytes = 0;
  std::string err;
  o.on_output = [&](runtime::ExecStream s, std::string_view b) {
    if (s == runtime::ExecStream::kStdout) out_bytes += b.size();
    else err += b;
    return true;
  };
  auto r = hub_->Exec(session_id_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(out_bytes, 1000000u);
  EXPECT_EQ(err, "bye:in");
  // Buffered: the hub collects it.
  auto b = hub_->Exec(session_id_, {.argv = {"emit", "2500"}});
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->stdout_data.size(), 2500u);
  EXPECT_EQ(b->stderr_data, "bye:");
}

TEST_F(HubAgentTest, ExecAbortedByTheCallerStopsTheCommand) {
  StartRunningAgent();
  runtime::ExecOptions o;
  o.argv = {"emit", "100000000"};
  size_t seen = 0;
  o.on_output = [&](runtime::ExecStream, std::string_view b) {
    seen += b.size();
    return seen < 50000;
  };
  auto r = hub_->Exec(session_id_, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->aborted);
  EXPECT_LT(seen, 2000000u);  // bounded by the window, not the 100 MB
}

TEST_F(HubAgentTest, ExecErrorsCarryTheirStatus) {
  StartRunningAgent();
  runtime_.SetState(session_id_, runtime::ContainerState::kStopped);
  auto r = hub_->Exec(session_id_, {.argv = {"true"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  runtime_.SetState(session_id_, runtime::ContainerState::kRunning);
}

TEST_F(HubAgentTest, TerminalBytesBothWaysResizeAndExit) {
  StartRunningAgent();
  auto tty = hub_->OpenTerminal(session_id_, 100, 30);
  ASSERT_TRUE(tty.ok()) << tty.status().ToString();
  EXPECT_EQ(runtime_.cols, 100);
  int local = (*tty)->fd();
  // Manager → shell.
  ASSERT_EQ(::write(local, "ls\n", 3), 3);
  EXPECT_EQ(ReadSome(runtime_.shell.get(), 3), "ls\n");
  // Shell → manager.
  ASSERT_EQ(::write(runtime_.shell.get(), "a b c\r\n", 7), 7);
  EXPECT_EQ(ReadSome(local, 7), "a b c\r\n");
  ASSERT_TRUE((*tty)->Resize(120, 40).ok());
  for (int i = 0; i < 100 && runtime_.cols != 120; ++i) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(runtime_.cols, 120);
  // The shell prints its last words and exits: they arrive, then exit_fd fires.
  ASSERT_EQ(::write(runtime_.shell.get(), "logout\r\n", 8), 8);
  uint64_t one = 1;
  ASSERT_EQ(::write(runtime_.shell_exit.get(), &one, sizeof one), 8);
  pollfd p{(*tty)->exit_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  EXPECT_EQ(ReadSome(local, 8), "logout\r\n");
  EXPECT_TRUE((*tty)->Wait(1s));
}

TEST_F(HubAgentTest, TerminalKillReachesTheNode) {
  StartRunningAgent();
  auto tty = hub_->OpenTerminal(session_id_, 80, 24);
  ASSERT_TRUE(tty.ok()) << tty.status().ToString();
  ASSERT_TRUE((*tty)->Kill(SIGHUP).ok());
  pollfd p{(*tty)->exit_fd(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  EXPECT_EQ(runtime_.killed, SIGHUP);
}

TEST_F(HubAgentTest, Logs) {
  StartRunningAgent();
  auto logs = hub_->Logs(session_id_, 1 << 20);
  ASSERT_TRUE(logs.ok()) << logs.status().ToString();
  EXPECT_EQ(*logs, "log line\n");
  logs = hub_->Logs(session_id_, 3);
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(*logs, "log");
}

TEST_F(HubAgentTest, DeleteRemovesTheContainerAndEndsTheAgent) {
  StartRunningAgent();
  ASSERT_TRUE(hub_->Delete(session_id_, 10s).ok());
  agent_thread_.join();
  EXPECT_EQ(rc_, 0);
  EXPECT_FALSE(runtime_.SpecOf(session_id_).has_value());
  EXPECT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return Has(p.statuses_, "terminated"); }));
  EXPECT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return p.gone_ == 1; }));
  EXPECT_FALSE(hub_->Connected(session_id_));
  EXPECT_TRUE(hub_->Delete(session_id_, 1s).ok());  // none registered: OK
}

TEST_F(HubAgentTest, StopSignalDeletesAndReportsTerminated) {
  StartRunningAgent();
  StopAgent();
  EXPECT_EQ(rc_, 0);
  EXPECT_FALSE(runtime_.SpecOf(session_id_).has_value());
  EXPECT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return Has(p.statuses_, "terminated"); }));
}

TEST_F(HubAgentTest, ANewRegistrationReplacesTheOld) {
  StartRunningAgent();
  // A second agent registers for the same session (as after a reconnect):
  // it gets no spec, the first connection is closed, and no gone is
  // reported for the replaced one.
  NodeAgentOptions second = AgentOptions();
  UniqueFd stop2(::eventfd(0, EFD_CLOEXEC));
  second.stop_fd = stop2.get();
  std::atomic<int> rc2{-1};
  std::thread t([&] { rc2 = RunNodeAgent(second); });
  ASSERT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return p.admits_ >= 2; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(hub_->Connected(session_id_));
  EXPECT_EQ(policy_->gone_, 0);
  EXPECT_EQ(runtime_.create_calls(), 1);
  auto r = hub_->Exec(session_id_, {.argv = {"emit", "10"}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  uint64_t one = 1;
  (void)::write(stop2.get(), &one, sizeof one);
  t.join();
}

class HubIdleTest : public HubAgentTest {
 protected:
  HubIdleTest() { idle_timeout_ = 500ms; }
};

// The hub closes a link that stays silent past its idle timeout and
// reports the agent gone; the agent sees its connection drop, reconnects,
// re-registers (no spec this time: the container runs) and reports running.
TEST_F(HubIdleTest, AnIdleLinkIsClosedReportedGoneAndTheAgentReregisters) {
  NodeAgentOptions o = AgentOptions();
  o.ping_interval = 5s;  // slower than the hub's idle timeout
  StartAgent(o);
  EXPECT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return p.gone_ >= 1; }));
  EXPECT_TRUE(policy_->WaitFor([](const TestPolicy& p) {
    return p.admits_ >= 2 && std::count(p.statuses_.begin(), p.statuses_.end(), "running") >= 2;
  })) << ::testing::PrintToString(policy_->statuses());
  EXPECT_EQ(runtime_.create_calls(), 1);
}

}  // namespace
}  // namespace berth::remote

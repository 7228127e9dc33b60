// The hub and a node agent talking over a real loopback WebSocket in one
// process: AgentListener (http::Server) + MakeAgentHub on one side,
// RunNodeAgent (WsClient, AgentStreams) over a SessionAgent on a fake
// runtime on the other.
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "agent/agent_testing.h"
#include "common/random.h"
#include "common/unique_fd.h"
#include "remote/agent_hub.h"
#include "remote/agent_listener.h"
#include "remote/node_agent.h"

namespace berth::remote {
namespace {

using namespace std::chrono_literals;

// A terminal whose "shell" is the test: the other end of a socketpair.
class TestTty : public runtime::TtyProcess {
 public:
  TestTty(int fd, int exit_fd, std::atomic<int>* cols, std::atomic<int>* killed)
      : fd_(fd), exit_(exit_fd), cols_(cols), killed_(killed) {}
  int fd() const override { return fd_.get(); }
  int exit_fd() const override { return exit_; }
  Status Resize(uint16_t cols, uint16_t) override {
    *cols_ = cols;
    return Status::Ok();
  }
  Status Kill(int sig) override {
    *killed_ = sig;
    uint64_t one = 1;
    (void)::write(exit_, &one, sizeof one);
    return Status::Ok();
  }
  bool Wait(std::chrono::milliseconds) override { return true; }

 private:
  UniqueFd fd_;
  int exit_;
  std::atomic<int>* cols_;
  std::atomic<int>* killed_;
};

// The fake runtime with streamed exec output and terminals.
class StreamingRuntime : public agent::FakeRuntime {
 public:
  Result<runtime::ExecResult> Exec(const std::string& id, const runtime::ExecOptions& o) override {
    BERTH_ASSIGN_OR_RETURN(auto r, FakeRuntime::Exec(id, o));
    // argv {"emit", N}: N bytes of stdout in 1000-byte writes, "bye" on stderr.
    size_t n = o.argv.size() > 1 ? std::stoul(o.argv[1]) : 0;
    for (size_t done = 0; done < n; done += 1000) {
      std::string chunk(std::min<size_t>(1000, n - done), 'x');
      if (o.on_output && !o.on_output(runtime::ExecStream::kStdout, chunk)) {
        r.aborted = true;
        return r;
      }
    }
    if (o.on_output) o.on_output(runtime::ExecStream::kStderr, "bye:" + o.stdin_data);
    r.exit_code = 3;
    return r;
  }
  Result<std::unique_ptr<runtime::TtyProcess>> ExecTty(const std::string& id,
                                                       const runtime::TtyOptions& o) override {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return Internal("socketpair");
    shell.reset(sv[1]);
    shell_exit.reset(::eventfd(0, EFD_CLOEXEC));
    cols = o.cols;
    return std::unique_ptr<runtime::TtyProcess>(new TestTty(sv[0], shell_exit.get(), &cols, &killed));
  }
  Result<std::string> Logs(const std::string&, size_t max) override {
    return std::string("log line\n").substr(0, max);
  }

  UniqueFd shell, shell_exit;
  std::atomic<int> cols{0}, killed{0};
};

class TestPolicy : public RegistrationPolicy {
 public:
  explicit TestPolicy(std::function<agent::SessionSpec()> spec) : spec_(std::move(spec)) {}
  Result<Admission> Admit(const Registration& r) override {
    std::lock_guard lock(mu_);
    ++admits_;
    if (r.key != "good-key") return PermissionDenied("bad key");
    Admission a;
    if (admits_ == 1) a.spec = spec_();
    return a;
  }
  void OnAgentStatus(const std::string& id, const std::string& status, const std::string& reason,
                     const std::string& ip) override {
    std::lock_guard lock(mu_);
    statuses_.push_back(status + (reason.empty() ? "" : ":" + reason));
    cv_.notify_all();
  }
  void OnAgentGone(const std::string& id) override {
    std::lock_guard lock(mu_);
    ++gone_;
    cv_.notify_all();
  }
  // Waits (bounded) until `pred` holds.
  bool WaitFor(std::function<bool(const TestPolicy&)> pred, std::chrono::milliseconds t = 10s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, t, [&] { return pred(*this); });
  }
  std::vector<std::string> statuses() {
    std::lock_guard lock(mu_);
    return statuses_;
  }

  std::vector<std::string> statuses_;
  int gone_ = 0;
  int admits_ = 0;

 private:
  std::function<agent::SessionSpec()> spec_;
  std::mutex mu_;
  std::condition_variable cv_;
};

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string ReadSome(int fd, size_t want) {
  std::string out;
  for (int i = 0; i < 100 && out.size() < want; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

class HubAgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = agent::TestNode::Create();
    ASSERT_TRUE(node.ok());
    node_ = std::move(*node);
    auto a = agent::SessionAgent::Open({node_->dir() + "/remote-agent", &runtime_, {node_->volume_root()}});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    agent_ = std::move(*a);
    session_id_ = NewUuid();
    policy_ = std::make_unique<TestPolicy>([this] {
      agent::SessionSpec s(*agent::ValidateSessionRequest({}));
      s.id = session_id_;
      s.name = "web";
      s.owner = "alice";
      s.image = *node_->images().Get("python");
      return s;
    });
    AgentHubOptions ho;
    ho.policy = policy_.get();
    ho.idle_timeout = idle_timeout_;
    hub_ = MakeAgentHub(ho);
    auto l = AgentListener::Start(hub_.get(), {});
    ASSERT_TRUE(l.ok()) << l.status().ToString();
    listener_ = std::move(*l);
    stop_.reset(::eventfd(0, EFD_CLOEXEC));
  }

  void TearDown() override {
    StopAgent();
    listener_.reset();
    hub_.reset();
  }

  NodeAgentOptions AgentOptions(const std::string& key = "good-key") {
    NodeAgentOptions o;
    o.manager_url = "ws://127.0.0.1:" + std::to_string(listener_->port()) + kAgentPath;
    o.registration = {session_id_, "42", "node-1", key};
    o.agent = agent_.get();
    o.stop_fd = stop_.get();
    o.ping_interval = 200ms;
    o.reconnect_budget = 2s;
    return o;
  }

  void StartAgent(NodeAgentOptions o) {
    options_ = std::move(o);
    agent_thread_ = std::thread([this] { rc_ = RunNodeAgent(options_); });
  }
  // Running: registered and the container made.
  void StartRunningAgent() {
    StartAgent(AgentOptions());
    ASSERT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return Has(p.statuses_, "running"); }))
        << ::testing::PrintToString(policy_->statuses());
    ASSERT_TRUE(hub_->Connected(session_id_));
  }
  void StopAgent() {
    if (!agent_thread_.joinable()) return;
    uint64_t one = 1;
    (void)::write(stop_.get(), &one, sizeof one);
    agent_thread_.join();
  }

  std::chrono::milliseconds idle_timeout_{30000};
  StreamingRuntime runtime_;
  std::unique_ptr<agent::TestNode> node_;
  std::unique_ptr<agent::SessionAgent> agent_;
  std::string session_id_;
  std::unique_ptr<TestPolicy> policy_;
  std::unique_ptr<AgentHub> hub_;
  std::unique_ptr<AgentListener> listener_;
  UniqueFd stop_;
  NodeAgentOptions options_;
  std::thread agent_thread_;
  std::atomic<int> rc_{-1};
};

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

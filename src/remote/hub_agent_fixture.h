// The fixture of the hub/agent tests (hub_agent_test.cc, hub_apps_test.cc):
// the hub and a node agent talking over a real loopback WebSocket in one
// process: AgentListener (http::Server) + MakeAgentHub on one side,
// RunNodeAgent (WsClient, AgentStreams) over a SessionAgent on a fake
// runtime on the other. Test-only.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "agent/agent_testing.h"
#include "common/random.h"
#include "common/unique_fd.h"
#include "remote/agent_hub.h"
#include "remote/agent_listener.h"
#include "remote/node_agent.h"

namespace berth::remote::test_support {

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

// An app process that runs until killed.
class AppTty : public runtime::TtyProcess {
 public:
  int fd() const override { return -1; }
  int exit_fd() const override { return -1; }
  Status Resize(uint16_t, uint16_t) override { return Status::Ok(); }
  Status Kill(int) override {
    killed_ = true;
    return Status::Ok();
  }
  bool Wait(std::chrono::milliseconds) override { return killed_; }

 private:
  std::atomic<bool> killed_{false};
};

// The fake runtime with streamed exec output, terminals and apps.
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
  // Running containers report the test's own pid (or init_pid when set):
  // their "network namespace" is the test's (apps listen on the test's
  // loopback).
  Result<runtime::ContainerInfo> Inspect(const std::string& id) override {
    ++inspect_calls;
    BERTH_ASSIGN_OR_RETURN(auto info, FakeRuntime::Inspect(id));
    if (info.state == runtime::ContainerState::kRunning)
      info.pid = init_pid > 0 ? init_pid.load() : ::getpid();
    return info;
  }
  Result<std::unique_ptr<runtime::TtyProcess>> ExecTty(const std::string& id,
                                                       const runtime::TtyOptions& o) override {
    if (o.argv.size() == 3 && o.argv[2].find(".berth-apps") != std::string::npos) {
      // An app's start (apps::AppRegistry): it "runs" until killed.
      std::lock_guard lock(mu);
      app_commands.push_back(o.argv[2]);
      return std::unique_ptr<runtime::TtyProcess>(new AppTty());
    }
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

  std::vector<std::string> AppCommands() {
    std::lock_guard lock(mu);
    return app_commands;
  }

  UniqueFd shell, shell_exit;
  std::atomic<int> cols{0}, killed{0};
  std::atomic<int> inspect_calls{0};
  std::atomic<pid_t> init_pid{0};
  std::mutex mu;
  std::vector<std::string> app_commands;  // under mu
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

// A listening TCP socket on 127.0.0.1:`port` (0: any).
inline UniqueFd Listen(uint16_t port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd.get(), 16) != 0) {
    return UniqueFd();
  }
  return fd;
}

inline bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

inline std::string ReadSome(int fd, size_t want) {
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
      s.image.apps = spec_apps_;
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
    o.runtime = &runtime_;
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
  std::vector<images::AppSpec> spec_apps_;  // the admitted spec's image apps
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

}  // namespace berth::remote::test_support

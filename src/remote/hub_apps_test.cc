// Apps of a remote session through the agent channel (docs/cluster.md
// "Apps through the channel"), and the agent surviving a dropped
// connection: the hub and a node agent over a real loopback WebSocket
// (remote/hub_agent_fixture.h); the "app" is a real TCP listener of the
// test on 127.0.0.1 (the fake containers share the test's namespace), and
// the drop is real: a TCP relay between agent and manager whose
// connections the test shuts under both.
#include "remote/hub_agent_fixture.h"
#include "remote/hub_app_backend.h"

namespace berth::remote {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

constexpr size_t kMiB = 1 << 20;

uint16_t PortOf(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

// Accepts one connection within `timeout`.
UniqueFd AcceptOne(int listener, std::chrono::milliseconds timeout) {
  pollfd p{listener, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return UniqueFd();
  return UniqueFd(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
}

// Blocking I/O on a possibly non-blocking socket, bounded in time.
bool WaitFor(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 10000) == 1;
}

// Writes `n` bytes of a pattern (byte i = i % 251), then shuts the write side.
bool WritePattern(int fd, size_t n) {
  std::string chunk(64 << 10, '\0');
  for (size_t done = 0; done < n;) {
    size_t len = std::min(chunk.size(), n - done);
    for (size_t i = 0; i < len; ++i) chunk[i] = static_cast<char>((done + i) % 251);
    if (!WaitFor(fd, POLLOUT)) return false;
    ssize_t w = ::send(fd, chunk.data(), len, MSG_NOSIGNAL);
    if (w < 0 && errno == EAGAIN) continue;
    if (w <= 0) return false;
    done += static_cast<size_t>(w);
  }
  return ::shutdown(fd, SHUT_WR) == 0;
}

// Reads to EOF; the count of bytes, or -1 when one breaks the pattern.
int64_t ReadPattern(int fd) {
  char buf[64 << 10];
  int64_t total = 0;
  for (;;) {
    if (!WaitFor(fd, POLLIN)) return -2;
    ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r < 0 && errno == EAGAIN) continue;
    if (r <= 0) return r == 0 ? total : -3;
    for (ssize_t i = 0; i < r; ++i) {
      if (static_cast<unsigned char>(buf[i]) != (total + i) % 251) return -1;
    }
    total += r;
  }
}

// A TCP relay 127.0.0.1:port() → 127.0.0.1:target, one thread per
// connection; Cut() shuts every relayed connection on both sides at once
// (what a node's link going away looks like to both ends).
class Relay {
 public:
  explicit Relay(uint16_t target) : target_(target), listener_(Listen(0)) {
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }
  ~Relay() {
    stop_ = true;
    Cut();
    accept_thread_.join();
    for (auto& t : pumps_) t.join();
  }
  uint16_t port() const { return PortOf(listener_.get()); }
  int accepted() const { return accepted_; }
  void Cut() {
    std::lock_guard lock(mu_);
    for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
  }
  // Stops forwarding but keeps every connection open: a node that died
  // without a word (no FIN, no RST ever reaches the other end).
  void Freeze() { frozen_ = true; }

 private:
  void AcceptLoop() {
    while (!stop_) {
      UniqueFd in = AcceptOne(listener_.get(), 100ms);
      if (!in) continue;
      UniqueFd out(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(target_);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(out.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) continue;
      ++accepted_;
      std::lock_guard lock(mu_);
      open_.push_back(in.get());
      open_.push_back(out.get());
      pumps_.emplace_back([this, in = std::move(in), out = std::move(out)] { Pump(in.get(), out.get()); });
    }
  }
  void Pump(int a, int b) {
    char buf[16 << 10];
    while (!stop_) {
      if (frozen_) {
        std::this_thread::sleep_for(20ms);
        continue;
      }
      pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
      if (::poll(p, 2, 100) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if (!p[i].revents) continue;
        ssize_t n = ::recv(p[i].fd, buf, sizeof buf, 0);
        if (n <= 0 || ::send(p[1 - i].fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL) != n) {
          ::shutdown(a, SHUT_RDWR);
          ::shutdown(b, SHUT_RDWR);
          std::lock_guard lock(mu_);
          std::erase(open_, a);
          std::erase(open_, b);
          return;
        }
      }
    }
  }

  const uint16_t target_;
  UniqueFd listener_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> frozen_{false};
  std::atomic<int> accepted_{0};
  std::mutex mu_;
  std::vector<int> open_;  // under mu_
  std::vector<std::thread> pumps_;
  std::thread accept_thread_;
};

images::AppSpec Jupyter() {
  return {"jupyter", "Jupyter", 8888, "jupyter notebook --port={port} --base_url={base_url}"};
}

class HubAppsTest : public HubAgentTest {
 protected:
  HubAppsTest() { spec_apps_ = {Jupyter()}; }

  // Starts the app through the hub; its port on the node.
  uint16_t EnsureApp() {
    auto t = hub_->EnsureApp(session_id_, Jupyter(), /*start=*/true, /*restart=*/false);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return 0;
    EXPECT_EQ(t->state, apps::AppState::kStarting);
    EXPECT_FALSE(t->exited);
    return t->port;
  }

  // One app connection through the hub: the manager's end and the app's.
  std::pair<UniqueFd, UniqueFd> DialAndAccept(uint16_t port, int app_listener) {
    auto fd = hub_->DialApp(session_id_, "jupyter", port, 5s);
    EXPECT_TRUE(fd.ok()) << fd.status().ToString();
    if (!fd.ok()) return {};
    UniqueFd manager_end(*fd);
    UniqueFd app_end = AcceptOne(app_listener, 5s);
    EXPECT_TRUE(app_end);
    return {std::move(manager_end), std::move(app_end)};
  }
};

TEST_F(HubAppsTest, EnsureDialAndAMegabyteEachWay) {
  StartRunningAgent();
  // Before the start: stopped.
  auto st = hub_->EnsureApp(session_id_, Jupyter(), /*start=*/false, false);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, apps::AppState::kStopped);
  EXPECT_TRUE(runtime_.AppCommands().empty());

  const uint16_t port = EnsureApp();
  ASSERT_NE(port, 0);
  // The agent started it through its runtime, with the port it listens on.
  auto cmds = runtime_.AppCommands();
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_NE(cmds[0].find("--port=" + std::to_string(port)), std::string::npos) << cmds[0];
  EXPECT_NE(cmds[0].find("/s/" + session_id_ + "/jupyter/"), std::string::npos) << cmds[0];

  UniqueFd app_listener = Listen(port);
  ASSERT_TRUE(app_listener);
  HubAppBackend backend(hub_.get());
  ASSERT_TRUE(hub_->Connected(session_id_));
  apps::AppTarget target;
  target.port = port;
  auto fd = backend.Dial(session_id_, "jupyter", target, 5s);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  UniqueFd manager_end(*fd);
  UniqueFd app_end = AcceptOne(app_listener.get(), 5s);
  ASSERT_TRUE(app_end);

  // 1 MiB each way at once (four windows each), with half-closes.
  std::atomic<int64_t> at_app{-9}, at_manager{-9};
  std::atomic<bool> wrote_up{false}, wrote_down{false};
  std::thread up([&] { wrote_up = WritePattern(manager_end.get(), kMiB); });
  std::thread down([&] { wrote_down = WritePattern(app_end.get(), kMiB); });
  std::thread read_app([&] { at_app = ReadPattern(app_end.get()); });
  at_manager = ReadPattern(manager_end.get());
  up.join();
  down.join();
  read_app.join();
  EXPECT_TRUE(wrote_up);
  EXPECT_TRUE(wrote_down);
  EXPECT_EQ(at_app, static_cast<int64_t>(kMiB));
  EXPECT_EQ(at_manager, static_cast<int64_t>(kMiB));

  // The agent connected: the app counts as running; nothing was restarted.
  EXPECT_EQ(backend.State(session_id_, "jupyter"), apps::AppState::kRunning);
  EXPECT_EQ(runtime_.AppCommands().size(), 1u);

  // Closed: a second connection works as the first (the stream was freed).
  manager_end.reset();
  app_end.reset();
  auto [second, second_app] = DialAndAccept(port, app_listener.get());
  ASSERT_TRUE(second && second_app);
  ASSERT_EQ(::send(second_app.get(), "hi", 2, MSG_NOSIGNAL), 2);
  EXPECT_EQ(ReadSome(second.get(), 2), "hi");
  // The manager's end closes entirely: the agent closes the app's.
  second.reset();
  ASSERT_TRUE(WaitFor(second_app.get(), POLLIN));
  char c;
  EXPECT_LE(::recv(second_app.get(), &c, 1, 0), 0);
}

TEST_F(HubAppsTest, TheAgentDialsOnlyTheAppsOwnPort) {
  StartRunningAgent();
  const uint16_t port = EnsureApp();
  ASSERT_NE(port, 0);
  UniqueFd app_listener = Listen(port);
  ASSERT_TRUE(app_listener);
  UniqueFd other = Listen(0);  // something else listening on the node
  const uint16_t other_port = PortOf(other.get());
  for (uint16_t p : {other_port, uint16_t{22}, uint16_t{8888}}) {
    if (p == port) continue;
    auto r = hub_->DialApp(session_id_, "jupyter", p, 2s);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), Code::kPermissionDenied) << p;
    EXPECT_EQ(r.status().reason(), "app_port_refused") << p;
  }
  pollfd pf{other.get(), POLLIN, 0};
  EXPECT_EQ(::poll(&pf, 1, 200), 0);  // nothing ever connected there
  // An app the session does not declare.
  auto unknown = hub_->DialApp(session_id_, "ssh", port, 2s);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().reason(), "app_not_found");
  auto ensure = hub_->EnsureApp(session_id_, {"ssh", "SSH", 22, "sshd"}, true, false);
  ASSERT_FALSE(ensure.ok());
  EXPECT_EQ(ensure.status().reason(), "app_not_found");
  EXPECT_EQ(runtime_.AppCommands().size(), 1u);  // the manager's command never runs
  // The right port with nothing accepting: not listening (the proxy's
  // "starting" page).
  app_listener.reset();
  auto closed = hub_->DialApp(session_id_, "jupyter", port, 2s);
  ASSERT_FALSE(closed.ok());
  EXPECT_EQ(closed.status().code(), Code::kUnavailable);
  EXPECT_EQ(closed.status().reason(), "app_not_listening");
  // Without an agent: unavailable.
  auto none = hub_->DialApp("no-such-session", "jupyter", port, 2s);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().reason(), "agent_unavailable");
}

// The node's link drops under both ends mid-session (an app connection and
// a terminal open): the manager reports the agent gone and the open streams
// end; the agent keeps the container and its app, re-dials, re-registers
// and reports running; apps and exec work again over the new connection.
TEST_F(HubAppsTest, AnAbruptDropKeepsTheContainerAndTheAgentComesBack) {
  Relay relay(listener_->port());
  NodeAgentOptions o = AgentOptions();
  o.manager_url = "ws://127.0.0.1:" + std::to_string(relay.port()) + kAgentPath;
  o.reconnect_budget = 30s;
  StartAgent(o);
  ASSERT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return Has(p.statuses_, "running"); }));
  const uint16_t port = EnsureApp();
  UniqueFd app_listener = Listen(port);
  ASSERT_TRUE(app_listener);
  auto [manager_end, app_end] = DialAndAccept(port, app_listener.get());
  ASSERT_TRUE(manager_end && app_end);
  auto tty = hub_->OpenTerminal(session_id_, 80, 24);
  ASSERT_TRUE(tty.ok()) << tty.status().ToString();

  relay.Cut();
  EXPECT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return p.gone_ >= 1; }));
  // The open streams end on both sides.
  ASSERT_TRUE(WaitFor(manager_end.get(), POLLIN));
  char c;
  EXPECT_LE(::recv(manager_end.get(), &c, 1, MSG_DONTWAIT), 0);
  ASSERT_TRUE(WaitFor(app_end.get(), POLLIN));
  EXPECT_LE(::recv(app_end.get(), &c, 1, MSG_DONTWAIT), 0);
  pollfd p{(*tty)->exit_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1);

  // It comes back on its own; the container was never deleted or remade.
  ASSERT_TRUE(policy_->WaitFor([](const TestPolicy& p) {
    return p.admits_ >= 2 && std::count(p.statuses_.begin(), p.statuses_.end(), "running") >= 2;
  })) << ::testing::PrintToString(policy_->statuses());
  EXPECT_GE(relay.accepted(), 2);
  EXPECT_EQ(rc_, -1);  // still running
  EXPECT_TRUE(runtime_.SpecOf(session_id_).has_value());
  EXPECT_EQ(runtime_.create_calls(), 1);
  for (int i = 0; i < 100 && !hub_->Connected(session_id_); ++i) std::this_thread::sleep_for(20ms);
  ASSERT_TRUE(hub_->Connected(session_id_));
  // The app kept running on the node: same port, not started again.
  auto t = hub_->EnsureApp(session_id_, Jupyter(), true, false);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->port, port);
  EXPECT_EQ(t->state, apps::AppState::kRunning);
  EXPECT_EQ(runtime_.AppCommands().size(), 1u);
  auto [second, second_app] = DialAndAccept(port, app_listener.get());
  ASSERT_TRUE(second && second_app);
  ASSERT_EQ(::send(second.get(), "ping", 4, MSG_NOSIGNAL), 4);
  EXPECT_EQ(ReadSome(second_app.get(), 4), "ping");
  auto r = hub_->Exec(session_id_, {.argv = {"emit", "10"}});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

// With the manager gone for good, the agent keeps the container for its
// reconnect budget, then deletes it and exits 1.
TEST_F(HubAppsTest, TheReconnectBudgetEndsTheSession) {
  auto relay = std::make_unique<Relay>(listener_->port());
  NodeAgentOptions o = AgentOptions();
  o.manager_url = "ws://127.0.0.1:" + std::to_string(relay->port()) + kAgentPath;
  o.reconnect_budget = 1500ms;
  StartAgent(o);
  ASSERT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return Has(p.statuses_, "running"); }));
  const auto cut = std::chrono::steady_clock::now();
  relay.reset();  // the manager's address stops answering
  std::this_thread::sleep_for(700ms);
  EXPECT_TRUE(runtime_.SpecOf(session_id_).has_value());  // kept while re-dialling
  agent_thread_.join();
  EXPECT_EQ(rc_, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - cut, 1500ms);
  EXPECT_FALSE(runtime_.SpecOf(session_id_).has_value());
}

class HubSilentNodeTest : public HubAppsTest {
 protected:
  HubSilentNodeTest() { idle_timeout_ = 800ms; }
};

// A node that dies silently (its link neither closes nor answers): past the
// idle timeout the hub reports the agent gone and forgets it at once, and a
// terminal opened before ends; it does not wait for a close handshake the
// dead peer will never answer.
TEST_F(HubSilentNodeTest, ASilentNodeIsReportedGoneAfterTheIdleTimeout) {
  Relay relay(listener_->port());
  NodeAgentOptions o = AgentOptions();
  o.manager_url = "ws://127.0.0.1:" + std::to_string(relay.port()) + kAgentPath;
  o.ping_interval = 200ms;
  o.reconnect_budget = 30s;
  StartAgent(o);
  ASSERT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return Has(p.statuses_, "running"); }));
  auto tty = hub_->OpenTerminal(session_id_, 80, 24);
  ASSERT_TRUE(tty.ok()) << tty.status().ToString();
  relay.Freeze();
  EXPECT_TRUE(policy_->WaitFor([](const TestPolicy& p) { return p.gone_ >= 1; }));
  EXPECT_FALSE(hub_->Connected(session_id_));
  pollfd p{(*tty)->exit_fd(), POLLIN, 0};
  EXPECT_EQ(::poll(&p, 1, 5000), 1);
}

}  // namespace
}  // namespace berth::remote

// The apps::AppBackend contract (apps/app_backend.h), run against both
// implementations on the same fake-runtime container: apps::AppRegistry
// (this host) and HubAppBackend (through a node agent over a real loopback
// WebSocket, remote/hub_agent_fixture.h). The app is a TCP listener of the
// test on 127.0.0.1 (the fake containers share the test's namespace).
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apps/app_registry.h"
#include "remote/hub_agent_fixture.h"
#include "remote/hub_app_backend.h"

namespace berth::remote {
namespace {

using namespace std::chrono_literals;
using namespace test_support;

images::AppSpec EchoApp() { return {"echo", "Echo", 8000, "echo-server --port={port}"}; }

class AppBackendConformance : public HubAgentTest, public ::testing::WithParamInterface<std::string> {
 protected:
  AppBackendConformance() { spec_apps_ = {EchoApp()}; }

  void SetUp() override {
    HubAgentTest::SetUp();
    StartRunningAgent();
    if (GetParam() == "local") {
      backend_ = std::make_unique<apps::AppRegistry>(&runtime_);
    } else {
      backend_ = std::make_unique<HubAppBackend>(hub_.get());
    }
  }
  void TearDown() override {
    backend_.reset();
    HubAgentTest::TearDown();
  }

  std::unique_ptr<apps::AppBackend> backend_;
};

TEST_P(AppBackendConformance, StartDialReachAndState) {
  EXPECT_EQ(backend_->State(session_id_, "echo"), apps::AppState::kStopped);
  auto t = backend_->Ensure(session_id_, EchoApp(), /*restart=*/false);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->state, apps::AppState::kStarting);
  EXPECT_FALSE(t->exited);
  ASSERT_NE(t->port, 0);
  EXPECT_EQ(backend_->State(session_id_, "echo"), apps::AppState::kStarting);
  EXPECT_EQ(runtime_.AppCommands().size(), 1u);

  // Nothing accepts yet: not listening.
  auto early = backend_->Dial(session_id_, "echo", *t, 2s);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), Code::kUnavailable);
  EXPECT_EQ(early.status().reason(), "app_not_listening");

  UniqueFd listener = Listen(t->port);
  ASSERT_TRUE(listener);
  auto fd = backend_->Dial(session_id_, "echo", *t, 5s);
  ASSERT_TRUE(fd.ok()) << fd.status().ToString();
  UniqueFd conn(*fd);
  pollfd p{listener.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 5000), 1);
  UniqueFd app(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(app);
  ASSERT_EQ(::send(conn.get(), "GET /", 5, MSG_NOSIGNAL), 5);
  EXPECT_EQ(ReadSome(app.get(), 5), "GET /");
  ASSERT_EQ(::send(app.get(), "200", 3, MSG_NOSIGNAL), 3);
  EXPECT_EQ(ReadSome(conn.get(), 3), "200");
  backend_->MarkReachable(session_id_, "echo");
  EXPECT_EQ(backend_->State(session_id_, "echo"), apps::AppState::kRunning);

  // Ensured again: the same app, not a second start.
  auto again = backend_->Ensure(session_id_, EchoApp(), /*restart=*/true);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->port, t->port);
  EXPECT_EQ(again->state, apps::AppState::kRunning);
  EXPECT_EQ(runtime_.AppCommands().size(), 1u);
}

TEST_P(AppBackendConformance, ANotRunningSessionIsFailedPrecondition) {
  runtime_.SetState(session_id_, runtime::ContainerState::kStopped);
  auto t = backend_->Ensure(session_id_, EchoApp(), /*restart=*/false);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(t.status().reason(), "session_not_running");
  EXPECT_TRUE(runtime_.AppCommands().empty());
  runtime_.SetState(session_id_, runtime::ContainerState::kRunning);
}

// The local registry asks the runtime where the session runs when it
// starts an app, not on every proxied request: later Ensures check the
// session's init through its pidfd, and ask the runtime again only once
// that process has ended.
// (The local backend only: a node agent runs this registry on its side.)
class LocalAppRegistry : public AppBackendConformance {};

TEST_P(LocalAppRegistry, AsksTheRuntimeOnlyWhenTheInitEnded) {
  // The session's "init": a sleep spawned for the test (posix_spawn: no fork
  // of this process, whose hub and agent threads are running).
  pid_t child = 0;
  char sleep_arg[] = "sleep", sixty[] = "60";
  char* argv[] = {sleep_arg, sixty, nullptr};
  ASSERT_EQ(::posix_spawnp(&child, "sleep", nullptr, nullptr, argv, environ), 0);
  runtime_.init_pid = child;
  const int before = runtime_.inspect_calls;
  auto t = backend_->Ensure(session_id_, EchoApp(), /*restart=*/false);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->netns_pid, child);
  EXPECT_EQ(runtime_.inspect_calls, before + 1);
  for (int i = 0; i < 3; ++i) {
    auto again = backend_->Ensure(session_id_, EchoApp(), /*restart=*/i % 2 == 0);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ(again->netns_pid, child);
    EXPECT_EQ(again->port, t->port);
  }
  EXPECT_EQ(runtime_.inspect_calls, before + 1);
  EXPECT_EQ(runtime_.AppCommands().size(), 1u);

  // The init ended (the session stopped): the runtime is asked, and says so.
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  runtime_.init_pid = 0;
  runtime_.SetState(session_id_, runtime::ContainerState::kStopped);
  auto gone = backend_->Ensure(session_id_, EchoApp(), /*restart=*/false);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().reason(), "session_not_running");
  EXPECT_EQ(runtime_.inspect_calls, before + 2);
  runtime_.SetState(session_id_, runtime::ContainerState::kRunning);
}

INSTANTIATE_TEST_SUITE_P(Backends, AppBackendConformance, ::testing::Values("local", "remote"),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, LocalAppRegistry, ::testing::Values("local"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace berth::remote

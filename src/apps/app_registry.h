// AppRegistry: which apps run in which sessions (SPEC §3 "Apps"), and
// starting them on first use.
//
// An app is started as the session user (the container's uid and env,
// HOME=/home/work) through the runtime's terminal exec path (ExecTty),
// detached from any client: `sh -c 'exec CMD'` with its output going to
// /home/work/.berth-apps/<app>.log (the scratch home; gone with the
// session). The registry keeps the TtyProcess handle: its exit_fd tells
// whether the app still runs, and destroying the registry (berthd stopping)
// kills the apps it started. A session's apps die with its container.
//
// Ensure asks the runtime where the session's init runs (runc state / a
// Docker inspect: a subprocess or an API call, milliseconds) only when
// the app has no live entry yet: a started entry keeps the init's pid and
// a pidfd of it (runtime/pidfd.h), so every proxied request after the first
// checks the init with one poll(2) instead (bench/apps: the apps origin's
// time to first byte).
//
// States: kStopped (never started, or its process exited), kStarting
// (started, no connection accepted yet), kRunning (the proxy has connected
// to it at least once since it started).
//
// Port: an app listens on its declared port on 127.0.0.1 in the session's
// network namespace. When the session shares berthd's namespace (no
// per-session network), every session's app would want the same port, so
// the registry picks a free loopback port for each instead.
//
// Thread-safety: all methods may be called from any thread (one mutex;
// starting an app holds it for the duration of the runtime call).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "apps/app_backend.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "images/app_spec.h"
#include "runtime/container_runtime.h"

namespace berth::apps {

class AppRegistry : public AppBackend {
 public:
  explicit AppRegistry(runtime::ContainerRuntime* runtime) : runtime_(runtime) {}
  AppRegistry(const AppRegistry&) = delete;
  AppRegistry& operator=(const AppRegistry&) = delete;

  // The app's state as far as the registry knows (no I/O but a poll of the
  // process's exit fd).
  AppState State(const std::string& session_id, const std::string& app) override;

  // Where `app` of running container `session_id` listens, starting it
  // first if it is not running. `restart` also starts it again when its
  // process has ended (an /open does; a proxied request reports the exit
  // instead, as a 502). FailedPrecondition when the container does not run;
  // the runtime's error when the start fails.
  Result<AppTarget> Ensure(const std::string& session_id, const images::AppSpec& app,
                           bool restart) override;

  // The proxy reached the app: it is running.
  void MarkReachable(const std::string& session_id, const std::string& app) override;

  // Connects to 127.0.0.1:<target.port> inside the namespace of
  // target.netns_pid (apps::ConnectInNetns).
  Result<int> Dial(const std::string& session_id, const std::string& app, const AppTarget& target,
                   std::chrono::milliseconds timeout) override;

  // Drops what is kept for a session's apps (killing them if still alive).
  void Forget(const std::string& session_id);

 private:
  struct Entry {
    std::unique_ptr<runtime::TtyProcess> process;
    uint16_t port = 0;
    bool reachable = false;
    pid_t init_pid = 0;     // the session's init when the app was started
    UniqueFd init_pidfd;    // pidfd of init_pid (invalid: ask the runtime)
    bool Exited() const;
    bool InitAlive() const;  // the init_pidfd's process has not ended
    // Where a started app is reached, in the namespace of `netns_pid`.
    AppTarget Target(pid_t netns_pid) const;
  };
  using Key = std::pair<std::string, std::string>;  // session id, app name

  Result<Entry> Start(const std::string& session_id, const images::AppSpec& app, pid_t pid);

  runtime::ContainerRuntime* runtime_;
  std::mutex mu_;
  std::map<Key, Entry> entries_;
};

}  // namespace berth::apps

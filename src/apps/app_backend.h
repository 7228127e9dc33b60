// AppBackend: where a session's apps run and how the apps origin reaches
// them (SPEC §3 "Apps"). Two implementations: AppRegistry (the session runs
// on this host: the app is started through the local runtime and dialled
// inside the session's network namespace, apps/netns_dialer.h) and
// remote::HubAppBackend (the session runs on a node agent: both go over the
// agent channel, docs/cluster.md). manager::AppService uses the remote one
// when berthd runs sessions on a cluster, else the registry; the proxy only
// ever sees a connected socket.
//
// Thread-safety: implementations are safe from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "common/result.h"
#include "images/app_spec.h"

namespace berth::apps {

enum class AppState { kStopped, kStarting, kRunning };
const char* AppStateName(AppState s);  // "stopped" | "starting" | "running"

// Where to reach a started app.
struct AppTarget {
  pid_t netns_pid = 0;  // a process in the session's network namespace (0: remote)
  uint16_t port = 0;
  AppState state = AppState::kStopped;
  bool exited = false;  // it was started and its process has ended since
};

// "/s/<session id>/<app>/": the app's path on the apps origin.
std::string AppBaseUrl(const std::string& session_id, const std::string& app);

class AppBackend {
 public:
  virtual ~AppBackend() = default;

  // The app's state (stopped when unknown).
  virtual AppState State(const std::string& session_id, const std::string& app) = 0;
  // Where `app` of running session `session_id` listens, starting it first
  // if it is not running; `restart` also starts it again when its process
  // has ended. FailedPrecondition "session_not_running"; the start's error.
  virtual Result<AppTarget> Ensure(const std::string& session_id, const images::AppSpec& app,
                                   bool restart) = 0;
  // The proxy reached the app: it is running.
  virtual void MarkReachable(const std::string& session_id, const std::string& app) = 0;
  // A connected, non-blocking, close-on-exec stream socket to `app` at
  // `target` (from Ensure); the caller owns it. Unavailable
  // "app_not_listening" when nothing accepts on the app's port (yet) within
  // `timeout`; other errors as they come.
  virtual Result<int> Dial(const std::string& session_id, const std::string& app,
                           const AppTarget& target, std::chrono::milliseconds timeout) = 0;
};

}  // namespace berth::apps

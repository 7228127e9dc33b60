#include "apps/app_registry.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "apps/netns_dialer.h"
#include "runtime/pidfd.h"

namespace berth::apps {
namespace {

constexpr char kLogDir[] = "/home/work/.berth-apps";

// A loopback port free right now in berthd's namespace (bind to port 0).
Result<uint16_t> FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal("socket failed");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  if (rc == 0) rc = ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  if (rc != 0) return Internal("no free loopback port for the app");
  return static_cast<uint16_t>(ntohs(a.sin_port));
}

}  // namespace

const char* AppStateName(AppState s) {
  switch (s) {
    case AppState::kStarting:
      return "starting";
    case AppState::kRunning:
      return "running";
    case AppState::kStopped:
      break;
  }
  return "stopped";
}

std::string AppBaseUrl(const std::string& session_id, const std::string& app) {
  return "/s/" + session_id + "/" + app + "/";
}

bool AppRegistry::Entry::Exited() const {
  return process == nullptr || process->Wait(std::chrono::milliseconds(0));
}

AppTarget AppRegistry::Entry::Target(pid_t netns_pid) const {
  AppTarget target;
  target.netns_pid = netns_pid;
  target.port = port;
  target.state = reachable ? AppState::kRunning : AppState::kStarting;
  return target;
}

bool AppRegistry::Entry::InitAlive() const {
  return init_pidfd && !runtime::PidfdWaitExit(init_pidfd.get(), std::chrono::milliseconds(0));
}

AppState AppRegistry::State(const std::string& session_id, const std::string& app) {
  std::lock_guard lock(mu_);
  auto it = entries_.find({session_id, app});
  if (it == entries_.end() || it->second.Exited()) return AppState::kStopped;
  return it->second.reachable ? AppState::kRunning : AppState::kStarting;
}

Result<AppRegistry::Entry> AppRegistry::Start(const std::string& session_id,
                                              const images::AppSpec& app, pid_t pid) {
  Entry e;
  e.port = app.port;
  e.init_pid = pid;
  e.init_pidfd.reset(runtime::PidfdOpen(pid));  // none (-1): every Ensure asks the runtime
  if (SameNetns(pid)) {
    BERTH_ASSIGN_OR_RETURN(e.port, FreeLoopbackPort());
  }
  const std::string log = std::string(kLogDir) + "/" + app.name + ".log";
  runtime::TtyOptions t;
  t.argv = {"/bin/sh", "-c",
            std::string("mkdir -p ") + kLogDir + " && exec " +
                images::ExpandAppCommand(app, e.port, AppBaseUrl(session_id, app.name)) + " >" +
                log + " 2>&1 </dev/null"};
  t.env = {"HOME=/home/work"};
  t.cwd = "/home/work";
  BERTH_ASSIGN_OR_RETURN(e.process, runtime_->ExecTty(session_id, t));
  return e;
}

Result<AppTarget> AppRegistry::Ensure(const std::string& session_id, const images::AppSpec& app,
                                      bool restart) {
  auto key = Key{session_id, app.name};
  {
    // A live app in a live session: no runtime call (see the header).
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && !it->second.Exited() && it->second.InitAlive())
      return it->second.Target(it->second.init_pid);
  }
  BERTH_ASSIGN_OR_RETURN(runtime::ContainerInfo info, runtime_->Inspect(session_id));
  if (info.state != runtime::ContainerState::kRunning || info.pid <= 0) {
    return FailedPrecondition("the session is not running", "session_not_running");
  }
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.Exited() && !restart) {
    AppTarget target;
    target.netns_pid = info.pid;
    target.port = it->second.port;
    target.exited = true;
    return target;
  }
  if (it == entries_.end() || it->second.Exited()) {
    BERTH_ASSIGN_OR_RETURN(Entry e, Start(session_id, app, info.pid));
    it = entries_.insert_or_assign(key, std::move(e)).first;
  }
  return it->second.Target(info.pid);
}

void AppRegistry::MarkReachable(const std::string& session_id, const std::string& app) {
  std::lock_guard lock(mu_);
  auto it = entries_.find({session_id, app});
  if (it != entries_.end()) it->second.reachable = true;
}

Result<int> AppRegistry::Dial(const std::string&, const std::string&, const AppTarget& target,
                              std::chrono::milliseconds timeout) {
  return ConnectInNetns(target.netns_pid, target.port, timeout);
}

void AppRegistry::Forget(const std::string& session_id) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->first.first == session_id ? entries_.erase(it) : std::next(it);
  }
}

}  // namespace berth::apps

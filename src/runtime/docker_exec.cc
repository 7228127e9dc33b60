// DockerRuntime's execs: plain (Exec, with its stream pump and the timeout
// kill) and terminal (ExecTty). Containers are in docker_runtime.cc, images
// in docker_image.cc.
#include "runtime/docker_runtime.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <thread>

#include "runtime/pidfd.h"
#include "runtime/proc_tree.h"

namespace berth::runtime {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

json ParseJson(const std::string& text) { return json::parse(text, nullptr, false); }

struct ExecState {
  bool running = false;
  pid_t pid = 0;
  std::optional<int> exit_code;
};

Result<ExecState> InspectExec(const DockerClient& client, const std::string& exec_id,
                              milliseconds timeout) {
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client.Request("GET", "/exec/" + exec_id + "/json", "", timeout));
  if (r.status != 200) return DockerError("inspect exec " + exec_id, r);
  json j = ParseJson(r.body);
  if (!j.is_object()) return Internal("inspect exec " + exec_id + ": unparsable answer");
  ExecState s;
  s.running = j.value("Running", false);
  s.pid = j.value("Pid", 0);
  if (j.contains("ExitCode") && j["ExitCode"].is_number_integer())
    s.exit_code = j["ExitCode"].get<int>();
  return s;
}

// Waits until the exec's process has a pid (or has already ended).
Result<ExecState> WaitExecStarted(const DockerClient& client, const std::string& exec_id,
                                  milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(ExecState s, InspectExec(client, exec_id, timeout));
    if ((s.running && s.pid > 0) || (!s.running && s.exit_code) || Clock::now() > deadline)
      return s;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

// A pidfd for the exec's process, taken only if the exec still reports that
// very pid afterwards: then the pidfd cannot refer to a recycled pid.
UniqueFd VerifiedPidfd(const DockerClient& client, const std::string& exec_id, pid_t pid,
                       milliseconds timeout) {
  if (pid <= 0) return UniqueFd();
  UniqueFd fd(PidfdOpen(pid));
  if (!fd) return fd;
  auto again = InspectExec(client, exec_id, timeout);
  if (!again.ok() || !again->running || again->pid != pid) return UniqueFd();
  return fd;
}

// SIGKILL to the exec's process and everything it started.
void KillExec(const DockerClient& client, const std::string& exec_id, milliseconds timeout) {
  auto s = InspectExec(client, exec_id, timeout);
  if (!s.ok() || !s->running) return;
  UniqueFd pidfd = VerifiedPidfd(client, exec_id, s->pid, timeout);
  if (!pidfd) return;
  std::vector<pid_t> kids = DescendantPids(s->pid);
  PidfdSignal(pidfd.get(), SIGKILL);
  for (pid_t k : kids) ::kill(k, SIGKILL);
}

// KillExec until the exec reports it has ended (at most `within`): right
// after start Docker may not report the exec's pid yet.
void StopExec(const DockerClient& client, const std::string& exec_id, milliseconds timeout,
              milliseconds within) {
  auto deadline = Clock::now() + within;
  for (;;) {
    KillExec(client, exec_id, timeout);
    auto s = InspectExec(client, exec_id, timeout);
    if (!s.ok() || !s->running || Clock::now() > deadline) return;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

class DockerTtyProcess final : public TtyProcess {
 public:
  DockerTtyProcess(DockerClient client, std::string exec_id, UniqueFd conn, UniqueFd pidfd,
                   milliseconds timeout)
      : client_(std::move(client)),
        exec_id_(std::move(exec_id)),
        conn_(std::move(conn)),
        pidfd_(std::move(pidfd)),
        timeout_(timeout) {}
  ~DockerTtyProcess() override {
    if (!Wait(milliseconds(0))) {
      Kill(SIGHUP);
      if (!Wait(milliseconds(200))) Kill(SIGKILL);
    }
  }
  int fd() const override { return conn_.get(); }
  int exit_fd() const override { return pidfd_.get(); }
  Status Resize(uint16_t cols, uint16_t rows) override {
    auto r = client_.Request(
        "POST",
        "/exec/" + exec_id_ + "/resize?h=" + std::to_string(rows) + "&w=" + std::to_string(cols),
        "", timeout_);
    if (!r.ok()) return r.status();
    if (r->status / 100 != 2) return DockerError("resize exec " + exec_id_, *r);
    return Status::Ok();
  }
  Status Kill(int signal) override {
    if (!pidfd_) return Status::Ok();  // already gone when we looked
    if (PidfdSignal(pidfd_.get(), signal) != 0 && errno != ESRCH)
      return ErrnoStatus("pidfd_send_signal", errno);
    return Status::Ok();
  }
  bool Wait(milliseconds timeout) override {
    if (!pidfd_) return true;
    return PidfdWaitExit(pidfd_.get(), timeout);
  }

 private:
  const DockerClient client_;
  const std::string exec_id_;
  UniqueFd conn_;
  UniqueFd pidfd_;
  const milliseconds timeout_;
};

// The exec create body: all streams attached, with or without a terminal.
std::string ExecBody(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                     const std::optional<std::string>& cwd, bool tty) {
  json body = {{"AttachStdin", true}, {"AttachStdout", true}, {"AttachStderr", true},
               {"Tty", tty},          {"Cmd", argv},          {"Env", env}};
  if (cwd) body["WorkingDir"] = *cwd;
  return body.dump();
}

constexpr std::string_view kStartFailure = "OCI runtime exec failed";

// Hands what `demux` decoded so far to `sink` (a streamed exec), the
// daemon's start failure (on the stdout stream) as stderr; keeps that
// failure in r->stderr_data for FixStartFailure. False once `sink` refused:
// r->aborted is then set.
bool Forward(StreamDemuxer& demux, const ExecOutputFn& sink, ExecResult* r) {
  std::string out = std::move(demux.out());
  std::string err = std::move(demux.err());
  demux.out().clear();
  demux.err().clear();
  if (size_t at = out.find(kStartFailure); at != std::string::npos) {
    err = out.substr(at) + err;
    r->stderr_data = out.substr(at);
    out.erase(at);
  }
  if ((!out.empty() && !sink(ExecStream::kStdout, out)) ||
      (!err.empty() && !sink(ExecStream::kStderr, err))) {
    r->aborted = true;
  }
  return !r->aborted;
}

// Moves the daemon's "OCI runtime exec failed: ..." line (which Docker writes
// to the stdout stream) to stderr and reports a missing command like a shell
// (127), as RuncRuntime does.
void FixStartFailure(ExecResult* r) {
  if (r->exit_code != 126) return;
  size_t at = r->stdout_data.find(kStartFailure);
  if (at != std::string::npos) {
    r->stderr_data += r->stdout_data.substr(at);
    r->stdout_data.erase(at);
  } else if (r->stderr_data.find(kStartFailure) == std::string::npos) {
    return;
  }
  const std::string& err = r->stderr_data;
  if (err.find("not found") != std::string::npos ||
      err.find("no such file or directory") != std::string::npos)
    r->exit_code = 127;
}

}  // namespace
Result<std::string> DockerRuntime::CreateExec(const std::string& id, const std::string& body) {
  BERTH_ASSIGN_OR_RETURN(HttpResponse r,
                         client_.Request("POST", "/containers/" + ContainerName(id) + "/exec", body,
                                         options_.request_timeout));
  if (r.status == 404) return NotFound("container " + id + " does not exist");
  if (r.status == 409)
    return FailedPrecondition("container " + id + " is not running", "not_running");
  if (r.status != 201) return DockerError("exec in " + id, r);
  json j = ParseJson(r.body);
  if (!j.is_object() || !j.contains("Id") || !j["Id"].is_string())
    return Internal("exec in " + id + ": no exec id in the answer");
  return j["Id"].get<std::string>();
}

Result<UniqueFd> DockerRuntime::StartExec(const std::string& id, const std::string& exec_id,
                                          bool tty) {
  HttpResponse error;
  json body = {{"Detach", false}, {"Tty", tty}};
  BERTH_ASSIGN_OR_RETURN(UniqueFd conn, client_.Hijack("/exec/" + exec_id + "/start", body.dump(),
                                                       options_.request_timeout, &error));
  if (conn) return conn;
  if (error.status == 404) return NotFound("container " + id + " does not exist");
  if (error.status == 409)
    return FailedPrecondition("container " + id + " is not running", "not_running");
  return DockerError("start exec in " + id, error);
}

Result<ExecResult> DockerRuntime::Exec(const std::string& id, const ExecOptions& options) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  if (options.argv.empty()) return InvalidArgument("exec needs a command");
  BERTH_ASSIGN_OR_RETURN(std::string exec_id,
                         CreateExec(id, ExecBody(options.argv, options.env, options.cwd, false)));
  BERTH_ASSIGN_OR_RETURN(UniqueFd conn, StartExec(id, exec_id, false));

  // Pump: stdin out (then half-close, which Docker turns into EOF on the
  // process's stdin), the multiplexed stream in, until the daemon closes.
  const bool has_deadline = options.timeout.count() > 0;
  auto deadline = Clock::now() + options.timeout;
  StreamDemuxer demux;
  ExecResult result;
  size_t written = 0;
  bool wr_open = true;
  if (options.stdin_data.empty()) {
    ::shutdown(conn.get(), SHUT_WR);
    wr_open = false;
  }
  for (;;) {
    int wait_ms = -1;
    if (has_deadline) {
      auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        if (!result.timed_out) {
          result.timed_out = true;
          KillExec(client_, exec_id, options_.request_timeout);
          // Output still in flight is collected, but no longer than this.
          deadline = Clock::now() + std::chrono::seconds(5);
          continue;
        }
        break;  // killed, yet the stream stays open (a daemonised grandchild)
      }
      wait_ms = static_cast<int>(left);
    }
    pollfd p{conn.get(), static_cast<short>(POLLIN | (wr_open ? POLLOUT : 0)), 0};
    int rc = ::poll(&p, 1, wait_ms);
    if (rc < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("poll exec stream", errno);
    }
    if (rc == 0) continue;
    if (wr_open && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::send(conn.get(), options.stdin_data.data() + written,
                         options.stdin_data.size() - written, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == options.stdin_data.size()) {
        ::shutdown(conn.get(), SHUT_WR);  // the process may not read it all: fine
        wr_open = false;
      }
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[64 << 10];
      ssize_t n = ::recv(conn.get(), buf, sizeof(buf), MSG_DONTWAIT);
      if (n > 0) {
        demux.Feed(buf, static_cast<size_t>(n));
        if (options.on_output && !Forward(demux, options.on_output, &result)) {
          StopExec(client_, exec_id, options_.request_timeout, std::chrono::seconds(5));
          break;  // nobody reads any more
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        break;
      }
    }
  }
  conn.reset();
  // Nobody waits for the exit code of a refused stream; StopExec has killed it.
  if (result.aborted) return result;
  if (!options.on_output) {
    result.stdout_data = std::move(demux.out());
    result.stderr_data = std::move(demux.err());
  }

  // The stream ends when the process has exited; the exit code may lag a
  // moment behind.
  auto code_deadline = Clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto s = InspectExec(client_, exec_id, options_.request_timeout);
    if (!s.ok()) {
      if (s.status().code() == Code::kNotFound)
        return NotFound("container " + id + " was removed during exec");
      return s.status();
    }
    if (!s->running && s->exit_code) {
      result.exit_code = *s->exit_code;
      break;
    }
    if (Clock::now() > code_deadline) {
      if (!result.timed_out)
        return Internal("exec in " + id + ": no exit code after its stream ended");
      break;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  if (result.timed_out) {
    result.exit_code = 124;
    return result;
  }
  FixStartFailure(&result);
  if (options.on_output) result.stderr_data.clear();  // it went to on_output
  return result;
}

Result<std::unique_ptr<TtyProcess>> DockerRuntime::ExecTty(const std::string& id,
                                                           const TtyOptions& options) {
  if (!IsValidContainerId(id)) return InvalidArgument("invalid container id '" + id + "'");
  if (options.argv.empty()) return InvalidArgument("exec needs a command");
  BERTH_ASSIGN_OR_RETURN(std::string exec_id,
                         CreateExec(id, ExecBody(options.argv, options.env, options.cwd, true)));
  BERTH_ASSIGN_OR_RETURN(UniqueFd conn, StartExec(id, exec_id, true));
  BERTH_ASSIGN_OR_RETURN(ExecState s, WaitExecStarted(client_, exec_id, options_.request_timeout));
  UniqueFd pidfd;
  if (s.running) {
    pidfd = VerifiedPidfd(client_, exec_id, s.pid, options_.request_timeout);
    if (!pidfd) {
      // Running without a usable pid: we could never signal it. Give up
      // cleanly rather than hand out a process we cannot stop.
      return Internal("exec in " + id + ": cannot track the terminal's process (pid " +
                      std::to_string(s.pid) + ")");
    }
  }
  auto proc = std::make_unique<DockerTtyProcess>(client_, exec_id, std::move(conn),
                                                 std::move(pidfd), options_.request_timeout);
  if (s.running) BERTH_RETURN_IF_ERROR(proc->Resize(options.cols, options.rows));
  return std::unique_ptr<TtyProcess>(std::move(proc));
}

}  // namespace berth::runtime

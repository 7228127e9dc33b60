#include "common/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"

extern char** environ;

namespace berth {
namespace {

using Clock = std::chrono::steady_clock;

Status MakePipe(UniqueFd* r, UniqueFd* w) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2", errno);
  r->reset(fds[0]);
  w->reset(fds[1]);
  return Status::Ok();
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Owns the posix_spawn attribute objects so every exit path destroys them.
struct SpawnAttrs {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnAttrs() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnAttrs() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options) {
  if (options.argv.empty()) return InvalidArgument("RunSubprocess: empty argv");
  UniqueFd in_r, in_w, out_r, out_w, err_r, err_w;
  BERTH_RETURN_IF_ERROR(MakePipe(&in_r, &in_w));
  if (options.stdout_fd < 0) BERTH_RETURN_IF_ERROR(MakePipe(&out_r, &out_w));
  if (options.stderr_fd < 0) BERTH_RETURN_IF_ERROR(MakePipe(&err_r, &err_w));

  SpawnAttrs sa;
  posix_spawn_file_actions_adddup2(&sa.actions, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&sa.actions,
                                   options.stdout_fd >= 0 ? options.stdout_fd : out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&sa.actions,
                                   options.stderr_fd >= 0 ? options.stderr_fd : err_w.get(), 2);
  // Nothing of ours (sockets, database files) may leak into the child.
  posix_spawn_file_actions_addclosefrom_np(&sa.actions, 3);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&sa.attr, &empty);
  posix_spawnattr_setsigdefault(&sa.attr, &all);
  posix_spawnattr_setpgroup(&sa.attr, 0);  // with SETPGROUP: a group led by the child
  const short group = options.new_session ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP;
  posix_spawnattr_setflags(&sa.attr, group | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv = CStrings(options.argv);
  std::vector<char*> envp = CStrings(options.env);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, argv[0], &sa.actions, &sa.attr, argv.data(),
                          options.env.empty() ? environ : envp.data());
  if (rc != 0) return ErrnoStatus("spawn " + options.argv[0], rc);
  if (options.on_started) options.on_started(pid);
  in_r.reset();
  out_w.reset();
  err_w.reset();

  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  SubprocessResult result;
  size_t in_off = 0;
  if (options.stdin_data.empty()) in_w.reset();
  if (in_w) SetNonBlocking(in_w.get());
  if (out_r) SetNonBlocking(out_r.get());
  if (err_r) SetNonBlocking(err_r.get());

  const auto start = Clock::now();
  bool exited = !pidfd.valid();  // without a pidfd, rely on pipe EOF + waitpid
  bool killed_hard = false;
  Clock::time_point drain_deadline{};
  Clock::time_point hard_kill_at{};
  char buf[65536];

  bool stop_requested = false;
  auto read_into = [&](UniqueFd& fd, std::string& sink, int which) {
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof(buf));
      if (n > 0 && options.on_output) {
        if (!result.aborted &&
            !options.on_output(which, std::string_view(buf, static_cast<size_t>(n)))) {
          result.aborted = stop_requested = true;
        }
        continue;
      }
      if (n > 0) {
        size_t room =
            options.max_capture_bytes > sink.size() ? options.max_capture_bytes - sink.size() : 0;
        sink.append(buf, std::min<size_t>(room, static_cast<size_t>(n)));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) fd.reset();
      return;
    }
  };

  while (out_r || err_r || in_w || !exited) {
    auto now = Clock::now();
    if (exited && drain_deadline == Clock::time_point{})
      drain_deadline = now + std::chrono::milliseconds(200);
    if (exited && now >= drain_deadline) break;  // a grandchild holds the pipes
    const bool expired = options.timeout.count() > 0 && now - start >= options.timeout;
    if (!result.timed_out && (expired || stop_requested)) {
      result.timed_out = true;
      if (options.on_timeout) {
        options.on_timeout(pid);
      } else {
        ::kill(-pid, SIGKILL);
      }
      hard_kill_at = now + std::chrono::seconds(5);
    }
    if (result.timed_out && !killed_hard && now >= hard_kill_at) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      killed_hard = true;
    }
    pollfd pfds[4];
    int n = 0;
    int i_out = -1, i_err = -1, i_in = -1, i_pid = -1;
    if (out_r) {
      i_out = n;
      pfds[n++] = {out_r.get(), POLLIN, 0};
    }
    if (err_r) {
      i_err = n;
      pfds[n++] = {err_r.get(), POLLIN, 0};
    }
    if (in_w) {
      i_in = n;
      pfds[n++] = {in_w.get(), POLLOUT, 0};
    }
    if (!exited) {
      i_pid = n;
      pfds[n++] = {pidfd.get(), POLLIN, 0};
    }
    int wait_ms = 100;
    if (exited) wait_ms = 20;
    int pr = ::poll(pfds, n, wait_ms);
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    if (i_out >= 0 && pfds[i_out].revents) read_into(out_r, result.stdout_data, 1);
    if (i_err >= 0 && pfds[i_err].revents) read_into(err_r, result.stderr_data, 2);
    if (i_in >= 0 && pfds[i_in].revents) {
      if (pfds[i_in].revents & (POLLERR | POLLHUP)) {
        in_w.reset();
      } else {
        ssize_t w = ::write(in_w.get(), options.stdin_data.data() + in_off,
                            options.stdin_data.size() - in_off);
        if (w > 0) in_off += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off >= options.stdin_data.size())
          in_w.reset();
      }
    }
    if (i_pid >= 0 && pfds[i_pid].revents) exited = true;
  }

  if (result.aborted) result.timed_out = false;  // stopped by its reader, not the clock
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) return ErrnoStatus("waitpid", errno);
  }
  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.term_signal = WTERMSIG(wstatus);
    result.exit_code = 128 + result.term_signal;
  }
  return result;
}

std::string DescribeFailure(const std::vector<std::string>& argv, const SubprocessResult& r) {
  std::string what = argv.empty() ? "subprocess" : argv[0];
  if (argv.size() > 1 && argv[1].rfind("-", 0) != 0) what += " " + argv[1];
  std::string msg = what + (r.timed_out ? ": timed out" : ": exit " + std::to_string(r.exit_code));
  std::string err = r.stderr_data;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  auto nl = err.rfind('\n');
  if (nl != std::string::npos) err = err.substr(nl + 1);
  if (!err.empty()) msg += ": " + err;
  return msg;
}

}  // namespace berth

#include "remote/agent_streams.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/unique_fd.h"
#include "remote/flow_control.h"
#include "remote/messages.h"

namespace berth::remote {

struct AgentStreams::Stream {
  std::mutex mu;
  std::string input;  // terminal input not yet written to the PTY
  RecvWindow recv;    // under mu
  std::unique_ptr<runtime::TtyProcess> tty;  // under mu, once open
  SendCredit send;
  std::atomic<bool> cancelled{false};
  UniqueFd wake{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};

  void Wake() {
    uint64_t one = 1;
    (void)::write(wake.get(), &one, sizeof one);
  }
  void Cancel() {
    cancelled = true;
    send.Close();
    Wake();
  }
};

AgentStreams::AgentStreams(agent::SessionAgent* agent, std::string session_id,
                           std::function<bool(std::string)> send, std::function<void()> on_deleted)
    : agent_(agent),
      session_id_(std::move(session_id)),
      send_(std::move(send)),
      on_deleted_(std::move(on_deleted)) {}

bool AgentStreams::Send(FrameType type, uint32_t id, std::string payload) {
  return send_(EncodeFrame(type, id, payload));
}

bool AgentStreams::SendError(uint32_t id, const Status& st) {
  return Send(FrameType::kError, id, EncodeError(st));
}

void AgentStreams::OnFrame(Frame f) {
  std::unique_lock lock(mu_);
  if (shut_) return;
  auto it = streams_.find(f.stream);
  if (it == streams_.end()) {
    if (f.type != FrameType::kExec && f.type != FrameType::kTty && f.type != FrameType::kLogs &&
        f.type != FrameType::kDelete) {
      return;  // a stream that already ended here
    }
    auto s = std::make_shared<Stream>();
    streams_[f.stream] = s;
    const uint32_t id = f.stream;
    std::thread([self = shared_from_this(), id, s, f = std::move(f)]() mutable {
      self->Serve(id, s, std::move(f));
    }).detach();
    return;
  }
  std::shared_ptr<Stream> s = it->second;
  lock.unlock();
  switch (f.type) {
    case FrameType::kWindow:
      s->send.Grant(DecodeCredit(f));
      s->Wake();
      break;
    case FrameType::kClose:
      s->Cancel();
      break;
    case FrameType::kTtyData: {
      std::lock_guard slock(s->mu);
      if (!s->recv.OnData(f.payload.size())) {
        spdlog::warn("session {}: the manager overran terminal stream {}; closing it", session_id_, f.stream);
        Send(FrameType::kClose, f.stream, "");
        s->Cancel();
        break;
      }
      s->input += f.payload;
      s->Wake();
      break;
    }
    case FrameType::kResize: {
      auto size = DecodeTermSize(f.payload);
      std::lock_guard slock(s->mu);
      if (size.ok() && s->tty) (void)s->tty->Resize(size->cols, size->rows);
      break;
    }
    case FrameType::kKill: {
      auto sig = DecodeNumber(f.payload, "signal");
      std::lock_guard slock(s->mu);
      if (sig.ok() && *sig > 0 && *sig < 65 && s->tty) (void)s->tty->Kill(static_cast<int>(*sig));
      break;
    }
    default:
      break;  // nothing else travels to the agent on an open stream
  }
}

void AgentStreams::Serve(uint32_t id, std::shared_ptr<Stream> s, Frame first) {
  switch (first.type) {
    case FrameType::kExec:
      ServeExec(id, *s, first);
      break;
    case FrameType::kTty:
      ServeTty(id, *s, first);
      break;
    case FrameType::kLogs: {
      auto max = DecodeNumber(first.payload, "max_bytes");
      if (!max.ok()) {
        SendError(id, max.status());
        break;
      }
      auto logs = agent_->Logs(session_id_, std::min<uint64_t>(*max, kMaxFramePayload));
      logs.ok() ? Send(FrameType::kReply, id, std::move(*logs)) : SendError(id, logs.status());
      break;
    }
    case FrameType::kDelete: {
      Status st = agent_->Delete(session_id_);
      if (!st.ok()) {
        SendError(id, st);
        break;
      }
      Send(FrameType::kReply, id, "");
      if (on_deleted_) on_deleted_();
      break;
    }
    default:
      break;
  }
  std::lock_guard lock(mu_);
  streams_.erase(id);
}

void AgentStreams::ServeExec(uint32_t id, Stream& s, const Frame& first) {
  auto options = DecodeExecRequest(first.payload);
  if (!options.ok()) {
    SendError(id, options.status());
    return;
  }
  // Every byte waits for credit: a manager that stops reading stops the
  // command (it blocks on its pipe), and kClose aborts it.
  options->on_output = [this, id, &s](runtime::ExecStream stream, std::string_view bytes) {
    const FrameType type = stream == runtime::ExecStream::kStdout ? FrameType::kStdout : FrameType::kStderr;
    while (!bytes.empty()) {
      size_t n = s.send.Acquire(std::min(bytes.size(), kMaxDataChunk));
      if (n == 0 || s.cancelled) return false;
      if (!Send(type, id, std::string(bytes.substr(0, n)))) return false;
      bytes.remove_prefix(n);
    }
    return !s.cancelled.load();
  };
  auto result = agent_->Exec(session_id_, *options);
  if (!result.ok()) {
    SendError(id, result.status());
    return;
  }
  Send(FrameType::kExit, id, EncodeExecResult(*result));
}

void AgentStreams::ServeTty(uint32_t id, Stream& s, const Frame& first) {
  auto size = DecodeTermSize(first.payload);
  if (!size.ok()) {
    SendError(id, size.status());
    return;
  }
  auto opened = agent_->OpenTerminal(session_id_, size->cols, size->rows);
  if (!opened.ok()) {
    SendError(id, opened.status());
    return;
  }
  const int fd = (*opened)->fd();
  const int exit_fd = (*opened)->exit_fd();
  {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    std::lock_guard lock(s.mu);
    s.tty = std::move(*opened);
  }
  Send(FrameType::kReply, id, "");
  char buf[kMaxDataChunk];
  // Sends what the PTY has, within credit; false at EOF/EIO.
  auto pump_out = [&]() {
    for (;;) {
      size_t credit = s.send.TryAcquire(sizeof buf);
      if (credit == 0) return true;
      ssize_t n = ::read(fd, buf, credit);
      if (n > 0) {
        Send(FrameType::kTtyData, id, std::string(buf, static_cast<size_t>(n)));
        if (static_cast<size_t>(n) < credit) s.send.Grant(credit - static_cast<size_t>(n));
        continue;
      }
      s.send.Grant(credit);
      if (n < 0 && errno == EINTR) continue;
      return n < 0 && errno == EAGAIN;
    }
  };
  bool ended = false;
  while (!s.cancelled && !ended) {
    bool have_input;
    {
      std::lock_guard lock(s.mu);
      have_input = !s.input.empty();
    }
    const short events = static_cast<short>((s.send.available() ? POLLIN : 0) | (have_input ? POLLOUT : 0));
    pollfd fds[3] = {{fd, events, 0}, {s.wake.get(), POLLIN, 0}, {exit_fd, POLLIN, 0}};
    if (::poll(fds, exit_fd >= 0 ? 3 : 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) {
      uint64_t n;
      (void)::read(s.wake.get(), &n, sizeof n);
    }
    if (have_input && (fds[0].revents & POLLOUT)) {
      std::unique_lock lock(s.mu);
      ssize_t n = ::write(fd, s.input.data(), s.input.size());
      if (n > 0) {
        s.input.erase(0, static_cast<size_t>(n));
        uint32_t credit = s.recv.OnConsumed(static_cast<size_t>(n));
        lock.unlock();
        if (credit > 0) Send(FrameType::kWindow, id, EncodeCredit(credit));
      }
    }
    if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && !pump_out()) ended = true;
    if (exit_fd >= 0 && fds[2].revents) {
      // Exited: what is left in the PTY goes first (bounded).
      for (int i = 0; i < 64; ++i) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0 || !pump_out()) break;
      }
      ended = true;
    }
  }
  if (s.cancelled) {
    std::unique_ptr<runtime::TtyProcess> tty;
    {
      std::lock_guard lock(s.mu);
      tty = std::move(s.tty);
    }
    (void)tty->Kill(SIGHUP);
    if (!tty->Wait(std::chrono::milliseconds(500))) (void)tty->Kill(SIGKILL);
    return;
  }
  Send(FrameType::kTtyExit, id, "");
}

void AgentStreams::Shutdown() {
  std::lock_guard lock(mu_);
  shut_ = true;
  for (auto& [_, s] : streams_) s->Cancel();
}

}  // namespace berth::remote

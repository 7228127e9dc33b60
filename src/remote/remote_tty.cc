#include "remote/remote_tty.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace berth::remote {
namespace {

void Signal(int efd) {
  uint64_t one = 1;
  (void)::write(efd, &one, sizeof one);
}

}  // namespace

Result<std::unique_ptr<RemoteTty>> RemoteTty::Start(std::shared_ptr<HubLink> link, uint32_t id,
                                                     std::shared_ptr<HubStream> stream) {
  std::unique_ptr<RemoteTty> t(new RemoteTty(std::move(link), id, std::move(stream)));
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Internal(std::string("socketpair: ") + std::strerror(errno));
  }
  t->local_.reset(sv[0]);
  t->far_.reset(sv[1]);
  t->exit_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  t->wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!t->exit_ || !t->wake_) return Internal(std::string("eventfd: ") + std::strerror(errno));
  if (::fcntl(t->far_.get(), F_SETFL, O_NONBLOCK) != 0) {
    return Internal(std::string("fcntl: ") + std::strerror(errno));
  }
  {
    std::lock_guard lock(t->stream_->mu);
    t->stream_->wake = [efd = t->wake_.get()] { Signal(efd); };
  }
  RemoteTty* self = t.get();
  t->pump_ = std::thread([self] { self->Pump(); });
  return t;
}

RemoteTty::~RemoteTty() {
  if (!exited_) (void)Kill(SIGKILL);
  stop_ = true;
  Signal(wake_.get());
  if (pump_.joinable()) pump_.join();
  {
    std::lock_guard lock(stream_->mu);
    stream_->wake = nullptr;
  }
  link_->Finish(id_, /*abandon=*/true);
}

void RemoteTty::Exited() {
  if (exited_.exchange(true)) return;
  (void)::shutdown(far_.get(), SHUT_WR);
  Signal(exit_.get());
  { std::lock_guard lock(stream_->mu); }  // a Wait between its check and its sleep sees it
  stream_->cv.notify_all();
}

// Moves bytes until the process exited and its output is delivered, the
// connection dropped, or the handle is destroyed.
void RemoteTty::Pump() {
  const int fd = far_.get();
  std::string to_local;  // agent output not yet written into the socket
  bool remote_done = false;
  bool local_eof = false;  // the local end was shut: nothing more to send
  char buf[kMaxDataChunk];
  while (!stop_) {
    {
      std::lock_guard lock(stream_->mu);
      while (!stream_->inbox.empty()) {
        Frame f = std::move(stream_->inbox.front());
        stream_->inbox.pop_front();
        if (f.type == FrameType::kTtyData) to_local += f.payload;
        if (f.type == FrameType::kTtyExit || f.type == FrameType::kError) remote_done = true;
      }
      if (!stream_->gone.ok()) remote_done = true;
    }
    if (remote_done && to_local.empty()) break;
    const bool can_read = !remote_done && !local_eof && stream_->send.available();
    short events = static_cast<short>((can_read ? POLLIN : 0) | (to_local.empty() ? 0 : POLLOUT));
    pollfd fds[2] = {{fd, events, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) {
      uint64_t n;
      (void)::read(wake_.get(), &n, sizeof n);
    }
    if (fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) {
      if (!to_local.empty()) {
        ssize_t n = ::write(fd, to_local.data(), to_local.size());
        if (n > 0) {
          to_local.erase(0, static_cast<size_t>(n));
          link_->Consumed(id_, *stream_, static_cast<size_t>(n));
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
          to_local.clear();  // the local side is gone: nobody reads any more
        }
      }
    }
    if (fds[0].revents & POLLIN) {
      size_t credit = stream_->send.TryAcquire(sizeof buf);
      if (credit > 0) {
        ssize_t n = ::read(fd, buf, credit);
        if (n > 0) {
          link_->Send(FrameType::kTtyData, id_, std::string(buf, static_cast<size_t>(n)));
        } else if (n == 0) {
          local_eof = true;
        }
        size_t used = n > 0 ? static_cast<size_t>(n) : 0;
        if (used < credit) stream_->send.Grant(credit - used);
      }
    }
  }
  Exited();
}

Status RemoteTty::Resize(uint16_t cols, uint16_t rows) {
  if (!link_->Send(FrameType::kResize, id_, EncodeTermSize({cols, rows}))) {
    return Unavailable("the node agent disconnected", "agent_unavailable");
  }
  return Status::Ok();
}

Status RemoteTty::Kill(int signal) {
  if (exited_) return Status::Ok();
  if (!link_->Send(FrameType::kKill, id_, EncodeNumber("signal", static_cast<uint64_t>(signal)))) {
    return Unavailable("the node agent disconnected", "agent_unavailable");
  }
  return Status::Ok();
}

bool RemoteTty::Wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(stream_->mu);
  return stream_->cv.wait_for(lock, timeout, [this] { return exited_.load(); });
}

}  // namespace berth::remote

#include "manager/terminal_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace berth::manager {

namespace {

constexpr size_t kReadChunk = 16384;

struct TermSize {
  uint16_t cols, rows;
};

// The one control message (SPEC §5); nullopt for anything else.
std::optional<TermSize> ParseResize(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto type = j.find("type"), cols = j.find("cols"), rows = j.find("rows");
  if (type == j.end() || !type->is_string() || *type != "resize") return std::nullopt;
  auto in_range = [&](nlohmann::json::iterator v) {
    return v != j.end() && v->is_number_integer() && *v >= 1 && *v <= 1000;
  };
  if (!in_range(cols) || !in_range(rows)) return std::nullopt;
  return TermSize{cols->get<uint16_t>(), rows->get<uint16_t>()};
}

}  // namespace

TerminalSession::TerminalSession(std::unique_ptr<runtime::TtyProcess> tty)
    : tty_(std::move(tty)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  int flags = ::fcntl(tty_->fd(), F_GETFL);
  if (flags >= 0) (void)::fcntl(tty_->fd(), F_SETFL, flags | O_NONBLOCK);
}

TerminalSession::~TerminalSession() { OnClose(); }

void TerminalSession::Wake() {
  uint64_t one = 1;
  (void)::write(wake_.get(), &one, sizeof one);
}

void TerminalSession::OnOpen(std::shared_ptr<http::WebSocketSender> sender) {
  sender_ = std::move(sender);
  sender_->SetDrainCallback([this] {
    ++drains_;
    Wake();
  });
  pump_ = std::thread([this] { Pump(); });
}

http::WebSocketSession::Next TerminalSession::OnMessage(bool binary, std::string data) {
  if (binary) {
    const bool room = input_.Push(std::move(data));
    Wake();
    return room ? Next::kContinue : Next::kPause;
  }
  auto size = ParseResize(data);
  if (!size) {
    sender_->Close(http::WebSocketClose::kBadPayload);
    return Next::kContinue;
  }
  (void)tty_->Resize(size->cols, size->rows);
  return Next::kContinue;
}

bool TerminalSession::PumpOutput() {
  char buf[kReadChunk];
  for (;;) {
    ssize_t n = ::read(tty_->fd(), buf, sizeof buf);
    if (n > 0) {
      const uint64_t seen = drains_.load();
      if (!sender_->SendBinary(std::string(buf, static_cast<size_t>(n)))) {
        blocked_at_ = seen;
        return true;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

void TerminalSession::Pump() {
  const int fd = tty_->fd();
  const int nfds = tty_->exit_fd() >= 0 ? 3 : 2;
  for (;;) {
    if (blocked_at_ != kNotBlocked && drains_.load() != blocked_at_) blocked_at_ = kNotBlocked;
    const bool can_read = blocked_at_ == kNotBlocked;
    const bool can_write = !input_.empty();
    short events = static_cast<short>((can_read ? POLLIN : 0) | (can_write ? POLLOUT : 0));
    pollfd fds[3] = {{fd, events, 0}, {wake_.get(), POLLIN, 0}, {tty_->exit_fd(), POLLIN, 0}};
    if (::poll(fds, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) {
      uint64_t n;
      (void)::read(wake_.get(), &n, sizeof n);
    }
    if (stop_) return;  // OnClose: the socket is gone
    if (can_write || fds[1].revents) {
      auto w = input_.WriteTo(fd);
      if (w.resume) sender_->ResumeReading();
      if (!w.status.ok()) break;
    }
    // A hung-up PTY is drained even while blocked: what is left is small.
    const bool hup = fds[0].revents & (POLLHUP | POLLERR);
    if ((fds[0].revents & POLLIN) || hup) {
      if (!PumpOutput()) break;  // EOF/EIO: the terminal's processes are gone
    }
    if (nfds == 3 && fds[2].revents) {
      // Exited: send what is left (bounded), then close.
      for (int i = 0; i < 64; ++i) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) break;
        char buf[kReadChunk];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        sender_->SendBinary(std::string(buf, static_cast<size_t>(n)));
      }
      break;
    }
  }
  sender_->Close();
}

void TerminalSession::OnClose() {
  if (closed_) return;
  closed_ = true;
  if (pump_.joinable()) {
    stop_ = true;
    Wake();
    pump_.join();
  }
  if (tty_) {
    // Killing may wait (up to 500 ms, or a Docker API call): not on the
    // I/O thread that calls OnClose.
    std::thread([tty = std::move(tty_)] {
      (void)tty->Kill(SIGHUP);
      if (!tty->Wait(std::chrono::milliseconds(500))) (void)tty->Kill(SIGKILL);
    }).detach();
  }
}

}  // namespace berth::manager

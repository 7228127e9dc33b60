#include "manager/terminal_session.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace berth::manager {

TerminalSession::TerminalSession(std::unique_ptr<runtime::TtyProcess> tty)
    : tty_(std::move(tty)), wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

TerminalSession::~TerminalSession() { OnClose(); }

void TerminalSession::OnOpen(std::shared_ptr<http::WebSocketSender> sender) {
  sender_ = std::move(sender);
  pump_ = std::thread([this] { Pump(); });
}

void TerminalSession::Pump() {
  char buf[16384];
  for (;;) {
    pollfd fds[3] = {{tty_->fd(), POLLIN, 0}, {wake_.get(), POLLIN, 0}, {tty_->exit_fd(), POLLIN, 0}};
    int nfds = tty_->exit_fd() >= 0 ? 3 : 2;
    if (::poll(fds, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents) return;  // OnClose: the socket is gone
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(tty_->fd(), buf, sizeof buf);
      if (n > 0) {
        sender_->SendBinary(std::string(buf, static_cast<size_t>(n)));
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      break;  // EOF/EIO: the terminal's processes are gone
    }
    if (nfds == 3 && fds[2].revents) {
      // Exited: drain what is left, then close.
      for (;;) {
        pollfd p{tty_->fd(), POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) break;
        ssize_t n = ::read(tty_->fd(), buf, sizeof buf);
        if (n <= 0) break;
        sender_->SendBinary(std::string(buf, static_cast<size_t>(n)));
      }
      break;
    }
  }
  sender_->Close();
}

void TerminalSession::OnMessage(bool binary, std::string data) {
  if (binary) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(tty_->fd(), data.data() + off, data.size() - off);
      if (n > 0) {
        off += static_cast<size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && errno == EAGAIN) {
        pollfd p{tty_->fd(), POLLOUT, 0};
        if (::poll(&p, 1, 1000) <= 0) return;  // the shell is not reading: drop input
      } else {
        return;
      }
    }
    return;
  }
  auto j = nlohmann::json::parse(data, nullptr, false);
  if (j.is_object() && j.value("type", "") == "resize") {
    int cols = j.value("cols", 0), rows = j.value("rows", 0);
    if (cols > 0 && rows > 0 && cols <= 1000 && rows <= 1000) {
      (void)tty_->Resize(static_cast<uint16_t>(cols), static_cast<uint16_t>(rows));
    }
  }
}

void TerminalSession::OnClose() {
  if (pump_.joinable()) {
    uint64_t one = 1;
    (void)::write(wake_.get(), &one, sizeof one);
    pump_.join();
  }
  if (tty_) {
    (void)tty_->Kill(SIGHUP);
    if (!tty_->Wait(std::chrono::milliseconds(500))) (void)tty_->Kill(SIGKILL);
  }
}

}  // namespace berth::manager

#include "cli/tty.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace berth::cli {

WindowSize TerminalSize(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
    return {ws.ws_col, ws.ws_row};
  }
  return {};
}

NoEcho::NoEcho(bool enabled) {
  if (enabled && ::tcgetattr(0, &saved_) == 0) {
    termios t = saved_;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(0, TCSAFLUSH, &t) == 0;
  }
}

NoEcho::~NoEcho() {
  if (active_) ::tcsetattr(0, TCSAFLUSH, &saved_);
}

RawMode::RawMode(int fd) : fd_(fd) {
  if (::isatty(fd) != 1 || ::tcgetattr(fd, &saved_) != 0) return;
  termios t = saved_;
  ::cfmakeraw(&t);
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  active_ = ::tcsetattr(fd, TCSADRAIN, &t) == 0;
}

RawMode::~RawMode() {
  if (active_) ::tcsetattr(fd_, TCSADRAIN, &saved_);
}

}  // namespace berth::cli

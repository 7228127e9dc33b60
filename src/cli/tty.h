// Local terminal settings for the CLI: echo off while reading a secret, raw
// mode for `session shell`, and the window size. Each guard restores the
// saved settings when it is destroyed. Not thread-safe; one guard per fd at a
// time.
#pragma once

#include <termios.h>

namespace berth::cli {

struct WindowSize {
  int cols = 80;
  int rows = 24;
};

// The size of the terminal on `fd`; 80x24 when it is not a terminal.
WindowSize TerminalSize(int fd);

// Turns terminal echo off on stdin while alive (when `enabled`).
class NoEcho {
 public:
  explicit NoEcho(bool enabled);
  ~NoEcho();
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// Puts the terminal on `fd` in raw mode (cfmakeraw: no echo, no line
// editing, no signals from ^C/^Z, no output post-processing) while alive, so
// that every key goes to the remote terminal. A no-op when `fd` is not a
// terminal. The caller must make sure the destructor runs on the way out,
// including on termination signals (RunTerminal turns SIGTERM, SIGHUP, SIGINT
// and SIGQUIT into a normal return for that reason).
class RawMode {
 public:
  explicit RawMode(int fd);
  ~RawMode();
  RawMode(const RawMode&) = delete;
  RawMode& operator=(const RawMode&) = delete;

  bool active() const { return active_; }

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

}  // namespace berth::cli

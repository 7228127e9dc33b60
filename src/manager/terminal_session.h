// TerminalSession: bridges one WebSocket to one terminal process (SPEC §5
// "/sessions/{name}/terminal"): binary frames carry bytes both ways; a text
// frame {"type":"resize","cols":C,"rows":R} resizes the PTY. Any other text
// frame (bad JSON, an unknown type, sizes outside 1..1000) closes the socket
// with 1007. The WebSocket closes when the shell exits, and the shell is
// killed when the WebSocket closes.
//
// One pump thread per terminal does all PTY I/O, non-blocking: the I/O
// thread that calls OnMessage only queues input. Both directions are
// bounded by back-pressure, so a shell that stops reading (or a client that
// stops reading) costs bounded memory and no I/O thread:
//  - input: at kInputLimit pending bytes OnMessage returns kPause, and the
//    socket is read again once the PTY took half of it;
//  - output: while the socket's send queue is over its limit the pump stops
//    reading the PTY (the shell then blocks on its own writes).
// Thread-safety: as http::WebSocketSession.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include "common/unique_fd.h"
#include "http/websocket.h"
#include "manager/pty_input_queue.h"
#include "runtime/container_runtime.h"

namespace berth::manager {

class TerminalSession : public http::WebSocketSession {
 public:
  static constexpr size_t kInputLimit = 64 << 10;

  explicit TerminalSession(std::unique_ptr<runtime::TtyProcess> tty);
  ~TerminalSession() override;

  void OnOpen(std::shared_ptr<http::WebSocketSender> sender) override;
  Next OnMessage(bool binary, std::string data) override;
  void OnClose() override;

 private:
  void Pump();
  // Reads PTY output into the socket until the PTY is empty or the send
  // queue is full; false at EOF/EIO (the terminal's processes are gone).
  bool PumpOutput();
  void Wake();

  std::unique_ptr<runtime::TtyProcess> tty_;
  std::shared_ptr<http::WebSocketSender> sender_;
  PtyInputQueue input_{kInputLimit};
  UniqueFd wake_;  // eventfd: input queued, send queue drained, or stop
  std::atomic<bool> stop_{false};
  // Output flow control: the drain callback counts drains; the pump is
  // blocked while no drain came after the send that filled the queue.
  std::atomic<uint64_t> drains_{0};
  static constexpr uint64_t kNotBlocked = ~uint64_t{0};
  uint64_t blocked_at_ = kNotBlocked;  // pump thread only
  bool closed_ = false;
  std::thread pump_;
};

}  // namespace berth::manager

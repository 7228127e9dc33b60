// TerminalSession: bridges one WebSocket to one terminal process (SPEC §5
// "/sessions/{name}/terminal"): binary frames carry bytes both ways; a text
// frame {"type":"resize","cols":C,"rows":R} resizes the PTY. A reader thread
// pumps PTY output to the socket; the WebSocket closes when the shell exits,
// and the shell is killed when the WebSocket closes.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "common/unique_fd.h"
#include "http/websocket.h"
#include "runtime/container_runtime.h"

namespace berth::manager {

class TerminalSession : public http::WebSocketSession {
 public:
  explicit TerminalSession(std::unique_ptr<runtime::TtyProcess> tty);
  ~TerminalSession() override;

  void OnOpen(std::shared_ptr<http::WebSocketSender> sender) override;
  void OnMessage(bool binary, std::string data) override;
  void OnClose() override;

 private:
  void Pump();

  std::unique_ptr<runtime::TtyProcess> tty_;
  std::shared_ptr<http::WebSocketSender> sender_;
  UniqueFd wake_;  // eventfd: tells the pump thread to stop
  std::thread pump_;
};

}  // namespace berth::manager

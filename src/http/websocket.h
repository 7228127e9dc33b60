// WebSocketSession: the application side of one upgraded WebSocket
// connection (used for terminals). The HTTP layer calls OnOpen once with a
// sender, then OnMessage per received message and OnClose once; these calls
// come from one connection at a time (never concurrently for one session).
// The Sender may be used from any thread until OnClose returns.
#pragma once

#include <memory>
#include <string>

namespace berth::http {

class WebSocketSender {
 public:
  virtual ~WebSocketSender() = default;
  virtual void SendBinary(std::string data) = 0;
  virtual void SendText(std::string data) = 0;
  virtual void Close() = 0;  // closes the connection; OnClose follows
};

class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  virtual void OnOpen(std::shared_ptr<WebSocketSender> sender) = 0;
  virtual void OnMessage(bool binary, std::string data) = 0;
  virtual void OnClose() = 0;
};

}  // namespace berth::http

// WebSocketSession: the application side of one upgraded WebSocket
// connection (used for terminals). The HTTP layer calls OnOpen once with a
// sender, then OnMessage per received message and OnClose once; these calls
// come from one connection at a time (never concurrently for one session),
// on an I/O thread: they must never block.
//
// Flow control both ways, so that one slow peer costs bounded memory and no
// thread:
//  - inbound: OnMessage returns kPause when the session cannot take more
//    input; the server then reads nothing more from that socket until the
//    session calls WebSocketSender::ResumeReading.
//  - outbound: Send* returns false once the socket's send queue holds more
//    than kWebSocketSendQueueBytes; the producer should stop until the
//    drain callback runs.
// An exception from OnMessage closes that socket with 1011; it never skips
// OnClose.
//
// The Sender may be used from any thread until OnClose returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace berth::http {

// Close codes (RFC 6455 §7.4.1) that sessions use.
enum class WebSocketClose : uint16_t {
  kNormal = 1000,
  kBadPayload = 1007,  // malformed message (bad JSON, unknown type, bad sizes)
  kTooBig = 1009,      // sent by the server itself past its message size limit
  kInternal = 1011,
};

// Past this many queued bytes Send* returns false (the queue still takes
// the message: the bound is the producer's to keep).
inline constexpr size_t kWebSocketSendQueueBytes = 1 << 20;

class WebSocketSender {
 public:
  virtual ~WebSocketSender() = default;
  // Queue a message; false when the send queue is now over its limit.
  virtual bool SendBinary(std::string data) = 0;
  virtual bool SendText(std::string data) = 0;
  // Closes the connection with `code`; OnClose follows.
  virtual void Close(WebSocketClose code = WebSocketClose::kNormal) = 0;
  // Ends a pause that OnMessage asked for. Any thread.
  virtual void ResumeReading() = 0;
  // `f` runs on an I/O thread each time the send queue drops from over its
  // limit to under it. REQUIRES: called from OnOpen; `f` must not block.
  virtual void SetDrainCallback(std::function<void()> f) = 0;
};

class WebSocketSession {
 public:
  enum class Next { kContinue, kPause };

  virtual ~WebSocketSession() = default;
  virtual void OnOpen(std::shared_ptr<WebSocketSender> sender) = 0;
  virtual Next OnMessage(bool binary, std::string data) = 0;
  virtual void OnClose() = 0;
};

}  // namespace berth::http

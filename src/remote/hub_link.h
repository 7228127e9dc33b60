// HubLink: the manager's end of one agent connection (remote/agent_hub.h):
// the WebSocket session the HTTP server drives, the connection's state
// (new → admitting → registered → closed) and its request streams. The hub
// (agent_hub.cc) owns the registry of links by session; a link only knows
// its hub through the LinkEvents it was made with.
//
// Streams: the manager opens them (Open); frames the agent sends on one
// land in that stream's inbox, except kWindow, which feeds its SendCredit.
// A data frame past the window the manager granted closes the stream
// (kClose to the agent; the waiter sees it gone). When the connection
// closes every stream is failed with Unavailable "agent_unavailable".
//
// Thread-safety: all public methods are safe from any thread; the
// WebSocketSession callbacks follow http/websocket.h.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "http/websocket.h"
#include "remote/flow_control.h"
#include "remote/frame.h"
#include "remote/messages.h"

namespace berth::remote {

// One request stream, as its waiter (an Exec call, a terminal's pump) sees it.
struct HubStream {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<Frame> inbox;  // kStdout/kStderr/kTtyData/kExit/kTtyExit/kReply/kError
  RecvWindow recv;          // under mu
  Status gone;              // not OK once the stream or its connection ended
  SendCredit send;          // for kTtyData to the agent
  std::function<void()> wake;  // also called on new frames and credit (set once, before use)

  // Waits until a frame or `gone`, up to `deadline`; nullopt on timeout or
  // when gone (then `gone` says why).
  std::optional<Frame> Next(std::chrono::steady_clock::time_point deadline);
};

// What a link reports to its hub; called without the link's lock held.
class LinkEvents {
 public:
  virtual ~LinkEvents() = default;
  // The first frame, a registration. The hub decides (asynchronously) and
  // calls HubLink::Admitted or closes the link.
  virtual void OnRegister(const std::shared_ptr<class HubLink>& link, Registration r) = 0;
  virtual void OnStatus(const std::string& session_id, StatusReport s) = 0;
  // The link closed; `session_id` "" if it never registered.
  virtual void OnLinkClosed(const std::shared_ptr<class HubLink>& link,
                            const std::string& session_id) = 0;
};

class HubLink : public std::enable_shared_from_this<HubLink> {
 public:
  explicit HubLink(std::shared_ptr<LinkEvents> events);

  // The server-facing session (holds the link).
  std::unique_ptr<http::WebSocketSession> MakeSession();

  // Registration accepted: sends kAdmit with `spec_json` and reads on.
  // False if the link closed meanwhile.
  bool Admitted(const std::string& session_id, const std::optional<std::string>& spec_json);
  // Closes the connection (OnLinkClosed follows once the server is done).
  void Close();
  // Closes it and ends the link at once, without waiting for the peer to
  // answer the close (a dead node never does): streams fail, OnLinkClosed
  // runs now.
  void Abandon();

  // Opens a stream with its first frame. Unavailable when the link is closed.
  Result<std::pair<uint32_t, std::shared_ptr<HubStream>>> Open(FrameType type,
                                                               const std::string& payload);
  // Sends a frame on an open stream; false when the link is closed.
  bool Send(FrameType type, uint32_t stream, std::string payload);
  // The waiter took `n` data bytes of `stream`: returns credit when due.
  void Consumed(uint32_t stream, HubStream& s, size_t n);
  // Forgets a stream; `abandon` also tells the agent (kClose).
  void Finish(uint32_t stream, bool abandon);

  std::string session_id() const;
  bool registered() const;
  std::chrono::steady_clock::time_point last_seen() const;

 private:
  class Session;
  void OnOpen(std::shared_ptr<http::WebSocketSender> sender);
  http::WebSocketSession::Next OnMessage(bool binary, std::string data);
  void OnClose();
  // A frame on a request stream (registered links only).
  void OnStreamFrame(Frame f);

  enum class State { kNew, kAdmitting, kRegistered, kClosed };
  const std::shared_ptr<LinkEvents> events_;
  mutable std::mutex mu_;
  State state_ = State::kNew;
  std::shared_ptr<http::WebSocketSender> sender_;
  std::string session_id_;
  std::map<uint32_t, std::shared_ptr<HubStream>> streams_;
  uint32_t next_stream_ = 1;
  std::atomic<int64_t> last_seen_ns_;
};

}  // namespace berth::remote

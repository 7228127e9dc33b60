// AgentStreams: the node agent's end of the request streams of one
// connection (remote/frame.h): exec, terminal, logs and delete, served by
// the node's SessionAgent for the one session this agent runs. Each request
// gets its own thread (an exec or a terminal lasts as long as it lasts);
// output waits for the manager's credit, so a slow manager slows the
// command down instead of filling memory, and terminal input past the
// credit this side granted closes the stream.
//
// Thread-safety: OnFrame is called from the connection's I/O thread and
// never blocks; Shutdown from any thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/session_agent.h"
#include "remote/frame.h"

namespace berth::remote {

class AgentStreams : public std::enable_shared_from_this<AgentStreams> {
 public:
  // `send` queues one frame to the manager (false once the connection is
  // gone); `on_deleted` runs (on a stream thread) after a kDelete
  // succeeded and its kReply was queued.
  AgentStreams(agent::SessionAgent* agent, std::string session_id,
               std::function<bool(std::string)> send, std::function<void()> on_deleted);
  // REQUIRES: owned by a shared_ptr (each stream thread holds one, so the
  // object lives until the last of them ended).
  void OnFrame(Frame f);
  // The connection is gone: aborts execs (at their next output), ends
  // terminals, refuses new streams. Does not wait.
  void Shutdown();

 private:
  struct Stream;
  void Serve(uint32_t id, std::shared_ptr<Stream> s, Frame first);
  void ServeExec(uint32_t id, Stream& s, const Frame& first);
  void ServeTty(uint32_t id, Stream& s, const Frame& first);
  bool Send(FrameType type, uint32_t id, std::string payload);
  bool SendError(uint32_t id, const Status& st);

  agent::SessionAgent* const agent_;
  const std::string session_id_;
  const std::function<bool(std::string)> send_;
  const std::function<void()> on_deleted_;
  std::mutex mu_;
  bool shut_ = false;
  std::map<uint32_t, std::shared_ptr<Stream>> streams_;  // one (detached) thread each
};

}  // namespace berth::remote

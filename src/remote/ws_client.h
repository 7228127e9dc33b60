// WsClient: the node agent's WebSocket connection to the manager
// (ws:// or wss://, verified against the system CAs plus an optional CA
// file, like the CLI's https://). Binary messages only. Boost.Beast stays in
// ws_client.cc (this module's only Beast translation unit).
//
// One I/O thread per client reads and writes; on_message runs there and
// must not block; on_close runs once, there, when the connection ended for
// any reason (after Close() too).
//
// Thread-safety: Send and Close are safe from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace berth::remote {

class WsClient {
 public:
  struct Callbacks {
    std::function<void(std::string)> on_message;
    std::function<void()> on_close;
  };

  // Connects and upgrades (at most `timeout` for the TCP connect and the
  // handshakes). InvalidArgument for a URL that is not ws[s]://host[:port]/path;
  // Unavailable when the manager cannot be reached or declines.
  static Result<std::unique_ptr<WsClient>> Dial(const std::string& url, const std::string& ca_file,
                                                std::chrono::milliseconds timeout, Callbacks cb);
  virtual ~WsClient() = default;
  // Queues one binary message; false once the connection is closing.
  virtual bool Send(std::string data) = 0;
  // Sends what is queued, then a close handshake.
  virtual void Close() = 0;
};

}  // namespace berth::remote

// AgentListener: berthd's listener for node agents (`--agent-listen
// HOST:PORT`, docs/cluster.md §2): an http::Server of its own that serves
// only `GET /api/v1/agent`, the WebSocket upgrade handed to
// AgentHub::Accept; every other path is 404. It is separate from the API
// listener so that a site can put it on the cluster's internal network only.
// TLS when berthd serves TLS (the same certificate and key).
//
// Start/Stop are symmetric; Stop is idempotent and safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "remote/agent_hub.h"

namespace berth::http {
class Server;
class Router;
}  // namespace berth::http

namespace berth::remote {

inline constexpr char kAgentPath[] = "/api/v1/agent";

struct AgentListenerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port (see port())
  std::string tls_cert_file;  // both or neither (berthd's --tls-cert/--tls-key)
  std::string tls_key_file;
};

class AgentListener {
 public:
  // Binds and serves. `hub` is not owned and must outlive the listener.
  static Result<std::unique_ptr<AgentListener>> Start(AgentHub* hub, AgentListenerOptions options);
  ~AgentListener();  // Stop()
  uint16_t port() const;
  void Stop();

 private:
  AgentListener() = default;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace berth::remote

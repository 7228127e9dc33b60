#include "remote/agent_listener.h"

#include "http/router.h"
#include "http/server.h"
#include "http/websocket.h"

namespace berth::remote {

Result<std::unique_ptr<AgentListener>> AgentListener::Start(AgentHub* hub,
                                                            AgentListenerOptions options) {
  std::unique_ptr<AgentListener> l(new AgentListener());
  l->router_ = std::make_unique<http::Router>();
  // No user credentials here: the registration message authenticates
  // (RegistrationPolicy::Admit).
  l->router_->AddWebSocket(kAgentPath, [hub](http::Request&)
                               -> std::variant<http::Response, std::shared_ptr<http::WebSocketSession>> {
    return std::shared_ptr<http::WebSocketSession>(hub->Accept());
  });
  http::ServerOptions s;
  s.host = options.host;
  s.port = options.port;
  s.io_threads = 2;
  // Agents hold no worker while connected (WebSockets); the pool only
  // serves upgrades.
  s.worker_threads = 4;
  s.max_connections = 4096;
  // Every agent of a node comes from that node's address.
  s.max_connections_per_client = 1024;
  s.tls_cert_file = options.tls_cert_file;
  s.tls_key_file = options.tls_key_file;
  // An agent pings every few seconds; the hub closes the idle ones itself.
  s.idle_timeout_s = 120;
  l->server_ = std::make_unique<http::Server>(s, *l->router_);
  BERTH_RETURN_IF_ERROR(l->server_->Start());
  return l;
}

AgentListener::~AgentListener() { Stop(); }

uint16_t AgentListener::port() const { return server_->port(); }

void AgentListener::Stop() {
  if (server_) server_->Stop();
}

}  // namespace berth::remote

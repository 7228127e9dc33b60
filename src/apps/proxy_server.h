// ProxyServer: the apps origin (SPEC §3 "Apps", `--apps-listen`), a second
// listener in berthd that serves each session's apps at
// /s/<session id>/<app>/ and nothing else. It is kept off the API origin on
// purpose (docs/security.md): a page an app serves must never be able to
// read Berth's cookies or CSRF token.
//
// Per client connection: read and parse the request head (header only),
// ask the Gate who the caller is and where the app listens (which starts it
// on first use), connect to it inside the session's network namespace
// (through the Gate: apps/app_backend.h), write the rewritten head upstream, then copy bytes
// both ways until either side closes. The rewrite drops Authorization and
// Berth's cookies, sets Host (and Origin, when present) to
// 127.0.0.1:<port> as a local app expects, and asks the app to close the
// connection after its response (one request per client connection, which
// the response says with Connection: close); a WebSocket upgrade keeps its
// connection and is copied the same way. Bodies stream both ways; memory
// per connection is two pipes (splice(2)), no user-space buffer, on plain
// HTTP, and two bounded buffers over TLS (apps/tls_pump.h).
//
// https (ProxyOptions::tls, berthd --tls-cert): the API's certificate and
// policy (http/tls_context.h); in wildcard-host mode it must cover
// *.DOMAIN. Wildcard-host mode (ProxyOptions::domain): every app has its
// own host (apps/proxy_rules.h AppHostName), and a request whose Host is
// not the host of the app its path names is refused with 421: the apps
// cookie is host-only, so a page on one app's host can neither read nor
// send the viewer's cookie for another app.
//
// Answers of its own: 401 without a credential, 403/404 from the Gate, 503
// with Retry-After and a page that reloads while the app does not accept
// connections yet, 502 once its process has exited; the
// /s/<id>/<app>/_berth_open?code=C step that trades a one-time code for the
// apps cookie; 404 for any other path.
//
// Thread-safety: Start/Stop from one thread; the Gate is called from the
// server's worker threads, concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "apps/app_registry.h"
#include "common/result.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace berth::apps {

struct ProxyCredentials {
  std::string bearer;                    // "Authorization: Bearer" token, "" if none
  std::vector<std::string> app_cookies;  // values of the apps cookie sent
};

// What the proxy asks of the rest of berthd. Implemented by
// manager::AppService.
class Gate {
 public:
  virtual ~Gate() = default;
  // Who may reach app `app` of session `session_id`: the session's owner
  // or a superadmin. Starts the app when it is not running. Errors:
  // Unauthenticated (no or a bad credential), PermissionDenied/NotFound,
  // FailedPrecondition (session not running), or the start's error.
  virtual Result<AppTarget> Admit(const std::string& session_id, const std::string& app,
                                  const ProxyCredentials& credentials) = 0;
  // A connected socket to the app Admit returned (AppBackend::Dial of the
  // session's backend: in its network namespace here, or through its node
  // agent). Unavailable "app_not_listening" while it does not accept.
  virtual Result<int> Dial(const std::string& session_id, const std::string& app,
                           const AppTarget& target, std::chrono::milliseconds timeout) = 0;
  // The proxy has connected to the app.
  virtual void Reached(const std::string& session_id, const std::string& app) = 0;
  // Trades a one-time code from /open for the apps cookie's value (single
  // use). Unauthenticated when the code is unknown, used, expired or for
  // another session or app.
  virtual Result<std::string> RedeemOpenCode(const std::string& session_id, const std::string& app,
                                             std::string_view code) = 0;
  // How long the apps cookie lasts.
  virtual int64_t cookie_max_age_s() const = 0;
};

struct ProxyOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: any free port
  int io_threads = 2;
  int worker_threads = 4;
  int connect_timeout_s = 5;
  // A connection with no byte in either direction for this long is closed
  // (WebSocket kernels included; Jupyter pings every 30 s).
  int idle_timeout_s = 600;
  size_t max_header_bytes = 16 * 1024;
  // Serve https with this context (http::MakeServerTlsContext), and give
  // the apps cookie the Secure attribute; null: plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
  // Wildcard-host mode: apps at <app>-<session id>.<domain> only; "": any Host.
  std::string domain;
};

class ProxyServer {
 public:
  ProxyServer(ProxyOptions options, Gate* gate);
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Binds and starts serving. Unavailable when it cannot listen.
  Status Start();
  // The bound port. REQUIRES: Start() succeeded.
  uint16_t port() const;
  // Stops accepting, closes every connection, joins the threads.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::apps

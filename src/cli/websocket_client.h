// RunTerminal: the client side of a session terminal (SPEC §5, GET
// /sessions/{name}/terminal): a WebSocket whose binary frames carry bytes
// both ways and whose text frames carry control messages
// ({"type":"resize","cols":C,"rows":R} from us). Boost.Beast stays inside
// websocket_client.cc (the CLI's second and last Beast translation unit);
// this header is cheap to include.
//
// Not thread-safe: one RunTerminal at a time per process (it may handle
// process signals).
#pragma once

#include <functional>
#include <string>

#include "cli/http_client.h"
#include "cli/tty.h"
#include "cli/url.h"
#include "common/status.h"

namespace berth::cli {

struct TerminalIo {
  int in_fd = 0;   // read and sent as binary frames; at EOF we stop reading
  int out_fd = 1;  // binary frames from the server are written here
  // The local window size: sent as a resize message at start and, when
  // handle_signals, on every SIGWINCH.
  std::function<WindowSize()> window_size = [] { return WindowSize{}; };
  // Handle SIGWINCH (resize) and turn SIGTERM, SIGHUP, SIGINT and SIGQUIT
  // into a clean close and return (so the caller can restore the terminal).
  bool handle_signals = false;
};

// Connects to `target` (a request target such as
// "/api/v1/sessions/s1/terminal?cols=80&rows=24"; the endpoint's base path is
// prepended) with `headers` on the upgrade request, then forwards bytes both
// ways until the server closes the connection (OK). An upgrade the server
// declines is FailedPrecondition without the server's reason (Beast drops
// the response; check the session over plain HTTP first for a good message);
// a lost connection is Unavailable; so is a handled termination signal
// ("interrupted by signal N").
Status RunTerminal(const Endpoint& endpoint, const std::string& target, const HttpHeaders& headers,
                   const TerminalIo& io);

}  // namespace berth::cli

// /sessions: session life cycle, exec, logs and the terminal WebSocket
// (SPEC §3, §5).
#include <chrono>

#include "api/exec_ndjson.h"
#include "api/json.h"
#include "http/websocket.h"
#include "manager/daemon_metrics.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"
#include "manager/rest/session_request_json.h"
#include "manager/session_service.h"
#include "manager/terminal_session.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

Result<runtime::ExecOptions> ParseExec(const Request& req, const ExecLimits& limits) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseJsonObject(req, {"command", "stdin", "stdin_b64",
                                                        "timeout_s", "env"}));
  runtime::ExecOptions o;
  auto cmd = j.find("command");
  if (cmd == j.end() || !cmd->is_array() || cmd->empty()) {
    return InvalidArgument("command must be a non-empty list of strings", "invalid_command");
  }
  for (const auto& a : *cmd) {
    if (!a.is_string()) return InvalidArgument("command must be a list of strings", "invalid_command");
    o.argv.push_back(a.get<std::string>());
  }
  if (auto env = j.find("env"); env != j.end() && !env->is_null()) {
    if (!env->is_object()) return InvalidArgument("env must be an object of strings", "invalid_env");
    for (const auto& [k, v] : env->items()) {
      if (!v.is_string() || k.empty() || k.find('=') != std::string::npos ||
          k.rfind("BERTH_", 0) == 0) {
        return InvalidArgument("env must map names (not BERTH_*) to strings", "invalid_env");
      }
      o.env.push_back(k + "=" + v.get<std::string>());
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto in, StringField(j, "stdin", false));
  BERTH_ASSIGN_OR_RETURN(auto in_b64, StringField(j, "stdin_b64", false));
  if (in && in_b64) return InvalidArgument("give stdin or stdin_b64, not both", "invalid_stdin");
  if (in_b64) {
    auto bytes = api::Base64Decode(*in_b64);
    if (!bytes.ok()) return InvalidArgument("stdin_b64 must be base64", "invalid_stdin");
    o.stdin_data = std::move(*bytes);
  } else {
    o.stdin_data = in.value_or("");
  }
  // ExecTimeout checks the range; this bound only keeps `* 1000` in range.
  BERTH_ASSIGN_OR_RETURN(auto timeout, UintField(j, "timeout_s", kMaxJsonUint / 1000));
  BERTH_ASSIGN_OR_RETURN(o.timeout, ExecTimeout(timeout, limits));
  return o;
}

constexpr std::string_view kNdjson = "application/x-ndjson";

// Whether the client asked for the streamed exec (SPEC §5).
bool WantsNdjson(const Request& req) {
  return req.Header("accept").find(kNdjson) != std::string_view::npos;
}

}  // namespace

void RegisterSessionRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  SessionService& sessions = *ctx.sessions;

  DaemonMetrics* metrics = ctx.metrics;
  r.Add("POST", "/api/v1/sessions",
        Authed(auth, [&sessions, metrics](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(agent::ValidSessionRequest body, ParseSessionRequest(req));
          const auto t0 = std::chrono::steady_clock::now();
          auto created = sessions.Create(p, body);
          if (metrics) metrics->ObserveSessionCreate(std::chrono::steady_clock::now() - t0, created.ok());
          return Reply(201, created);
        }));
  r.Add("GET", "/api/v1/sessions",
        Authed(auth, [&sessions](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(bool all, QueryBool(req, "all", false));
          BERTH_ASSIGN_OR_RETURN(auto list, sessions.List(p, all));
          return JsonResponse(200, {{"sessions", list}});
        }));
  // Where sessions may run: Slurm's partitions with --cluster slurm, the one
  // group "default" on one host.
  r.Add("GET", "/api/v1/resource-groups",
        Authed(auth, [&sessions](Request&, const Principal&) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto groups, sessions.ResourceGroups());
          return JsonResponse(200, {{"resource_groups", groups}});
        }));
  r.Add("GET", "/api/v1/sessions/{name}",
        Authed(auth, [&sessions](Request& req, const Principal& p) -> HandlerResult {
          return Reply(200, sessions.Get(p, req.Param("name")));
        }));
  r.Add("DELETE", "/api/v1/sessions/{name}",
        Authed(auth, [&sessions](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(bool force, QueryBool(req, "force", false));
          return NoContent(sessions.Delete(p, req.Param("name"), force));
        }));
  r.Add("POST", "/api/v1/sessions/{name}/exec",
        Authed(auth, [&sessions, metrics, limits = ctx.exec_limits](
                         Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(runtime::ExecOptions opts, ParseExec(req, limits));
          if (WantsNdjson(req)) {
            BERTH_ASSIGN_OR_RETURN(auto body, sessions.StreamExec(p, req.Param("name"), opts));
            if (metrics) metrics->CountExec(/*streamed=*/true);
            Response resp;
            resp.SetHeader("Content-Type", std::string(kNdjson));
            resp.SetHeader("Cache-Control", "no-store");
            resp.live = std::move(body);
            return resp;
          }
          BERTH_ASSIGN_OR_RETURN(auto res, sessions.Exec(p, req.Param("name"), opts));
          if (metrics) metrics->CountExec(/*streamed=*/false);
          return JsonResponse(200, {{"exit_code", res.exit_code},
                                    {"stdout", res.stdout_data},
                                    {"stderr", res.stderr_data},
                                    {"timed_out", res.timed_out}});
        }));
  r.Add("GET", "/api/v1/sessions/{name}/logs",
        Authed(auth, [&sessions](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(std::string logs, sessions.Logs(p, req.Param("name")));
          return Response::Text(200, std::move(logs));
        }));
  r.AddWebSocket(
      "/api/v1/sessions/{name}/terminal",
      AuthedWebSocket(auth, [&sessions](Request& req, const Principal& p)
                                -> Result<std::shared_ptr<http::WebSocketSession>> {
        BERTH_ASSIGN_OR_RETURN(uint64_t cols, QueryUint(req, "cols", 80));
        BERTH_ASSIGN_OR_RETURN(uint64_t rows, QueryUint(req, "rows", 24));
        BERTH_ASSIGN_OR_RETURN(auto tty, sessions.OpenTerminal(
                                             p, req.Param("name"),
                                             static_cast<uint16_t>(std::min<uint64_t>(cols, 65535)),
                                             static_cast<uint16_t>(std::min<uint64_t>(rows, 65535))));
        return std::shared_ptr<http::WebSocketSession>(
            std::make_shared<TerminalSession>(std::move(tty)));
      }));
}

}  // namespace berth::manager

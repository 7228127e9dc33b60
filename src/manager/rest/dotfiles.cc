// /dotfiles: the caller's own dotfiles (SPEC §3 "Dotfiles", §5). Bodies are
// raw bytes both ways; {path...} is the rest of the URL, percent-decoded
// segment by segment and joined with '/' (http/router.h), then validated by
// the service (manager/dotfile_rules.h).
#include "manager/dotfile_rules.h"
#include "manager/dotfile_service.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

// The list entry (and PUT's reply): mode as an octal string, "0644".
json DotfileJson(const store::DotfileRecord& d) {
  return {{"path", d.path},
          {"mode", FormatDotfileMode(d.mode)},
          {"size", d.content.size()},
          {"updated_at", d.updated_at}};
}

}  // namespace

void RegisterDotfileRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  DotfileService& dotfiles = *ctx.dotfiles;
  r.Add("GET", "/api/v1/dotfiles",
        Authed(auth, [&dotfiles](Request&, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto list, dotfiles.List(p));
          json out = json::array();
          for (const auto& d : list) out.push_back(DotfileJson(d));
          return JsonResponse(200, {{"dotfiles", out}});
        }));
  r.Add("GET", "/api/v1/dotfiles/{path...}",
        Authed(auth, [&dotfiles](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto d, dotfiles.Get(p, req.Param("path")));
          Response resp = Response::Text(200, std::move(d.content), "application/octet-stream");
          resp.SetHeader("X-Berth-Mode", FormatDotfileMode(d.mode));
          resp.SetHeader("Cache-Control", "no-store");
          return resp;
        }));
  r.Add("PUT", "/api/v1/dotfiles/{path...}",
        Authed(auth, [&dotfiles](Request& req, const Principal& p) -> HandlerResult {
          auto mode = req.query.find("mode");
          if (mode != req.query.end() && mode->second.empty()) {
            return InvalidArgument("mode must be octal 0000 to 0777, like 0644", "invalid_mode");
          }
          BERTH_ASSIGN_OR_RETURN(
              auto put, dotfiles.Put(p, req.Param("path"),
                                     mode == req.query.end() ? "" : mode->second,
                                     std::move(req.body)));
          return JsonResponse(put.created ? 201 : 200, DotfileJson(put.dotfile));
        }));
  r.Add("DELETE", "/api/v1/dotfiles/{path...}",
        Authed(auth, [&dotfiles](Request& req, const Principal& p) -> HandlerResult {
          return NoContent(dotfiles.Delete(p, req.Param("path")));
        }));
}

}  // namespace berth::manager

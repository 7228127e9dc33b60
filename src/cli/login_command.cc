// `berth login [--endpoint URL]`: asks for an API token, checks it against
// the server and stores it (and the endpoint, when one was given) under
// ~/.config/berth for later commands.
#include <CLI/CLI.hpp>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/app.h"
#include "cli/client.h"
#include "cli/tty.h"

namespace berth::cli {

namespace {

Status Login(CliContext& ctx) {
  std::string token = ctx.token_flag;
  if (token.empty()) {
    if (ctx.stdin_is_tty) ctx.err << "API token for " << ctx.EndpointUrl() << ": " << std::flush;
    {
      NoEcho no_echo(ctx.stdin_is_tty);
      std::getline(ctx.in, token);
    }
    if (ctx.stdin_is_tty) ctx.err << "\n";
    const char* ws = " \t\r\n";
    token.erase(0, token.find_first_not_of(ws));
    token.erase(token.find_last_not_of(ws) + 1);
    if (token.empty()) return UsageError("no token given");
  }
  ctx.token_flag = token;  // the client below uses exactly this token
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());

  // Check the token: /me names the user; a server without /me still has to
  // accept the token for the folder list.
  std::string user;
  Result<std::string> me = c->Call("GET", "/api/v1/me");
  if (me.ok()) {
    nlohmann::json j = nlohmann::json::parse(*me, nullptr, false);
    if (j.is_object()) user = j.value("name", "");
  } else if (me.status().code() == Code::kNotFound) {
    BERTH_RETURN_IF_ERROR(c->Call("GET", "/api/v1/folders").status());
  } else {
    return me.status();
  }

  // Keep the endpoint only when the user chose one for this login.
  std::string endpoint = ctx.endpoint_flag;
  if (endpoint.empty()) endpoint = ctx.env.get("BERTH_ENDPOINT").value_or("");
  BERTH_RETURN_IF_ERROR(SaveLogin(ctx.env, token, endpoint));
  ctx.out << "Logged in to " << c->http().endpoint().ToString();
  if (!user.empty()) ctx.out << " as " << user;
  ctx.out << "; token saved to " << TokenFilePath(ctx.env) << "\n";
  return Status::Ok();
}

}  // namespace

void AddLoginCommand(CLI::App& root, CliContext& ctx) {
  CLI::App* cmd =
      root.add_subcommand("login", "Store an API token (read from stdin) for later commands");
  cmd->add_option("--endpoint", ctx.endpoint_flag,
                  "Berth server URL to log in to and remember (http://HOST:PORT)");
  OnRun(cmd, ctx, [&ctx] { return Login(ctx); });
}

}  // namespace berth::cli

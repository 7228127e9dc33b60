// `berth login [--endpoint URL]`: asks for an API token, checks it against
// the server and stores it (and the endpoint, when one was given) under
// ~/.config/berth for later commands. `berth login --web` instead prints a
// one-time web sign-in link for the caller (SPEC §4): the API token never
// goes in a URL.
#include <CLI/CLI.hpp>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/app.h"
#include "cli/client.h"
#include "cli/tty.h"

namespace berth::cli {

namespace {

// Prints the link of a fresh one-time code (POST /auth/login-codes) on this
// endpoint, as the caller resolved from the usual token sources.
Status PrintWebLogin(CliContext& ctx) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("POST", "/api/v1/auth/login-codes"));
  nlohmann::json j = nlohmann::json::parse(raw, nullptr, false);
  std::string code = j.is_object() ? j.value("code", "") : "";
  if (code.empty()) return Internal("the server's answer has no login code: " + raw);
  ctx.out << c->http().endpoint().ToString() << "/login?code=" << code << "\n";
  ctx.err << "One-time sign-in link: open it in a browser within 10 minutes; it works once.\n";
  return Status::Ok();
}

Status Login(CliContext& ctx, bool web) {
  if (web) return PrintWebLogin(ctx);
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
                  "Berth server URL to log in to and remember (http[s]://HOST:PORT)");
  auto web = std::make_shared<bool>(false);
  cmd->add_flag("--web", *web, "Print a one-time link that signs a browser in as you");
  OnRun(cmd, ctx, [&ctx, web] { return Login(ctx, *web); });
}

}  // namespace berth::cli

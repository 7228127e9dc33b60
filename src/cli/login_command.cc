// `berth login [--endpoint URL] [--user NAME]`: stores an API token under
// ~/.config/berth for later commands (SPEC §6).
//  - Without --user it reads an API token from stdin, checks it against the
//    server and saves it (and the endpoint, when one was given).
//  - With --user it reads the password (tty without echo, or stdin), signs in
//    like the web UI (POST /auth/login → session cookie, GET /me → CSRF
//    token), mints a token labelled cli@HOST (POST /tokens), signs that web
//    session out again, and saves the token with its id (for `berth logout`).
//  - `--web` prints a one-time web sign-in link instead (SPEC §4): the API
//    token never goes in a URL.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "api/error_mapping.h"
#include "cli/app.h"
#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/tty.h"

namespace berth::cli {

namespace {

using nlohmann::json;

constexpr const char* kCookieName = "berth_session";

struct LoginOptions {
  bool web = false;
  std::string user;
};

// Prints the link of a fresh one-time code (POST /auth/login-codes) on this
// endpoint, as the caller resolved from the usual token sources.
Status PrintWebLogin(CliContext& ctx) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("POST", "/api/v1/auth/login-codes"));
  json j = json::parse(raw, nullptr, false);
  std::string code = j.is_object() ? j.value("code", "") : "";
  if (code.empty()) return Internal("the server's answer has no login code: " + raw);
  ctx.out << c->http().endpoint().ToString() << "/login?code=" << code << "\n";
  ctx.err << "One-time sign-in link: open it in a browser within 10 minutes; it works once.\n";
  return Status::Ok();
}

// The endpoint to remember: only one the user chose for this login.
std::string ChosenEndpoint(const CliContext& ctx) {
  if (!ctx.endpoint_flag.empty()) return ctx.endpoint_flag;
  return ctx.env.get("BERTH_ENDPOINT").value_or("");
}

// The value of the session cookie in a Set-Cookie header, or "".
std::string SessionCookieFrom(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (!CLI::detail::to_lower(name).starts_with("set-cookie")) continue;
    std::string prefix = std::string(kCookieName) + "=";
    if (!value.starts_with(prefix)) continue;
    return value.substr(prefix.size(), value.find(';') - prefix.size());
  }
  return {};
}

// A web sign-in (cookie + CSRF token) used only to mint the CLI's token.
class WebSignIn {
 public:
  explicit WebSignIn(HttpClient& http) : http_(http) {}

  Status SignIn(const std::string& user, const std::string& password) {
    BERTH_ASSIGN_OR_RETURN(
        HttpResponse res,
        Send("POST", "/api/v1/auth/login", json{{"user", user}, {"password", password}}.dump()));
    cookie_ = SessionCookieFrom(res.headers);
    if (cookie_.empty()) return Internal("the server signed in without a session cookie");
    BERTH_ASSIGN_OR_RETURN(HttpResponse me, Send("GET", "/api/v1/me", ""));
    json j = json::parse(me.body, nullptr, false);
    csrf_ = j.is_object() ? j.value("csrf_token", "") : "";
    return Status::Ok();
  }

  // {id, token} of a new API token labelled `label`.
  Result<json> MintToken(const std::string& label) {
    BERTH_ASSIGN_OR_RETURN(HttpResponse res,
                           Send("POST", "/api/v1/tokens", json{{"label", label}}.dump()));
    json j = json::parse(res.body, nullptr, false);
    if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) {
      return Internal("unexpected response from the server: no token");
    }
    return j;
  }

  // Ends the web session; best effort (the cookie expires anyway).
  void SignOut() {
    if (!cookie_.empty()) (void)Send("POST", "/api/v1/auth/logout", "");
    cookie_.clear();
  }

 private:
  Result<HttpResponse> Send(const std::string& method, const std::string& target,
                            const std::string& body) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    req.headers.emplace_back("Accept", "application/json");
    if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
    if (!cookie_.empty())
      req.headers.emplace_back("Cookie", std::string(kCookieName) + "=" + cookie_);
    if (!csrf_.empty()) req.headers.emplace_back("X-CSRF-Token", csrf_);
    req.body = body;
    BERTH_ASSIGN_OR_RETURN(HttpResponse res, http_.Send(req));
    if (res.status < 200 || res.status >= 300) return api::StatusFromHttp(res.status, res.body);
    return res;
  }

  HttpClient& http_;
  std::string cookie_, csrf_;
};

std::string TokenLabel() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "cli";
  return std::string("cli@") + host;
}

Status PasswordLogin(CliContext& ctx, const std::string& user) {
  BERTH_ASSIGN_OR_RETURN(std::string password, ReadSecretLine(ctx, "Password for " + user + " at " +
                                                                       ctx.EndpointUrl() + ": "));
  if (password.empty()) return UsageError("no password given");
  // The client's connection (with its TLS settings); WebSignIn sends no
  // Authorization header, only the cookie it gets.
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  WebSignIn web(c->http());
  BERTH_RETURN_IF_ERROR(web.SignIn(user, password));
  Result<json> minted = web.MintToken(TokenLabel());
  web.SignOut();
  if (!minted.ok()) return minted.status();
  std::string token = (*minted)["token"].get<std::string>();
  std::string id = minted->value("id", "");
  BERTH_RETURN_IF_ERROR(SaveLogin(ctx.env, token, ChosenEndpoint(ctx), id));
  ctx.out << "Logged in to " << c->http().endpoint().ToString() << " as " << user << "; token "
          << id << " saved to " << TokenFilePath(ctx.env) << "\n";
  return Status::Ok();
}

Status TokenLogin(CliContext& ctx) {
  std::string token = ctx.token_flag;
  if (token.empty()) {
    BERTH_ASSIGN_OR_RETURN(token, ReadSecretLine(ctx, "API token for " + ctx.EndpointUrl() + ": "));
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
    json j = json::parse(*me, nullptr, false);
    if (j.is_object()) user = j.value("name", "");
  } else if (me.status().code() == Code::kNotFound) {
    BERTH_RETURN_IF_ERROR(c->Call("GET", "/api/v1/folders").status());
  } else {
    return me.status();
  }
  BERTH_RETURN_IF_ERROR(SaveLogin(ctx.env, token, ChosenEndpoint(ctx)));
  ctx.out << "Logged in to " << c->http().endpoint().ToString();
  if (!user.empty()) ctx.out << " as " << user;
  ctx.out << "; token saved to " << TokenFilePath(ctx.env) << "\n";
  return Status::Ok();
}

Status Login(CliContext& ctx, const LoginOptions& o) {
  if (o.web) {
    if (!o.user.empty()) return UsageError("--web and --user do not go together");
    return PrintWebLogin(ctx);
  }
  if (!o.user.empty()) return PasswordLogin(ctx, o.user);
  return TokenLogin(ctx);
}

}  // namespace

void AddLoginCommand(CLI::App& root, CliContext& ctx) {
  auto o = std::make_shared<LoginOptions>();
  CLI::App* cmd = root.add_subcommand(
      "login",
      "Save an API token for later commands: with --user NAME the password is read (from the "
      "terminal, or stdin) and a token is minted; else the token is read from stdin");
  cmd->add_option("--endpoint", ctx.endpoint_flag,
                  "Berth server URL to log in to and remember (http[s]://HOST:PORT)");
  cmd->add_option("--user", o->user, "Sign in with this user's password and mint a token");
  cmd->add_flag("--web", o->web, "Print a one-time link that signs a browser in as you");
  OnRun(cmd, ctx, [&ctx, o] { return Login(ctx, *o); });
}

}  // namespace berth::cli

// The caller's own account (SPEC §5, §6): `berth whoami` (GET /me),
// `berth logout` (revokes the token `berth login --user` minted and removes
// the saved token) and `berth passwd` (PATCH /me {password, old_password}).
#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/app.h"
#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/url.h"

namespace berth::cli {

namespace {

using nlohmann::json;

struct WhoamiOptions {
  std::string output;
};

Status Whoami(CliContext& ctx, const WhoamiOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", "/api/v1/me"));
  if (o.output == "json") return PrintJson(ctx, raw);
  BERTH_ASSIGN_OR_RETURN(json me, ParseObject(raw));
  ctx.out << Field(me, "name") << " (" << Field(me, "role") << ")\n";
  return Status::Ok();
}

struct LogoutOptions {};

Status Logout(CliContext& ctx, const LogoutOptions&) {
  std::optional<std::string> token = ReadTrimmedFile(TokenFilePath(ctx.env));
  if (!token) {
    ctx.out << "Not logged in (no token in " << TokenFilePath(ctx.env) << ").\n";
    return Status::Ok();
  }
  std::optional<std::string> id = ReadTrimmedFile(TokenIdFilePath(ctx.env));
  if (id) {
    ctx.token_flag = *token;  // revoke with the saved token itself
    Status revoked = [&]() -> Status {
      BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
      Target t("/api/v1/tokens");
      t.Segment(*id);
      Status st = c->Call("DELETE", t.str()).status();
      // Already revoked or expired: the token is gone either way.
      if (st.code() == Code::kNotFound || st.code() == Code::kUnauthenticated) return Status::Ok();
      return st;
    }();
    if (!revoked.ok()) {
      ctx.err << "warning: could not revoke token " << *id
              << " on the server: " << revoked.message() << "\n";
    } else {
      ctx.out << "Revoked token " << *id << ".\n";
    }
  } else {
    ctx.err << "note: the saved token was not minted by `berth login --user`; it stays valid on "
               "the server (see `berth token list` / `berth token revoke ID`)\n";
  }
  BERTH_RETURN_IF_ERROR(ClearLogin(ctx.env));
  ctx.out << "Logged out; removed " << TokenFilePath(ctx.env) << "\n";
  return Status::Ok();
}

struct PasswdOptions {};

Status Passwd(CliContext& ctx, const PasswdOptions&) {
  BERTH_ASSIGN_OR_RETURN(std::string old_pw, ReadSecretLine(ctx, "Current password: "));
  BERTH_ASSIGN_OR_RETURN(std::string new_pw, ReadSecretLine(ctx, "New password: "));
  if (new_pw.empty()) return UsageError("the new password is empty");
  if (ctx.stdin_is_tty) {
    BERTH_ASSIGN_OR_RETURN(std::string again, ReadSecretLine(ctx, "New password again: "));
    if (again != new_pw) return UsageError("the new passwords do not match");
  }
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_RETURN_IF_ERROR(
      c->Call("PATCH", "/api/v1/me", json{{"old_password", old_pw}, {"password", new_pw}}.dump())
          .status());
  ctx.out << "Password changed.\n";
  return Status::Ok();
}

}  // namespace

void AddAccountCommands(CLI::App& root, CliContext& ctx) {
  CLI::App* cmd;
  {
    auto o = Verb<WhoamiOptions>(&root, ctx, "whoami", "Show who the token in use belongs to",
                                 Whoami, &cmd);
    AddOutputFlag(cmd, &o->output);
  }
  Verb<LogoutOptions>(&root, ctx, "logout",
                      "Revoke the token `berth login --user` minted and forget the saved token",
                      Logout, &cmd);
  Verb<PasswdOptions>(&root, ctx, "passwd",
                      "Change your password: the current one, then the new one (twice on a "
                      "terminal; from stdin, one per line)",
                      Passwd, &cmd);
}

}  // namespace berth::cli

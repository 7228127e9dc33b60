// `berth user ...`: user accounts (SPEC §4; superadmin only, the server
// enforces it): create, list, update, delete, and minting a token for a user.
#include <ostream>

#include "api/json.h"
#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/table.h"
#include "cli/url.h"

namespace berth::cli {

namespace {

using nlohmann::json;

Target UserTarget(const std::string& name) {
  Target t("/api/v1/users");
  t.Segment(name);
  return t;
}

Result<std::string> ReadPassword(CliContext& ctx) {
  BERTH_ASSIGN_OR_RETURN(std::string pw, ReadSecretLine(ctx, "Password: "));
  if (pw.empty()) return UsageError("empty password on stdin");
  return pw;
}

struct CreateOptions {
  std::string name, output;
  bool password_stdin = false, superadmin = false, sudo_allowed = false;
};

Status CreateUser(CliContext& ctx, const CreateOptions& o) {
  json body{{"name", o.name}, {"role", o.superadmin ? "superadmin" : "user"}};
  if (o.sudo_allowed) body["sudo_allowed"] = true;
  if (o.password_stdin) {
    BERTH_ASSIGN_OR_RETURN(std::string pw, ReadPassword(ctx));
    body["password"] = pw;
  }
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("POST", "/api/v1/users", body.dump()));
  BERTH_ASSIGN_OR_RETURN(json j, ParseObject(raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  api::User u = j.get<api::User>();
  ctx.out << "Created user " << u.name << " (" << u.role << (u.sudo_allowed ? ", sudo allowed" : "")
          << "); `berth user token " << u.name << "` mints an API token for them\n";
  return Status::Ok();
}

struct ListOptions {
  std::string output;
};

Status ListUsers(CliContext& ctx, const ListOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", "/api/v1/users"));
  BERTH_ASSIGN_OR_RETURN(json list, ParseList(raw, "users"));
  if (o.output == "json") return PrintJson(ctx, raw);
  Table t({"NAME", "ROLE", "SUDO", "UID", "GID", "CREATED"});
  t.AlignRight(3).AlignRight(4);
  for (const json& j : list) {
    api::User u = j.get<api::User>();
    t.AddRow({u.name, u.role, u.sudo_allowed ? "yes" : "no", std::to_string(u.uid),
              std::to_string(u.gid), FormatTimestamp(u.created_at)});
  }
  ctx.out << t.Render();
  return Status::Ok();
}

struct UpdateOptions {
  std::string name, role, output;
  bool password_stdin = false, sudo_allowed = false, no_sudo_allowed = false;
};

Status UpdateUser(CliContext& ctx, const UpdateOptions& o) {
  json body = json::object();
  if (!o.role.empty()) body["role"] = o.role;
  if (o.sudo_allowed) body["sudo_allowed"] = true;
  if (o.no_sudo_allowed) body["sudo_allowed"] = false;
  if (o.password_stdin) {
    BERTH_ASSIGN_OR_RETURN(std::string pw, ReadPassword(ctx));
    body["password"] = pw;
  }
  if (body.empty()) {
    return UsageError(
        "nothing to change: give --password-stdin, --role or --sudo-allowed/--no-sudo-allowed");
  }
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("PATCH", UserTarget(o.name).str(), body.dump()));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Updated user " << o.name << "\n";
  return Status::Ok();
}

struct NameOptions {
  std::string name, output;
};

Status DeleteUser(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_RETURN_IF_ERROR(c->Call("DELETE", UserTarget(o.name).str()).status());
  ctx.out << "Deleted user " << o.name << "\n";
  return Status::Ok();
}

Status MintToken(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw,
                         c->Call("POST", UserTarget(o.name).str() + "/tokens", "{}"));
  return PrintNewToken(ctx, raw, o.output, "Created an API token for " + o.name);
}

}  // namespace

void AddUserCommands(CLI::App& root, CliContext& ctx) {
  CLI::App* g = root.add_subcommand("user", "User accounts (superadmin only)");
  g->require_subcommand(0, 1);
  CLI::App* cmd;
  {
    auto o = Verb<CreateOptions>(g, ctx, "create", "Create a user", CreateUser, &cmd);
    cmd->add_option("NAME", o->name, "User name")->required();
    cmd->add_flag("--password-stdin", o->password_stdin,
                  "Read a password (for the web login) from the first line of stdin");
    cmd->add_flag("--superadmin", o->superadmin, "Make the user a superadmin");
    cmd->add_flag("--sudo-allowed", o->sudo_allowed,
                  "Give the user passwordless sudo in sessions (images that ship sudo)");
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<ListOptions>(g, ctx, "list", "List users", ListUsers, &cmd);
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<UpdateOptions>(g, ctx, "update", "Change a user's password, role or sudo",
                                 UpdateUser, &cmd);
    cmd->add_option("NAME", o->name, "User name")->required();
    cmd->add_flag("--password-stdin", o->password_stdin,
                  "Read the new password from the first line of stdin");
    cmd->add_option("--role", o->role, "user or superadmin")
        ->check(CLI::IsMember({"user", "superadmin"}));
    CLI::Option* allow = cmd->add_flag("--sudo-allowed", o->sudo_allowed, "Allow sudo");
    CLI::Option* deny = cmd->add_flag("--no-sudo-allowed", o->no_sudo_allowed, "Block sudo");
    allow->excludes(deny);
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<NameOptions>(g, ctx, "delete", "Delete a user", DeleteUser, &cmd);
    cmd->alias("rm");
    cmd->add_option("NAME", o->name, "User name")->required();
  }
  {
    auto o = Verb<NameOptions>(g, ctx, "token",
                               "Mint an API token for a user and print it (only this once)",
                               MintToken, &cmd);
    cmd->add_option("NAME", o->name, "User name")->required();
    AddOutputFlag(cmd, &o->output);
  }
}

}  // namespace berth::cli

// `berth user ...`: user accounts (SPEC §4; superadmin only, the server
// enforces it): create, list, update, delete, and minting a token for a user.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <string_view>

#include "api/json.h"
#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/size.h"
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
  // Per-user limits: a number (a size for memory), or "none" to go back to
  // the deployment's maximum. Empty: unchanged.
  std::string max_sessions, max_cpu, max_memory, max_pids;
  std::string quota;  // SIZE or "none" (the deployment's default)
};

// Adds `limits.<key>` to `body` from a flag value ("none" → null).
Status AddLimit(json& body, const char* key, const std::string& flag, const std::string& value) {
  if (value.empty()) return Status::Ok();
  json& limits = body["limits"];
  if (value == "none") {
    limits[key] = nullptr;
    return Status::Ok();
  }
  if (std::string_view(key) == "max_memory_bytes") {
    BERTH_ASSIGN_OR_RETURN(uint64_t bytes, ParseSize(value));
    limits[key] = bytes;
    return Status::Ok();
  }
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(value.c_str(), &end);
  const bool number = end == value.c_str() + value.size() && errno == 0 && v > 0;
  if (number && std::string_view(key) == "max_cpu") {
    limits[key] = v;
    return Status::Ok();
  }
  if (number && v == std::floor(v) && v < 1e18) {
    limits[key] = static_cast<int64_t>(v);
    return Status::Ok();
  }
  return UsageError(flag + " must be a positive number or 'none'");
}

Status UpdateUser(CliContext& ctx, const UpdateOptions& o) {
  json body = json::object();
  if (!o.role.empty()) body["role"] = o.role;
  if (o.sudo_allowed) body["sudo_allowed"] = true;
  if (o.no_sudo_allowed) body["sudo_allowed"] = false;
  BERTH_RETURN_IF_ERROR(AddLimit(body, "max_sessions", "--max-sessions", o.max_sessions));
  BERTH_RETURN_IF_ERROR(AddLimit(body, "max_cpu", "--max-cpu", o.max_cpu));
  BERTH_RETURN_IF_ERROR(AddLimit(body, "max_memory_bytes", "--max-memory", o.max_memory));
  BERTH_RETURN_IF_ERROR(AddLimit(body, "max_pids", "--max-pids", o.max_pids));
  if (o.quota == "none") {
    body["quota_bytes"] = nullptr;
  } else if (!o.quota.empty()) {
    Result<uint64_t> q = ParseSize(o.quota);
    if (!q.ok() || *q == 0) return UsageError("--quota must be a size such as 10G, or 'none'");
    body["quota_bytes"] = *q;
  }
  if (o.password_stdin) {
    BERTH_ASSIGN_OR_RETURN(std::string pw, ReadPassword(ctx));
    body["password"] = pw;
  }
  if (body.empty()) {
    return UsageError(
        "nothing to change: give --password-stdin, --role, --sudo-allowed/--no-sudo-allowed "
        "a --max-* limit or --quota");
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
    auto o = Verb<UpdateOptions>(g, ctx, "update",
                                 "Change a user's password, role, sudo, session limits or storage quota",
                                 UpdateUser, &cmd);
    cmd->add_option("NAME", o->name, "User name")->required();
    cmd->add_flag("--password-stdin", o->password_stdin,
                  "Read the new password from the first line of stdin");
    cmd->add_option("--role", o->role, "user or superadmin")
        ->check(CLI::IsMember({"user", "superadmin"}));
    CLI::Option* allow = cmd->add_flag("--sudo-allowed", o->sudo_allowed, "Allow sudo");
    CLI::Option* deny = cmd->add_flag("--no-sudo-allowed", o->no_sudo_allowed, "Block sudo");
    allow->excludes(deny);
    cmd->add_option("--max-sessions", o->max_sessions, "Live sessions the user may have, or none");
    cmd->add_option("--max-cpu", o->max_cpu, "Most CPUs per session, or none");
    cmd->add_option("--max-memory", o->max_memory, "Most memory per session (e.g. 4G), or none");
    cmd->add_option("--max-pids", o->max_pids, "Most processes per session, or none");
    cmd->add_option("--quota", o->quota,
                    "Total storage of the user's folders (e.g. 10G), or none for the default");
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

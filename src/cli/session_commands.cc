// `berth session ...`: compute sessions (SPEC §3, §6): create, list, info,
// logs, apps, delete, exec (exits with the command's own exit code) and shell (an
// interactive terminal over a WebSocket, see websocket_client.h).
#include <unistd.h>

#include <ostream>

#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/exec_command.h"
#include "cli/format.h"
#include "cli/session_args.h"
#include "cli/size.h"
#include "cli/table.h"
#include "cli/tty.h"
#include "cli/url.h"
#include "cli/websocket_client.h"

namespace berth::cli {

namespace {

using nlohmann::json;

constexpr const char* kSessions = "/api/v1/sessions";

Target SessionTarget(const std::string& name) {
  Target t(kSessions);
  t.Segment(name);
  return t;
}

std::string Resources(const json& s) {
  const json& r = s.contains("resources") && s["resources"].is_object() ? s["resources"] : json();
  std::string cpu = Field(r, "cpu");
  std::string mem = r.is_object() && r.contains("memory_bytes") && r["memory_bytes"].is_number()
                        ? FormatSize(r["memory_bytes"].get<uint64_t>())
                        : "-";
  return cpu + " CPU, " + mem + " memory";
}

// "data,.local" for the MOUNTS column.
std::string MountNames(const json& s) {
  std::string out;
  if (!s.contains("mounts") || !s["mounts"].is_array()) return "-";
  for (const json& m : s["mounts"]) {
    if (!out.empty()) out += ",";
    out += Field(m, "folder");
  }
  return out.empty() ? "-" : out;
}

std::string SessionsTable(const json& sessions) {
  Table t({"NAME", "STATUS", "IMAGE", "OWNER", "CREATED", "MOUNTS"});
  for (const json& s : sessions) {
    t.AddRow({Field(s, "name"), Field(s, "status"), Field(s, "image"), Field(s, "owner"),
              FormatTimestamp(s.value("created_at", "")), MountNames(s)});
  }
  return t.Render();
}

std::string SessionInfo(const json& s) {
  InfoBlock b;
  b.Line("Name", Field(s, "name"))
      .Line("ID", Field(s, "id"))
      .Line("Owner", Field(s, "owner"))
      .Line("Image", Field(s, "image"))
      .Line("Status", Field(s, "status"));
  if (s.contains("error") && s["error"].is_string()) b.Line("Error", Field(s, "error"));
  if (!s.value("status_reason", "").empty()) b.Line("Reason", Field(s, "status_reason"));
  if (s.contains("node") && s["node"].is_string()) b.Line("Node", Field(s, "node"));
  if (!s.value("resource_group", "").empty()) b.Line("Group", Field(s, "resource_group"));
  b.Line("Created", FormatTimestamp(s.value("created_at", ""))).Line("Resources", Resources(s));
  std::string out = b.str();
  if (s.contains("mounts") && s["mounts"].is_array() && !s["mounts"].empty()) {
    out += "Mounts:\n";
    Table t({"FOLDER", "TARGET", "PERM", "AUTOMOUNT"});
    for (const json& m : s["mounts"]) {
      t.AddRow({Field(m, "folder"), Field(m, "target"), Field(m, "permission"),
                m.value("automount", false) ? "yes" : "no"});
    }
    std::string rendered = t.Render();
    size_t pos = 0;
    while (pos < rendered.size()) {  // indent the table under "Mounts:"
      size_t nl = rendered.find('\n', pos);
      out += "  " + rendered.substr(pos, nl + 1 - pos);
      pos = nl + 1;
    }
  } else {
    out += "Mounts:     (none)\n";
  }
  if (s.contains("persistent_paths") && s["persistent_paths"].is_array()) {
    std::string paths;
    for (const json& p : s["persistent_paths"]) {
      if (!p.is_string()) continue;
      paths += (paths.empty() ? "" : ", ") + p.get<std::string>();
    }
    out += InfoBlock()
               .Line("Persistent", paths.empty() ? "(nothing; /home/work is scratch)" : paths)
               .str();
  }
  return out;
}

// ---- Verbs. ----

struct CreateOptions {
  SessionCreateArgs args;
  double cpu = 0;
  std::string output;
};

Status CreateSession(CliContext& ctx, const CreateOptions& o) {
  SessionCreateArgs args = o.args;
  if (o.cpu != 0) args.cpu = o.cpu;
  Result<std::string> body = SessionCreateBody(args);
  if (!body.ok()) return UsageError(body.status().message());
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  if (ctx.stderr_is_tty && o.output != "json") {
    ctx.err << "Starting the session (this can take a few seconds)...\n";
  }
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("POST", kSessions, *body));
  BERTH_ASSIGN_OR_RETURN(json s, ParseObject(raw));
  if (o.output == "json") {
    PrintJson(ctx, raw);
  } else {
    ctx.out << "Session " << Field(s, "name") << " is " << Field(s, "status");
    if (!s.value("status_reason", "").empty()) ctx.out << " (" << Field(s, "status_reason") << ")";
    ctx.out << " (image " << Field(s, "image") << ")";
    if (s.contains("node") && s["node"].is_string()) ctx.out << " on node " << Field(s, "node");
    ctx.out << "\n";
    if (s.contains("mounts") && s["mounts"].is_array()) {
      for (const json& m : s["mounts"]) {
        ctx.out << "  " << Field(m, "folder") << " -> " << Field(m, "target") << " ("
                << Field(m, "permission") << (m.value("automount", false) ? ", automount" : "")
                << ")\n";
      }
    }
  }
  if (s.value("status", "") == "error") {
    return Internal("session " + Field(s, "name") + " failed to start: " + Field(s, "error"));
  }
  return Status::Ok();
}

struct ListOptions {
  std::string output;
  bool all = false;
};

// The server ignores ?all=true from a non-superadmin (it lists their own
// sessions); --all says so instead of pretending to list everyone's.
Status RequireSuperadmin(BerthClient& c) {
  BERTH_ASSIGN_OR_RETURN(std::string raw, c.Call("GET", "/api/v1/me"));
  BERTH_ASSIGN_OR_RETURN(json me, ParseObject(raw));
  if (Field(me, "role") == "superadmin") return Status::Ok();
  return PermissionDenied("--all lists every user's sessions and needs a superadmin; " +
                          Field(me, "name") + " is " + Field(me, "role"));
}

Status ListSessions(CliContext& ctx, const ListOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t(kSessions);
  if (o.all) {
    BERTH_RETURN_IF_ERROR(RequireSuperadmin(*c));
    t.Query("all", "true");
  }
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", t.str()));
  BERTH_ASSIGN_OR_RETURN(json sessions, ParseList(raw, "sessions"));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (sessions.empty()) {
    ctx.out << "No sessions.\n";
    return Status::Ok();
  }
  ctx.out << SessionsTable(sessions);
  return Status::Ok();
}

struct NameOptions {
  std::string name, output;
};

Status ShowSessionInfo(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", SessionTarget(o.name).str()));
  BERTH_ASSIGN_OR_RETURN(json s, ParseObject(raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << SessionInfo(s);
  return Status::Ok();
}

Status ShowLogs(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t = SessionTarget(o.name);
  t.Segment("logs");
  BERTH_ASSIGN_OR_RETURN(std::string logs, c->Call("GET", t.str()));
  ctx.out << logs;
  ctx.out.flush();
  return Status::Ok();
}

// `berth session apps NAME`: the session's apps with their apps-origin URL.
Status ShowApps(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t = SessionTarget(o.name);
  t.Segment("apps");
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", t.str()));
  BERTH_ASSIGN_OR_RETURN(json apps, ParseList(raw, "apps"));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (apps.empty()) {
    ctx.out << "No apps.\n";
    return Status::Ok();
  }
  Table table({"NAME", "DISPLAY NAME", "STATUS", "URL"});
  for (const json& a : apps) {
    table.AddRow({Field(a, "name"), Field(a, "display_name"), Field(a, "status"), Field(a, "url")});
  }
  ctx.out << table.Render();
  return Status::Ok();
}

struct DeleteOptions {
  std::vector<std::string> names;
  bool force = false;
};

Status DeleteSessions(CliContext& ctx, const DeleteOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  bool failed = false;
  for (const std::string& name : o.names) {
    Target t = SessionTarget(name);
    if (o.force) t.Query("force", "true");
    Result<std::string> r = c->Call("DELETE", t.str());
    if (!r.ok()) {
      PrintError(ctx, name + ": " + r.status().message());
      failed = true;
      continue;
    }
    ctx.out << "Deleted session " << name << "\n";
  }
  return failed ? AlreadyReported() : Status::Ok();
}

Status Shell(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  // Check the session over plain HTTP first: a declined WebSocket upgrade
  // carries no readable reason (see RunTerminal).
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", SessionTarget(o.name).str()));
  BERTH_ASSIGN_OR_RETURN(json s, ParseObject(raw));
  if (s.value("status", "") != "running") {
    return FailedPrecondition("session " + o.name + " is " + Field(s, "status") + ", not running");
  }
  WindowSize size = TerminalSize(1);
  Target t = SessionTarget(o.name);
  t.Segment("terminal")
      .Query("cols", std::to_string(size.cols))
      .Query("rows", std::to_string(size.rows));
  ctx.out.flush();
  TerminalIo io;
  io.in_fd = 0;
  io.out_fd = 1;
  io.window_size = [] { return TerminalSize(1); };
  io.handle_signals = true;
  Status st;
  {
    RawMode raw(0);  // restored before any message below
    st = RunTerminal(c->http().endpoint(), t.str(), c->AuthHeaders(), io);
  }
  return st;
}

}  // namespace

void AddSessionCommands(CLI::App& root, CliContext& ctx) {
  CLI::App* g = root.add_subcommand("session", "Compute sessions: create, exec, shell, delete");
  g->require_subcommand(0, 1);
  CLI::App* cmd;
  {
    auto o = Verb<CreateOptions>(g, ctx, "create",
                                 "Start a session (returns once it is running); your dot-folders "
                                 "are mounted too unless --no-automount",
                                 CreateSession, &cmd);
    cmd->add_option("--name", o->args.name, "Session name (default: generated)");
    cmd->add_option("--image", o->args.image, "Image (default: the server's default image)");
    cmd->add_option("-m,--mount", o->args.mounts,
                    "Folder to mount: FOLDER[:TARGET][:ro|rw]; TARGET defaults to "
                    "/home/work/FOLDER, a relative TARGET goes under /home/work (repeatable)")
        ->allow_extra_args(false);
    cmd->add_flag("--no-automount", o->args.no_automount,
                  "Do not mount your automount (dot-)folders");
    cmd->add_option("--cpu", o->cpu, "CPUs (e.g. 2 or 0.5)")->check(CLI::PositiveNumber);
    cmd->add_option("--memory", o->args.memory, "Memory limit, e.g. 2G or 512M");
    cmd->add_option("--gpus", o->args.gpus, "GPUs (on a Slurm cluster)");
    cmd->add_option("--resource-group", o->args.resource_group,
                    "Where to run: a resource group (`GET /resource-groups`; a Slurm partition)");
    cmd->add_option("--env", o->args.env, "Environment variable K=V (repeatable)")
        ->allow_extra_args(false);
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<ListOptions>(g, ctx, "list", "List your sessions", ListSessions, &cmd);
    cmd->add_flag("--all", o->all, "Every user's sessions (superadmin only)");
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<NameOptions>(g, ctx, "info", "Show a session with its resolved mounts",
                               ShowSessionInfo, &cmd);
    cmd->add_option("NAME", o->name, "Session name")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o =
        Verb<NameOptions>(g, ctx, "logs", "Print a session's container output", ShowLogs, &cmd);
    cmd->add_option("NAME", o->name, "Session name")->required();
  }
  {
    auto o = Verb<NameOptions>(g, ctx, "apps",
                               "List a session's apps (e.g. Jupyter) and their URLs", ShowApps,
                               &cmd);
    cmd->add_option("NAME", o->name, "Session name")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<DeleteOptions>(g, ctx, "delete",
                                 "Delete sessions (their scratch home goes; folders stay)",
                                 DeleteSessions, &cmd);
    cmd->alias("rm");
    cmd->add_option("NAME", o->names, "Session names")->required();
    cmd->add_flag("--force", o->force,
                  "Also remove a session in error or stuck, even if its cleanup fails");
  }
  {
    auto o = Verb<ExecCommandOptions>(
        g, ctx, "exec",
        "Run a command in a session: berth session exec NAME -- CMD [ARG...]; output streams as "
        "it comes; exits with the command's exit code (124 timed out, 126 cannot run, 127 not "
        "found, 125 Berth failed). Piped stdin (up to 16 MiB) is passed to the command",
        RunExec, &cmd);
    cmd->add_option("NAME", o->name, "Session name")->required();
    cmd->add_option("CMD", o->command, "The command and its arguments (after --)");
    cmd->add_flag("-n,--no-stdin", o->no_stdin, "Do not read stdin (send the command none)");
    cmd->add_option("--timeout", o->timeout_s, "Stop the command after this many seconds");
    cmd->positionals_at_end();
  }
  {
    auto o = Verb<NameOptions>(g, ctx, "shell", "Open an interactive terminal in a session", Shell,
                               &cmd);
    cmd->add_option("NAME", o->name, "Session name")->required();
  }
}

}  // namespace berth::cli

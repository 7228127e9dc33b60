// `berth dotfile ...`: the caller's dotfiles (SPEC §3 "Dotfiles", §5, §6),
// written into every new session's home.
#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>

#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/size.h"
#include "cli/table.h"
#include "cli/url.h"

namespace berth::cli {

namespace {

using nlohmann::json;

// /api/v1/dotfiles/<path>, each component percent-encoded on its own so
// the slashes stay path separators. The server validates the path.
Target DotfileTarget(const std::string& path) {
  Target t("/api/v1/dotfiles");
  size_t start = 0;
  for (;;) {
    size_t end = path.find('/', start);
    t.Segment(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return t;
}

struct ListOptions {
  std::string output;
};

Status ListDotfiles(CliContext& ctx, const ListOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", "/api/v1/dotfiles"));
  BERTH_ASSIGN_OR_RETURN(json list, ParseList(raw, "dotfiles"));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (list.empty()) {
    ctx.out << "No dotfiles.\n";
    return Status::Ok();
  }
  Table t({"PATH", "MODE", "SIZE", "UPDATED"});
  for (const json& d : list) {
    t.AddRow({Field(d, "path"), Field(d, "mode"), FormatSize(d.value("size", uint64_t{0})),
              FormatTimestamp(Field(d, "updated_at"))});
  }
  ctx.out << t.Render();
  return Status::Ok();
}

struct SetOptions {
  std::string path, local, mode;
};

Status SetDotfile(CliContext& ctx, const SetOptions& o) {
  std::string content;
  if (o.local == "-") {
    content.assign(std::istreambuf_iterator<char>(ctx.in), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(o.local, std::ios::binary);
    if (!in) return NotFound("cannot read " + o.local);
    std::ostringstream ss;
    ss << in.rdbuf();
    content = ss.str();
  }
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t = DotfileTarget(o.path);
  if (!o.mode.empty()) t.Query("mode", o.mode);
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("PUT", t.str(), content));
  BERTH_ASSIGN_OR_RETURN(json d, ParseObject(raw));
  ctx.out << "Saved dotfile " << Field(d, "path") << " (mode " << Field(d, "mode") << ", "
          << FormatSize(d.value("size", uint64_t{0})) << "); new sessions get it\n";
  return Status::Ok();
}

struct PathOptions {
  std::string path;
};

Status GetDotfile(CliContext& ctx, const PathOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", DotfileTarget(o.path).str()));
  ctx.out << raw << std::flush;
  return Status::Ok();
}

Status RemoveDotfile(CliContext& ctx, const PathOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_RETURN_IF_ERROR(c->Call("DELETE", DotfileTarget(o.path).str()).status());
  ctx.out << "Removed dotfile " << o.path << "\n";
  return Status::Ok();
}

}  // namespace

void AddDotfileCommands(CLI::App& root, CliContext& ctx) {
  CLI::App* g = root.add_subcommand(
      "dotfile", "Your dotfiles (.bashrc, .ssh/authorized_keys, ...), written into new sessions");
  g->require_subcommand(0, 1);
  CLI::App* cmd;
  {
    auto o = Verb<ListOptions>(g, ctx, "list", "List your dotfiles", ListDotfiles, &cmd);
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<SetOptions>(g, ctx, "set", "Create or replace a dotfile from a local file",
                              SetDotfile, &cmd);
    cmd->add_option("PATH", o->path, "Path under /home/work, e.g. .bashrc")->required();
    cmd->add_option("LOCAL", o->local, "Local file to read, or - for stdin")->required();
    cmd->add_option("--mode", o->mode, "Octal mode, e.g. 0600 (default 0644; 0600 in .ssh/)");
  }
  {
    auto o = Verb<PathOptions>(g, ctx, "get", "Print a dotfile", GetDotfile, &cmd);
    cmd->add_option("PATH", o->path, "Path under /home/work")->required();
  }
  {
    auto o = Verb<PathOptions>(g, ctx, "rm", "Delete a dotfile", RemoveDotfile, &cmd);
    cmd->add_option("PATH", o->path, "Path under /home/work")->required();
  }
}

}  // namespace berth::cli

// `berth folder snapshot create|list|rm|restore` (SPEC §6): read-only
// snapshots of a folder on a btrfs volume. Registered on the folder group
// by AddFolderCommands.
#include <ostream>

#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/size.h"
#include "cli/table.h"
#include "cli/url.h"

namespace berth::cli {

namespace {

using nlohmann::json;

Target SnapshotsTarget(const std::string& folder) {
  Target t("/api/v1/folders");
  t.Segment(folder).Segment("snapshots");
  return t;
}

struct SnapOptions {
  std::string folder, snap, path, output;
};

Status CreateSnapshot(CliContext& ctx, const SnapOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  json body = json::object();
  if (!o.snap.empty()) body["name"] = o.snap;
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("POST", SnapshotsTarget(o.folder).str(),
                                                  body.dump()));
  if (o.output == "json") return PrintJson(ctx, raw);
  BERTH_ASSIGN_OR_RETURN(json s, ParseObject(raw));
  ctx.out << "Took snapshot " << Field(s, "name") << " of folder " << o.folder << "\n";
  return Status::Ok();
}

Status ListSnapshots(CliContext& ctx, const SnapOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", SnapshotsTarget(o.folder).str()));
  if (o.output == "json") return PrintJson(ctx, raw);
  BERTH_ASSIGN_OR_RETURN(json list, ParseList(raw, "snapshots"));
  if (list.empty()) {
    ctx.out << "Folder " << o.folder << " has no snapshots.\n";
    return Status::Ok();
  }
  Table t({"NAME", "CREATED", "EXCLUSIVE", "SCHEDULED"});
  for (const json& s : list) {
    const json& excl = s.value("exclusive_bytes", json());
    t.AddRow({Field(s, "name"), FormatTimestamp(s.value("created_at", "")),
              excl.is_number_unsigned() ? FormatSize(excl.get<uint64_t>()) : "-",
              s.value("scheduled", false) ? "yes" : "no"});
  }
  ctx.out << t.Render();
  return Status::Ok();
}

Status RemoveSnapshot(CliContext& ctx, const SnapOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t = SnapshotsTarget(o.folder);
  t.Segment(o.snap);
  BERTH_RETURN_IF_ERROR(c->Call("DELETE", t.str()).status());
  ctx.out << "Deleted snapshot " << o.snap << " of folder " << o.folder << "\n";
  return Status::Ok();
}

Status RestoreSnapshot(CliContext& ctx, const SnapOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t = SnapshotsTarget(o.folder);
  t.Segment(o.snap).Segment("restore");
  json body = json::object();
  if (!o.path.empty()) body["path"] = o.path;
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("POST", t.str(), body.dump()));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (o.path.empty()) {
    ctx.out << "Restored folder " << o.folder << " from snapshot " << o.snap << "\n";
  } else {
    ctx.out << "Restored " << o.path << " of folder " << o.folder << " from snapshot " << o.snap
            << "\n";
  }
  return Status::Ok();
}

}  // namespace

void AddFolderSnapshotVerbs(CLI::App* g, CliContext& ctx) {
  CLI::App* s = g->add_subcommand("snapshot", "Read-only snapshots of a folder (btrfs volumes)");
  s->require_subcommand(1);
  CLI::App* cmd;
  {
    auto o = Verb<SnapOptions>(s, ctx, "create",
                               "Take a snapshot (named after the UTC time unless SNAP is given)",
                               CreateSnapshot, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("SNAP", o->snap, "Snapshot name ([A-Za-z0-9._-], up to 64)");
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<SnapOptions>(s, ctx, "list", "List a folder's snapshots, oldest first",
                               ListSnapshots, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<SnapOptions>(s, ctx, "rm", "Delete a snapshot (owner only)", RemoveSnapshot,
                               &cmd);
    cmd->alias("delete");
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("SNAP", o->snap, "Snapshot name")->required();
  }
  {
    auto o = Verb<SnapOptions>(s, ctx, "restore",
                               "Restore PATH from a snapshot (overwriting it), or without PATH "
                               "the whole folder (refused while a session mounts it)",
                               RestoreSnapshot, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("SNAP", o->snap, "Snapshot name")->required();
    cmd->add_option("PATH", o->path, "Path inside the folder");
    AddOutputFlag(cmd, &o->output);
  }
}

}  // namespace berth::cli

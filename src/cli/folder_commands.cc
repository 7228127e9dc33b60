// `berth folder ...` (alias `vfolder`): the storage folders themselves
// (SPEC §6): create, list, info, rename, delete, restore, purge, clone,
// quota. The file
// verbs of the group are in file_commands.cc, the sharing verbs in
// folder_share_commands.cc. Each verb parses into a small options struct and
// runs against BerthClient.
#include <CLI/CLI.hpp>
#include <ostream>

#include "api/json.h"
#include "cli/app.h"
#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/size.h"

namespace berth::cli {
namespace {

using nlohmann::json;

// ---- Folder verbs. ----

struct CreateOptions {
  std::string name, volume, quota, output;
};

Status CreateFolder(CliContext& ctx, const CreateOptions& o) {
  std::optional<uint64_t> quota;
  if (!o.quota.empty()) {
    Result<uint64_t> q = ParseSize(o.quota);
    if (!q.ok()) return UsageError(q.status().message());
    quota = *q;
  }
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::Folder f, c->CreateFolder(o.name, o.volume, quota, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Created folder " << f.name << " (" << f.id << ") on volume " << f.volume;
  if (f.automount) ctx.out << "; it is mounted into every new session at /home/work/" << f.name;
  ctx.out << "\n";
  return Status::Ok();
}

struct ListOptions {
  bool trash = false;
  std::string output;
};

Status ListFolders(CliContext& ctx, const ListOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(std::vector<api::Folder> folders, c->ListFolders(o.trash, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (folders.empty()) {
    ctx.out << (o.trash ? "The trash is empty.\n" : "No folders.\n");
    return Status::Ok();
  }
  ctx.out << FoldersTable(folders, o.trash);
  // The caller's total over the folders they own, trash included (GET /me),
  // as a footer on stderr: stdout stays one row per folder for scripts.
  if (Result<std::string> me = c->Call("GET", "/api/v1/me"); me.ok()) {
    json j = json::parse(*me, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("used_bytes") && j["used_bytes"].is_number_unsigned()) {
      const auto& q = j["quota_bytes"];
      ctx.err << "used " << FormatSize(j["used_bytes"].get<uint64_t>()) << " of "
              << (q.is_number_unsigned() ? FormatSize(q.get<uint64_t>()) : "unlimited") << "\n";
    }
  }
  return Status::Ok();
}

struct NameOptions {
  std::string name, output;
};

Status ShowFolderInfo(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::Folder f, c->GetFolder(o.name, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << FolderInfo(f);
  return Status::Ok();
}

struct RenameOptions {
  std::string name, new_name, output;
};

Status RenameFolder(CliContext& ctx, const RenameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::Folder f, c->RenameFolder(o.name, o.new_name, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Renamed folder " << o.name << " to " << f.name << "\n";
  return Status::Ok();
}

Status DeleteFolder(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::Folder f, c->DeleteFolder(o.name, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Moved folder " << f.name << " (" << f.id << ") to the trash; `berth folder restore "
          << f.name << "` brings it back, `berth folder purge " << f.name
          << "` deletes it for good\n";
  return Status::Ok();
}

Status RestoreFolder(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::Folder f, c->RestoreFolder(o.name, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Restored folder " << f.name << " (" << f.id << ")\n";
  return Status::Ok();
}

Status PurgeFolder(CliContext& ctx, const NameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_RETURN_IF_ERROR(c->PurgeFolder(o.name));
  ctx.out << "Purged folder " << o.name << "; its data is deleted\n";
  return Status::Ok();
}

Status CloneFolder(CliContext& ctx, const RenameOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::Folder f, c->CloneFolder(o.name, o.new_name, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Cloned folder " << o.name << " as " << f.name << " (" << f.id << ") on volume "
          << f.volume << "\n";
  return Status::Ok();
}

struct QuotaOptions {
  std::string name, size, output;
};

Status SetQuota(CliContext& ctx, const QuotaOptions& o) {
  std::optional<uint64_t> quota;
  if (o.size != "none") {
    Result<uint64_t> q = ParseSize(o.size);
    if (!q.ok() || *q == 0) return UsageError("SIZE must be a positive size (e.g. 10G) or 'none'");
    quota = *q;
  }
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  std::string raw;
  BERTH_ASSIGN_OR_RETURN(api::Folder f, c->SetFolderQuota(o.name, quota, &raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Folder " << f.name << ": quota "
          << (f.quota_bytes ? FormatSize(*f.quota_bytes) : std::string("none")) << "\n";
  return Status::Ok();
}

// CLI11 check for --quota.
CLI::Validator SizeValidator() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        Result<uint64_t> r = ParseSize(s);
        return r.ok() ? std::string() : r.status().message();
      },
      "SIZE");
}

}  // namespace

void AddFolderCommands(CLI::App& root, CliContext& ctx) {
  CLI::App* g = root.add_subcommand("folder", "Storage folders and their files");
  g->alias("vfolder");
  g->require_subcommand(0, 1);
  CLI::App* cmd;

  {
    auto o = Verb<CreateOptions>(g, ctx, "create",
                                 "Create a folder (a name starting with '.' makes an automount "
                                 "folder, mounted into every new session)",
                                 CreateFolder, &cmd);
    cmd->add_option("NAME", o->name, "Folder name")->required();
    cmd->add_option("--volume", o->volume, "Storage volume (default: the server's default)");
    cmd->add_option("--quota", o->quota, "Size limit, e.g. 10G, 512M or bytes")
        ->check(SizeValidator());
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<ListOptions>(g, ctx, "list", "List your folders", ListFolders, &cmd);
    cmd->add_flag("--trash", o->trash, "List the folders in the trash instead");
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o =
        Verb<NameOptions>(g, ctx, "info", "Show a folder with its usage", ShowFolderInfo, &cmd);
    cmd->add_option("NAME", o->name, "Folder name or id")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<RenameOptions>(g, ctx, "rename", "Rename a folder", RenameFolder, &cmd);
    cmd->add_option("OLD", o->name, "Folder name or id")->required();
    cmd->add_option("NEW", o->new_name, "New name")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<NameOptions>(g, ctx, "delete", "Move a folder to the trash (data is kept)",
                               DeleteFolder, &cmd);
    cmd->add_option("NAME", o->name, "Folder name or id")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<NameOptions>(g, ctx, "restore", "Bring a folder back from the trash",
                               RestoreFolder, &cmd);
    cmd->add_option("NAME", o->name, "Folder name or id (ids disambiguate trash names)")
        ->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<NameOptions>(
        g, ctx, "purge", "Delete a folder in the trash and its data for good", PurgeFolder, &cmd);
    cmd->add_option("NAME", o->name, "Folder name or id (ids disambiguate trash names)")
        ->required();
  }
  {
    auto o = Verb<RenameOptions>(g, ctx, "clone",
                                 "Copy a folder into a new folder of yours (instant on btrfs)",
                                 CloneFolder, &cmd);
    cmd->add_option("NAME", o->name, "Folder name or id")->required();
    cmd->add_option("NEW", o->new_name, "Name of the new folder")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<QuotaOptions>(g, ctx, "quota", "Set or remove a folder's size limit", SetQuota,
                                &cmd);
    cmd->add_option("NAME", o->name, "Folder name or id")->required();
    cmd->add_option("SIZE", o->size, "Size limit (e.g. 10G, 512M, bytes) or 'none'")->required();
    AddOutputFlag(cmd, &o->output);
  }
  AddFolderFileVerbs(g, ctx);
  AddFolderShareVerbs(g, ctx);
  AddFolderSnapshotVerbs(g, ctx);
}

}  // namespace berth::cli

// The sharing verbs of `berth folder` (SPEC §4): the owner's side (share,
// unshare, shares) and the invitee's (invitations, accept, reject, leave).
// Registered on the folder group by AddFolderCommands.
#include <ostream>

#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/table.h"
#include "cli/url.h"

namespace berth::cli {

namespace {

using nlohmann::json;

Target FolderTarget(const std::string& name) {
  Target t("/api/v1/folders");
  t.Segment(name);
  return t;
}

Target InvitationTarget(const std::string& id, const char* action) {
  Target t("/api/v1/invitations");
  t.Segment(id).Segment(action);
  return t;
}

struct ShareOptions {
  std::string folder, user, permission, output;
};

Status Share(CliContext& ctx, const ShareOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  json body{{"user", o.user}, {"permission", o.permission}};
  BERTH_ASSIGN_OR_RETURN(std::string raw,
                         c->Call("POST", FolderTarget(o.folder).str() + "/shares", body.dump()));
  BERTH_ASSIGN_OR_RETURN(json share, ParseObject(raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  ctx.out << "Shared folder " << o.folder << " with " << o.user << " (" << o.permission << ")";
  std::string status = share.value("status", "");
  if (status == "pending") ctx.out << "; they see it once they accept the invitation";
  ctx.out << "\n";
  return Status::Ok();
}

struct UnshareOptions {
  std::string folder, user;
};

Status Unshare(CliContext& ctx, const UnshareOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t = FolderTarget(o.folder);
  t.Segment("shares").Segment(o.user);
  BERTH_RETURN_IF_ERROR(c->Call("DELETE", t.str()).status());
  ctx.out << "Stopped sharing folder " << o.folder << " with " << o.user << "\n";
  return Status::Ok();
}

struct FolderOptions {
  std::string folder, output;
};

Status ListShares(CliContext& ctx, const FolderOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", FolderTarget(o.folder).str() + "/shares"));
  BERTH_ASSIGN_OR_RETURN(json shares, ParseList(raw, "shares"));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (shares.empty()) {
    ctx.out << "Folder " << o.folder << " is not shared.\n";
    return Status::Ok();
  }
  Table t({"USER", "PERM", "STATUS"});
  for (const json& s : shares) {
    t.AddRow({Field(s, "user"), Field(s, "permission"), Field(s, "status")});
  }
  ctx.out << t.Render();
  return Status::Ok();
}

struct ListOptions {
  std::string output;
};

Status ListInvitations(CliContext& ctx, const ListOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", "/api/v1/invitations"));
  BERTH_ASSIGN_OR_RETURN(json invitations, ParseList(raw, "invitations"));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (invitations.empty()) {
    ctx.out << "No invitations.\n";
    return Status::Ok();
  }
  Table t({"ID", "FOLDER", "OWNER", "PERM", "CREATED"});
  for (const json& i : invitations) {
    t.AddRow({Field(i, "id"), Field(i, "folder"), Field(i, "owner"), Field(i, "permission"),
              FormatTimestamp(i.value("created_at", ""))});
  }
  ctx.out << t.Render();
  return Status::Ok();
}

struct IdOptions {
  std::string id;
};

Status Accept(CliContext& ctx, const IdOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw,
                         c->Call("POST", InvitationTarget(o.id, "accept").str(), "{}"));
  json j = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  std::string folder = j.is_object() ? Field(j, "folder") : "-";
  if (folder == "-" && j.is_object()) folder = Field(j, "name");  // a folder object
  ctx.out << "Accepted invitation " << o.id;
  if (folder != "-") ctx.out << "; folder " << folder << " is now in your folder list";
  ctx.out << "\n";
  return Status::Ok();
}

Status Reject(CliContext& ctx, const IdOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_RETURN_IF_ERROR(c->Call("POST", InvitationTarget(o.id, "reject").str(), "{}").status());
  ctx.out << "Rejected invitation " << o.id << "\n";
  return Status::Ok();
}

Status Leave(CliContext& ctx, const FolderOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_RETURN_IF_ERROR(c->Call("POST", FolderTarget(o.folder).str() + "/leave", "{}").status());
  ctx.out << "Left shared folder " << o.folder << "\n";
  return Status::Ok();
}

}  // namespace

void AddFolderShareVerbs(CLI::App* g, CliContext& ctx) {
  CLI::App* cmd;
  {
    auto o = Verb<ShareOptions>(g, ctx, "share",
                                "Invite a user to a folder you own, or change their permission",
                                Share, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("USER", o->user, "User to share with")->required();
    cmd->add_option("--permission", o->permission, "ro or rw")
        ->required()
        ->check(CLI::IsMember({"ro", "rw"}));
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<UnshareOptions>(g, ctx, "unshare", "Revoke a user's access to your folder",
                                  Unshare, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    cmd->add_option("USER", o->user, "User")->required();
  }
  {
    auto o = Verb<FolderOptions>(g, ctx, "shares", "List who a folder of yours is shared with",
                                 ListShares, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<ListOptions>(g, ctx, "invitations", "List folders others invited you to",
                               ListInvitations, &cmd);
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<IdOptions>(g, ctx, "accept", "Accept an invitation", Accept, &cmd);
    cmd->add_option("ID", o->id, "Invitation id (from `berth folder invitations`)")->required();
  }
  {
    auto o = Verb<IdOptions>(g, ctx, "reject", "Reject an invitation", Reject, &cmd);
    cmd->add_option("ID", o->id, "Invitation id (from `berth folder invitations`)")->required();
  }
  {
    auto o =
        Verb<FolderOptions>(g, ctx, "leave", "Stop using a folder shared with you", Leave, &cmd);
    cmd->add_option("NAME", o->folder, "Folder name or id")->required();
  }
}

}  // namespace berth::cli

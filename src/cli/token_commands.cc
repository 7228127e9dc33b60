// `berth token ...`: the caller's own API tokens (SPEC §4, §5).
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

struct CreateOptions {
  std::string label, output;
};

Status CreateToken(CliContext& ctx, const CreateOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  json body = json::object();
  if (!o.label.empty()) body["label"] = o.label;
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("POST", "/api/v1/tokens", body.dump()));
  return PrintNewToken(ctx, raw, o.output, "Created an API token");
}

struct ListOptions {
  std::string output;
};

Status ListTokens(CliContext& ctx, const ListOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", "/api/v1/tokens"));
  BERTH_ASSIGN_OR_RETURN(json list, ParseList(raw, "tokens"));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (list.empty()) {
    ctx.out << "No tokens.\n";
    return Status::Ok();
  }
  Table t({"ID", "LABEL", "CREATED", "LAST USED"});
  for (const json& j : list) {
    api::Token tok = j.get<api::Token>();
    t.AddRow({tok.id, tok.label.empty() ? "-" : tok.label, FormatTimestamp(tok.created_at),
              FormatTimestamp(tok.last_used_at.value_or(""))});
  }
  ctx.out << t.Render();
  return Status::Ok();
}

struct RevokeOptions {
  std::string id;
};

Status RevokeToken(CliContext& ctx, const RevokeOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t("/api/v1/tokens");
  t.Segment(o.id);
  BERTH_RETURN_IF_ERROR(c->Call("DELETE", t.str()).status());
  ctx.out << "Revoked token " << o.id << "\n";
  return Status::Ok();
}

}  // namespace

void AddTokenCommands(CLI::App& root, CliContext& ctx) {
  CLI::App* g = root.add_subcommand("token", "Your API tokens: create, list, revoke");
  g->require_subcommand(0, 1);
  CLI::App* cmd;
  {
    auto o = Verb<CreateOptions>(
        g, ctx, "create", "Create an API token and print it (only this once)", CreateToken, &cmd);
    cmd->add_option("--label", o->label, "A label to recognise it by");
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<ListOptions>(g, ctx, "list", "List your API tokens (not their secrets)",
                               ListTokens, &cmd);
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<RevokeOptions>(g, ctx, "revoke", "Revoke an API token", RevokeToken, &cmd);
    cmd->add_option("ID", o->id, "Token id (from `berth token list`)")->required();
  }
}

}  // namespace berth::cli

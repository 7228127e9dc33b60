// /folders and /folders/{name}: folder life cycle (SPEC §2, §5).
#include "api/json.h"
#include "manager/folder_service.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

// {every_s, keep} or null (no schedule).
Result<std::optional<api::SnapshotSchedule>> ScheduleField(const json& j) {
  if (j.is_null()) return std::optional<api::SnapshotSchedule>();
  if (!j.is_object()) {
    return InvalidArgument("snapshot_schedule must be {every_s, keep} or null",
                           "invalid_snapshot_schedule");
  }
  for (const auto& [k, v] : j.items()) {
    if (k != "every_s" && k != "keep") {
      return InvalidArgument("unknown snapshot_schedule field '" + k + "'", "unknown_field");
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto every, UintField(j, "every_s"));
  BERTH_ASSIGN_OR_RETURN(auto keep, UintField(j, "keep"));
  if (!every || !keep) {
    return InvalidArgument("snapshot_schedule needs every_s and keep", "invalid_snapshot_schedule");
  }
  return std::optional<api::SnapshotSchedule>(api::SnapshotSchedule{*every, *keep});
}

}  // namespace

void RegisterFolderRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  FolderService& folders = *ctx.folders;

  r.Add("POST", "/api/v1/folders", Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"name", "volume", "quota_bytes"}));
          BERTH_ASSIGN_OR_RETURN(auto name, StringField(body, "name", true));
          BERTH_ASSIGN_OR_RETURN(auto volume, StringField(body, "volume", false));
          BERTH_ASSIGN_OR_RETURN(auto quota, UintField(body, "quota_bytes"));
          return Reply(201, folders.Create(p, *name, volume.value_or(""), quota));
        }));

  r.Add("GET", "/api/v1/folders", Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          std::string status = QueryString(req, "status");
          if (!status.empty() && status != "ready" && status != "trash") {
            return InvalidArgument("status must be 'ready' or 'trash'", "invalid_query");
          }
          BERTH_ASSIGN_OR_RETURN(auto list, folders.List(p, status == "trash"));
          return JsonResponse(200, {{"folders", list}});
        }));

  r.Add("GET", "/api/v1/folders/{name}",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          return Reply(200, folders.Get(p, req.Param("name"), /*with_usage=*/true));
        }));

  r.Add("PATCH", "/api/v1/folders/{name}",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          // {name}: rename; {quota_bytes}: a number sets the quota, null removes it;
          // {snapshot_schedule}: {every_s, keep} sets it, null removes it.
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"name", "quota_bytes",
                                                                  "snapshot_schedule"}));
          BERTH_ASSIGN_OR_RETURN(auto name, StringField(body, "name", false));
          BERTH_ASSIGN_OR_RETURN(auto quota, UintField(body, "quota_bytes"));
          bool set_quota = body.contains("quota_bytes");
          bool set_schedule = body.contains("snapshot_schedule");
          if (!name && !set_quota && !set_schedule) {
            return InvalidArgument("give 'name', 'quota_bytes' or 'snapshot_schedule'",
                                   "missing_field");
          }
          std::string ref = req.Param("name");
          if (set_schedule) {
            BERTH_ASSIGN_OR_RETURN(auto schedule, ScheduleField(body["snapshot_schedule"]));
            BERTH_ASSIGN_OR_RETURN(auto f, folders.SetSnapshotSchedule(p, ref, schedule));
            if (!name && !set_quota) return JsonResponse(200, f);
            ref = f.id;
          }
          if (set_quota) {
            BERTH_ASSIGN_OR_RETURN(auto f, folders.SetQuota(p, ref, quota));
            if (!name) return JsonResponse(200, f);
            ref = f.id;  // the rename below finds it whatever its name
          }
          return Reply(200, folders.Rename(p, ref, *name));
        }));

  r.Add("DELETE", "/api/v1/folders/{name}",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(bool purge, QueryBool(req, "purge", false));
          if (purge) return NoContent(folders.Purge(p, req.Param("name")));
          return Reply(200, folders.Trash(p, req.Param("name")));
        }));

  r.Add("POST", "/api/v1/folders/{name}/clone",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"name"}));
          BERTH_ASSIGN_OR_RETURN(auto name, StringField(body, "name", true));
          return Reply(201, folders.Clone(p, req.Param("name"), *name));
        }));

  r.Add("POST", "/api/v1/folders/{name}/restore",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          return Reply(200, folders.Restore(p, req.Param("name")));
        }));
}

}  // namespace berth::manager

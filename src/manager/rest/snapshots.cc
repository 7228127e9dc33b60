// /folders/{name}/snapshots...: read-only folder snapshots (SPEC §2
// "Snapshots", §5). Browsing, downloading and restoring a snapshot's paths
// are in rest/files.cc (RegisterSnapshotFileRoutes), beside the other file
// routes whose path rules they share.
#include "api/json.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"
#include "manager/snapshot_service.h"

namespace berth::manager {

using http::Request;
using nlohmann::json;

void RegisterSnapshotRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  SnapshotService& snapshots = *ctx.snapshots;

  r.Add("POST", "/api/v1/folders/{name}/snapshots",
        Authed(auth, [&snapshots](Request& req, const Principal& p) -> HandlerResult {
          // An empty body is {}: the snapshot is named after the time.
          json body = json::object();
          if (!req.body.empty()) {
            BERTH_ASSIGN_OR_RETURN(body, ParseJsonObject(req, {"name"}));
          }
          BERTH_ASSIGN_OR_RETURN(auto name, StringField(body, "name", false));
          return Reply(201, snapshots.Create(p, req.Param("name"), name));
        }));

  r.Add("GET", "/api/v1/folders/{name}/snapshots",
        Authed(auth, [&snapshots](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto list, snapshots.List(p, req.Param("name")));
          return JsonResponse(200, {{"snapshots", list}});
        }));

  r.Add("DELETE", "/api/v1/folders/{name}/snapshots/{snap}",
        Authed(auth, [&snapshots](Request& req, const Principal& p) -> HandlerResult {
          return NoContent(snapshots.Delete(p, req.Param("name"), req.Param("snap")));
        }));
}

}  // namespace berth::manager

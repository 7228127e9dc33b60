// /folders and /folders/{name}: folder life cycle (SPEC §2, §5).
#include "api/json.h"
#include "manager/api_routes.h"
#include "manager/auth_service.h"
#include "manager/folder_service.h"
#include "manager/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

void RegisterFolderRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  FolderService& folders = *ctx.folders;

  r.Add("POST", "/api/v1/folders", Authed(auth, [&folders](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"name", "volume", "quota_bytes"});
          if (!body.ok()) return Response::Error(body.status());
          auto name = StringField(*body, "name", true);
          if (!name.ok()) return Response::Error(name.status());
          auto volume = StringField(*body, "volume", false);
          if (!volume.ok()) return Response::Error(volume.status());
          auto quota = UintField(*body, "quota_bytes");
          if (!quota.ok()) return Response::Error(quota.status());
          return Reply(201, folders.Create(p, **name, volume->value_or(""), *quota));
        }));

  r.Add("GET", "/api/v1/folders", Authed(auth, [&folders](Request& req, const Principal& p) {
          std::string status = QueryString(req, "status");
          if (!status.empty() && status != "ready" && status != "trash") {
            return Response::Error(
                InvalidArgument("status must be 'ready' or 'trash'", "invalid_query"));
          }
          auto list = folders.List(p, status == "trash");
          if (!list.ok()) return Response::Error(list.status());
          return JsonResponse(200, {{"folders", *list}});
        }));

  r.Add("GET", "/api/v1/folders/{name}", Authed(auth, [&folders](Request& req, const Principal& p) {
          return Reply(200, folders.Get(p, req.Param("name"), /*with_usage=*/true));
        }));

  r.Add("PATCH", "/api/v1/folders/{name}",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"name"});
          if (!body.ok()) return Response::Error(body.status());
          auto name = StringField(*body, "name", true);
          if (!name.ok()) return Response::Error(name.status());
          return Reply(200, folders.Rename(p, req.Param("name"), **name));
        }));

  r.Add("DELETE", "/api/v1/folders/{name}",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          auto purge = QueryBool(req, "purge", false);
          if (!purge.ok()) return Response::Error(purge.status());
          if (*purge) {
            Status st = folders.Purge(p, req.Param("name"));
            return st.ok() ? Response::Empty(204) : Response::Error(st);
          }
          return Reply(200, folders.Trash(p, req.Param("name")));
        }));

  r.Add("POST", "/api/v1/folders/{name}/restore",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          return Reply(200, folders.Restore(p, req.Param("name")));
        }));
}

}  // namespace berth::manager

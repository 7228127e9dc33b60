// /sessions, /images and /events (SPEC §3, §5).
#include <unistd.h>

#include <cstring>

#include "api/json.h"
#include "common/unique_fd.h"
#include "images/image_store.h"
#include "manager/api_routes.h"
#include "manager/auth_service.h"
#include "manager/event_bus.h"
#include "manager/handler_util.h"
#include "manager/session_service.h"
#include "manager/terminal_session.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

Result<CreateSessionRequest> ParseCreate(const Request& req) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseJsonObject(req, {"name", "image", "mounts", "automount",
                                                       "resources", "env"}));
  CreateSessionRequest out;
  BERTH_ASSIGN_OR_RETURN(out.name, StringField(j, "name", false));
  BERTH_ASSIGN_OR_RETURN(out.image, StringField(j, "image", false));
  BERTH_ASSIGN_OR_RETURN(auto automount, BoolField(j, "automount"));
  out.automount = automount.value_or(true);
  if (auto it = j.find("mounts"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("mounts must be a list", "invalid_field");
    for (const auto& m : *it) {
      if (m.is_string()) {  // "folder[:target][:ro|rw]", as on the CLI
        BERTH_ASSIGN_OR_RETURN(auto spec, agent::ParseMountSpec(m.get<std::string>()));
        out.mounts.push_back(spec);
        continue;
      }
      if (!m.is_object()) {
        return InvalidArgument("each mount must be an object {folder, target?, permission?}",
                               "invalid_mount");
      }
      for (const auto& [k, v] : m.items()) {
        if (k != "folder" && k != "target" && k != "permission") {
          return InvalidArgument("unknown mount field '" + k + "'", "unknown_field");
        }
      }
      agent::MountRequest r;
      BERTH_ASSIGN_OR_RETURN(auto folder, StringField(m, "folder", true));
      BERTH_ASSIGN_OR_RETURN(auto target, StringField(m, "target", false));
      BERTH_ASSIGN_OR_RETURN(auto perm, StringField(m, "permission", false));
      r.folder = *folder;
      r.target = target.value_or("");
      r.permission = perm.value_or("");
      if (!r.permission.empty() && r.permission != "ro" && r.permission != "rw") {
        return InvalidArgument("mount permission must be 'ro' or 'rw'", "invalid_mount");
      }
      out.mounts.push_back(std::move(r));
    }
  }
  if (auto it = j.find("resources"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument("resources must be an object", "invalid_field");
    for (const auto& [k, v] : it->items()) {
      if (k == "cpu") {
        BERTH_ASSIGN_OR_RETURN(out.resources.cpu, NumberValue(v, "resources.cpu", kMaxJsonCpus,
                                                              "invalid_resources"));
      } else if (k == "memory_bytes" || k == "memory") {
        BERTH_ASSIGN_OR_RETURN(out.resources.memory_bytes,
                               UintValue(v, "resources." + k, kMaxJsonUint, "invalid_resources"));
      } else {
        return InvalidArgument("unknown resources field '" + k + "'", "unknown_field");
      }
    }
  }
  if (auto it = j.find("env"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument("env must be an object of strings", "invalid_env");
    for (const auto& [k, v] : it->items()) {
      if (!v.is_string()) return InvalidArgument("env values must be strings", "invalid_env");
      out.env[k] = v.get<std::string>();
    }
  }
  return out;
}

Result<runtime::ExecOptions> ParseExec(const Request& req) {
  BERTH_ASSIGN_OR_RETURN(json j, ParseJsonObject(req, {"command", "stdin", "timeout_s", "env"}));
  runtime::ExecOptions o;
  auto cmd = j.find("command");
  if (cmd == j.end() || !cmd->is_array() || cmd->empty()) {
    return InvalidArgument("command must be a non-empty list of strings", "invalid_command");
  }
  for (const auto& a : *cmd) {
    if (!a.is_string()) return InvalidArgument("command must be a list of strings", "invalid_command");
    o.argv.push_back(a.get<std::string>());
  }
  if (auto env = j.find("env"); env != j.end() && !env->is_null()) {
    if (!env->is_object()) return InvalidArgument("env must be an object of strings", "invalid_env");
    for (const auto& [k, v] : env->items()) {
      if (!v.is_string() || k.empty() || k.find('=') != std::string::npos ||
          k.rfind("BERTH_", 0) == 0) {
        return InvalidArgument("env must map names (not BERTH_*) to strings", "invalid_env");
      }
      o.env.push_back(k + "=" + v.get<std::string>());
    }
  }
  BERTH_ASSIGN_OR_RETURN(auto in, StringField(j, "stdin", false));
  o.stdin_data = in.value_or("");
  // The range is SessionService's; this bound only keeps `* 1000` in range.
  BERTH_ASSIGN_OR_RETURN(auto timeout, UintField(j, "timeout_s", kMaxJsonUint / 1000));
  o.timeout = std::chrono::milliseconds(timeout.value_or(600) * 1000);
  return o;
}

// Server-sent events for one subscriber; a comment line every 15 s keeps
// proxies from closing an idle stream.
class EventStream : public http::BodySource {
 public:
  EventStream(EventBus& bus, std::shared_ptr<EventBus::Subscription> sub)
      : bus_(bus), sub_(std::move(sub)) {}
  ~EventStream() override { bus_.Unsubscribe(sub_); }
  Result<size_t> Read(char* buf, size_t cap) override {
    if (pending_.empty()) {
      auto e = sub_->Next(std::chrono::seconds(15));
      pending_ = e ? "event: " + e->type + "\ndata: " + e->data + "\n\n" : ": keep-alive\n\n";
    }
    size_t n = std::min(cap, pending_.size());
    std::memcpy(buf, pending_.data(), n);
    pending_.erase(0, n);
    return n;
  }

 private:
  EventBus& bus_;
  std::shared_ptr<EventBus::Subscription> sub_;
  std::string pending_;
};

// Receives an image tarball into a temp file, then imports it.
class ImageImportSink : public http::BodySink {
 public:
  ImageImportSink(images::ImageStore& images, std::string name, std::string path, UniqueFd fd)
      : images_(images), name_(std::move(name)), path_(std::move(path)), fd_(std::move(fd)) {}
  ~ImageImportSink() override { ::unlink(path_.c_str()); }
  Status Write(const char* data, size_t n) override {
    while (n > 0) {
      ssize_t w = ::write(fd_.get(), data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoStatus("writing the image tarball", errno);
      data += w;
      n -= static_cast<size_t>(w);
    }
    return Status::Ok();
  }
  Response Finish() override {
    fd_.reset();
    auto i = images_.Import(name_, path_);
    if (!i.ok()) return Response::Error(i.status());
    return JsonResponse(201, api::Image{i->name, i->created_at, i->size_bytes, i->source,
                                        i->digest, i->description});
  }

 private:
  images::ImageStore& images_;
  std::string name_, path_;
  UniqueFd fd_;
};

}  // namespace

void RegisterSessionRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  SessionService& sessions = *ctx.sessions;

  r.Add("POST", "/api/v1/sessions", Authed(auth, [&sessions](Request& req, const Principal& p) {
          auto body = ParseCreate(req);
          if (!body.ok()) return Response::Error(body.status());
          return Reply(201, sessions.Create(p, *body));
        }));
  r.Add("GET", "/api/v1/sessions", Authed(auth, [&sessions](Request& req, const Principal& p) {
          auto all = QueryBool(req, "all", false);
          if (!all.ok()) return Response::Error(all.status());
          auto list = sessions.List(p, *all);
          if (!list.ok()) return Response::Error(list.status());
          return JsonResponse(200, {{"sessions", *list}});
        }));
  r.Add("GET", "/api/v1/sessions/{name}", Authed(auth, [&sessions](Request& req, const Principal& p) {
          return Reply(200, sessions.Get(p, req.Param("name")));
        }));
  r.Add("DELETE", "/api/v1/sessions/{name}",
        Authed(auth, [&sessions](Request& req, const Principal& p) {
          auto force = QueryBool(req, "force", false);
          if (!force.ok()) return Response::Error(force.status());
          Status st = sessions.Delete(p, req.Param("name"), *force);
          return st.ok() ? Response::Empty(204) : Response::Error(st);
        }));
  r.Add("POST", "/api/v1/sessions/{name}/exec",
        Authed(auth, [&sessions](Request& req, const Principal& p) {
          auto opts = ParseExec(req);
          if (!opts.ok()) return Response::Error(opts.status());
          auto res = sessions.Exec(p, req.Param("name"), *opts);
          if (!res.ok()) return Response::Error(res.status());
          return JsonResponse(200, {{"exit_code", res->exit_code},
                                    {"stdout", res->stdout_data},
                                    {"stderr", res->stderr_data},
                                    {"timed_out", res->timed_out}});
        }));
  r.Add("GET", "/api/v1/sessions/{name}/logs",
        Authed(auth, [&sessions](Request& req, const Principal& p) {
          auto logs = sessions.Logs(p, req.Param("name"));
          if (!logs.ok()) return Response::Error(logs.status());
          return Response::Text(200, std::move(*logs));
        }));
  r.AddWebSocket("/api/v1/sessions/{name}/terminal",
                 [&auth, &sessions](Request& req)
                     -> std::variant<Response, std::shared_ptr<http::WebSocketSession>> {
                   auto p = auth.AuthenticateRequest(req, /*websocket=*/true);
                   if (!p.ok()) return Response::Error(p.status());
                   auto cols = QueryUint(req, "cols", 80);
                   auto rows = QueryUint(req, "rows", 24);
                   if (!cols.ok()) return Response::Error(cols.status());
                   if (!rows.ok()) return Response::Error(rows.status());
                   auto tty = sessions.OpenTerminal(*p, req.Param("name"),
                                                    static_cast<uint16_t>(std::min<uint64_t>(*cols, 65535)),
                                                    static_cast<uint16_t>(std::min<uint64_t>(*rows, 65535)));
                   if (!tty.ok()) return Response::Error(tty.status());
                   return std::make_shared<TerminalSession>(std::move(*tty));
                 });

  images::ImageStore& images = *ctx.images;
  r.Add("GET", "/api/v1/images", Authed(auth, [&images](Request&, const Principal&) {
          auto list = images.List();
          if (!list.ok()) return Response::Error(list.status());
          json out = json::array();
          for (const auto& i : *list) {
            out.push_back(api::Image{i.name, i.created_at, i.size_bytes, i.source, i.digest,
                                     i.description});
          }
          return JsonResponse(200, {{"images", out}});
        }));
  r.Add("POST", "/api/v1/images/build", Authed(auth, [&images](Request& req, const Principal& p) {
          if (!p.is_superadmin()) {
            return Response::Error(PermissionDenied("only a superadmin can build images"));
          }
          auto body = ParseJsonObject(req, {"recipe", "replace"});
          if (!body.ok()) return Response::Error(body.status());
          auto recipe = StringField(*body, "recipe", true);
          if (!recipe.ok()) return Response::Error(recipe.status());
          auto replace = BoolField(*body, "replace");
          if (!replace.ok()) return Response::Error(replace.status());
          images::BuildOptions opts;
          opts.replace = replace->value_or(false);
          auto i = images.Build(**recipe, opts);
          if (!i.ok()) return Response::Error(i.status());
          return JsonResponse(201, api::Image{i->name, i->created_at, i->size_bytes, i->source,
                                              i->digest, i->description});
        }));

  r.AddUpload("PUT", "/api/v1/images/import",
              AuthedUpload(auth, [&images](Request& req, const Principal& p)
                                     -> std::variant<Response, std::unique_ptr<http::BodySink>> {
                if (!p.is_superadmin()) {
                  return Response::Error(PermissionDenied("only a superadmin can import images"));
                }
                std::string name = QueryString(req, "name");
                if (name.empty()) {
                  return Response::Error(InvalidArgument("query parameter 'name' is required", "missing_name"));
                }
                std::string path = "/tmp/berth-image-import-XXXXXX";
                int fd = ::mkstemp(path.data());
                if (fd < 0) return Response::Error(ErrnoStatus("creating a temp file", errno));
                return std::unique_ptr<http::BodySink>(
                    std::make_unique<ImageImportSink>(images, name, path, UniqueFd(fd)));
              }));

  EventBus& events = *ctx.events;
  r.Add("GET", "/api/v1/events", Authed(auth, [&events](Request&, const Principal& p) {
          Response resp;
          resp.SetHeader("Content-Type", "text/event-stream");
          resp.SetHeader("Cache-Control", "no-store");
          resp.stream = std::make_unique<EventStream>(events, events.Subscribe(p.user_id, p.is_superadmin()));
          return resp;
        }));
}

}  // namespace berth::manager

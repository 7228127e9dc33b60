// /folders/{name}/files...: file operations inside a folder, and signed
// download links (SPEC §2, §5). Every path goes through storage::FolderFs
// (and so PathGuard).
#include <charconv>

#include "api/json.h"
#include "api/raw_name.h"
#include "common/clock.h"
#include "http/file_response.h"
#include "manager/auth_service.h"
#include "manager/download_links.h"
#include "manager/folder_service.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"
#include "manager/snapshot_service.h"
#include "manager/user_quota.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr uint64_t kMaxPageSize = 10000;

// File names are bytes and need not be UTF-8 (api/raw_name.h). A client
// names a file by `key` or, for a name that is not UTF-8, by `key`_raw
// holding its `name_raw` form; with both (as a listing carries them), the
// raw form wins. The bytes, or nullopt when neither is given.
Result<std::optional<std::string>> PlainOrRaw(const std::string& key, const std::string* plain,
                                              const std::string* raw) {
  if (!raw) return plain ? std::optional<std::string>(*plain) : std::nullopt;
  auto bytes = api::DecodeRawName(*raw);
  if (!bytes) return InvalidArgument("'" + key + "_raw' has a malformed %XX escape", "invalid_path");
  return bytes;
}

// The query's `key` or `key`_raw.
Result<std::optional<std::string>> PathQuery(const Request& req, const std::string& key) {
  return PlainOrRaw(key, req.Query(key), req.Query(key + "_raw"));
}

// The body's `key` or `key`_raw; one of them is required.
Result<std::string> PathField(const json& body, const std::string& key) {
  BERTH_ASSIGN_OR_RETURN(auto plain, StringField(body, key.c_str(), false));
  BERTH_ASSIGN_OR_RETURN(auto raw, StringField(body, (key + "_raw").c_str(), false));
  BERTH_ASSIGN_OR_RETURN(auto path, PlainOrRaw(key, plain ? &*plain : nullptr, raw ? &*raw : nullptr));
  if (!path) return InvalidArgument("field '" + key + "' is required", "missing_field");
  return *path;
}

// The query's `path` or `path_raw`; one of them is required (and non-empty
// unless `allow_empty`).
Result<std::string> RequiredPathQuery(const Request& req, bool allow_empty) {
  BERTH_ASSIGN_OR_RETURN(auto path, PathQuery(req, "path"));
  if (!path || (path->empty() && !allow_empty)) {
    return InvalidArgument("query parameter 'path' is required", "missing_path");
  }
  return *path;
}

std::string LastComponent(const std::string& path, const std::string& fallback) {
  std::string p = path;
  while (!p.empty() && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  std::string last = slash == std::string::npos ? p : p.substr(slash + 1);
  return last.empty() || last == "." ? fallback : last;
}

// `room`: the bytes the upload may write (UploadRoom); past them the upload
// stops with 413 quota_exceeded + available_bytes and the partial file goes
// (the Upload's destructor). The owner's cached use is dropped on commit.
class UploadSink : public ResultSink {
 public:
  UploadSink(std::unique_ptr<storage::Upload> up, std::optional<uint64_t> room,
             UserQuota* quota, std::string owner_id)
      : up_(std::move(up)), room_(room), quota_(quota), owner_id_(std::move(owner_id)) {}
  Status Write(const char* data, size_t n) override {
    if (room_ && (written_ > *room_ || n > *room_ - written_)) {
      up_.reset();  // deletes the partial file now, not when the connection goes
      return OverQuota("the upload", *room_);
    }
    if (!up_) return FailedPrecondition("upload already stopped");
    written_ += n;
    return up_->Write(data, n);
  }

 protected:
  HandlerResult Commit() override {
    if (!up_) return FailedPrecondition("upload already stopped");
    auto entry = up_->Commit();
    if (quota_) quota_->Invalidate(owner_id_);
    return Reply(201, std::move(entry));
  }

 private:
  std::unique_ptr<storage::Upload> up_;
  const std::optional<uint64_t> room_;
  uint64_t written_ = 0;
  UserQuota* const quota_;
  const std::string owner_id_;
};

// Serves a storage archive as a chunked response body.
class ArchiveBody : public http::BodySource {
 public:
  explicit ArchiveBody(std::unique_ptr<storage::ArchiveStream> a) : a_(std::move(a)) {}
  Result<size_t> Read(char* buf, size_t cap) override { return a_->Read(buf, cap); }

 private:
  std::unique_ptr<storage::ArchiveStream> a_;
};

// Serves `path` of `folder`: a file (Range, ETag) or a directory archive.
HandlerResult Download(OpenFolder& folder, const Request& req, const std::string& path) {
  auto file = folder.fs.OpenForRead(path);
  if (file.ok()) {
    return http::FileResponse(req, {std::move(file->fd), file->size, file->etag, file->name});
  }
  if (file.status().reason() != "is_a_directory") return file.status();
  std::string format = QueryString(req, "format");
  if (format.empty()) format = "zip";
  if (format != "zip" && format != "tar") {
    return InvalidArgument("format must be 'zip' or 'tar'", "invalid_query");
  }
  BERTH_ASSIGN_OR_RETURN(
      auto archive,
      folder.fs.OpenArchive(path, format == "zip" ? storage::ArchiveFormat::kZip
                                                  : storage::ArchiveFormat::kTar));
  Response r;
  r.SetHeader("Content-Type", format == "zip" ? "application/zip" : "application/x-tar");
  r.SetHeader("Content-Disposition",
              http::ContentDisposition(LastComponent(path, folder.record.name) + "." + format));
  r.stream = std::make_unique<ArchiveBody>(std::move(archive));
  return r;
}

// The bytes an upload may write: the smaller of what the folder's quota and
// its owner's total quota (manager/user_quota.h) leave, counting the file it
// replaces as freed. None without either quota. The folder's use comes from
// its volume's own accounting (a btrfs qgroup) where it keeps one.
Result<std::optional<uint64_t>> UploadRoom(const FolderService& folders, OpenFolder& folder,
                                           UserQuota* quota, const std::string& path,
                                           bool overwrite) {
  std::optional<uint64_t> user_room;
  if (quota) {
    BERTH_ASSIGN_OR_RETURN(user_room, quota->Room(folder.record.owner_id));
  }
  if (!folder.quota_bytes && !user_room) return std::optional<uint64_t>();
  uint64_t freed = 0;
  if (overwrite) {
    if (auto old = folder.fs.Stat(path); old.ok() && old->type == "file") freed = old->size;
  }
  std::optional<uint64_t> folder_room;
  if (folder.quota_bytes) {
    BERTH_ASSIGN_OR_RETURN(auto usage, folders.UsageOf(folder.record));
    folder_room = RoomLeft(folder.quota_bytes, usage.bytes - std::min(usage.bytes, freed));
  }
  if (user_room) *user_room += freed;
  return SmallerRoom(folder_room, user_room);
}

// One page of `fs`'s directory listing as the query asks (path, limit, after).
HandlerResult ListPage(const storage::FolderFs& fs, const Request& req) {
  BERTH_ASSIGN_OR_RETURN(uint64_t limit, QueryUint(req, "limit", 1000));
  if (limit == 0 || limit > kMaxPageSize) {
    return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxPageSize),
                           "invalid_query");
  }
  BERTH_ASSIGN_OR_RETURN(auto path, PathQuery(req, "path"));
  BERTH_ASSIGN_OR_RETURN(auto after, PathQuery(req, "after"));
  return Reply(200, fs.List(path.value_or(""), limit, after.value_or("")));
}

// The declared length of a request body, if any and well-formed.
std::optional<uint64_t> ContentLength(const Request& req) {
  std::string_view v = req.Header("content-length");
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

}  // namespace

void RegisterFileRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  FolderService& folders = *ctx.folders;
  UserQuota* quota = ctx.quota;  // optional

  r.Add("GET", "/api/v1/folders/{name}/files",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kRead));
          return ListPage(folder.fs, req);
        }));

  r.Add("POST", "/api/v1/folders/{name}/files/mkdir",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"path", "path_raw", "parents"}));
          BERTH_ASSIGN_OR_RETURN(auto path, PathField(body, "path"));
          BERTH_ASSIGN_OR_RETURN(auto parents, BoolField(body, "parents"));
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kWrite));
          return Reply(201, folder.fs.Mkdir(path, parents.value_or(false)));
        }));

  r.AddUpload("PUT", "/api/v1/folders/{name}/files/content",
              AuthedUpload(auth, [&folders, quota](Request& req, const Principal& p)
                                     -> Result<std::unique_ptr<http::BodySink>> {
                BERTH_ASSIGN_OR_RETURN(bool overwrite, QueryBool(req, "overwrite", false));
                BERTH_ASSIGN_OR_RETURN(std::string path, RequiredPathQuery(req, false));
                BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kWrite));
                BERTH_ASSIGN_OR_RETURN(auto room, UploadRoom(folders, folder, quota, path, overwrite));
                // Refused before a byte is read when the declared length cannot fit.
                if (auto length = ContentLength(req); room && length && *length > *room) {
                  return OverQuota("an upload of " + std::to_string(*length) + " bytes", *room);
                }
                BERTH_ASSIGN_OR_RETURN(auto up, folder.fs.BeginUpload(path, overwrite, std::nullopt));
                return std::unique_ptr<http::BodySink>(std::make_unique<UploadSink>(
                    std::move(up), room, quota, folder.record.owner_id));
              }));

  r.Add("GET", "/api/v1/folders/{name}/files/content",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto path, PathQuery(req, "path"));
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kRead));
          return Download(folder, req, path.value_or(""));
        }));

  DownloadLinks& links = *ctx.links;
  r.Add("POST", "/api/v1/folders/{name}/download-link",
        Authed(auth, [&folders, &links](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"path", "path_raw"}));
          BERTH_ASSIGN_OR_RETURN(auto path, PathField(body, "path"));
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kRead));
          BERTH_RETURN_IF_ERROR(folder.fs.Stat(path).status());
          DownloadLink link{p.user_id, folder.record.id, path,
                            NowUnix() + DownloadLinks::kLifetimeSeconds};
          return JsonResponse(201, {{"url", "/api/v1/download/" + links.Sign(link)},
                                    {"expires_at", FormatRfc3339(link.expires_at)}});
        }));
  // No Authorization: the signature is the credential.
  r.Add("GET", "/api/v1/download/{token}",
        Public([&auth, &folders, &links](Request& req) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(DownloadLink link, links.Verify(req.Param("token"), NowUnix()));
          auto user = auth.LookupUser(link.user_id);
          if (!user.ok()) return PermissionDenied("the download link is not valid", "bad_link");
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(*user, link.folder_id, Access::kRead));
          return Download(folder, req, link.path);
        }));

  r.Add("POST", "/api/v1/folders/{name}/files/move",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(json body,
                                 ParseJsonObject(req, {"src", "src_raw", "dst", "dst_raw"}));
          BERTH_ASSIGN_OR_RETURN(auto src, PathField(body, "src"));
          BERTH_ASSIGN_OR_RETURN(auto dst, PathField(body, "dst"));
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kWrite));
          return Reply(200, folder.fs.Move(src, dst));
        }));

  r.Add("DELETE", "/api/v1/folders/{name}/files",
        Authed(auth, [&folders, quota](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(bool recursive, QueryBool(req, "recursive", false));
          BERTH_ASSIGN_OR_RETURN(std::string path, RequiredPathQuery(req, /*allow_empty=*/true));
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kWrite));
          Status removed = folder.fs.Remove(path, recursive);
          if (quota) quota->Invalidate(folder.record.owner_id);
          return NoContent(removed);
        }));
}

void RegisterSnapshotFileRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  SnapshotService& snapshots = *ctx.snapshots;

  r.Add("GET", "/api/v1/folders/{name}/snapshots/{snap}/files",
        Authed(auth, [&snapshots](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto snap, snapshots.Open(p, req.Param("name"), req.Param("snap")));
          return ListPage(snap.fs, req);
        }));

  r.Add("GET", "/api/v1/folders/{name}/snapshots/{snap}/files/content",
        Authed(auth, [&snapshots](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto path, PathQuery(req, "path"));
          BERTH_ASSIGN_OR_RETURN(auto snap, snapshots.Open(p, req.Param("name"), req.Param("snap")));
          return Download(snap, req, path.value_or(""));
        }));

  r.Add("POST", "/api/v1/folders/{name}/snapshots/{snap}/restore",
        Authed(auth, [&snapshots](Request& req, const Principal& p) -> HandlerResult {
          json body = json::object();
          if (!req.body.empty()) {
            BERTH_ASSIGN_OR_RETURN(body, ParseJsonObject(req, {"path", "path_raw"}));
          }
          std::optional<std::string> path;
          if (body.contains("path") || body.contains("path_raw")) {
            BERTH_ASSIGN_OR_RETURN(path, PathField(body, "path"));
          }
          return Reply(200, snapshots.Restore(p, req.Param("name"), req.Param("snap"), path));
        }));
}

}  // namespace berth::manager

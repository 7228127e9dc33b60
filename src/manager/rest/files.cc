// /folders/{name}/files...: file operations inside a folder, and signed
// download links (SPEC §2, §5). Every path goes through storage::FolderFs
// (and so PathGuard).
#include "api/json.h"
#include "api/raw_name.h"
#include "common/clock.h"
#include "http/file_response.h"
#include "manager/auth_service.h"
#include "manager/download_links.h"
#include "manager/folder_service.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

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

class UploadSink : public ResultSink {
 public:
  explicit UploadSink(std::unique_ptr<storage::Upload> up) : up_(std::move(up)) {}
  Status Write(const char* data, size_t n) override { return up_->Write(data, n); }

 protected:
  HandlerResult Commit() override { return Reply(201, up_->Commit()); }

 private:
  std::unique_ptr<storage::Upload> up_;
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

// The bytes an upload may write: what the folder's quota leaves, counting
// the file it replaces as freed. None without a quota.
Result<std::optional<uint64_t>> UploadAllowance(const FolderService& folders, OpenFolder& folder,
                                                const std::string& path, bool overwrite) {
  if (!folder.quota_bytes) return std::optional<uint64_t>();
  // The volume's own accounting (a btrfs qgroup) where it keeps one.
  BERTH_ASSIGN_OR_RETURN(auto usage, folders.UsageOf(folder.record));
  uint64_t used = usage.bytes;
  if (overwrite) {
    if (auto old = folder.fs.Stat(path); old.ok() && old->type == "file") {
      used -= std::min(used, old->size);
    }
  }
  return std::optional<uint64_t>(*folder.quota_bytes > used ? *folder.quota_bytes - used : 0);
}

}  // namespace

void RegisterFileRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  FolderService& folders = *ctx.folders;

  r.Add("GET", "/api/v1/folders/{name}/files",
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(uint64_t limit, QueryUint(req, "limit", 1000));
          if (limit == 0 || limit > kMaxPageSize) {
            return InvalidArgument("limit must be between 1 and " + std::to_string(kMaxPageSize),
                                   "invalid_query");
          }
          BERTH_ASSIGN_OR_RETURN(auto path, PathQuery(req, "path"));
          BERTH_ASSIGN_OR_RETURN(auto after, PathQuery(req, "after"));
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kRead));
          return Reply(200, folder.fs.List(path.value_or(""), limit, after.value_or("")));
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
              AuthedUpload(auth, [&folders](Request& req, const Principal& p)
                                     -> Result<std::unique_ptr<http::BodySink>> {
                BERTH_ASSIGN_OR_RETURN(bool overwrite, QueryBool(req, "overwrite", false));
                BERTH_ASSIGN_OR_RETURN(std::string path, RequiredPathQuery(req, false));
                BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kWrite));
                BERTH_ASSIGN_OR_RETURN(auto max_bytes, UploadAllowance(folders, folder, path, overwrite));
                BERTH_ASSIGN_OR_RETURN(auto up, folder.fs.BeginUpload(path, overwrite, max_bytes));
                return std::unique_ptr<http::BodySink>(std::make_unique<UploadSink>(std::move(up)));
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
        Authed(auth, [&folders](Request& req, const Principal& p) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(bool recursive, QueryBool(req, "recursive", false));
          BERTH_ASSIGN_OR_RETURN(std::string path, RequiredPathQuery(req, /*allow_empty=*/true));
          BERTH_ASSIGN_OR_RETURN(auto folder, folders.Open(p, req.Param("name"), Access::kWrite));
          return NoContent(folder.fs.Remove(path, recursive));
        }));
}

}  // namespace berth::manager

// /folders/{name}/files...: file operations inside a folder (SPEC §2, §5).
// Every path goes through storage::FolderFs (and so PathGuard).
#include "api/json.h"
#include "http/url.h"
#include "manager/api_routes.h"
#include "manager/auth_service.h"
#include "common/clock.h"
#include "manager/byte_range.h"
#include "manager/download_links.h"
#include "manager/folder_service.h"
#include "manager/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;
using nlohmann::json;

namespace {

constexpr uint64_t kMaxPageSize = 10000;

// attachment; filename="ascii"; filename*=UTF-8''percent-encoded
std::string ContentDisposition(const std::string& name) {
  std::string ascii;
  for (unsigned char c : name) ascii.push_back(c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ? '_' : c);
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + http::PercentEncode(name);
}

std::string LastComponent(const std::string& path, const std::string& fallback) {
  std::string p = path;
  while (!p.empty() && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  std::string last = slash == std::string::npos ? p : p.substr(slash + 1);
  return last.empty() || last == "." ? fallback : last;
}

class UploadSink : public http::BodySink {
 public:
  explicit UploadSink(std::unique_ptr<storage::Upload> up) : up_(std::move(up)) {}
  Status Write(const char* data, size_t n) override { return up_->Write(data, n); }
  Response Finish() override { return Reply(201, up_->Commit()); }

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
Response Download(OpenFolder& folder, const Request& req, const std::string& path) {
  auto file = folder.fs.OpenForRead(path);
  if (!file.ok()) {
    if (file.status().reason() != "is_a_directory") return Response::Error(file.status());
    std::string format = QueryString(req, "format");
    if (format.empty()) format = "zip";
    if (format != "zip" && format != "tar") {
      return Response::Error(InvalidArgument("format must be 'zip' or 'tar'", "invalid_query"));
    }
    auto archive = folder.fs.OpenArchive(
        path, format == "zip" ? storage::ArchiveFormat::kZip : storage::ArchiveFormat::kTar);
    if (!archive.ok()) return Response::Error(archive.status());
    Response r;
    r.SetHeader("Content-Type", format == "zip" ? "application/zip" : "application/x-tar");
    r.SetHeader("Content-Disposition",
                ContentDisposition(LastComponent(path, folder.record.name) + "." + format));
    r.stream = std::make_unique<ArchiveBody>(std::move(*archive));
    return r;
  }
  Response r;
  const std::string etag =
      file->etag.starts_with('"') ? file->etag : "\"" + file->etag + "\"";
  r.SetHeader("ETag", etag);
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Content-Type", "application/octet-stream");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  r.SetHeader("Content-Disposition", ContentDisposition(file->name));
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  ByteRange range{ByteRange::kWhole, 0, file->size};
  std::string_view if_range = req.Header("if-range");
  if (if_range.empty() || if_range == etag) range = ParseByteRange(req.Header("range"), file->size);
  if (range.kind == ByteRange::kUnsatisfiable) {
    Response bad = Response::Error(Status(Code::kInvalidArgument, "the requested range is not satisfiable",
                                          "range_not_satisfiable"));
    bad.status = 416;
    bad.SetHeader("Content-Range", "bytes */" + std::to_string(file->size));
    return bad;
  }
  if (range.kind == ByteRange::kPartial) {
    r.status = 206;
    r.SetHeader("Content-Range", "bytes " + std::to_string(range.offset) + "-" +
                                     std::to_string(range.offset + range.length - 1) + "/" +
                                     std::to_string(file->size));
  }
  r.file = http::FileBody{std::move(file->fd), range.offset, range.length};
  return r;
}

}  // namespace

void RegisterFileRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  FolderService& folders = *ctx.folders;

  r.Add("GET", "/api/v1/folders/{name}/files",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          auto limit = QueryUint(req, "limit", 1000);
          if (!limit.ok()) return Response::Error(limit.status());
          if (*limit == 0 || *limit > kMaxPageSize) {
            return Response::Error(InvalidArgument(
                "limit must be between 1 and " + std::to_string(kMaxPageSize), "invalid_query"));
          }
          auto folder = folders.Open(p, req.Param("name"), Access::kRead);
          if (!folder.ok()) return Response::Error(folder.status());
          return Reply(200, folder->fs.List(QueryString(req, "path"), *limit, QueryString(req, "after")));
        }));

  r.Add("POST", "/api/v1/folders/{name}/files/mkdir",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"path", "parents"});
          if (!body.ok()) return Response::Error(body.status());
          auto path = StringField(*body, "path", true);
          if (!path.ok()) return Response::Error(path.status());
          auto parents = BoolField(*body, "parents");
          if (!parents.ok()) return Response::Error(parents.status());
          auto folder = folders.Open(p, req.Param("name"), Access::kWrite);
          if (!folder.ok()) return Response::Error(folder.status());
          return Reply(201, folder->fs.Mkdir(**path, parents->value_or(false)));
        }));

  r.AddUpload(
      "PUT", "/api/v1/folders/{name}/files/content",
      AuthedUpload(auth, [&folders](Request& req, const Principal& p)
                             -> std::variant<Response, std::unique_ptr<http::BodySink>> {
        auto overwrite = QueryBool(req, "overwrite", false);
        if (!overwrite.ok()) return Response::Error(overwrite.status());
        const std::string* path = req.Query("path");
        if (!path || path->empty()) {
          return Response::Error(InvalidArgument("query parameter 'path' is required", "missing_path"));
        }
        auto folder = folders.Open(p, req.Param("name"), Access::kWrite);
        if (!folder.ok()) return Response::Error(folder.status());
        std::optional<uint64_t> max_bytes;
        if (folder->quota_bytes) {
          auto usage = folder->fs.ComputeUsage();
          if (!usage.ok()) return Response::Error(usage.status());
          uint64_t used = usage->bytes;
          if (*overwrite) {
            if (auto old = folder->fs.Stat(*path); old.ok() && old->type == "file") {
              used -= std::min(used, old->size);
            }
          }
          max_bytes = *folder->quota_bytes > used ? *folder->quota_bytes - used : 0;
        }
        auto up = folder->fs.BeginUpload(*path, *overwrite, max_bytes);
        if (!up.ok()) return Response::Error(up.status());
        return std::unique_ptr<http::BodySink>(std::make_unique<UploadSink>(std::move(*up)));
      }));

  r.Add("GET", "/api/v1/folders/{name}/files/content",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          auto folder = folders.Open(p, req.Param("name"), Access::kRead);
          if (!folder.ok()) return Response::Error(folder.status());
          return Download(*folder, req, QueryString(req, "path"));
        }));

  DownloadLinks& links = *ctx.links;
  r.Add("POST", "/api/v1/folders/{name}/download-link",
        Authed(auth, [&folders, &links](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"path"});
          if (!body.ok()) return Response::Error(body.status());
          auto path = StringField(*body, "path", true);
          if (!path.ok()) return Response::Error(path.status());
          auto folder = folders.Open(p, req.Param("name"), Access::kRead);
          if (!folder.ok()) return Response::Error(folder.status());
          auto st = folder->fs.Stat(**path);
          if (!st.ok()) return Response::Error(st.status());
          DownloadLink link{p.user_id, folder->record.id, **path,
                            NowUnix() + DownloadLinks::kLifetimeSeconds};
          return JsonResponse(201, {{"url", "/api/v1/download/" + links.Sign(link)},
                                    {"expires_at", FormatRfc3339(link.expires_at)}});
        }));
  // No Authorization: the signature is the credential.
  r.Add("GET", "/api/v1/download/{token}", [&auth, &folders, &links](Request& req) {
    auto link = links.Verify(req.Param("token"), NowUnix());
    if (!link.ok()) return Response::Error(link.status());
    auto user = auth.LookupUser(link->user_id);
    if (!user.ok()) return Response::Error(PermissionDenied("the download link is not valid", "bad_link"));
    auto folder = folders.Open(*user, link->folder_id, Access::kRead);
    if (!folder.ok()) return Response::Error(folder.status());
    return Download(*folder, req, link->path);
  });

  r.Add("POST", "/api/v1/folders/{name}/files/move",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          auto body = ParseJsonObject(req, {"src", "dst"});
          if (!body.ok()) return Response::Error(body.status());
          auto src = StringField(*body, "src", true);
          if (!src.ok()) return Response::Error(src.status());
          auto dst = StringField(*body, "dst", true);
          if (!dst.ok()) return Response::Error(dst.status());
          auto folder = folders.Open(p, req.Param("name"), Access::kWrite);
          if (!folder.ok()) return Response::Error(folder.status());
          return Reply(200, folder->fs.Move(**src, **dst));
        }));

  r.Add("DELETE", "/api/v1/folders/{name}/files",
        Authed(auth, [&folders](Request& req, const Principal& p) {
          auto recursive = QueryBool(req, "recursive", false);
          if (!recursive.ok()) return Response::Error(recursive.status());
          const std::string* path = req.Query("path");
          if (!path) {
            return Response::Error(InvalidArgument("query parameter 'path' is required", "missing_path"));
          }
          auto folder = folders.Open(p, req.Param("name"), Access::kWrite);
          if (!folder.ok()) return Response::Error(folder.status());
          Status st = folder->fs.Remove(*path, *recursive);
          return st.ok() ? Response::Empty(204) : Response::Error(st);
        }));
}

}  // namespace berth::manager

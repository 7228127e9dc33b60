#include "cli/client.h"

#include "api/error_mapping.h"
#include "api/json.h"

namespace berth::cli {

using nlohmann::json;

namespace {

constexpr const char* kApi = "/api/v1";

Target FolderTarget(const std::string& name) {
  Target t(kApi + std::string("/folders"));
  t.Segment(name);
  return t;
}

// Parses a 2xx JSON body into T.
template <typename T>
Result<T> Parse(const std::string& body, std::string* raw) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("the server sent a response that is not JSON");
  if (raw) *raw = body;
  try {
    return j.get<T>();
  } catch (const json::exception& e) {
    return Internal(std::string("unexpected response from the server: ") + e.what());
  }
}

}  // namespace

BerthClient::BerthClient(Endpoint endpoint, std::string token)
    : http_(std::move(endpoint)), token_(std::move(token)) {}

HttpRequest BerthClient::MakeRequest(const std::string& method, const std::string& target) const {
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.headers.emplace_back("Accept", "application/json");
  if (!token_.empty()) req.headers.emplace_back("Authorization", "Bearer " + token_);
  return req;
}

Status BerthClient::ErrorFrom(int http_status, const std::string& body) const {
  Status st = api::StatusFromHttp(http_status, body);
  if (st.code() == Code::kUnauthenticated && token_.empty()) {
    return Status(st.code(),
                  st.message() + " (no API token found: run `berth login`, or set BERTH_TOKEN)",
                  st.reason());
  }
  return st;
}

Result<std::string> BerthClient::Call(const std::string& method, const std::string& target,
                                      const std::string& json_body) {
  HttpRequest req = MakeRequest(method, target);
  if (!json_body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = json_body;
  }
  BERTH_ASSIGN_OR_RETURN(HttpResponse res, http_.Send(req));
  if (res.status < 200 || res.status >= 300) return ErrorFrom(res.status, res.body);
  return std::move(res.body);
}

Result<std::string> BerthClient::SendFile(const std::string& method, const std::string& target,
                                          int fd, uint64_t size, const ProgressFn& progress) {
  HttpRequest req = MakeRequest(method, target);
  req.headers.emplace_back("Content-Type", "application/octet-stream");
  BERTH_ASSIGN_OR_RETURN(HttpResponse res, http_.SendFile(req, fd, size, progress));
  if (res.status < 200 || res.status >= 300) return ErrorFrom(res.status, res.body);
  return std::move(res.body);
}

HttpHeaders BerthClient::AuthHeaders() const {
  HttpHeaders h;
  if (!token_.empty()) h.emplace_back("Authorization", "Bearer " + token_);
  return h;
}

Result<api::Folder> BerthClient::CreateFolder(const std::string& name, const std::string& volume,
                                              std::optional<uint64_t> quota_bytes,
                                              std::string* raw) {
  json body{{"name", name}};
  if (!volume.empty()) body["volume"] = volume;
  if (quota_bytes) body["quota_bytes"] = *quota_bytes;
  BERTH_ASSIGN_OR_RETURN(std::string res,
                         Call("POST", kApi + std::string("/folders"), body.dump()));
  return Parse<api::Folder>(res, raw);
}

Result<std::vector<api::Folder>> BerthClient::ListFolders(bool trash, std::string* raw) {
  Target t(kApi + std::string("/folders"));
  if (trash) t.Query("status", "trash");
  BERTH_ASSIGN_OR_RETURN(std::string res, Call("GET", t.str()));
  json j = json::parse(res, nullptr, false);
  if (!j.is_object() || !j.contains("folders") || !j["folders"].is_array()) {
    return Internal("unexpected response from the server: no \"folders\" list");
  }
  if (raw) *raw = res;
  try {
    return j["folders"].get<std::vector<api::Folder>>();
  } catch (const json::exception& e) {
    return Internal(std::string("unexpected response from the server: ") + e.what());
  }
}

Result<api::Folder> BerthClient::GetFolder(const std::string& name, std::string* raw) {
  BERTH_ASSIGN_OR_RETURN(std::string res, Call("GET", FolderTarget(name).str()));
  return Parse<api::Folder>(res, raw);
}

Result<api::Folder> BerthClient::RenameFolder(const std::string& name, const std::string& new_name,
                                              std::string* raw) {
  json body{{"name", new_name}};
  BERTH_ASSIGN_OR_RETURN(std::string res, Call("PATCH", FolderTarget(name).str(), body.dump()));
  return Parse<api::Folder>(res, raw);
}

Result<api::Folder> BerthClient::DeleteFolder(const std::string& name, std::string* raw) {
  BERTH_ASSIGN_OR_RETURN(std::string res, Call("DELETE", FolderTarget(name).str()));
  return Parse<api::Folder>(res, raw);
}

Result<api::Folder> BerthClient::RestoreFolder(const std::string& name, std::string* raw) {
  BERTH_ASSIGN_OR_RETURN(std::string res,
                         Call("POST", FolderTarget(name).str() + "/restore", "{}"));
  return Parse<api::Folder>(res, raw);
}

Result<api::Folder> BerthClient::SetFolderQuota(const std::string& name,
                                                std::optional<uint64_t> quota_bytes,
                                                std::string* raw) {
  json body{{"quota_bytes", nullptr}};
  if (quota_bytes) body["quota_bytes"] = *quota_bytes;
  BERTH_ASSIGN_OR_RETURN(std::string res, Call("PATCH", FolderTarget(name).str(), body.dump()));
  return Parse<api::Folder>(res, raw);
}

Result<api::Folder> BerthClient::CloneFolder(const std::string& name, const std::string& new_name,
                                             std::string* raw) {
  json body{{"name", new_name}};
  BERTH_ASSIGN_OR_RETURN(std::string res,
                         Call("POST", FolderTarget(name).str() + "/clone", body.dump()));
  return Parse<api::Folder>(res, raw);
}

Status BerthClient::PurgeFolder(const std::string& name) {
  return Call("DELETE", FolderTarget(name).Query("purge", "true").str()).status();
}

Result<api::FileList> BerthClient::ListFiles(const std::string& folder, const std::string& path,
                                             size_t limit, const std::string& after) {
  Target t = FolderTarget(folder);
  t.Segment("files").Query("path", path);
  if (limit > 0) t.Query("limit", std::to_string(limit));
  if (!after.empty()) t.Query("after", after);
  BERTH_ASSIGN_OR_RETURN(std::string res, Call("GET", t.str()));
  return Parse<api::FileList>(res, nullptr);
}

Result<api::FileList> BerthClient::ListAllFiles(const std::string& folder,
                                                const std::string& path) {
  BERTH_ASSIGN_OR_RETURN(api::FileList all, ListFiles(folder, path, 0, ""));
  while (all.next && !all.next->empty()) {
    std::string after = *all.next;
    BERTH_ASSIGN_OR_RETURN(api::FileList page, ListFiles(folder, path, 0, after));
    if (page.next && *page.next == after) {
      return Internal("the server returned the same listing cursor twice");
    }
    for (auto& e : page.entries) all.entries.push_back(std::move(e));
    all.next = page.next;
  }
  all.next.reset();
  return all;
}

Result<api::FileEntry> BerthClient::Mkdir(const std::string& folder, const std::string& path,
                                          bool parents, std::string* raw) {
  json body{{"parents", parents}};
  api::PutName(body, "path", path);
  BERTH_ASSIGN_OR_RETURN(std::string res,
                         Call("POST", FolderTarget(folder).str() + "/files/mkdir", body.dump()));
  return Parse<api::FileEntry>(res, raw);
}

Result<api::FileEntry> BerthClient::Upload(const std::string& folder, const std::string& path,
                                           int fd, uint64_t size, bool overwrite,
                                           const ProgressFn& progress, std::string* raw) {
  Target t = FolderTarget(folder);
  t.Segment("files")
      .Segment("content")
      .Query("path", path)
      .Query("overwrite", overwrite ? "true" : "false");
  BERTH_ASSIGN_OR_RETURN(std::string res, SendFile("PUT", t.str(), fd, size, progress));
  return Parse<api::FileEntry>(res, raw);
}

Result<std::unique_ptr<ResponseStream>> BerthClient::OpenContent(const std::string& folder,
                                                                 const std::string& path,
                                                                 bool tar) {
  return OpenContentImpl(folder, path, tar, std::nullopt);
}

Result<std::unique_ptr<ResponseStream>> BerthClient::OpenContentFrom(const std::string& folder,
                                                                     const std::string& path,
                                                                     uint64_t from) {
  return OpenContentImpl(folder, path, /*tar=*/false, from);
}

bool BerthClient::IsDirectory(const std::string& folder, const std::string& path) {
  if (path.empty()) return true;
  return ListFiles(folder, path, 1, "").ok();
}

Result<std::unique_ptr<ResponseStream>> BerthClient::OpenContentImpl(const std::string& folder,
                                                                     const std::string& path,
                                                                     bool tar,
                                                                     std::optional<uint64_t> from) {
  Target t = FolderTarget(folder);
  t.Segment("files").Segment("content").Query("path", path);
  if (tar) t.Query("format", "tar");
  HttpRequest req = MakeRequest("GET", t.str());
  req.headers.front() = {"Accept", "*/*"};
  if (from) req.headers.emplace_back("Range", "bytes=" + std::to_string(*from) + "-");
  BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream, http_.Open(req));
  if (from && stream->status() == 416) return stream;
  if (stream->status() < 200 || stream->status() >= 300) {
    BERTH_ASSIGN_OR_RETURN(std::string body, stream->ReadAll());
    return ErrorFrom(stream->status(), body);
  }
  return stream;
}

Result<std::unique_ptr<ResponseStream>> BerthClient::OpenPost(const std::string& target,
                                                              const std::string& json_body,
                                                              const std::string& accept) {
  HttpRequest req = MakeRequest("POST", target);
  req.headers.front() = {"Accept", accept};
  req.headers.emplace_back("Content-Type", "application/json");
  req.body = json_body;
  BERTH_ASSIGN_OR_RETURN(std::unique_ptr<ResponseStream> stream, http_.Open(req));
  if (stream->status() < 200 || stream->status() >= 300) {
    BERTH_ASSIGN_OR_RETURN(std::string body, stream->ReadAll());
    return ErrorFrom(stream->status(), body);
  }
  return stream;
}

Result<api::FileEntry> BerthClient::Move(const std::string& folder, const std::string& src,
                                         const std::string& dst, std::string* raw) {
  json body = json::object();
  api::PutName(body, "src", src);
  api::PutName(body, "dst", dst);
  BERTH_ASSIGN_OR_RETURN(std::string res,
                         Call("POST", FolderTarget(folder).str() + "/files/move", body.dump()));
  return Parse<api::FileEntry>(res, raw);
}

Status BerthClient::Remove(const std::string& folder, const std::string& path, bool recursive) {
  Target t = FolderTarget(folder);
  t.Segment("files").Query("path", path).Query("recursive", recursive ? "true" : "false");
  return Call("DELETE", t.str()).status();
}

}  // namespace berth::cli

// BerthClient: typed calls of the REST API (SPEC §5) over an HttpClient.
// Every call adds "Authorization: Bearer <token>" when a token is set, and
// turns an error response into a Status with api::StatusFromHttp. Calls that
// take `std::string* raw` also hand back the server's JSON body (for -o json).
//
// Not thread-safe (it owns one HttpClient).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/types.h"
#include "cli/http_client.h"
#include "common/result.h"

namespace berth::cli {

class BerthClient {
 public:
  BerthClient(Endpoint endpoint, std::string token);

  HttpClient& http() { return http_; }
  bool has_token() const { return !token_.empty(); }

  // One JSON call: the body of a 2xx response ("" for 204), or the error.
  Result<std::string> Call(const std::string& method, const std::string& target,
                           const std::string& json_body = {});
  // Streams `size` bytes from `fd` as the raw body of `method target`
  // (uploads, image imports): the body of a 2xx response, or the error.
  Result<std::string> SendFile(const std::string& method, const std::string& target, int fd,
                               uint64_t size, const ProgressFn& progress);
  // The headers every request carries (Authorization), for connections made
  // outside HttpClient (the terminal WebSocket).
  HttpHeaders AuthHeaders() const;
  // POSTs `json_body` asking for `accept`; the stream is positioned at the
  // body of a 2xx response (a streamed exec's lines), else the error.
  Result<std::unique_ptr<ResponseStream>> OpenPost(const std::string& target,
                                                   const std::string& json_body,
                                                   const std::string& accept);

  // Folders.
  Result<api::Folder> CreateFolder(const std::string& name, const std::string& volume,
                                   std::optional<uint64_t> quota_bytes, std::string* raw);
  Result<std::vector<api::Folder>> ListFolders(bool trash, std::string* raw);
  Result<api::Folder> GetFolder(const std::string& name, std::string* raw);
  Result<api::Folder> RenameFolder(const std::string& name, const std::string& new_name,
                                   std::string* raw);
  Result<api::Folder> DeleteFolder(const std::string& name, std::string* raw);
  Result<api::Folder> RestoreFolder(const std::string& name, std::string* raw);
  Status PurgeFolder(const std::string& name);
  // PATCH {quota_bytes}: a size, or null (nullopt) for none.
  Result<api::Folder> SetFolderQuota(const std::string& name, std::optional<uint64_t> quota_bytes,
                                     std::string* raw);
  Result<api::Folder> CloneFolder(const std::string& name, const std::string& new_name,
                                  std::string* raw);

  // Files of a folder; paths are relative to the folder root ("" = root).
  // One page of a directory listing.
  Result<api::FileList> ListFiles(const std::string& folder, const std::string& path, size_t limit,
                                  const std::string& after);
  // Every entry of a directory, following `next` cursors.
  Result<api::FileList> ListAllFiles(const std::string& folder, const std::string& path);
  Result<api::FileEntry> Mkdir(const std::string& folder, const std::string& path, bool parents,
                               std::string* raw);
  // Streams `size` bytes from `fd` to `path`.
  Result<api::FileEntry> Upload(const std::string& folder, const std::string& path, int fd,
                                uint64_t size, bool overwrite, const ProgressFn& progress,
                                std::string* raw);
  // Starts a download; the stream is positioned at the body of a 2xx
  // response. A directory comes as a tar stream when `tar` (else zip).
  Result<std::unique_ptr<ResponseStream>> OpenContent(const std::string& folder,
                                                      const std::string& path, bool tar);
  // Starts a download of a file from byte `from` (Range: bytes=FROM-). The
  // stream is a 206 (the rest, with Content-Range), a 200 (the server sent
  // the whole file) or a 416 (the file has no byte at `from`).
  Result<std::unique_ptr<ResponseStream>> OpenContentFrom(const std::string& folder,
                                                          const std::string& path, uint64_t from);
  // Whether `path` is a directory, judged by whether it can be listed; ""
  // (the folder root) always is.
  bool IsDirectory(const std::string& folder, const std::string& path);
  Result<api::FileEntry> Move(const std::string& folder, const std::string& src,
                              const std::string& dst, std::string* raw);
  Status Remove(const std::string& folder, const std::string& path, bool recursive);

 private:
  Result<std::unique_ptr<ResponseStream>> OpenContentImpl(const std::string& folder,
                                                          const std::string& path, bool tar,
                                                          std::optional<uint64_t> from);
  HttpRequest MakeRequest(const std::string& method, const std::string& target) const;
  Status ErrorFrom(int http_status, const std::string& body) const;

  HttpClient http_;
  std::string token_;
};

}  // namespace berth::cli

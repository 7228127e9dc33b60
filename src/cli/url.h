// URL helpers for the CLI: endpoint parsing and building request targets
// (percent-encoded by common/percent_encode.h). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/percent_encode.h"
#include "common/result.h"

namespace berth::cli {

// A parsed `--endpoint`: http:// or https://.
struct Endpoint {
  std::string host;  // "127.0.0.1", "example.org", "::1" (no brackets)
  std::string port = "80";
  std::string base_path;  // "" or "/prefix" (no trailing slash)
  bool tls = false;       // https://: the server's certificate and name are verified
  // PEM CA certificates trusted in addition to the system's (--cacert,
  // BERTH_CACERT); "" for the system CAs only.
  std::string ca_file;
  std::string ToString() const;
};

// "http[s]://host[:port][/prefix]" → Endpoint (port 80 or 443 by default).
// A missing scheme means http://. InvalidArgument for other schemes or an
// empty host.
Result<Endpoint> ParseEndpoint(std::string_view url);

using ::berth::PercentEncode;

// Builds "path?k1=v1&k2=v2" with keys and values percent-encoded.
class Target {
 public:
  explicit Target(std::string path) : path_(std::move(path)) {}
  // Appends "/<segment>" with the segment percent-encoded ('/' included).
  Target& Segment(std::string_view segment);
  Target& Query(std::string_view key, std::string_view value);
  std::string str() const;

 private:
  std::string path_;
  std::vector<std::pair<std::string, std::string>> query_;
};

// Normalises a path inside a folder as typed by a user: leading and repeated
// slashes and "." components are dropped ("/a//./b/" → "a/b"; "/" → "").
// ".." is kept for the server to refuse.
std::string NormalizeFolderPath(std::string_view path);
// "a/b" + "c" → "a/b/c"; either side may be "".
std::string JoinFolderPath(std::string_view dir, std::string_view name);
// Last component of a normalised path ("a/b" → "b", "" → "").
std::string BaseName(std::string_view path);

}  // namespace berth::cli

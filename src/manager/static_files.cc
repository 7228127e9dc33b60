#include "manager/static_files.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "storage/path_guard.h"

namespace berth::manager {
namespace {

std::string MimeType(const std::string& path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
  };
  for (const auto& [ext, type] : kTypes) {
    if (path.size() >= strlen(ext) && path.compare(path.size() - strlen(ext), std::string::npos, ext) == 0) {
      return type;
    }
  }
  return "application/octet-stream";
}

bool HasExtension(const std::string& path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  return dot != std::string::npos && (slash == std::string::npos || dot > slash);
}

}  // namespace

http::Handler StaticFiles(std::string root) {
  return [root = std::move(root)](http::Request& req) {
    if (req.path.rfind("/api/", 0) == 0) {
      return http::Response::Error(NotFound("no such endpoint: " + req.path, "no_such_endpoint"));
    }
    auto guard = storage::PathGuard::Open(root);
    if (!guard.ok()) {
      return http::Response::Text(
          404, "The Berth web UI is not built. Run: cd web && npm ci && npm run build\n");
    }
    std::string path = req.path.empty() ? "/" : req.path;
    std::string rel = path.substr(1);
    if (rel.empty() || !HasExtension(rel)) rel = "index.html";
    auto parts = storage::SplitPath(rel);
    if (!parts.ok()) return http::Response::Error(parts.status());
    auto fd = guard->OpenBeneath(*parts, O_RDONLY | O_NONBLOCK);
    if (!fd.ok()) {
      return http::Response::Error(NotFound("no such page: " + path, "no_such_page"));
    }
    struct stat st;
    if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return http::Response::Error(NotFound("no such page: " + path, "no_such_page"));
    }
    http::Response r;
    r.SetHeader("Content-Type", MimeType(rel));
    r.SetHeader("X-Content-Type-Options", "nosniff");
    r.SetHeader("Cache-Control", rel.rfind("assets/", 0) == 0 ? "public, max-age=31536000, immutable"
                                                              : "no-cache");
    if (rel == "index.html") {
      r.SetHeader("Content-Security-Policy",
                  "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                  "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    }
    r.file = http::FileBody{std::move(*fd), 0, static_cast<uint64_t>(st.st_size)};
    return r;
  };
}

}  // namespace berth::manager

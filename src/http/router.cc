#include "http/router.h"

#include "http/url.h"

namespace berth::http {

Route& Router::AddRoute(std::string method, std::string_view pattern) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::string(pattern);
  r.segments = *SplitPathSegments(pattern);
  routes_.push_back(std::move(r));
  return routes_.back();
}

void Router::Add(std::string method, std::string_view pattern, Handler h) {
  AddRoute(std::move(method), pattern).handler = std::move(h);
}

void Router::AddUpload(std::string method, std::string_view pattern, UploadHandler h) {
  AddRoute(std::move(method), pattern).upload = std::move(h);
}

void Router::AddWebSocket(std::string_view pattern, WebSocketHandler h) {
  AddRoute("GET", pattern).websocket = std::move(h);
}

// A last pattern segment "{name...}" captures the rest of the path: one or
// more decoded segments joined with '/' (e.g. /dotfiles/{path...} gives
// ".ssh/authorized_keys"). Empty segments inside the rest are kept, so the
// handler sees "a//b" and can refuse it; the handler validates the path.
static bool IsTail(const std::string& p) {
  return p.size() > 5 && p.front() == '{' && p.ends_with("...}");
}

static bool Capture(const Route& r, const std::vector<std::string>& segs,
                    std::map<std::string, std::string>* params) {
  const bool tail = !r.segments.empty() && IsTail(r.segments.back());
  if (tail ? segs.size() < r.segments.size() : r.segments.size() != segs.size()) return false;
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const std::string& p = r.segments[i];
    if (tail && i + 1 == r.segments.size()) {
      std::string rest = segs[i];
      for (size_t j = i + 1; j < segs.size(); ++j) rest += "/" + segs[j];
      if (rest.empty()) return false;
      if (params) (*params)[p.substr(1, p.size() - 5)] = rest;
      return true;
    }
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (segs[i].empty()) return false;
      if (params) (*params)[p.substr(1, p.size() - 2)] = segs[i];
    } else if (p != segs[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::Find(Request& req, const std::vector<std::string>& segments) const {
  Match m;
  const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;
  for (const Route& r : routes_) {
    if (!Capture(r, segments, nullptr)) continue;
    m.path_matched = true;
    if (r.method != method) continue;
    req.params.clear();
    Capture(r, segments, &req.params);
    m.route = &r;
    return m;
  }
  return m;
}

}  // namespace berth::http

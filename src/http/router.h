// Router: maps (method, path pattern) to a handler. Patterns are literal
// segments and "{param}" captures that match exactly one decoded segment,
// e.g. "/api/v1/folders/{name}/files"; a last "{param...}" captures the rest
// of the path, its segments joined with '/' ("/api/v1/dotfiles/{path...}"). Routes are added at start-up, then
// the router is read-only and safe to share between threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "http/request.h"

namespace berth::http {

using Handler = std::function<Response(Request&)>;
// For streamed request bodies: validates the request and either refuses it
// (a Response, sent without reading the body) or returns the sink that will
// receive the body.
using UploadHandler = std::function<std::variant<Response, std::unique_ptr<BodySink>>(Request&)>;

class WebSocketSession;  // http/websocket.h
// For WebSocket upgrades: refuses (a Response) or returns the session that
// will be attached to the upgraded connection.
using WebSocketHandler =
    std::function<std::variant<Response, std::shared_ptr<WebSocketSession>>(Request&)>;

struct Route {
  std::string method;
  std::string pattern;                // as added: metrics and the access log name routes by it
  std::vector<std::string> segments;  // pattern, split
  Handler handler;
  UploadHandler upload;
  WebSocketHandler websocket;
};

class Router {
 public:
  void Add(std::string method, std::string_view pattern, Handler h);
  void AddUpload(std::string method, std::string_view pattern, UploadHandler h);
  void AddWebSocket(std::string_view pattern, WebSocketHandler h);
  // Serves anything no API route matches (static files); may be empty.
  void SetFallback(Handler h) { fallback_ = std::move(h); }

  struct Match {
    const Route* route = nullptr;  // null: no route for this path+method
    bool path_matched = false;     // some route has this path (→ 405, not 404)
  };
  // Fills req.params on success. HEAD matches GET routes.
  Match Find(Request& req, const std::vector<std::string>& segments) const;
  const Handler& fallback() const { return fallback_; }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  Route& AddRoute(std::string method, std::string_view pattern);
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace berth::http

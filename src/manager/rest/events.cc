// /events: a server-sent event stream of changes the caller may see
// (SPEC §5).
#include <cstring>

#include "manager/authorizer.h"
#include "manager/event_bus.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;

namespace {

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

}  // namespace

void RegisterEventRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  const Authorizer& authz = *ctx.authz;
  EventBus& events = *ctx.events;
  r.Add("GET", "/api/v1/events",
        Authed(auth, [&events, &authz](Request&, const Principal& p) -> HandlerResult {
          Response resp;
          resp.SetHeader("Content-Type", "text/event-stream");
          resp.SetHeader("Cache-Control", "no-store");
          resp.stream = std::make_unique<EventStream>(
              events, events.Subscribe(p.user_id, authz.CanSeeAllEvents(p)));
          return resp;
        }));
}

}  // namespace berth::manager

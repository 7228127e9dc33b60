// /events: a server-sent event stream of changes the caller may see
// (SPEC §5).
#include "manager/authorizer.h"
#include "manager/event_bus.h"
#include "manager/event_stream.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;

void RegisterEventRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  const Authorizer& authz = *ctx.authz;
  EventBus& events = *ctx.events;
  r.Add("GET", "/api/v1/events",
        Authed(auth, [&events, &authz](Request&, const Principal& p) -> HandlerResult {
          Response resp;
          resp.SetHeader("Content-Type", "text/event-stream");
          resp.SetHeader("Cache-Control", "no-store");
          resp.live = std::make_unique<EventStream>(
              events, events.Subscribe(p.user_id, authz.CanSeeAllEvents(p)));
          return resp;
        }));
}

}  // namespace berth::manager

// GET /metrics (SPEC §5: Prometheus text for a superadmin token; the same
// text unauthenticated on --metrics-listen) and GET /health/ready (the
// store, the runtime and the volumes: manager/readiness.h; unauthenticated
// like /health).
#include "common/prom_text.h"
#include "manager/daemon_metrics.h"
#include "manager/readiness.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using http::Response;

namespace {

Response MetricsText(const DaemonMetrics& metrics) {
  Response r = Response::Text(200, metrics.Render(), kPromContentType);
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response ReadyResponse(const Readiness& readiness) {
  nlohmann::json checks = nlohmann::json::array();
  std::string failing;
  for (const ReadinessCheck& c : readiness.Check()) {
    nlohmann::json j = {{"name", c.name}, {"ok", c.ok}, {"seconds", c.seconds}};
    if (!c.ok) {
      j["message"] = c.message;
      failing += (failing.empty() ? "" : "; ") + c.name + ": " + c.message;
    }
    checks.push_back(std::move(j));
  }
  if (failing.empty()) return JsonResponse(200, {{"status", "ready"}, {"checks", checks}});
  // The SPEC §5 error body, plus the checks.
  nlohmann::json body = {{"status", "not_ready"},
                         {"error", {{"code", "not_ready"}, {"message", "not ready: " + failing}}},
                         {"checks", checks}};
  Response r = JsonResponse(503, body);
  r.SetHeader("Retry-After", "5");
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

}  // namespace

void RegisterObservabilityRoutes(http::Router& r, ApiContext& ctx) {
  if (ctx.metrics) {
    const DaemonMetrics& metrics = *ctx.metrics;
    r.Add("GET", "/api/v1/metrics",
          Authed(*ctx.auth, [&metrics](Request&, const Principal& p) -> HandlerResult {
            if (!p.is_superadmin()) return PermissionDenied("metrics are for a superadmin");
            return MetricsText(metrics);
          }));
  }
  if (ctx.readiness) {
    const Readiness& readiness = *ctx.readiness;
    r.Add("GET", "/api/v1/health/ready", [&readiness](Request&) { return ReadyResponse(readiness); });
  }
}

void RegisterMetricsListenerRoutes(http::Router& r, const DaemonMetrics& metrics) {
  r.Add("GET", "/metrics", [&metrics](Request&) { return MetricsText(metrics); });
}

}  // namespace berth::manager

#include "http/request_metrics.h"

#include <array>
#include <string_view>

namespace berth::http {
namespace {

template <class M>
void WriteCounters(PromText& out, const Family<M>& f, std::string_view name,
                   const std::vector<std::string_view>& labels) {
  f.ForEach([&](const std::vector<std::string>& values, const Counter& c) {
    out.Sample(name, ZipLabels(labels, values), static_cast<double>(c.value()));
  });
}

}  // namespace

RequestMetrics::RequestMetrics()
    : latency_([] { return std::make_unique<Histogram>(LatencyBuckets()); }) {}

std::string RequestMetrics::MethodLabel(const std::string& method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                             "PATCH", "DELETE", "OPTIONS"};
  for (std::string_view m : kKnown) {
    if (method == m) return method;
  }
  return "other";
}

void RequestMetrics::OnRequest(const RequestRecord& r) {
  const std::string method = MethodLabel(r.method);
  requests_.With({method, r.route, std::to_string(r.status)}).Add();
  latency_.With({method, r.route})
      .Observe(std::chrono::duration<double>(r.duration).count());
  if (r.bytes_in > 0) bytes_in_.With({r.route}).Add(r.bytes_in);
  if (r.bytes_out > 0) bytes_out_.With({r.route}).Add(r.bytes_out);
  if (r.status == 401) auth_failures_.With({r.route}).Add();
}

void RequestMetrics::Write(PromText& out) const {
  out.Family("berth_http_requests_total", "HTTP requests answered, by method, route pattern and status code.",
             "counter");
  WriteCounters(out, requests_, "berth_http_requests_total", {"method", "route", "code"});
  out.Family("berth_http_request_duration_seconds",
             "Time from reading a request's header to having written its response.", "histogram");
  latency_.ForEach([&](const std::vector<std::string>& values, const Histogram& h) {
    out.Histogram("berth_http_request_duration_seconds", ZipLabels({"method", "route"}, values),
                  h.Snapshot());
  });
  out.Family("berth_http_request_bytes_total", "Request body bytes read, by route pattern.", "counter");
  WriteCounters(out, bytes_in_, "berth_http_request_bytes_total", {"route"});
  out.Family("berth_http_response_bytes_total", "Response body bytes written, by route pattern.",
             "counter");
  WriteCounters(out, bytes_out_, "berth_http_response_bytes_total", {"route"});
  out.Family("berth_auth_failures_total",
             "Requests refused for missing or bad credentials (401), by route pattern.", "counter");
  WriteCounters(out, auth_failures_, "berth_auth_failures_total", {"route"});
}

}  // namespace berth::http

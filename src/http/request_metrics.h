// RequestMetrics: the HTTP part of /metrics, fed by the server for every
// finished request: requests by method, route pattern and status code,
// latency histograms by method and route, body bytes in and out by route,
// and authentication failures (401 answers) by route. Labels come from
// bounded sets only (route patterns, known methods, status codes).
//
// Thread-safe (common/metrics.h): OnRequest runs on any I/O thread.
#pragma once

#include "common/metrics.h"
#include "common/prom_text.h"
#include "http/request_observer.h"

namespace berth::http {

class RequestMetrics : public RequestObserver {
 public:
  RequestMetrics();
  void OnRequest(const RequestRecord& r) override;
  // Appends the families berth_http_* and berth_auth_failures_total.
  void Write(PromText& out) const;

  // `method` when it is one of the methods Berth serves, else "other".
  static std::string MethodLabel(const std::string& method);

 private:
  Family<Counter> requests_;   // method, route, code
  Family<Histogram> latency_;  // method, route
  Family<Counter> bytes_in_;   // route
  Family<Counter> bytes_out_;  // route
  Family<Counter> auth_failures_;  // route
};

}  // namespace berth::http

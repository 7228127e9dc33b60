// DaemonMetrics: everything GET /api/v1/metrics shows (SPEC §5), owned by
// berthd's main and handed to the server (as the requests' observer) and to
// the REST handlers (ApiContext::metrics). No global registry: each
// instrument lives here or in http::RequestMetrics, and Render reads them,
// the store (sessions by state), the server's handler pool and /proc.
//
// Metric names: docs/operations.md "Monitoring". Thread-safe: recording is
// atomic (common/metrics.h); SetSources must be called before serving.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/metrics.h"
#include "http/request_metrics.h"

namespace berth::store {
class Store;
}

namespace berth::manager {

class DaemonMetrics {
 public:
  struct Sources {
    store::Store* store = nullptr;                 // sessions by state
    std::function<http::PoolStats()> worker_pool;  // the API server's handler pool
  };

  DaemonMetrics();

  // REQUIRES: called once, before the first scrape.
  void SetSources(Sources s) { sources_ = std::move(s); }

  http::RequestMetrics& requests() { return requests_; }
  // A POST /sessions that reached the service: how long it took, and
  // whether it made a running session.
  void ObserveSessionCreate(std::chrono::nanoseconds d, bool ok);
  // An exec that started (`streamed`: the ndjson form).
  void CountExec(bool streamed);

  // The whole exposition (common/prom_text.h), for one scrape.
  std::string Render() const;

 private:
  void WriteSessions(PromText& out) const;
  void WriteProcess(PromText& out) const;

  Sources sources_;
  http::RequestMetrics requests_;
  Histogram session_create_;
  Family<Counter> session_creates_;  // result
  Family<Counter> execs_;            // mode
};

}  // namespace berth::manager

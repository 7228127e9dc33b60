#include "manager/daemon_metrics.h"

#include <array>
#include <map>

#include "common/process_stats.h"
#include "store/store.h"

namespace berth::manager {
namespace {

// Session creates take seconds (image layers, runc, the network): wider
// buckets than requests'.
std::vector<double> SessionCreateBuckets() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120};
}

constexpr std::array<const char*, 4> kSessionStates = {"creating", "running", "terminating",
                                                       "error"};

}  // namespace

DaemonMetrics::DaemonMetrics() : session_create_(SessionCreateBuckets()) {}

void DaemonMetrics::ObserveSessionCreate(std::chrono::nanoseconds d, bool ok) {
  session_creates_.With({ok ? "ok" : "error"}).Add();
  if (ok) session_create_.Observe(std::chrono::duration<double>(d).count());
}

void DaemonMetrics::CountExec(bool streamed) { execs_.With({streamed ? "stream" : "buffered"}).Add(); }

void DaemonMetrics::WriteSessions(PromText& out) const {
  if (!sources_.store) return;
  auto list = sources_.store->ListSessions("");
  if (!list.ok()) return;  // the scrape goes on without this family
  std::map<std::string, uint64_t> by_state;
  for (const char* s : kSessionStates) by_state[s] = 0;
  for (const auto& s : *list) ++by_state[s.status];
  out.Family("berth_sessions", "Sessions by state.", "gauge");
  for (const auto& [state, n] : by_state) {
    out.Sample("berth_sessions", {{"state", state}}, static_cast<double>(n));
  }
}

void DaemonMetrics::WriteProcess(PromText& out) const {
  auto p = ReadProcessStats();
  if (!p.ok()) return;
  out.Family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge");
  out.Sample("process_resident_memory_bytes", {}, static_cast<double>(p->resident_bytes));
  out.Family("process_open_fds", "Number of open file descriptors.", "gauge");
  out.Sample("process_open_fds", {}, static_cast<double>(p->open_fds));
  out.Family("process_max_fds", "Maximum number of open file descriptors.", "gauge");
  out.Sample("process_max_fds", {}, static_cast<double>(p->max_fds));
  out.Family("process_cpu_seconds_total", "User and system CPU time spent in seconds.", "counter");
  out.Sample("process_cpu_seconds_total", {}, p->cpu_seconds);
  out.Family("process_start_time_seconds", "Start time of the process since the Unix epoch.",
             "gauge");
  out.Sample("process_start_time_seconds", {}, p->start_time_seconds);
}

std::string DaemonMetrics::Render() const {
  PromText out;
  out.Family("berth_build_info", "The running berthd's version (always 1).", "gauge");
  out.Sample("berth_build_info", {{"version", BERTH_VERSION}}, 1);
  requests_.Write(out);
  if (sources_.worker_pool) {
    http::PoolStats pool = sources_.worker_pool();
    out.Family("berth_worker_threads", "Threads of the API's handler pool.", "gauge");
    out.Sample("berth_worker_threads", {}, pool.threads);
    out.Family("berth_worker_threads_busy", "Handler threads running a handler now.", "gauge");
    out.Sample("berth_worker_threads_busy", {}, pool.busy);
    out.Family("berth_worker_queue_length", "Handler work waiting for a free thread.", "gauge");
    out.Sample("berth_worker_queue_length", {}, pool.queued);
  }
  WriteSessions(out);
  out.Family("berth_session_create_duration_seconds",
             "Time to create a session that came up running (POST /sessions).", "histogram");
  out.Histogram("berth_session_create_duration_seconds", {}, session_create_.Snapshot());
  out.Family("berth_session_creates_total", "Session creates, by result (ok, error).", "counter");
  session_creates_.ForEach([&](const std::vector<std::string>& v, const Counter& c) {
    out.Sample("berth_session_creates_total", ZipLabels({"result"}, v), static_cast<double>(c.value()));
  });
  out.Family("berth_execs_total", "Execs started in sessions, by mode (buffered, stream).", "counter");
  execs_.ForEach([&](const std::vector<std::string>& v, const Counter& c) {
    out.Sample("berth_execs_total", ZipLabels({"mode"}, v), static_cast<double>(c.value()));
  });
  WriteProcess(out);
  return out.text();
}

}  // namespace berth::manager

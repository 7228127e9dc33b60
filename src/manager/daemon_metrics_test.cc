#include "manager/daemon_metrics.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

namespace berth::manager {
namespace {

// Every line is a comment (# HELP / # TYPE) or `name{labels} value`.
void ExpectWellFormed(const std::string& text) {
  static const std::regex kComment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
  static const std::regex kSample(
      R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eE]+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? (\+Inf|-Inf|NaN))");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    EXPECT_TRUE(std::regex_match(line, kComment) || std::regex_match(line, kSample)) << line;
  }
}

TEST(DaemonMetrics, RendersEveryFamily) {
  DaemonMetrics m;
  m.SetSources({nullptr, [] { return http::PoolStats{8, 2, 1}; }});
  http::RequestRecord r;
  r.method = "GET";
  r.route = "/api/v1/folders/{name}";
  r.status = 401;
  r.bytes_out = 10;
  r.duration = std::chrono::milliseconds(3);
  m.requests().OnRequest(r);
  m.ObserveSessionCreate(std::chrono::seconds(2), true);
  m.ObserveSessionCreate(std::chrono::seconds(1), false);
  m.CountExec(true);
  std::string text = m.Render();
  ExpectWellFormed(text);
  for (const char* want : {
           "berth_build_info{version=\"",
           "berth_http_requests_total{method=\"GET\",route=\"/api/v1/folders/{name}\",code=\"401\"} 1\n",
           "berth_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/folders/{name}\",le=\"0.005\"} 1\n",
           "berth_http_response_bytes_total{route=\"/api/v1/folders/{name}\"} 10\n",
           "berth_auth_failures_total{route=\"/api/v1/folders/{name}\"} 1\n",
           "berth_worker_threads 8\n", "berth_worker_threads_busy 2\n", "berth_worker_queue_length 1\n",
           "berth_session_create_duration_seconds_count 1\n",
           "berth_session_creates_total{result=\"error\"} 1\n",
           "berth_execs_total{mode=\"stream\"} 1\n", "process_resident_memory_bytes ",
           "process_open_fds ", "process_start_time_seconds "}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

}  // namespace
}  // namespace berth::manager

#include "http/access_log.h"
#include "http/request_metrics.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace berth::http {
namespace {

RequestRecord Sample() {
  RequestRecord r;
  r.method = "GET";
  r.route = "/api/v1/folders/{name}";
  r.path = "/api/v1/folders/my%20data";
  r.status = 200;
  r.bytes_in = 0;
  r.bytes_out = 123;
  r.duration = std::chrono::microseconds(1500);
  r.remote_addr = "127.0.0.1";
  r.request_id = "abc-1";
  r.user_id = "u1";
  return r;
}

TEST(AccessLog, TextLineHasEveryField) {
  EXPECT_EQ(AccessLog::Format(Sample(), false),
            "GET /api/v1/folders/my%20data 200 route=/api/v1/folders/{name} bytes_in=0 "
            "bytes_out=123 duration_ms=1.500 user=u1 remote=127.0.0.1 request_id=abc-1");
}

TEST(AccessLog, TextLineEscapesOddBytesAndMarksEmptyFields) {
  RequestRecord r = Sample();
  r.path = "/a b\n\xff";
  r.user_id.clear();
  std::string line = AccessLog::Format(r, false);
  EXPECT_NE(line.find(" /a\\x20b\\x0a\\xff "), std::string::npos) << line;
  EXPECT_NE(line.find(" user=- "), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(AccessLog, JsonLineParses) {
  RequestRecord r = Sample();
  r.path = "/caf\xc3\xa9\"";
  auto j = nlohmann::json::parse(AccessLog::Format(r, true));
  EXPECT_EQ(j["method"], "GET");
  EXPECT_EQ(j["route"], "/api/v1/folders/{name}");
  EXPECT_EQ(j["path"], "/caf\xc3\xa9\"");
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["bytes_out"], 123);
  EXPECT_DOUBLE_EQ(j["duration_ms"].get<double>(), 1.5);
  EXPECT_EQ(j["request_id"], "abc-1");
  EXPECT_EQ(j["user_id"], "u1");
}

TEST(RequestMetricsLabels, UnknownMethodsShareOneLabel) {
  // Kept here with the other observer: bounded label values.
  EXPECT_EQ(RequestMetrics::MethodLabel("GET"), "GET");
  EXPECT_EQ(RequestMetrics::MethodLabel("BREW"), "other");
}

}  // namespace
}  // namespace berth::http

#include "http/access_log.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace berth::http {
namespace {

// `s` with bytes outside printable ASCII (and space, which separates
// fields) as \xNN, so a line is always one line of key=value words.
std::string Printable(std::string_view s) {
  if (s.empty()) return "-";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c > 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

double Millis(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

AccessLog::AccessLog(bool json)
    : json_(json),
      logger_(std::make_shared<spdlog::logger>("access", spdlog::default_logger()->sinks().begin(),
                                               spdlog::default_logger()->sinks().end())) {
  logger_->set_level(spdlog::level::info);
}

AccessLog::~AccessLog() = default;

std::string AccessLog::Format(const RequestRecord& r, bool json) {
  const double ms = Millis(r.duration);
  if (json) {
    nlohmann::json j = {{"method", r.method},
                        {"route", r.route},
                        {"path", r.path},
                        {"status", r.status},
                        {"bytes_in", r.bytes_in},
                        {"bytes_out", r.bytes_out},
                        {"duration_ms", std::round(ms * 1000) / 1000},
                        {"remote_addr", r.remote_addr},
                        {"request_id", r.request_id}};
    if (!r.user_id.empty()) j["user_id"] = r.user_id;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  char dur[32];
  std::snprintf(dur, sizeof dur, "%.3f", ms);
  return Printable(r.method) + " " + Printable(r.path) + " " + std::to_string(r.status) +
         " route=" + Printable(r.route) + " bytes_in=" + std::to_string(r.bytes_in) +
         " bytes_out=" + std::to_string(r.bytes_out) + " duration_ms=" + dur +
         " user=" + Printable(r.user_id) + " remote=" + Printable(r.remote_addr) +
         " request_id=" + Printable(r.request_id);
}

void AccessLog::OnRequest(const RequestRecord& r) {
  logger_->info("{}", Format(r, json_));
}

}  // namespace berth::http

#include "manager/log_format.h"

#include <ctime>

#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

namespace berth::manager {
namespace {

std::string Quote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "2026-01-02T03:04:05.678Z"
std::string Rfc3339Millis(spdlog::log_clock::time_point t) {
  const auto since = t.time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count();
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
  return buf;
}

class JsonLogFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    std::string_view logger(msg.logger_name.data(), msg.logger_name.size());
    const auto level = spdlog::level::to_string_view(msg.level);
    std::string line = "{\"time\":\"" + Rfc3339Millis(msg.time) + "\",\"level\":" +
                       Quote(std::string_view(level.data(), level.size()));
    if (!logger.empty()) line += ",\"logger\":" + Quote(logger);
    // The access log's message is already an object of its fields.
    if (logger == "access" && payload.size() >= 2 && payload.front() == '{' &&
        payload.back() == '}') {
      line += payload.size() > 2 ? "," : "";
      line.append(payload.substr(1));
    } else {
      line += ",\"msg\":" + Quote(payload) + "}";
    }
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>();
  }
};

}  // namespace

Status CheckLogFormat(const std::string& format) {
  if (format == "text" || format == "json") return Status::Ok();
  return InvalidArgument("log format must be 'text' or 'json', not '" + format + "'");
}

std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter() { return std::make_unique<JsonLogFormatter>(); }

void ApplyLogFormat(const std::string& format) {
  if (format != "json") return;
  for (auto& sink : spdlog::default_logger()->sinks()) sink->set_formatter(MakeJsonLogFormatter());
}

}  // namespace berth::manager

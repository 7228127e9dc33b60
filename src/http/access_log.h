// AccessLog: one log line per finished request (RequestObserver), on the
// spdlog logger "access", which writes to the default logger's sinks (so
// it follows --log-format: manager/log_format.h). Fields: method, route
// pattern, path (raw, no query: queries may carry one-time codes), status,
// body bytes in and out, duration, user id, remote address (after the
// trusted-proxy rules) and request id.
//
// Text:  access GET /api/v1/folders 200 route=/api/v1/folders bytes_in=0 ...
// JSON:  the message is a JSON object of the fields, which the JSON log
//        formatter merges into the line's own object.
//
// Thread-safe (spdlog loggers are).
#pragma once

#include <memory>
#include <string>

#include "http/request_observer.h"

namespace spdlog {
class logger;
}

namespace berth::http {

class AccessLog : public RequestObserver {
 public:
  // REQUIRES: the default spdlog logger's sinks are set up (and stay).
  explicit AccessLog(bool json);
  ~AccessLog() override;
  void OnRequest(const RequestRecord& r) override;

  // The message of `r`'s line.
  static std::string Format(const RequestRecord& r, bool json);

 private:
  bool json_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace berth::http

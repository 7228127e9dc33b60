// berthd's log line formats (--log-format, TOML log_format): "text", the
// spdlog default ("[2026-01-02 03:04:05.678] [info] message"), or "json",
// one JSON object per line:
//   {"time":"2026-01-02T03:04:05.678Z","level":"info","msg":"..."}
// with "logger" for a named logger other than the default. The access log
// (logger "access", http/access_log.h) writes its message as a JSON object
// in json mode; its fields are merged into the line's object instead of
// being quoted in "msg".
//
// Stateless functions; ApplyLogFormat changes the default logger's sinks,
// so call it at start-up before other threads log.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace spdlog {
class formatter;
}

namespace berth::manager {

// OK for "text" and "json"; InvalidArgument otherwise.
Status CheckLogFormat(const std::string& format);
// Sets the default logger's sinks (and so every logger sharing them) to
// `format`. REQUIRES: CheckLogFormat(format).ok().
void ApplyLogFormat(const std::string& format);
// The json formatter (for tests and ApplyLogFormat).
std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter();

}  // namespace berth::manager

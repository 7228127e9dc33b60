// The line format of a streamed exec (SPEC §5 `POST /sessions/{name}/exec`
// with `Accept: application/x-ndjson`): one JSON object per line,
//   {"stream":"stdout"|"stderr","data_b64":"..."}   output, as produced
//   {"exit_code":N}                                  the last line: it ran
//   {"exit_code":124,"timed_out":true,"error":{...}} the last line: stopped
//                                                     at its timeout
//   {"error":{"code","message"}}                     the last line: Berth
//                                                     failed mid-way
// The server encodes (manager/exec_stream.h), the CLI decodes. Base64 is
// libsodium's (original alphabet, padded; decoding is strict). Pure
// functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace berth::api {

enum class ExecStreamKind { kStdout, kStderr };

std::string Base64Encode(std::string_view bytes);
// InvalidArgument "invalid_base64" on anything but canonical padded base64.
Result<std::string> Base64Decode(std::string_view text);

// Each returns one line, '\n' included.
std::string ExecOutputLine(ExecStreamKind kind, std::string_view bytes);
std::string ExecExitLine(int exit_code);
std::string ExecTimeoutLine(int exit_code, int64_t timeout_ms);
std::string ExecErrorLine(const Status& error);

// One decoded line. Exactly one of: output (kind + data), a final exit code,
// or a final error (with `exit_code` also set after a timeout).
struct ExecEvent {
  std::optional<ExecStreamKind> kind;
  std::string data;
  std::optional<int> exit_code;
  bool timed_out = false;
  std::optional<Status> error;
  bool final() const { return exit_code.has_value() || error.has_value(); }
};
// Decodes one line (without its '\n'); InvalidArgument when it is not one of
// the forms above.
Result<ExecEvent> ParseExecLine(std::string_view line);

}  // namespace berth::api

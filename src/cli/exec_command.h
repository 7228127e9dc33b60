// `berth session exec NAME [--timeout S] -- CMD [ARG...]` (SPEC §6): runs a
// command through the streamed exec (api/exec_ndjson.h), writes its stdout
// and stderr bytes to ours as they arrive, sends piped stdin (binary, at most
// kMaxExecStdin bytes), and exits with the command's own code: 124 when it
// was stopped at its timeout, 126 / 127 when it could not be run / found
// (reported by the server), 125 when Berth itself failed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "api/exec_ndjson.h"
#include "cli/app.h"

namespace berth::cli {

inline constexpr int kExecBerthFailed = 125;
inline constexpr size_t kMaxExecStdin = 16 << 20;

struct ExecCommandOptions {
  std::string name;
  std::vector<std::string> command;  // may start with the "--" separator
  bool no_stdin = false;
  int timeout_s = 0;
};

// Our exit code for a stream's final line: the command's own code (0-255;
// a negative one as 128+N), 125 for a Berth error without a code.
int ExecExitCode(const api::ExecEvent& final_line);

Status RunExec(CliContext& ctx, const ExecCommandOptions& o);

}  // namespace berth::cli

// JSON payloads of the channel's frames (remote/frame.h): registration,
// status reports, exec requests and results, errors. Byte strings that are
// not text (stdin, buffered output) travel as base64. Decoders return
// InvalidArgument for anything malformed.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "remote/agent_hub.h"
#include "runtime/container_runtime.h"

namespace berth::remote {

std::string EncodeRegistration(const Registration& r);
Result<Registration> DecodeRegistration(const std::string& json);

// kAdmit: the spec to create, or none (the container already runs).
std::string EncodeAdmission(const std::optional<std::string>& spec_json);
// The spec's JSON text, or nullopt.
Result<std::optional<std::string>> DecodeAdmission(const std::string& json);

struct StatusReport {
  std::string status;  // creating | running | error | terminated
  std::string reason;
  std::string ip;
};
std::string EncodeStatusReport(const StatusReport& s);
Result<StatusReport> DecodeStatusReport(const std::string& json);

// kExec (on_output is not sent: the agent always streams the output as
// kStdout/kStderr frames, and the hub buffers it when the caller asked for
// a buffered result).
std::string EncodeExecRequest(const runtime::ExecOptions& o);
Result<runtime::ExecOptions> DecodeExecRequest(const std::string& json);

std::string EncodeExecResult(const runtime::ExecResult& r);
Result<runtime::ExecResult> DecodeExecResult(const std::string& json);

// kError: a Status (code by name, reason, message); DecodeError never fails
// (a malformed error is Internal).
std::string EncodeError(const Status& s);
Status DecodeError(const std::string& json);

// kTty and kResize.
struct TermSize {
  uint16_t cols = 80;
  uint16_t rows = 24;
};
std::string EncodeTermSize(TermSize t);
Result<TermSize> DecodeTermSize(const std::string& json);

// kKill and kLogs carry one number each.
std::string EncodeNumber(const char* key, uint64_t v);
Result<uint64_t> DecodeNumber(const std::string& json, const char* key);

}  // namespace berth::remote

// Frames of the manager↔agent channel (docs/cluster.md "Wire format"). Each
// binary WebSocket message is one frame: a 5-byte header (type, then a
// big-endian 32-bit stream id) and a payload of at most kMaxFramePayload
// bytes. Stream 0 is the connection's own (register, admit, status, ping);
// every other id is one exec, terminal, logs or delete request, opened by
// the manager. Payloads are JSON, raw bytes or a 32-bit credit, per type.
//
// Flow control: each side may have at most kStreamWindow unacknowledged
// data bytes in flight per stream and direction; the receiver returns credit
// with kWindow frames as it consumes data. A peer that sends past its credit
// gets the stream closed (kClose), so a stream costs bounded memory.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace berth::remote {

enum class FrameType : uint8_t {
  // stream 0
  kRegister = 1,  // agent → manager: {"session_id","job_id","node","key"}
  kAdmit = 2,     // manager → agent: {"spec": SessionSpec JSON or null}
  kStatus = 3,    // agent → manager: {"status","reason","ip"}
  kPing = 4,      // agent → manager (empty); answered by kPong
  kPong = 5,      // manager → agent (empty)
  // streams (id != 0), opened by the manager
  kExec = 16,    // → agent: {"argv","env","stdin_base64","timeout_ms","cwd"}
  kStdout = 17,  // → manager: bytes (counted against the window)
  kStderr = 18,  // → manager: bytes (counted against the window)
  kExit = 19,    // → manager: {"exit_code","timed_out","aborted"} (output came before)
  kTty = 32,     // → agent: {"cols","rows"}; answered by kReply (opened) or kError
  kTtyData = 33,  // both ways: bytes (counted against the window)
  kResize = 34,   // → agent: {"cols","rows"}
  kKill = 35,     // → agent: {"signal"}
  kTtyExit = 36,  // → manager (empty): the terminal's process ended
  kLogs = 48,     // → agent: {"max_bytes"}; answered by kReply (the bytes)
  kDelete = 49,   // → agent (empty); answered by kReply, then the agent exits
  kReply = 50,    // → manager: success, payload per request
  kError = 51,    // → manager: {"code","reason","message"}: the request failed
  kWindow = 64,   // both ways: 4-byte big-endian credit for more data bytes
  kClose = 65,    // both ways (empty): abandon the stream
};

inline constexpr size_t kFrameHeaderBytes = 5;
inline constexpr size_t kMaxFramePayload = 1 << 20;
inline constexpr size_t kStreamWindow = 256 << 10;
// Data frames carry at most this much, so credit is returned in small steps.
inline constexpr size_t kMaxDataChunk = 32 << 10;

struct Frame {
  FrameType type = FrameType::kPing;
  uint32_t stream = 0;
  std::string payload;
};

const char* FrameTypeName(FrameType t);
// Whether `t` travels on stream 0 (true) or on a request stream (false).
bool IsConnectionFrame(FrameType t);
// Whether the payload of `t` counts against the stream's window.
bool IsDataFrame(FrameType t);

std::string EncodeFrame(FrameType type, uint32_t stream, std::string_view payload);
inline std::string EncodeFrame(const Frame& f) { return EncodeFrame(f.type, f.stream, f.payload); }
// InvalidArgument for a truncated header, an unknown type, a payload over
// kMaxFramePayload, a connection frame on a request stream or the reverse,
// or a kWindow payload that is not 4 bytes.
Result<Frame> DecodeFrame(std::string_view bytes);

std::string EncodeCredit(uint32_t credit);
// REQUIRES: f.type == kWindow (DecodeFrame checked the size).
uint32_t DecodeCredit(const Frame& f);

}  // namespace berth::remote

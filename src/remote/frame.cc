#include "remote/frame.h"

namespace berth::remote {

const char* FrameTypeName(FrameType t) {
  switch (t) {
    case FrameType::kRegister: return "register";
    case FrameType::kAdmit: return "admit";
    case FrameType::kStatus: return "status";
    case FrameType::kPing: return "ping";
    case FrameType::kPong: return "pong";
    case FrameType::kExec: return "exec";
    case FrameType::kStdout: return "stdout";
    case FrameType::kStderr: return "stderr";
    case FrameType::kExit: return "exit";
    case FrameType::kTty: return "tty";
    case FrameType::kTtyData: return "tty_data";
    case FrameType::kResize: return "resize";
    case FrameType::kKill: return "kill";
    case FrameType::kTtyExit: return "tty_exit";
    case FrameType::kLogs: return "logs";
    case FrameType::kDelete: return "delete";
    case FrameType::kReply: return "reply";
    case FrameType::kError: return "error";
    case FrameType::kWindow: return "window";
    case FrameType::kClose: return "close";
  }
  return nullptr;  // not a known type
}

bool IsConnectionFrame(FrameType t) { return static_cast<uint8_t>(t) < 16; }

bool IsDataFrame(FrameType t) {
  return t == FrameType::kStdout || t == FrameType::kStderr || t == FrameType::kTtyData;
}

std::string EncodeFrame(FrameType type, uint32_t stream, std::string_view payload) {
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  out.push_back(static_cast<char>(type));
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(stream >> shift));
  out.append(payload);
  return out;
}

Result<Frame> DecodeFrame(std::string_view bytes) {
  if (bytes.size() < kFrameHeaderBytes) {
    return InvalidArgument("agent frame: truncated header (" + std::to_string(bytes.size()) +
                           " bytes)");
  }
  Frame f;
  f.type = static_cast<FrameType>(static_cast<uint8_t>(bytes[0]));
  if (FrameTypeName(f.type) == nullptr) {
    return InvalidArgument("agent frame: unknown type " +
                           std::to_string(static_cast<uint8_t>(bytes[0])));
  }
  for (size_t i = 1; i < kFrameHeaderBytes; ++i) {
    f.stream = (f.stream << 8) | static_cast<uint8_t>(bytes[i]);
  }
  if (IsConnectionFrame(f.type) != (f.stream == 0)) {
    return InvalidArgument(std::string("agent frame: ") + FrameTypeName(f.type) + " on stream " +
                           std::to_string(f.stream));
  }
  if (bytes.size() - kFrameHeaderBytes > kMaxFramePayload) {
    return InvalidArgument("agent frame: payload over " + std::to_string(kMaxFramePayload) +
                           " bytes");
  }
  if (f.type == FrameType::kWindow && bytes.size() != kFrameHeaderBytes + 4) {
    return InvalidArgument("agent frame: window credit must be 4 bytes");
  }
  f.payload.assign(bytes.substr(kFrameHeaderBytes));
  return f;
}

std::string EncodeCredit(uint32_t credit) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(credit >> shift));
  return out;
}

uint32_t DecodeCredit(const Frame& f) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < f.payload.size(); ++i) {
    v = (v << 8) | static_cast<uint8_t>(f.payload[i]);
  }
  return v;
}

}  // namespace berth::remote

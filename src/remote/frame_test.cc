#include "remote/frame.h"

#include <gtest/gtest.h>

namespace berth::remote {
namespace {

TEST(Frame, RoundTripsEveryType) {
  for (int t = 0; t < 256; ++t) {
    auto type = static_cast<FrameType>(t);
    if (FrameTypeName(type) == nullptr) continue;
    uint32_t stream = IsConnectionFrame(type) ? 0 : 0x01020304;
    std::string payload = type == FrameType::kWindow ? EncodeCredit(77) : std::string("a\0b", 3);
    auto f = DecodeFrame(EncodeFrame(type, stream, payload));
    ASSERT_TRUE(f.ok()) << FrameTypeName(type) << ": " << f.status().ToString();
    EXPECT_EQ(f->type, type);
    EXPECT_EQ(f->stream, stream);
    EXPECT_EQ(f->payload, payload);
  }
}

TEST(Frame, HeaderIsTypeThenBigEndianStream) {
  std::string bytes = EncodeFrame(FrameType::kTtyData, 0x0a0b0c0d, "xy");
  EXPECT_EQ(bytes, std::string("\x21\x0a\x0b\x0c\x0dxy", 7));
}

TEST(Frame, CreditRoundTrips) {
  for (uint32_t c : {0u, 1u, 65536u, 0xffffffffu}) {
    auto f = DecodeFrame(EncodeFrame(FrameType::kWindow, 9, EncodeCredit(c)));
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(DecodeCredit(*f), c);
  }
}

TEST(Frame, BadFramesAreRefused) {
  struct Case {
    const char* what;
    std::string bytes;
  };
  const Case cases[] = {
      {"empty", ""},
      {"truncated header", std::string("\x10\x00\x00\x01", 4)},
      {"unknown type 0", EncodeFrame(static_cast<FrameType>(0), 0, "")},
      {"unknown type 200", EncodeFrame(static_cast<FrameType>(200), 1, "")},
      {"connection frame on a stream", EncodeFrame(FrameType::kRegister, 3, "{}")},
      {"stream frame on stream 0", EncodeFrame(FrameType::kExec, 0, "{}")},
      {"short credit", EncodeFrame(FrameType::kWindow, 1, "abc")},
      {"long credit", EncodeFrame(FrameType::kWindow, 1, "abcde")},
      {"oversized payload", EncodeFrame(FrameType::kStdout, 1, std::string(kMaxFramePayload + 1, 'x'))},
  };
  for (const auto& c : cases) {
    auto f = DecodeFrame(c.bytes);
    ASSERT_FALSE(f.ok()) << c.what;
    EXPECT_EQ(f.status().code(), Code::kInvalidArgument) << c.what;
  }
  EXPECT_TRUE(DecodeFrame(EncodeFrame(FrameType::kStdout, 1, std::string(kMaxFramePayload, 'x'))).ok());
}

}  // namespace
}  // namespace berth::remote

// Parsing of a single HTTP Range header ("bytes=a-b", "bytes=a-",
// "bytes=-n") against a known size (RFC 9110 §14). Pure; thread-safe.
// Multi-range requests are answered with the whole file, as the RFC allows.
#pragma once

#include <cstdint>
#include <string_view>

namespace berth::http {

struct ByteRange {
  enum Kind { kWhole, kPartial, kUnsatisfiable } kind = kWhole;
  uint64_t offset = 0;
  uint64_t length = 0;
};

ByteRange ParseByteRange(std::string_view header, uint64_t size);

}  // namespace berth::http

#include "http/byte_range.h"

#include <charconv>

namespace berth::http {
namespace {

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

ByteRange ParseByteRange(std::string_view header, uint64_t size) {
  ByteRange whole{ByteRange::kWhole, 0, size};
  constexpr std::string_view kUnit = "bytes=";
  if (header.substr(0, kUnit.size()) != kUnit) return whole;
  std::string_view spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string_view::npos) return whole;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view first = spec.substr(0, dash), last = spec.substr(dash + 1);
  uint64_t a = 0, b = 0;
  if (first.empty()) {  // suffix: the last b bytes
    if (!ParseU64(last, &b)) return whole;
    if (b == 0 || size == 0) return {ByteRange::kUnsatisfiable, 0, 0};
    if (b > size) b = size;
    return {ByteRange::kPartial, size - b, b};
  }
  if (!ParseU64(first, &a)) return whole;
  if (last.empty()) {
    b = size == 0 ? 0 : size - 1;
  } else if (!ParseU64(last, &b) || b < a) {
    return whole;
  }
  if (a >= size) return {ByteRange::kUnsatisfiable, 0, 0};
  if (b >= size) b = size - 1;
  return {ByteRange::kPartial, a, b - a + 1};
}

}  // namespace berth::http

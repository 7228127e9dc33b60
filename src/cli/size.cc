#include "cli/size.h"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace berth::cli {

namespace {

Status BadSize(std::string_view text) {
  return InvalidArgument("invalid size '" + std::string(text) +
                         "' (expected bytes or a number with K, M, G, T or P, e.g. 10G)");
}

}  // namespace

Result<uint64_t> ParseSize(std::string_view text) {
  size_t i = 0;
  uint64_t whole = 0;
  bool any_digit = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    uint64_t d = static_cast<uint64_t>(text[i] - '0');
    if (whole > (UINT64_MAX - d) / 10) return BadSize(text);
    whole = whole * 10 + d;
    any_digit = true;
    ++i;
  }
  // Up to 9 fractional digits, kept as an exact numerator over 10^digits.
  uint64_t frac = 0, frac_den = 1;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (frac_den >= 1000000000ULL) return BadSize(text);
      frac = frac * 10 + static_cast<uint64_t>(text[i] - '0');
      frac_den *= 10;
      any_digit = true;
      ++i;
    }
  }
  if (!any_digit) return BadSize(text);

  std::string unit;
  for (; i < text.size(); ++i)
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  int shift;
  if (unit.empty() || unit == "b") {
    shift = 0;
  } else {
    static constexpr std::string_view kUnits = "kmgtp";
    auto pos = kUnits.find(unit[0]);
    if (pos == std::string_view::npos) return BadSize(text);
    std::string_view tail = std::string_view(unit).substr(1);
    if (!(tail.empty() || tail == "b" || tail == "i" || tail == "ib")) return BadSize(text);
    shift = 10 * static_cast<int>(pos + 1);
  }
  if (shift == 0 && frac != 0) return BadSize(text);  // fractional bytes
  if (shift > 0 && whole > (UINT64_MAX >> shift)) return BadSize(text);
  uint64_t value = whole << shift;
  if (frac != 0) {
    // frac/frac_den * 2^shift, exact for the units used (shift ≤ 50 and
    // frac < 10^9 < 2^30 would overflow: divide first where needed).
    unsigned __int128 extra = (static_cast<unsigned __int128>(frac) << shift) / frac_den;
    if (value > UINT64_MAX - static_cast<uint64_t>(extra)) return BadSize(text);
    value += static_cast<uint64_t>(extra);
  }
  return value;
}

std::string FormatSize(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  // Avoid "1024.0 KiB" from rounding.
  if (std::round(v * 10) / 10 >= 1024.0 && u < 6) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

}  // namespace berth::cli

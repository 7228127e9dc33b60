// The rules for a dotfile's path, mode and size (SPEC §3 "Dotfiles"), as
// pure functions so they can be tested by table. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace berth::manager {

// Per file and per user (413 too_large / over_quota).
inline constexpr uint64_t kMaxDotfileBytes = 64 << 10;
inline constexpr uint64_t kMaxDotfilesBytesPerUser = 1 << 20;
inline constexpr size_t kMaxDotfilePathBytes = 1024;

// `path` relative to /home/work, normalised: "." components are dropped;
// empty, absolute, with "..", with an empty component ("a//b", "a/"), with
// a NUL byte, longer than kMaxDotfilePathBytes, or ".berth" / under
// ".berth/" is InvalidArgument (reason invalid_path).
Result<std::string> NormalizeDotfilePath(std::string_view path);

// `mode` from ?mode=: three or four octal digits, at most 0777. Empty: the
// default for `path`, 0600 under .ssh/, else 0644. Otherwise
// InvalidArgument (reason invalid_mode).
Result<uint32_t> ParseDotfileMode(std::string_view mode, std::string_view path);

// "0644".
std::string FormatDotfileMode(uint32_t mode);

}  // namespace berth::manager

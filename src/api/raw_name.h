// Raw names: file names are bytes, JSON is UTF-8. A session can create a
// file whose name is not valid UTF-8 (e.g. "bad\xff\xfe.txt"); serialising it
// as-is makes nlohmann::json throw, which used to turn a directory listing
// into a 500. SPEC §2 gives such a name two wire forms:
//   - `name`: the bytes with every invalid sequence replaced by U+FFFD, for
//     display only (lossy: two different names may look alike);
//   - `name_raw`: every byte outside the RFC 3986 unreserved characters as
//     %XX (lossless), which the file endpoints accept back as `path_raw`
//     (move: `src_raw`/`dst_raw`).
// Valid UTF-8 names carry no `name_raw`. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace berth::api {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, <= U+10FFFF.
bool IsValidUtf8(std::string_view s);
// `s` with each maximal invalid subsequence replaced by U+FFFD.
std::string DisplayName(std::string_view s);
// The lossless `name_raw` form of `s`.
std::string EncodeRawName(std::string_view s);
// The bytes `raw` stands for; nullopt if a '%' is not followed by two hex
// digits. '+' is a literal plus.
std::optional<std::string> DecodeRawName(std::string_view raw);

}  // namespace berth::api

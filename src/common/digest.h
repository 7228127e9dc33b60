// Hex encoding and SHA-256, shared by the token store, signed links and the
// Docker image cache. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace berth {

// Lower-case hex, two characters per byte.
std::string HexEncode(std::string_view bytes);
// Inverse of HexEncode (lower-case only); false on odd length or a bad digit.
bool HexDecode(std::string_view hex, std::string* out);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace berth

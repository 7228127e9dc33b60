// Hex encoding and SHA-256, shared by the token store, signed links, the
// image store (image and layer digests) and the Docker image cache. Pure
// functions (Sha256FileHex reads a file); thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace berth {

// Lower-case hex, two characters per byte.
std::string HexEncode(std::string_view bytes);
// Inverse of HexEncode (lower-case only); false on odd length or a bad digit.
bool HexDecode(std::string_view hex, std::string* out);
// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
// Lower-case hex SHA-256 of the contents of the file at `path`, read in
// pieces (a layer tarball need not fit in memory). NotFound when missing.
Result<std::string> Sha256FileHex(const std::string& path);

}  // namespace berth

// Random identifiers from the kernel CSPRNG (getrandom). Thread-safe.
#pragma once

#include <string>

namespace berth {

// A random RFC 4122 version-4 UUID, lower-case with dashes.
std::string NewUuid();
// `bytes` random bytes, hex-encoded (2*bytes characters).
std::string RandomHex(size_t bytes);
// True when `s` is a lower-case dashed UUID.
bool LooksLikeUuid(const std::string& s);

}  // namespace berth

// Human byte sizes for flags (--quota 10G) and tables. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace berth::cli {

// Parses "1024", "512M", "10G", "1.5GiB", "2tb", "4k": a decimal number and an
// optional binary unit (K, M, G, T, P; "i" and "B" optional, any case; a bare
// "B" means bytes). InvalidArgument on anything else or on overflow.
Result<uint64_t> ParseSize(std::string_view text);

// 512 → "512 B", 1536 → "1.5 KiB", 10737418240 → "10.0 GiB".
std::string FormatSize(uint64_t bytes);

}  // namespace berth::cli

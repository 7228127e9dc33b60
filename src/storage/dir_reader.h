// Internal to storage: the directory reader (common/dir_reader.h) and the
// names of upload temp files, which listings and archives hide.
// Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "common/dir_reader.h"

namespace berth::storage {

inline constexpr std::string_view kUploadTempPrefix = ".berth-upload-";

// True when `name` is one of our upload temp files (".berth-upload-*").
inline bool IsUploadTempName(std::string_view name) { return name.starts_with(kUploadTempPrefix); }

}  // namespace berth::storage

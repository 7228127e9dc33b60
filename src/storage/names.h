// Folder name rules (SPEC §2 "Name"). Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

namespace berth::storage {

// OK when `name` is a valid, non-reserved folder name; otherwise
// InvalidArgument (reason "invalid_folder_name") with a sentence that says
// which rule it breaks.
Status ValidateFolderName(std::string_view name);

// A dot-prefixed folder is an automount folder (mounted into every session).
bool IsAutomountName(std::string_view name);

}  // namespace berth::storage

// Folder name rules (SPEC §2 "Name"). Pure functions; thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

namespace berth::storage {

// OK when `name` is a valid, non-reserved folder name; otherwise
// InvalidArgument (reason "invalid_folder_name") with a sentence that says
// which rule it breaks.
Status ValidateFolderName(std::string_view name);

// OK when `name` is a valid snapshot name: 1-64 of [A-Za-z0-9._-], not "."
// or ".."; otherwise InvalidArgument (reason "invalid_snapshot_name").
Status ValidateSnapshotName(std::string_view name);

// Snapshots the folder's schedule takes are named "auto-<UTC time>"; only
// those are pruned.
inline constexpr std::string_view kScheduledSnapshotPrefix = "auto-";
bool IsScheduledSnapshotName(std::string_view name);

// A dot-prefixed folder is an automount folder (mounted into every session).
bool IsAutomountName(std::string_view name);

}  // namespace berth::storage

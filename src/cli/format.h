// Human-readable renderings of API objects for the CLI's default (table)
// output. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/types.h"

namespace berth::cli {

// "2024-05-01T12:34:56.789Z" → "2024-05-01 12:34:56"; "" → "-".
std::string FormatTimestamp(const std::string& rfc3339);
// Seconds since the epoch → "2024-05-01 12:34" in UTC.
std::string FormatEpoch(int64_t seconds);
// ls -l style: ("dir", 0755) → "drwxr-xr-x".
std::string FormatMode(const std::string& type, uint32_t mode);

// The `folder list` table; `trash` adds the TRASHED column.
std::string FoldersTable(const std::vector<api::Folder>& folders, bool trash);
// The `folder info` block ("Name:   data\n...").
std::string FolderInfo(const api::Folder& folder);
// The `folder ls` table.
std::string FilesTable(const std::vector<api::FileEntry>& entries);

}  // namespace berth::cli

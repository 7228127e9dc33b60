// Importing container image tarballs: `docker save` archives (manifest.json
// + layer tars) and OCI image layouts (index.json + blobs), layers plain or
// gzip-compressed. Layers are applied in order with the OCI/AUFS whiteout
// rules: ".wh.<name>" deletes <name> from lower layers, ".wh..wh..opq" makes
// its directory opaque (lower contents hidden).
//
// Safety: entries with ".." or absolute paths are refused, extraction never
// follows a symlink already in the tree (libarchive SECURE_SYMLINKS) and
// hard links must point inside the root. Device nodes are skipped.
// Thread-safe (no shared state; uses no process-wide cwd).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace berth::images {

// Applies one layer archive onto `rootfs` (which exists).
Status ApplyLayer(const std::string& layer_path, const std::string& rootfs);

struct ImportedImage {
  std::vector<std::string> env;  // config.Env
  std::string user;              // config.User (informational)
  std::string digest;            // "sha256:<hex>" of the tarball
  size_t layers = 0;
};

// Unpacks `tarball` into `work_dir` (scratch, must exist and be empty), then
// applies its layers onto `rootfs` (must exist).
Result<ImportedImage> ImportImageArchive(const std::string& tarball, const std::string& work_dir,
                                         const std::string& rootfs);

}  // namespace berth::images

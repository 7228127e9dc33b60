// The image manifest: <image dir>/image.json, the one file that says what an
// image in the image store is (name, when it was made, its digest and
// source, the user and env sessions get). The image store writes it when an
// image is published (images/image_store.h); readers outside images/ (the
// Docker driver keys its imported images on it, runtime/docker_image.h) use
// these functions too, so the format has one owner.
//
// The rootfs path is not stored: it is always <image dir>/rootfs.
//
// Thread-safety: pure functions of their arguments and the file system. A
// manifest is replaced atomically (write to a temp file, rename), so a
// reader sees the old or the new text, never a mix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "images/app_spec.h"

namespace berth::images {

struct ImageInfo {
  std::string name;
  std::string rootfs;      // absolute host path (not in the manifest)
  std::string created_at;  // RFC 3339 UTC
  uint64_t size_bytes = 0;
  std::string digest;  // "sha256:..." of the recipe text or the tarball
  std::string source;  // "recipe:<name>" or "import:<file name>"
  std::string description;
  // Copied into each fresh scratch home (path inside the rootfs).
  std::string skeleton = "/etc/skel";
  uint32_t uid = 1000;
  uint32_t gid = 1000;
  std::vector<std::string> env;  // image's own env (imports: config Env)
  std::vector<AppSpec> apps;     // from the recipe's [[app]] tables
};

// The manifest's file name inside an image directory.
inline constexpr char kImageManifestFile[] = "image.json";

// The manifest text for `info` (pretty JSON, newline-terminated).
std::string FormatImageManifest(const ImageInfo& info);
// Parses manifest text; missing fields take ImageInfo's defaults. Internal
// when the text is not a JSON object.
Result<ImageInfo> ParseImageManifest(std::string_view text);

// Writes <image_dir>/image.json atomically.
Status WriteImageManifest(const std::string& image_dir, const ImageInfo& info);
// Reads <image_dir>/image.json: NotFound when there is none, Internal when
// it does not parse. When `text` is given it receives the file's bytes
// whenever they could be read (also when they do not parse).
Result<ImageInfo> ReadImageManifest(const std::string& image_dir, std::string* text = nullptr);

}  // namespace berth::images

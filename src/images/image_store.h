// ImageStore: the root file systems sessions start from (SPEC §3 "Images"),
// kept under one directory (normally <data-dir>/images):
//
//   <root>/<name>/rootfs       the tree; mounted read-only as overlay lower
//   <root>/<name>/image.json   the manifest: name, created_at, digest, source...
//                              (images/image_manifest.h)
//   <root>/.build-<name>-*     in-progress builds/imports (removed on failure)
//   <root>/.lock-<name>        flock held while building/importing <name>
//
// An image appears atomically: it is built into a temp dir and renamed into
// place, so a crash never leaves a half-built <root>/<name>.
//
// Thread-safety: safe for concurrent use, also across processes (a build or
// import of a name holds an flock; a second one for the same name waits).
// REQUIRES for Build/Import: root (mmdebstrap --mode=root, file ownership).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "images/image_manifest.h"

namespace berth::images {

struct ImageStoreOptions {
  std::string root;         // REQUIRED
  std::string recipes_dir;  // where <recipe>.toml files are
  std::string mmdebstrap_path = "mmdebstrap";
  // Replaces http://deb.debian.org in recipe sources (e.g. an apt cache).
  std::string mirror_override;
  std::chrono::milliseconds build_timeout{std::chrono::minutes(30)};
};

struct BuildOptions {
  // Replace an existing image of that name. Sessions running on the old
  // image keep working until deleted only if their overlay still holds the
  // old tree: delete them first (the old rootfs is removed).
  bool replace = false;
  // mmdebstrap's output goes here (appended); empty: <root>/<name>.build.log
  std::string log_path;
};

class ImageStore {
 public:
  static Result<std::unique_ptr<ImageStore>> Open(ImageStoreOptions options);

  Result<std::vector<ImageInfo>> List() const;
  // NotFound if no such image.
  Result<ImageInfo> Get(const std::string& name) const;
  // "sha256:<hex>" of recipes_dir/<recipe>.toml: an image built from it has
  // this ImageInfo::digest (a different one means the recipe changed since).
  // NotFound "recipe_not_found" without such a recipe.
  Result<std::string> RecipeDigest(const std::string& recipe) const;
  // Builds recipes_dir/<recipe>.toml into an image named <recipe>.
  // AlreadyExists unless options.replace.
  Result<ImageInfo> Build(const std::string& recipe, const BuildOptions& options = {});
  // Imports a `docker save` (manifest.json) or OCI image-layout tarball,
  // optionally gzip-compressed, applying its layers in order with
  // whiteouts. Adds the session user (uid/gid 1000) if the image lacks it.
  Result<ImageInfo> Import(const std::string& name, const std::string& tarball,
                           bool replace = false);
  Status Remove(const std::string& name);

  const std::string& root() const { return options_.root; }

 private:
  explicit ImageStore(ImageStoreOptions options) : options_(std::move(options)) {}
  // Moves a finished temp dir into place as <root>/<name>.
  Result<std::string> RecipeText(const std::string& recipe) const;
  Result<ImageInfo> Publish(const std::string& tmp_dir, ImageInfo info, bool replace);

  const ImageStoreOptions options_;
};

}  // namespace berth::images

// Volume: a named storage volume on a local (or shared) file system that
// holds folder directories in the layout of SPEC §2:
//   <root>/<owner-scope>/<id[0:2]>/<id[2:4]>/<id[4:]>
// where owner-scope is "u-<owner user id>".
//
// Thread-safe: holds only immutable configuration.
#pragma once

#include <string>
#include <sys/types.h>

#include "api/types.h"
#include "common/result.h"

namespace berth::storage {

struct VolumeOptions {
  std::string name = "local";
  std::string root;                 // absolute path; created if missing
  uid_t container_uid = 1000;       // owner of new folder directories
  gid_t container_gid = 1000;
};

class Volume {
 public:
  explicit Volume(VolumeOptions options);

  const std::string& name() const { return options_.name; }
  const std::string& root() const { return options_.root; }

  // Creates the volume root if missing and sets it to 0700 (fixing older
  // deployments' 0755 at every start).
  Status Init() const;
  // Absolute path of a folder's directory. REQUIRES: folder_id is a UUID.
  std::string FolderPath(const std::string& owner_id, const std::string& folder_id) const;
  // Creates the folder directory, mode 0755, chowned to the container uid/gid
  // when running as root. AlreadyExists if it already exists.
  Status CreateFolderDir(const std::string& owner_id, const std::string& folder_id) const;
  // Deletes a folder directory and everything in it, never following
  // symlinks. OK if it is already gone.
  Status PurgeFolderDir(const std::string& owner_id, const std::string& folder_id) const;
  // Capacity and free bytes (statvfs).
  Result<api::Volume> Info() const;

 private:
  VolumeOptions options_;
};

}  // namespace berth::storage

// FolderFs::RestoreFrom: one path back from a snapshot (SPEC §2
// "Snapshots": restorable per path, overwriting). Both sides resolve
// through their PathGuard, so neither a symlink in the snapshot nor one in
// the live folder leads the copy out of either.
#include <fcntl.h>
#include <stdio.h>

#include <cerrno>

#include "common/random.h"
#include "storage/dir_reader.h"
#include "storage/folder_fs.h"
#include "storage/folder_internal.h"
#include "storage/fs_errors.h"
#include "storage/tree_copy.h"
#include "storage/tree_remove.h"

namespace berth::storage {

Result<api::FileEntry> FolderFs::RestoreFrom(const FolderFs& snapshot,
                                             std::string_view path) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(path));
  if (components.empty()) {
    return InvalidArgument("give the path to restore; the whole folder is restored without one",
                           "invalid_path");
  }
  BERTH_ASSIGN_OR_RETURN(UniqueFd src_parent, snapshot.guard_.OpenParent(components));
  if (components.size() > 1) {
    std::vector<std::string> up(components.begin(), components.end() - 1);
    BERTH_RETURN_IF_ERROR(Mkdir(JoinComponents(up), /*parents=*/true).status());
  }
  BERTH_ASSIGN_OR_RETURN(UniqueFd dst_parent, guard_.OpenParent(components));
  const std::string& leaf = components.back();
  const std::string tmp = std::string(kUploadTempPrefix) + "restore-" + RandomHex(8);
  if (Status st = CopyEntryTree(src_parent.get(), leaf, dst_parent.get(), tmp); !st.ok()) {
    (void)RemoveTree(dst_parent.get(), tmp);
    if (st.code() == Code::kNotFound) {
      return NotFound("the snapshot has no '" + JoinComponents(components) + "'", "path_not_found");
    }
    return st;
  }
  int rc = ::renameat2(dst_parent.get(), tmp.c_str(), dst_parent.get(), leaf.c_str(),
                       RENAME_EXCHANGE);
  if (rc != 0 && errno == ENOENT) {
    rc = ::renameat2(dst_parent.get(), tmp.c_str(), dst_parent.get(), leaf.c_str(),
                     RENAME_NOREPLACE);
  }
  if (rc != 0) {
    int err = errno;
    (void)RemoveTree(dst_parent.get(), tmp);
    return PathErrnoStatus(JoinComponents(components), err);
  }
  // After an exchange, tmp holds what was there before.
  (void)RemoveTree(dst_parent.get(), tmp);
  return Stat(JoinComponents(components));
}

}  // namespace berth::storage

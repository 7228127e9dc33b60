#include "runtime/staged_binds.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/fs_util.h"
#include "common/unique_fd.h"

namespace berth::runtime {
namespace {

// An empty file or directory to mount `source` on, like the source.
Status MakeMountPointFor(const std::string& source, const std::string& path) {
  struct stat st;
  if (::stat(source.c_str(), &st) != 0) return ErrnoStatus("stat " + source, errno);
  return MakeMountPoint(path, S_ISDIR(st.st_mode), 0700);
}

}  // namespace

Result<std::vector<BindMount>> StageBinds(const std::vector<BindMount>& mounts,
                                          const std::string& dir) {
  BERTH_RETURN_IF_ERROR(MkdirAll(dir, 0700));
  std::vector<BindMount> out;
  for (size_t i = 0; i < mounts.size(); ++i) {
    BindMount m = mounts[i];
    const std::string staged = dir + "/" + std::to_string(i);
    BERTH_RETURN_IF_ERROR(MakeMountPointFor(m.source, staged));
    if (::mount(m.source.c_str(), staged.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return ErrnoStatus("bind " + m.source + " on " + staged, errno);
    // The flags take effect only on a remount of the bind (mount(2)).
    unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
    if (m.read_only) flags |= MS_RDONLY;
    if (::mount(nullptr, staged.c_str(), nullptr, flags, nullptr) != 0)
      return ErrnoStatus("remount nosuid,nodev " + staged, errno);
    m.source = staged;
    out.push_back(std::move(m));
  }
  return out;
}

Status UnstageBinds(const std::string& dir) {
  for (const std::string& mp : MountPointsUnder(dir)) {
    if (::umount2(mp.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      return ErrnoStatus("umount " + mp, errno);
  }
  // RemoveTree refuses to cross a mount point, so a mount left behind can
  // never make us delete through it into a user's folder.
  return RemoveTree(dir);
}

}  // namespace berth::runtime

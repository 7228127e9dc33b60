#include "storage/scratch_dir.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "common/fs_util.h"
#include "common/unique_fd.h"
#include "storage/btrfs_ioctl.h"

namespace berth::storage {
namespace {

// `path` split into its parent directory (opened) and last component.
struct ParentAndLeaf {
  UniqueFd dir;
  std::string leaf;
};

Result<ParentAndLeaf> OpenParentOf(const std::string& path) {
  const std::string clean = CleanPath(path);
  const size_t slash = clean.rfind('/');
  if (clean.empty() || clean[0] != '/' || slash == std::string::npos || slash + 1 == clean.size())
    return InvalidArgument("scratch dir '" + path + "' is not an absolute path");
  ParentAndLeaf p;
  const std::string parent = slash == 0 ? "/" : clean.substr(0, slash);
  p.dir = UniqueFd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!p.dir) return ErrnoStatus("open " + parent, errno);
  p.leaf = clean.substr(slash + 1);
  return p;
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return Status::Ok();
  if (errno == EEXIST) return AlreadyExists(path + " already exists");
  return ErrnoStatus("mkdir " + path, errno);
}

Status CreateSubvolumeDir(const std::string& path, uint64_t limit_bytes) {
  BERTH_ASSIGN_OR_RETURN(ParentAndLeaf p, OpenParentOf(path));
  BERTH_RETURN_IF_ERROR(btrfs::CreateSubvolume(p.dir.get(), p.leaf));
  auto finish = [&]() -> Status {
    UniqueFd fd(::openat(p.dir.get(), p.leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return ErrnoStatus("open " + path, errno);
    if (::fchmod(fd.get(), 0700) != 0) return ErrnoStatus("chmod " + path, errno);
    if (limit_bytes == 0) return Status::Ok();
    // The kernel makes the level-0 qgroup with the subvolume while quotas
    // are on (and refuses to make it twice, EINVAL); only if limiting fails
    // is it made here, then limited again.
    if (btrfs::LimitReferenced(fd.get(), limit_bytes).ok()) return Status::Ok();
    BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(fd.get()));
    Status st = btrfs::CreateQgroup(fd.get(), id);
    if (!st.ok() && st.code() != Code::kAlreadyExists) return st;
    return btrfs::LimitReferenced(fd.get(), limit_bytes);
  };
  Status st = finish();
  if (!st.ok()) (void)RemoveScratchDir(path);
  return st;
}

Status MountTmpfs(const std::string& path, uint64_t limit_bytes) {
  BERTH_RETURN_IF_ERROR(MakeDir(path));
  std::string data = "mode=0700";
  if (limit_bytes > 0) data += ",size=" + std::to_string(limit_bytes);
  if (::mount("berth-scratch", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data.c_str()) != 0) {
    Status st = ErrnoStatus("mount tmpfs on " + path, errno);
    ::rmdir(path.c_str());
    return st;
  }
  return Status::Ok();
}

bool IsTmpfs(const std::string& path) {
  struct statfs sfs;
  return ::statfs(path.c_str(), &sfs) == 0 &&
         static_cast<unsigned long>(sfs.f_type) == TMPFS_MAGIC;
}

// Deletes the subvolume `p.leaf` and its qgroup. A session may have made
// subvolumes inside (no privilege needed): the kernel refuses to delete a
// subvolume that holds others, so the tree is removed entry by entry then
// (root may rmdir an empty subvolume), as BtrfsVolume::PurgeFolderDir does.
Status DestroySubvolumeDir(const ParentAndLeaf& p, const std::string& path, uint64_t id) {
  Status st = btrfs::DestroySubvolume(p.dir.get(), p.leaf);
  if (st.code() == Code::kNotFound) return Status::Ok();
  if (!st.ok()) BERTH_RETURN_IF_ERROR(RemoveTree(path));
  return btrfs::RemoveQgroup(p.dir.get(), id);
}

}  // namespace

const char* ScratchKindName(ScratchKind kind) {
  switch (kind) {
    case ScratchKind::kBtrfs: return "btrfs";
    case ScratchKind::kTmpfs: return "tmpfs";
    case ScratchKind::kPlain: break;
  }
  return "plain";
}

Result<ScratchKind> ChooseScratchKind(const std::string& parent, bool tmpfs) {
  if (!btrfs::IsBtrfs(parent)) return tmpfs ? ScratchKind::kTmpfs : ScratchKind::kPlain;
  UniqueFd fd(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return ErrnoStatus("open " + parent, errno);
  if (Status st = btrfs::EnableQuota(fd.get()); !st.ok()) {
    return FailedPrecondition("scratch dirs (btrfs at " + parent +
                              "): cannot enable quota groups: " + st.message());
  }
  return ScratchKind::kBtrfs;
}

Status CreateScratchDir(const std::string& path, ScratchKind kind, uint64_t limit_bytes) {
  switch (kind) {
    case ScratchKind::kBtrfs: return CreateSubvolumeDir(path, limit_bytes);
    case ScratchKind::kTmpfs: return MountTmpfs(path, limit_bytes);
    case ScratchKind::kPlain: break;
  }
  return MakeDir(path);
}

Status RemoveScratchDir(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? Status::Ok() : ErrnoStatus("stat " + path, errno);
  }
  const std::string clean = CleanPath(path);
  const std::vector<std::string> mounts = MountPointsUnder(clean);
  if (mounts.size() == 1 && mounts[0] == clean && IsTmpfs(clean)) {
    // Our tmpfs and nothing mounted in it: lazily, as a process that is
    // still going away may hold a file open; its memory is freed with the
    // last reference.
    if (::umount2(clean.c_str(), MNT_DETACH) != 0 && errno != EINVAL)
      return ErrnoStatus("umount " + clean, errno);
  }
  if (!S_ISDIR(st.st_mode)) return RemoveTree(clean);
  BERTH_ASSIGN_OR_RETURN(ParentAndLeaf p, OpenParentOf(clean));
  UniqueFd fd(::openat(p.dir.get(), p.leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd && MountPointsUnder(clean).empty() && btrfs::IsBtrfs(clean) &&
      btrfs::IsSubvolumeRoot(fd.get())) {
    BERTH_ASSIGN_OR_RETURN(uint64_t id, btrfs::SubvolumeId(fd.get()));
    fd = UniqueFd();
    return DestroySubvolumeDir(p, clean, id);
  }
  return RemoveTree(clean);
}

}  // namespace berth::storage

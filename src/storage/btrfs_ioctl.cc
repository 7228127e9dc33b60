#include "storage/btrfs_ioctl.h"

#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "storage/fs_errors.h"

namespace berth::storage::btrfs {
namespace {

Status NameArgs(const std::string& name, char* out, size_t cap) {
  if (name.empty() || name.size() >= cap || name.find('/') != std::string::npos) {
    return InvalidArgument("bad subvolume name '" + name + "'");
  }
  std::memcpy(out, name.c_str(), name.size() + 1);
  return Status::Ok();
}

Status Ioctl(int fd, unsigned long req, void* arg, const std::string& what) {
  if (::ioctl(fd, req, arg) != 0) return ErrnoStatus("btrfs " + what, errno);
  return Status::Ok();
}

}  // namespace

bool IsBtrfs(const std::string& path) {
  struct statfs sfs;
  return ::statfs(path.c_str(), &sfs) == 0 &&
         static_cast<unsigned long>(sfs.f_type) == BTRFS_SUPER_MAGIC;
}

Status EnableQuota(int fd) {
  btrfs_ioctl_quota_ctl_args args{};
  args.cmd = BTRFS_QUOTA_CTL_ENABLE;
  return Ioctl(fd, BTRFS_IOC_QUOTA_CTL, &args, "enable quota");
}

// An ioctl that makes subvolume `name` in `dir_fd`: EEXIST is AlreadyExists.
template <typename Args>
Status MakeSubvolume(int dir_fd, unsigned long req, Args& args, const std::string& name,
                     const char* what) {
  BERTH_RETURN_IF_ERROR(NameArgs(name, args.name, sizeof args.name));
  if (::ioctl(dir_fd, req, &args) == 0) return Status::Ok();
  if (errno == EEXIST) return AlreadyExists("subvolume " + name + " already exists");
  return ErrnoStatus(std::string("btrfs ") + what + " " + name, errno);
}

Status CreateSubvolume(int dir_fd, const std::string& name) {
  btrfs_ioctl_vol_args args{};
  return MakeSubvolume(dir_fd, BTRFS_IOC_SUBVOL_CREATE, args, name, "create subvolume");
}

Status Snapshot(int src_fd, int dir_fd, const std::string& name) {
  btrfs_ioctl_vol_args_v2 args{};
  args.fd = src_fd;
  return MakeSubvolume(dir_fd, BTRFS_IOC_SNAP_CREATE_V2, args, name, "snapshot");
}

Status DestroySubvolume(int dir_fd, const std::string& name) {
  btrfs_ioctl_vol_args args{};
  BERTH_RETURN_IF_ERROR(NameArgs(name, args.name, sizeof args.name));
  if (::ioctl(dir_fd, BTRFS_IOC_SNAP_DESTROY, &args) != 0) {
    if (errno == ENOENT) return NotFound("subvolume " + name + " is gone");
    return ErrnoStatus("btrfs delete subvolume " + name, errno);
  }
  return Status::Ok();
}

Result<uint64_t> SubvolumeId(int fd) {
  btrfs_ioctl_ino_lookup_args args{};
  args.treeid = 0;
  args.objectid = BTRFS_FIRST_FREE_OBJECTID;
  BERTH_RETURN_IF_ERROR(Ioctl(fd, BTRFS_IOC_INO_LOOKUP, &args, "subvolume id"));
  return static_cast<uint64_t>(args.treeid);
}

bool IsSubvolumeRoot(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_ino == BTRFS_FIRST_FREE_OBJECTID;
}

Result<std::string> FsUuid(int fd) {
  btrfs_ioctl_fs_info_args args{};
  BERTH_RETURN_IF_ERROR(Ioctl(fd, BTRFS_IOC_FS_INFO, &args, "fs info"));
  const unsigned char* u = args.fsid;
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
                u[15]);
  return std::string(buf);
}

Status LimitReferenced(int fd, std::optional<uint64_t> max_bytes) {
  btrfs_ioctl_qgroup_limit_args args{};
  args.qgroupid = 0;  // the qgroup of fd's own subvolume
  args.lim.flags = BTRFS_QGROUP_LIMIT_MAX_RFER;
  args.lim.max_rfer = max_bytes ? *max_bytes : ~uint64_t{0};  // all ones: no limit
  return Ioctl(fd, BTRFS_IOC_QGROUP_LIMIT, &args, "qgroup limit");
}

Status CreateQgroup(int fd, uint64_t subvol_id) {
  btrfs_ioctl_qgroup_create_args args{};
  args.create = 1;
  args.qgroupid = subvol_id;
  if (::ioctl(fd, BTRFS_IOC_QGROUP_CREATE, &args) != 0) {
    if (errno == EEXIST) return AlreadyExists("qgroup 0/" + std::to_string(subvol_id));
    return ErrnoStatus("btrfs create qgroup 0/" + std::to_string(subvol_id), errno);
  }
  return Status::Ok();
}

Status RemoveQgroup(int fd, uint64_t subvol_id) {
  btrfs_ioctl_qgroup_create_args args{};
  args.create = 0;
  args.qgroupid = subvol_id;
  if (::ioctl(fd, BTRFS_IOC_QGROUP_CREATE, &args) != 0 && errno != ENOENT && errno != EBUSY) {
    return ErrnoStatus("btrfs remove qgroup 0/" + std::to_string(subvol_id), errno);
  }
  return Status::Ok();
}

}  // namespace berth::storage::btrfs

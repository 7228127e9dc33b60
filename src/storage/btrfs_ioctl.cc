#include "storage/btrfs_ioctl.h"

#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

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
  // Some (GET_SUBVOL_INFO) return a positive value on success.
  if (::ioctl(fd, req, arg) < 0) return ErrnoStatus("btrfs " + what, errno);
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

// Fills `args` so that the new subvolume's qgroup joins `parent`; `buf`
// holds the inherit struct and must outlive the ioctl.
static void InheritInto(btrfs_ioctl_vol_args_v2& args, std::optional<uint64_t> parent,
                 std::vector<uint64_t>& buf) {
  if (!parent) return;
  // btrfs_qgroup_inherit is 4 u64 + a 5-u64 limit, then the qgroup ids.
  static_assert(sizeof(btrfs_qgroup_inherit) % sizeof(uint64_t) == 0);
  const size_t head = sizeof(btrfs_qgroup_inherit) / sizeof(uint64_t);
  buf.assign(head + 1, 0);
  auto* inherit = reinterpret_cast<btrfs_qgroup_inherit*>(buf.data());
  inherit->num_qgroups = 1;
  buf[head] = *parent;
  args.flags |= BTRFS_SUBVOL_QGROUP_INHERIT;
  args.size = buf.size() * sizeof(uint64_t);
  args.qgroup_inherit = inherit;
}

std::string QgroupSysfsName(uint64_t qgroupid) {
  return std::to_string(qgroupid >> 48) + "_" + std::to_string(qgroupid & ((uint64_t{1} << 48) - 1));
}

Status CreateSubvolume(int dir_fd, const std::string& name, std::optional<uint64_t> parent) {
  btrfs_ioctl_vol_args_v2 args{};
  std::vector<uint64_t> buf;
  InheritInto(args, parent, buf);
  return MakeSubvolume(dir_fd, BTRFS_IOC_SUBVOL_CREATE_V2, args, name, "create subvolume");
}

Status Snapshot(int src_fd, int dir_fd, const std::string& name, bool read_only,
                std::optional<uint64_t> parent) {
  btrfs_ioctl_vol_args_v2 args{};
  args.fd = src_fd;
  if (read_only) args.flags |= BTRFS_SUBVOL_RDONLY;
  std::vector<uint64_t> buf;
  InheritInto(args, parent, buf);
  return MakeSubvolume(dir_fd, BTRFS_IOC_SNAP_CREATE_V2, args, name, "snapshot");
}

Result<SubvolInfo> GetSubvolInfo(int fd) {
  btrfs_ioctl_get_subvol_info_args args{};
  BERTH_RETURN_IF_ERROR(Ioctl(fd, BTRFS_IOC_GET_SUBVOL_INFO, &args, "subvolume info"));
  SubvolInfo out;
  out.id = args.treeid;
  out.otime = static_cast<int64_t>(args.otime.sec);
  out.read_only = (args.flags & BTRFS_ROOT_SUBVOL_RDONLY) != 0;
  return out;
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

Status CreateQgroupById(int fd, uint64_t qgroupid) {
  btrfs_ioctl_qgroup_create_args args{};
  args.create = 1;
  args.qgroupid = qgroupid;
  if (::ioctl(fd, BTRFS_IOC_QGROUP_CREATE, &args) != 0) {
    if (errno == EEXIST) return AlreadyExists("qgroup " + QgroupSysfsName(qgroupid));
    return ErrnoStatus("btrfs create qgroup " + QgroupSysfsName(qgroupid), errno);
  }
  return Status::Ok();
}

Status AssignQgroup(int fd, uint64_t child, uint64_t parent) {
  btrfs_ioctl_qgroup_assign_args args{};
  args.assign = 1;
  args.src = child;
  args.dst = parent;
  // > 0: assigned, but the accounting needs a rescan.
  if (::ioctl(fd, BTRFS_IOC_QGROUP_ASSIGN, &args) < 0 && errno != EEXIST) {
    return ErrnoStatus("btrfs assign qgroup " + QgroupSysfsName(child) + " to " +
                           QgroupSysfsName(parent),
                       errno);
  }
  return Status::Ok();
}

Status StartRescan(int fd) {
  btrfs_ioctl_quota_rescan_args args{};
  if (::ioctl(fd, BTRFS_IOC_QUOTA_RESCAN, &args) != 0 && errno != EINPROGRESS) {
    return ErrnoStatus("btrfs quota rescan", errno);
  }
  return Status::Ok();
}

namespace {
Result<std::string> QgroupDir(int fd, uint64_t qgroupid) {
  BERTH_ASSIGN_OR_RETURN(std::string uuid, FsUuid(fd));
  return "/sys/fs/btrfs/" + uuid + "/qgroups/" + QgroupSysfsName(qgroupid);
}
}  // namespace

Result<uint64_t> ReadQgroup(int fd, uint64_t qgroupid, const std::string& field) {
  (void)::syncfs(fd);  // qgroup numbers move at transaction commit
  BERTH_ASSIGN_OR_RETURN(std::string dir, QgroupDir(fd, qgroupid));
  std::ifstream in(dir + "/" + field);
  uint64_t v = 0;
  if (!(in >> v)) return NotFound("cannot read " + dir + "/" + field);
  return v;
}

bool QuotaInconsistent(int fd) {
  auto uuid = FsUuid(fd);
  if (!uuid.ok()) return false;
  std::ifstream in("/sys/fs/btrfs/" + *uuid + "/qgroups/inconsistent");
  int v = 0;
  return (in >> v) && v != 0;
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

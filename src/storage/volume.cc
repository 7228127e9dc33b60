#include "storage/volume.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <vector>

#include "storage/fs_errors.h"

namespace berth::storage {
namespace {

// Ids become path components, so refuse anything that could change the
// path's shape. (Callers pass UUIDs; this is a backstop, not validation.)
bool IsSafeId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Status CheckIds(const std::string& owner_id, const std::string& folder_id) {
  if (!IsSafeId(owner_id) || !IsSafeId(folder_id) || folder_id.size() < 5) {
    return InvalidArgument("malformed owner or folder id");
  }
  return Status::Ok();
}

// The components below the volume root: u-<owner>, id[0:2], id[2:4], id[4:].
std::vector<std::string> FolderComponents(const std::string& owner_id,
                                          const std::string& folder_id) {
  return {"u-" + owner_id, folder_id.substr(0, 2), folder_id.substr(2, 2), folder_id.substr(4)};
}

Result<UniqueFd> OpenDir(int dir_fd, const std::string& name) {
  // O_NOFOLLOW on every step: the layout directories are ours and never
  // symlinks; a planted one is refused rather than followed. O_RDONLY, not
  // O_PATH: the btrfs ioctls act on the parent directory's fd.
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return PathErrnoStatus(name, errno);
  return UniqueFd(fd);
}

// mkdir that leaves an existing directory alone; a new one gets 0755
// whatever the umask.
Status MkdirShared(int dir_fd, const std::string& name) {
  bool created = ::mkdirat(dir_fd, name.c_str(), 0755) == 0;
  if (!created && errno != EEXIST) return ErrnoStatus("mkdir " + name, errno);
  if (!created) return Status::Ok();
  int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || ::fchmod(fd, 0755) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    return ErrnoStatus("chmod " + name, err);
  }
  ::close(fd);
  return Status::Ok();
}

}  // namespace

Status Volume::Init() const {
  if (options_.root.empty() || options_.root.front() != '/') {
    return InvalidArgument("volume root must be an absolute path: '" + options_.root + "'");
  }
  std::error_code ec;
  std::filesystem::create_directories(options_.root, ec);
  if (ec) return Internal("create volume root " + options_.root + ": " + ec.message());
  // 0700 whether new or not (older deployments had 0755): no local account
  // but root may walk into users' folders. Containers still reach them:
  // runc and dockerd bind-mount as root.
  if (::chmod(options_.root.c_str(), 0700) != 0) {
    return ErrnoStatus("chmod " + options_.root, errno);
  }
  struct stat st;
  if (::stat(options_.root.c_str(), &st) != 0) return ErrnoStatus("stat " + options_.root, errno);
  if (!S_ISDIR(st.st_mode)) {
    return FailedPrecondition("volume root " + options_.root + " is not a directory");
  }
  return Status::Ok();
}

std::string Volume::FolderPath(const std::string& owner_id, const std::string& folder_id) const {
  std::string path = options_.root;
  for (const auto& c : FolderComponents(owner_id, folder_id)) {
    path += '/';
    path += c;
  }
  return path;
}

Result<Volume::Parent> Volume::OpenParent(const std::string& owner_id,
                                          const std::string& folder_id, bool create) const {
  BERTH_RETURN_IF_ERROR(CheckIds(owner_id, folder_id));
  int root = ::open(options_.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return ErrnoStatus("open volume root " + options_.root, errno);
  UniqueFd dir(root);
  auto components = FolderComponents(owner_id, folder_id);
  // Intermediate directories: root-owned 0755, shared by many folders.
  for (size_t i = 0; i + 1 < components.size(); ++i) {
    if (create) BERTH_RETURN_IF_ERROR(MkdirShared(dir.get(), components[i]));
    BERTH_ASSIGN_OR_RETURN(dir, OpenDir(dir.get(), components[i]));
  }
  return Parent{std::move(dir), components.back()};
}

Result<UniqueFd> Volume::OpenOwnerDir(const std::string& owner_id, bool create) const {
  if (!IsSafeId(owner_id)) return InvalidArgument("malformed owner id");
  int root = ::open(options_.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return ErrnoStatus("open volume root " + options_.root, errno);
  UniqueFd dir(root);
  const std::string name = FolderComponents(owner_id, "00000").front();
  if (create) BERTH_RETURN_IF_ERROR(MkdirShared(dir.get(), name));
  return OpenDir(dir.get(), name);
}

namespace {
Status NoSnapshots(const std::string& volume) {
  return FailedPrecondition("volume '" + volume +
                                "' does not keep snapshots (only btrfs volumes do; see GET /volumes)",
                            "snapshots_unsupported");
}
}  // namespace

Result<api::Snapshot> Volume::CreateSnapshot(const std::string&, const std::string&,
                                             const std::string&) const {
  return NoSnapshots(name());
}
Result<std::vector<api::Snapshot>> Volume::ListSnapshots(const std::string&,
                                                         const std::string&) const {
  return NoSnapshots(name());
}
Status Volume::DeleteSnapshot(const std::string&, const std::string&, const std::string&) const {
  return NoSnapshots(name());
}
Result<std::string> Volume::SnapshotPath(const std::string&, const std::string&,
                                         const std::string&) const {
  return NoSnapshots(name());
}
Status Volume::RestoreSnapshot(const std::string&, const std::string&, const std::string&,
                               std::optional<uint64_t>) const {
  return NoSnapshots(name());
}

Status Volume::FinishFolderDir(int dir_fd, const std::string& leaf) const {
  int fd = ::openat(dir_fd, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open new folder directory", errno);
  UniqueFd folder(fd);
  // mkdir's mode is filtered by the umask; the layout promises 0755.
  if (::fchmod(folder.get(), 0755) != 0) return ErrnoStatus("chmod folder directory", errno);
  if (::geteuid() == 0 &&
      ::fchown(folder.get(), options_.container_uid, options_.container_gid) != 0) {
    return ErrnoStatus("chown folder directory", errno);
  }
  return Status::Ok();
}

Result<api::Volume> Volume::Info() const {
  struct statvfs vfs;
  if (::statvfs(options_.root.c_str(), &vfs) != 0) {
    return ErrnoStatus("statvfs " + options_.root, errno);
  }
  api::Volume v;
  v.name = options_.name;
  v.path = options_.root;
  v.kind = kind();
  v.capabilities = capabilities();
  v.capacity_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  v.free_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  return v;
}

}  // namespace berth::storage

#include "storage/path_guard.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>

#include "storage/fs_errors.h"

namespace berth::storage {
namespace {

constexpr size_t kMaxComponentBytes = 255;
constexpr size_t kMaxPathBytes = 4096;
// openat2 with RESOLVE_BENEATH returns EAGAIN when a concurrent rename or
// mount could have let ".." escape; the kernel asks us to retry.
constexpr int kMaxEagainRetries = 16;

Status InvalidPath(std::string why) { return InvalidArgument(std::move(why), "invalid_path"); }

std::string Join(const std::vector<std::string>& components, size_t n) {
  if (n == 0) return ".";
  std::string path;
  for (size_t i = 0; i < n; ++i) {
    if (i) path += '/';
    path += components[i];
  }
  return path;
}

int Openat2(int dirfd, const std::string& path, int flags, mode_t mode) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  // The kernel rejects a mode unless O_CREAT or O_TMPFILE is set.
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  // RESOLVE_BENEATH: no step (symlink, "..", absolute link) may leave dirfd.
  // RESOLVE_NO_MAGICLINKS: /proc/<pid>/fd-style links are never followed.
  // RESOLVE_NO_XDEV: a session cannot smuggle a mount point into the path.
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof(how));
    if (fd >= 0) return static_cast<int>(fd);
    if ((errno == EAGAIN || errno == EINTR) && attempt < kMaxEagainRetries) continue;
    return -1;
  }
}

}  // namespace

Result<std::vector<std::string>> SplitPath(std::string_view path) {
  if (path.size() > kMaxPathBytes) {
    return InvalidPath("path is longer than 4096 bytes");
  }
  if (path.find('\0') != std::string_view::npos) {
    return InvalidPath("path contains a NUL byte");
  }
  if (!path.empty() && path.front() == '/') {
    return InvalidPath("path must be relative to the folder root, not absolute");
  }
  std::vector<std::string> components;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(pos, slash - pos);
    pos = slash + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") return InvalidPath("path must not contain '..'");
    if (part.size() > kMaxComponentBytes) {
      return InvalidPath("a path component is longer than 255 bytes");
    }
    components.emplace_back(part);
  }
  return components;
}

Result<PathGuard> PathGuard::Open(const std::string& root) {
  // The root itself comes from our own configuration (volume layout), so
  // plain open is fine; O_NOFOLLOW refuses a root that was swapped for a
  // symlink.
  int fd = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) return NotFound("folder directory " + root + " does not exist");
    if (err == ENOTDIR || err == ELOOP) {
      return FailedPrecondition("folder directory " + root + " is not a directory",
                                "not_a_directory");
    }
    return ErrnoStatus("open " + root, err);
  }
  return PathGuard(UniqueFd(fd));
}

Result<UniqueFd> PathGuard::OpenBeneath(const std::vector<std::string>& components, int flags,
                                        mode_t mode) const {
  return OpenBeneath(components, flags, mode, /*follow_last=*/false);
}

Result<UniqueFd> PathGuard::OpenBeneath(const std::vector<std::string>& components, int flags,
                                        mode_t mode, bool follow_last) const {
  if (!follow_last) flags |= O_NOFOLLOW;
  std::string path = Join(components, components.size());
  int fd = Openat2(root_.get(), path, flags, mode);
  if (fd >= 0) return UniqueFd(fd);
  int err = errno;
  if (err == ELOOP && !follow_last && !components.empty()) {
    // ELOOP is also what O_NOFOLLOW gives for a symlink as the last
    // component; tell that apart from an escaping link so callers can say
    // "is a symlink" rather than "escapes the folder".
    auto parent = OpenParent(components);
    struct stat st;
    if (parent.ok() &&
        ::fstatat(parent->get(), components.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode)) {
      return InvalidArgument("'" + path + "' is a symbolic link", "is_a_symlink");
    }
  }
  return PathErrnoStatus(path, err);
}

Result<UniqueFd> PathGuard::OpenParent(const std::vector<std::string>& components) const {
  assert(!components.empty());
  // Intermediate components may be symlinks that stay inside the folder;
  // openat2 follows those (and only those), so the parent is followed too.
  std::string path = Join(components, components.size() - 1);
  int fd = Openat2(root_.get(), path, O_PATH | O_DIRECTORY, 0);
  if (fd >= 0) return UniqueFd(fd);
  return PathErrnoStatus(path, errno);
}

}  // namespace berth::storage

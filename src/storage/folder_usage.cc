// Folder usage: a walk of the whole tree with getdents64, stat'ing only
// regular files (for their apparent size) and entries whose type the file
// system does not report. `du -s` stats every entry, so this is no slower.
// Symlinks are counted as files and never followed; hard links are counted
// once per link.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "storage/dir_reader.h"
#include "storage/folder_fs.h"
#include "storage/fs_errors.h"

namespace berth::storage {
namespace {

// One fd is held per level. Deeper directories are counted but not
// descended into: usage is an estimate for display and quotas, and a
// session must not be able to exhaust our descriptors with a deep tree.
constexpr size_t kMaxUsageDepth = 256;

}  // namespace

Result<api::Usage> FolderFs::ComputeUsage() const {
  api::Usage usage;
  std::vector<DirReader> stack;
  int root = ::openat(guard_.root_fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return ErrnoStatus("open folder root", errno);
  stack.emplace_back(UniqueFd(root), 64 * 1024);
  DirEntry e;
  std::string name;
  while (!stack.empty()) {
    DirReader& cur = stack.back();
    BERTH_ASSIGN_OR_RETURN(bool more, cur.Next(&e));
    if (!more) {
      stack.pop_back();
      continue;
    }
    int dir_fd = cur.fd();
    name.assign(e.name);
    unsigned char type = e.type;
    struct stat st;
    bool have_stat = false;
    if (type == DT_UNKNOWN || type == DT_REG) {
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed while we walk
        return PathErrnoStatus(name, errno);
      }
      have_stat = true;
      type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
    }
    if (type == DT_DIR) {
      ++usage.dirs;
      if (stack.size() >= kMaxUsageDepth) continue;
      int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        // Gone or replaced by a non-directory meanwhile, or unreadable:
        // count what we can see rather than failing the whole walk.
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP || errno == EACCES) continue;
        return PathErrnoStatus(name, errno);
      }
      stack.emplace_back(UniqueFd(fd), 16 * 1024);
      continue;
    }
    ++usage.files;
    if (type == DT_REG && have_stat) usage.bytes += static_cast<uint64_t>(st.st_size);
  }
  return usage;
}

}  // namespace berth::storage

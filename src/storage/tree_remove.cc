#include "storage/tree_remove.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/random.h"
#include "storage/dir_reader.h"
#include "storage/fs_errors.h"

namespace berth::storage {
namespace {

// A directory that still is not empty after this many passes in which
// nothing could be removed is given up on (something keeps refilling it).
constexpr int kMaxIdlePasses = 8;
// Hard cap on passes over one directory, progress or not, so that a writer
// racing us forever cannot pin this call forever.
constexpr int kMaxPasses = 100000;

struct Level {
  DirReader reader;
  std::string name;  // name of this directory inside the level above
  int passes = 0;
  int idle_passes = 0;
  bool progressed = false;  // removed or hoisted something in this pass
};

Result<UniqueFd> OpenDirNoFollow(int parent_fd, const std::string& name) {
  int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return PathErrnoStatus(name, errno);
  return UniqueFd(fd);
}

bool IsDirectory(int dir_fd, const DirEntry& e, bool* missing) {
  *missing = false;
  if (e.type != DT_UNKNOWN) return e.type == DT_DIR;
  std::string name(e.name);
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    *missing = errno == ENOENT;
    return false;
  }
  return S_ISDIR(st.st_mode);
}

}  // namespace

Status RemoveTree(int parent_fd, const std::string& name) {
  struct stat st;
  if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return PathErrnoStatus(name, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent_fd, name.c_str(), 0) != 0) return PathErrnoStatus(name, errno);
    return Status::Ok();
  }

  std::vector<Level> stack;
  {
    BERTH_ASSIGN_OR_RETURN(UniqueFd top, OpenDirNoFollow(parent_fd, name));
    stack.push_back(Level{DirReader(std::move(top)), name});
  }
  while (!stack.empty()) {
    Level& cur = stack.back();
    int cur_fd = cur.reader.fd();
    DirEntry e;
    BERTH_ASSIGN_OR_RETURN(bool more, cur.reader.Next(&e));
    if (!more) {
      int up_fd = stack.size() >= 2 ? stack[stack.size() - 2].reader.fd() : parent_fd;
      if (::unlinkat(up_fd, cur.name.c_str(), AT_REMOVEDIR) == 0) {
        stack.pop_back();
        if (!stack.empty()) stack.back().progressed = true;
        continue;
      }
      int err = errno;
      cur.idle_passes = cur.progressed ? 0 : cur.idle_passes + 1;
      cur.progressed = false;
      if ((err == ENOTEMPTY || err == EEXIST) && cur.idle_passes < kMaxIdlePasses &&
          ++cur.passes < kMaxPasses) {
        // Entries appeared behind our read position (or were hoisted into
        // the top directory): go over the directory again.
        BERTH_RETURN_IF_ERROR(cur.reader.Rewind());
        continue;
      }
      return PathErrnoStatus(cur.name, err);
    }
    std::string child(e.name);
    bool missing = false;
    bool is_dir = IsDirectory(cur_fd, e, &missing);
    if (missing) continue;
    if (!is_dir) {
      if (::unlinkat(cur_fd, child.c_str(), 0) != 0 && errno != ENOENT) {
        int err = errno;
        if (err == EISDIR) continue;  // replaced by a directory: next pass
        return PathErrnoStatus(child, err);
      }
      cur.progressed = true;
      continue;
    }
    if (stack.size() >= kMaxRemoveDepth) {
      // Too deep to hold another fd: hoist the subtree into the top
      // directory under a fresh name; a later pass over the top removes it.
      std::string hoisted = ".berth-rm-" + RandomHex(8);
      if (::renameat2(cur_fd, child.c_str(), stack.front().reader.fd(), hoisted.c_str(),
                      RENAME_NOREPLACE) != 0 &&
          errno != ENOENT) {
        return PathErrnoStatus(child, errno);
      }
      cur.progressed = true;
      continue;
    }
    auto fd = OpenDirNoFollow(cur_fd, child);
    if (!fd.ok()) {
      // Vanished, or swapped for a non-directory (ELOOP/ENOTDIR): a later
      // pass sees what is there now.
      if (fd.status().code() == Code::kNotFound || fd.status().reason() == "path_escapes_folder" ||
          fd.status().reason() == "not_a_directory") {
        continue;
      }
      return fd.status();
    }
    stack.push_back(Level{DirReader(std::move(*fd), 8 * 1024), std::move(child)});
  }
  return Status::Ok();
}

}  // namespace berth::storage

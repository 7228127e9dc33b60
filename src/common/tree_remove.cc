#include "common/tree_remove.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "common/dir_reader.h"
#include "common/random.h"
#include "common/unique_fd.h"

namespace berth {
namespace {

// A directory that still is not empty after this many passes in which
// nothing could be removed is given up on (something keeps refilling it).
constexpr int kMaxIdlePasses = 8;
// Hard cap on passes over one directory, progress or not, so that a writer
// racing us forever cannot pin this call forever.
constexpr int kMaxPasses = 100000;
constexpr size_t kTopBufferBytes = 32 * 1024;
constexpr size_t kLevelBufferBytes = 8 * 1024;

struct Level {
  Level(DirReader r, std::string n) : reader(std::move(r)), name(std::move(n)) {}

  DirReader reader;
  std::string name;  // name of this directory inside the level above
  int passes = 0;
  int idle_passes = 0;
  bool progressed = false;           // removed or hoisted something in this pass
  std::vector<std::string> skipped;  // entries that failed: not retried

  bool IsSkipped(std::string_view n) const {
    return std::find(skipped.begin(), skipped.end(), n) != skipped.end();
  }
};

// One directory name, opened relative to its parent without following a
// symlink or crossing into another mount.
int OpenDir(int parent_fd, const std::string& name) {
  open_how how{};
  how.flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  return static_cast<int>(::syscall(SYS_openat2, parent_fd, name.c_str(), &how, sizeof(how)));
}

// Names come from a user's tree: keep what we show printable ASCII.
std::string Sanitize(std::string_view name) {
  std::string out(name.substr(0, 255));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return out;
}

// The first failure and how many followed it.
class ErrorLog {
 public:
  ErrorLog(RemoveErrorFn fn, size_t max) : fn_(fn), max_(max) {}

  void Add(std::string_view name, int err) {
    if (count_++ == 0) first_ = fn_(Sanitize(name), err);
  }
  bool full() const { return count_ >= max_; }
  bool empty() const { return count_ == 0; }

  Status ToStatus() const {
    if (count_ == 0) return Status::Ok();
    std::string msg = first_.message();
    std::string more = count_ > 1 ? " (and " + std::to_string(count_ - 1) + " more errors" +
                                        (full() ? ", gave up" : "") + ")"
                                  : "";
    if (msg.size() + more.size() > kMaxRemoveErrorBytes)
      msg.resize(kMaxRemoveErrorBytes - more.size());
    return Status(first_.code(), msg + more, first_.reason());
  }

 private:
  RemoveErrorFn fn_;
  size_t max_;
  size_t count_ = 0;
  Status first_;
};

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

Status RemoveTreeAt(int parent_fd, std::string_view name_view, const RemoveTreeLimits& limits,
                    RemoveErrorFn err_fn) {
  const std::string name(name_view);
  ErrorLog errors(err_fn, std::max<size_t>(limits.max_errors, 1));
  struct stat st;
  if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    errors.Add(name, errno);
    return errors.ToStatus();
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(parent_fd, name.c_str(), 0) != 0) errors.Add(name, errno);
    return errors.ToStatus();
  }

  const size_t max_open = std::max<size_t>(limits.max_open_dirs, 2);
  std::vector<Level> stack;
  {
    UniqueFd top(OpenDir(parent_fd, name));
    if (!top) {
      errors.Add(name, errno);
      return errors.ToStatus();
    }
    stack.push_back(Level{DirReader(std::move(top), kTopBufferBytes), name});
  }
  // Gives up on the directory at the top of the stack: its parent skips it.
  auto abandon = [&stack] {
    std::string gone = std::move(stack.back().name);
    stack.pop_back();
    if (!stack.empty()) stack.back().skipped.push_back(std::move(gone));
  };

  while (!stack.empty() && !errors.full()) {
    Level& cur = stack.back();
    const int cur_fd = cur.reader.fd();
    DirEntry e;
    Result<bool> more = cur.reader.Next(&e);
    if (!more.ok()) {
      errors.Add(cur.name, EIO);
      abandon();
      continue;
    }
    if (!*more) {
      const int up_fd = stack.size() >= 2 ? stack[stack.size() - 2].reader.fd() : parent_fd;
      if (::unlinkat(up_fd, cur.name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) {
        stack.pop_back();
        if (!stack.empty()) stack.back().progressed = true;
        continue;
      }
      const int err = errno;
      cur.idle_passes = cur.progressed ? 0 : cur.idle_passes + 1;
      cur.progressed = false;
      // With skipped entries the directory can never become empty: one more
      // pass only if this one still removed something (entries may have
      // appeared behind our read position, or been hoisted into the top).
      const int max_idle = cur.skipped.empty() ? kMaxIdlePasses : 1;
      if ((err == ENOTEMPTY || err == EEXIST) && cur.idle_passes < max_idle &&
          ++cur.passes < kMaxPasses) {
        if (!cur.reader.Rewind().ok()) {
          errors.Add(cur.name, EIO);
          abandon();
        }
        continue;
      }
      if (cur.skipped.empty()) errors.Add(cur.name, err);  // else already counted
      abandon();
      continue;
    }
    std::string child(e.name);
    if (cur.IsSkipped(child)) continue;
    bool missing = false;
    const bool is_dir = IsDirectory(cur_fd, e, &missing);
    if (missing) continue;
    if (!is_dir) {
      if (::unlinkat(cur_fd, child.c_str(), 0) == 0 || errno == ENOENT) {
        cur.progressed = true;
      } else if (errno != EISDIR) {  // EISDIR: replaced by a directory, next pass
        errors.Add(child, errno);
        cur.skipped.push_back(std::move(child));
      }
      continue;
    }
    int fd = -1;
    int open_err = 0;
    if (stack.size() < max_open) {
      fd = OpenDir(cur_fd, child);
      open_err = fd < 0 ? errno : 0;
    }
    if (fd < 0 && (stack.size() >= max_open || open_err == EMFILE || open_err == ENFILE) &&
        stack.size() >= 2) {
      // Too deep to hold another fd: hoist the subtree into the top
      // directory under a fresh name; a later pass over the top removes it.
      const std::string hoisted = ".berth-rm-" + RandomHex(8);
      if (::renameat2(cur_fd, child.c_str(), stack.front().reader.fd(), hoisted.c_str(),
                      RENAME_NOREPLACE) == 0 ||
          errno == ENOENT) {
        cur.progressed = true;
      } else {
        errors.Add(child, errno);
        cur.skipped.push_back(std::move(child));
      }
      continue;
    }
    if (fd < 0) {
      // Vanished, or swapped for a non-directory (ELOOP/ENOTDIR): a later
      // pass sees what is there now. Anything else (a mount point: EXDEV)
      // is a failure for this entry.
      if (open_err == ENOENT || open_err == ENOTDIR || open_err == ELOOP) continue;
      errors.Add(child, open_err);
      cur.skipped.push_back(std::move(child));
      continue;
    }
    stack.push_back(Level{DirReader(UniqueFd(fd), kLevelBufferBytes), std::move(child)});
  }
  return errors.ToStatus();
}

Status RemoveTreeContentsAt(int dir_fd, const RemoveTreeLimits& limits, RemoveErrorFn err_fn) {
  int dup = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dup < 0) return err_fn(".", errno);
  DirReader reader{UniqueFd(dup), kTopBufferBytes};
  Status first;
  size_t failed = 0;
  DirEntry e;
  std::string name;
  for (;;) {
    Result<bool> more = reader.Next(&e);
    if (!more.ok()) return err_fn(".", EIO);
    if (!*more) break;
    name.assign(e.name);
    Status s = RemoveTreeAt(dir_fd, name, limits, err_fn);
    if (s.ok()) continue;
    if (++failed == 1) first = s;
    if (failed >= limits.max_errors) break;
  }
  if (failed <= 1) return first;
  std::string msg = first.message().substr(0, kMaxRemoveErrorBytes - 64) + " (and " +
                    std::to_string(failed - 1) + " more entries that failed)";
  return Status(first.code(), msg, first.reason());
}

}  // namespace berth

#include "common/fs_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "common/random.h"
#include "common/tree_remove.h"
#include "common/unique_fd.h"

namespace berth {
namespace {

// /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo.
std::string UnescapeMountPath(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool IsUnder(const std::string& p, const std::string& root) {
  if (root == "/") return true;
  return p == root ||
         (p.size() > root.size() && p.compare(0, root.size(), root) == 0 && p[root.size()] == '/');
}

}  // namespace

Status MakeMountPoint(const std::string& path, bool directory, mode_t mode) {
  if (directory) {
    if (::mkdir(path.c_str(), mode) != 0) return ErrnoStatus("mkdir " + path, errno);
    return Status::Ok();
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & ~mode_t{0111});
  if (fd < 0) return ErrnoStatus("create " + path, errno);
  ::close(fd);
  return Status::Ok();
}

Status MkdirAll(const std::string& path, mode_t mode) {
  std::string clean = CleanPath(path);
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = clean.find('/', pos + 1);
    std::string part = clean.substr(0, pos);
    if (part.empty()) continue;
    if (::mkdir(part.c_str(), mode) != 0 && errno != EEXIST)
      return ErrnoStatus("mkdir " + part, errno);
  }
  struct stat st;
  if (::stat(clean.c_str(), &st) != 0) return ErrnoStatus("stat " + clean, errno);
  if (!S_ISDIR(st.st_mode)) return FailedPrecondition(clean + " exists and is not a directory");
  return Status::Ok();
}

Status ReadFileChunks(const std::string& path,
                      const std::function<void(std::string_view piece)>& sink) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return ErrnoStatus("open " + path, errno);
  }
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read " + path, errno);
    }
    if (n == 0) return Status::Ok();
    sink(std::string_view(buf, static_cast<size_t>(n)));
  }
}

Result<std::string> ReadFile(const std::string& path) {
  std::string out;
  BERTH_RETURN_IF_ERROR(ReadFileChunks(path, [&](std::string_view piece) { out += piece; }));
  return out;
}

Status WriteFileAtomic(const std::string& path, const std::string& data, mode_t mode,
                       bool durable) {
  std::string tmp = path + ".tmp-" + RandomHex(6);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd) return ErrnoStatus("create " + tmp, errno);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::unlink(tmp.c_str());
      return ErrnoStatus("write " + tmp, e);
    }
    off += static_cast<size_t>(n);
  }
  if (::fchmod(fd.get(), mode) != 0 || (durable && ::fsync(fd.get()) != 0)) {
    int e = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("fsync " + tmp, e);
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("rename " + tmp, e);
  }
  return Status::Ok();
}

std::vector<std::string> MountPointsUnder(const std::string& path) {
  std::string root = CleanPath(path);
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, fsroot, mnt;
    if (!(fields >> id >> parent >> devno >> fsroot >> mnt)) continue;
    mnt = UnescapeMountPath(mnt);
    if (IsUnder(mnt, root)) out.push_back(mnt);
  }
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status RemoveTree(const std::string& path) {
  std::string clean = CleanPath(path);
  if (clean == "/") return InvalidArgument("refusing to remove /");
  struct stat st;
  if (::lstat(clean.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus("lstat " + clean, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(clean.c_str()) != 0 && errno != ENOENT)
      return ErrnoStatus("unlink " + clean, errno);
    return Status::Ok();
  }
  auto mounts = MountPointsUnder(clean);
  if (!mounts.empty()) {
    return FailedPrecondition(
        "refusing to remove " + clean + ": " + mounts.front() + " is a mount point",
        "mount_point_in_tree");
  }
  // Removal works on names relative to the open parent, never on paths, so
  // the depth of the tree is not limited by PATH_MAX or our descriptors.
  const size_t slash = clean.rfind('/');
  const std::string parent = slash == std::string::npos ? "."
                             : slash == 0               ? "/"
                                                        : clean.substr(0, slash);
  UniqueFd parent_fd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!parent_fd) return ErrnoStatus("open " + parent, errno);
  Status s = RemoveTreeAt(parent_fd.get(), slash == std::string::npos ? clean : clean.substr(slash + 1));
  if (s.ok() || s.code() == Code::kNotFound) return Status::Ok();
  return Status(s.code(), "remove " + clean + ": " + s.message(), s.reason());
}

std::string CleanPath(const std::string& path) {
  bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (!part.empty() && part != ".") parts.push_back(part);
    i = j + 1;
  }
  std::string out = absolute ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += "/";
    out += parts[k];
  }
  if (out.empty()) out = ".";
  return out;
}

}  // namespace berth

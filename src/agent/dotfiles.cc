#include "agent/dotfiles.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/mount_plan.h"
#include "common/fs_util.h"
#include "common/unique_fd.h"

namespace berth::agent {
namespace {

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool ClashesWithMount(const std::string& container_path, const std::vector<std::string>& targets) {
  for (const auto& t : targets) {
    if (IsWithin(container_path, t) || IsWithin(t, container_path)) return true;
  }
  return false;
}

// Opens (making it when missing) the directory `name` beneath `parent`,
// never following a symlink. Empty fd with errno set on failure.
UniqueFd OpenOrMakeDir(int parent, const std::string& name, mode_t mode, uid_t uid, gid_t gid) {
  if (::mkdirat(parent, name.c_str(), mode) == 0) {
    UniqueFd d(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (d && (::fchown(d.get(), uid, gid) != 0 || ::fchmod(d.get(), mode) != 0)) return UniqueFd();
    return d;
  }
  if (errno != EEXIST) return UniqueFd();
  return UniqueFd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

// Writes one file beneath `home_fd`; a Status that is not ok means "skip
// this dotfile" with that reason.
Status WriteOne(int home_fd, const Dotfile& f, uid_t uid, gid_t gid) {
  std::vector<std::string> parts = Components(f.path);
  for (const auto& p : parts) {
    if (p.empty() || p == "." || p == "..") return InvalidArgument("not a clean relative path");
  }
  UniqueFd dir(::fcntl(home_fd, F_DUPFD_CLOEXEC, 0));
  if (!dir) return ErrnoStatus("dup home", errno);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    mode_t mode = (i == 0 && parts[0] == ".ssh") ? 0700 : 0755;
    UniqueFd next = OpenOrMakeDir(dir.get(), parts[i], mode, uid, gid);
    if (!next) return ErrnoStatus("directory " + parts[i] + " (a symlink or not a directory?)", errno);
    dir = std::move(next);
  }
  const std::string& name = parts.back();
  const std::string tmp = "." + name + ".berth-dotfile";
  (void)::unlinkat(dir.get(), tmp.c_str(), 0);
  UniqueFd out(::openat(dir.get(), tmp.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) return ErrnoStatus("create " + f.path, errno);
  auto fail = [&](Status s) {
    (void)::unlinkat(dir.get(), tmp.c_str(), 0);
    return s;
  };
  for (size_t off = 0; off < f.content.size();) {
    ssize_t w = ::write(out.get(), f.content.data() + off, f.content.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail(ErrnoStatus("write " + f.path, errno));
    }
    off += static_cast<size_t>(w);
  }
  if (::fchown(out.get(), uid, gid) != 0) return fail(ErrnoStatus("chown " + f.path, errno));
  if (::fchmod(out.get(), f.mode & 07777 & ~mode_t{07000}) != 0)
    return fail(ErrnoStatus("chmod " + f.path, errno));
  // rename(2) replaces a skeleton file or symlink itself (never its target)
  // and refuses a directory.
  if (::renameat(dir.get(), tmp.c_str(), dir.get(), name.c_str()) != 0)
    return fail(ErrnoStatus("replace " + f.path, errno));
  return Status::Ok();
}

}  // namespace

Result<DotfileReport> WriteDotfiles(const std::string& home, const std::vector<Dotfile>& dotfiles,
                                    const std::vector<std::string>& mount_targets, uid_t uid,
                                    gid_t gid) {
  DotfileReport report;
  if (dotfiles.empty()) return report;
  UniqueFd home_fd(::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!home_fd) return ErrnoStatus("open " + home, errno);
  for (const auto& f : dotfiles) {
    const std::string container_path = std::string(kHome) + "/" + f.path;
    if (ClashesWithMount(container_path, mount_targets)) {
      report.skipped.push_back(f.path + ": under a mount target");
      continue;
    }
    Status s = WriteOne(home_fd.get(), f, uid, gid);
    if (s.ok()) {
      report.written.push_back(f.path);
    } else {
      report.skipped.push_back(f.path + ": " + s.message());
    }
  }
  return report;
}

}  // namespace berth::agent

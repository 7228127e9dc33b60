// FolderFs: the namespace operations (list, stat, mkdir, move, remove) and
// opening files for download. Uploads live in folder_upload.cc, archives in
// folder_archive.cc, usage in folder_usage.cc.
//
// Pattern for every operation: SplitPath rejects malformed API paths, the
// PathGuard resolves the parent directory with openat2(RESOLVE_BENEATH...),
// and the last component is handled with an *at() call on that parent fd
// with AT_SYMLINK_NOFOLLOW semantics, so a symlink planted by a session is
// reported, renamed or removed as a link and never followed out.
#include "storage/folder_fs.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <limits>

#include "storage/dir_reader.h"
#include "storage/folder_internal.h"
#include "storage/fs_errors.h"
#include "storage/tree_remove.h"

namespace berth::storage {
namespace {

Status StatAt(int dir_fd, const std::string& name, const std::string& api_path, struct stat* st) {
  if (::fstatat(dir_fd, name.c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) {
    return PathErrnoStatus(api_path, errno);
  }
  return Status::Ok();
}

std::string MakeEtag(const struct stat& st) {
  char buf[96];
  int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  std::snprintf(buf, sizeof(buf), "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "-%" PRIx64 "\"",
                static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(mtime_ns));
  return buf;
}

}  // namespace

Result<FolderFs> FolderFs::Open(const std::string& root) {
  BERTH_ASSIGN_OR_RETURN(PathGuard guard, PathGuard::Open(root));
  return FolderFs(std::move(guard));
}

// `limit` 0 means no limit. Only the names of the whole directory are read
// (getdents64, no stat); the page is picked with a bounded max-heap of the
// limit+1 smallest names (most entries cost one comparison and no copy),
// and only the page's entries are stat'ed. So the first page of a
// 100k-entry directory costs little more than the kernel's readdir.
Result<api::FileList> FolderFs::List(std::string_view dir, size_t limit,
                                     std::string_view after) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(dir));
  std::string api_path = JoinComponents(components);
  BERTH_ASSIGN_OR_RETURN(UniqueFd fd, guard_.OpenBeneath(components, O_RDONLY | O_DIRECTORY, 0,
                                                         /*follow_last=*/true));
  DirReader reader(std::move(fd), 64 * 1024);
  const bool bounded = limit != 0 && limit < std::numeric_limits<size_t>::max();
  const size_t keep = bounded ? limit + 1 : 0;  // one extra tells us "more"
  std::vector<std::string> names;               // a max-heap while bounded
  if (bounded) names.reserve(std::min<size_t>(keep, 4096));
  DirEntry e;
  for (;;) {
    BERTH_ASSIGN_OR_RETURN(bool more, reader.Next(&e));
    if (!more) break;
    if (!after.empty() && e.name <= after) continue;
    if (IsUploadTempName(e.name)) continue;
    if (!bounded) {
      names.emplace_back(e.name);
    } else if (names.size() < keep) {
      names.emplace_back(e.name);
      std::push_heap(names.begin(), names.end());
    } else if (e.name < std::string_view(names.front())) {
      std::pop_heap(names.begin(), names.end());
      names.back().assign(e.name);
      std::push_heap(names.begin(), names.end());
    }
  }
  std::sort(names.begin(), names.end());
  api::FileList list;
  list.path = api_path;
  if (bounded && names.size() == keep) {
    names.pop_back();
    list.next = names.back();
  }
  list.entries.reserve(names.size());
  for (auto& name : names) {
    struct stat st;
    if (::fstatat(reader.fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed since we read the directory
      return PathErrnoStatus(api_path.empty() ? name : api_path + "/" + name, errno);
    }
    list.entries.push_back(EntryFromStat(std::move(name), st));
  }
  return list;
}

Result<api::FileEntry> FolderFs::Stat(std::string_view path) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(path));
  struct stat st;
  if (components.empty()) {
    if (::fstat(guard_.root_fd(), &st) != 0) return ErrnoStatus("fstat folder root", errno);
    return EntryFromStat("", st);
  }
  BERTH_ASSIGN_OR_RETURN(UniqueFd parent, guard_.OpenParent(components));
  BERTH_RETURN_IF_ERROR(StatAt(parent.get(), components.back(), JoinComponents(components), &st));
  return EntryFromStat(components.back(), st);
}

Result<api::FileEntry> FolderFs::Mkdir(std::string_view path, bool parents) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(path));
  if (components.empty()) {
    if (!parents) return AlreadyExists("the folder root already exists");
    return Stat("");
  }
  BERTH_RETURN_IF_ERROR(CheckCreatableName(components.back()));
  // With `parents`, create each missing prefix in turn. Every prefix is
  // resolved from the root through the guard, so a component that is (or is
  // swapped for) a symlink leading out of the folder stops the walk.
  size_t first = parents ? 1 : components.size();
  for (size_t n = first; n <= components.size(); ++n) {
    std::vector<std::string> prefix(components.begin(), components.begin() + n);
    std::string api_path = JoinComponents(prefix);
    BERTH_ASSIGN_OR_RETURN(UniqueFd parent, guard_.OpenParent(prefix));
    const std::string& name = prefix.back();
    if (::mkdirat(parent.get(), name.c_str(), 0755) != 0) {
      int err = errno;
      if (err != EEXIST) return PathErrnoStatus(api_path, err);
      bool last = n == components.size();
      if (last && !parents) return AlreadyExists("'" + api_path + "' already exists");
      struct stat st;
      BERTH_RETURN_IF_ERROR(StatAt(parent.get(), name, api_path, &st));
      // An existing intermediate symlink is resolved (beneath the root) by
      // the next OpenParent; the final one must be a real directory.
      if (last && !S_ISDIR(st.st_mode)) {
        return AlreadyExists("'" + api_path + "' already exists and is not a directory");
      }
      continue;
    }
    int fd = ::openat(parent.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      UniqueFd dir(fd);
      BERTH_RETURN_IF_ERROR(ChownToFolderOwner(guard_.root_fd(), dir.get()));
    }
  }
  return Stat(JoinComponents(components));
}

Result<OpenedFile> FolderFs::OpenForRead(std::string_view path) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(path));
  std::string api_path = JoinComponents(components);
  if (components.empty()) {
    return FailedPrecondition("the folder root is a directory", "is_a_directory");
  }
  // Look before opening for real: an O_PATH open never runs a device's or a
  // FIFO's open(), and with O_NOFOLLOW it yields the symlink itself.
  struct stat st;
  {
    BERTH_ASSIGN_OR_RETURN(UniqueFd probe, guard_.OpenBeneath(components, O_PATH));
    if (::fstat(probe.get(), &st) != 0) return ErrnoStatus("fstat", errno);
  }
  if (S_ISDIR(st.st_mode)) {
    return FailedPrecondition("'" + api_path + "' is a directory", "is_a_directory");
  }
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgument("'" + api_path + "' is not a regular file", "not_a_regular_file");
  }
  // O_NONBLOCK: should the path be swapped for a FIFO between the probe and
  // this open, the open returns at once instead of blocking; the fstat
  // below then refuses it.
  auto opened = guard_.OpenBeneath(components, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (!opened.ok()) {
    if (opened.status().reason() == "is_a_symlink") {
      return InvalidArgument("'" + api_path + "' is not a regular file", "not_a_regular_file");
    }
    return opened.status();
  }
  struct stat now;
  if (::fstat(opened->get(), &now) != 0) return ErrnoStatus("fstat", errno);
  if (!S_ISREG(now.st_mode)) {
    return InvalidArgument("'" + api_path + "' is not a regular file", "not_a_regular_file");
  }
  OpenedFile file;
  file.fd = std::move(*opened);
  file.size = static_cast<uint64_t>(now.st_size);
  file.mtime = static_cast<int64_t>(now.st_mtim.tv_sec);
  file.name = components.back();
  file.etag = MakeEtag(now);
  return file;
}

Result<api::FileEntry> FolderFs::Move(std::string_view src, std::string_view dst) const {
  BERTH_ASSIGN_OR_RETURN(auto from, SplitPath(src));
  BERTH_ASSIGN_OR_RETURN(auto to, SplitPath(dst));
  if (from.empty()) return InvalidArgument("the folder root cannot be moved", "invalid_path");
  if (to.empty()) return AlreadyExists("the folder root already exists");
  std::string from_path = JoinComponents(from);
  std::string to_path = JoinComponents(to);
  if (to.size() > from.size() && std::equal(from.begin(), from.end(), to.begin())) {
    return InvalidArgument("cannot move '" + from_path + "' into itself", "invalid_path");
  }
  BERTH_RETURN_IF_ERROR(CheckCreatableName(to.back()));
  BERTH_ASSIGN_OR_RETURN(UniqueFd from_parent, guard_.OpenParent(from));
  BERTH_ASSIGN_OR_RETURN(UniqueFd to_parent, guard_.OpenParent(to));
  // RENAME_NOREPLACE: never replace dst, atomically. The source is renamed
  // as what it is (a symlink moves as a link).
  if (::renameat2(from_parent.get(), from.back().c_str(), to_parent.get(), to.back().c_str(),
                  RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EINVAL) {
      // The kernel's own check, which also catches "into itself" through an
      // in-folder symlink that the lexical check above cannot see.
      return InvalidArgument("cannot move '" + from_path + "' into itself", "invalid_path");
    }
    if (err == ENOENT) {
      struct stat st;
      if (::fstatat(from_parent.get(), from.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return PathErrnoStatus(from_path, ENOENT);
      }
    }
    if (err == EXDEV) {
      return InvalidArgument("cannot move '" + from_path + "' across file systems",
                             "path_escapes_folder");
    }
    return PathErrnoStatus(err == EEXIST ? to_path : from_path, err);
  }
  struct stat st;
  BERTH_RETURN_IF_ERROR(StatAt(to_parent.get(), to.back(), to_path, &st));
  return EntryFromStat(to.back(), st);
}

Status FolderFs::Remove(std::string_view path, bool recursive) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(path));
  if (components.empty()) {
    return InvalidArgument("the folder root cannot be removed", "invalid_path");
  }
  std::string api_path = JoinComponents(components);
  BERTH_ASSIGN_OR_RETURN(UniqueFd parent, guard_.OpenParent(components));
  const std::string& name = components.back();
  struct stat st;
  BERTH_RETURN_IF_ERROR(StatAt(parent.get(), name, api_path, &st));
  if (!S_ISDIR(st.st_mode)) {
    // unlinkat removes a symlink itself, never its target.
    if (::unlinkat(parent.get(), name.c_str(), 0) != 0) return PathErrnoStatus(api_path, errno);
    return Status::Ok();
  }
  if (::unlinkat(parent.get(), name.c_str(), AT_REMOVEDIR) == 0) return Status::Ok();
  int err = errno;
  if (err != ENOTEMPTY && err != EEXIST) return PathErrnoStatus(api_path, err);
  if (!recursive) {
    return FailedPrecondition("directory '" + api_path + "' is not empty", "directory_not_empty");
  }
  return RemoveTree(parent.get(), name);
}

}  // namespace berth::storage

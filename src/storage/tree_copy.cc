#include "storage/tree_copy.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "storage/dir_reader.h"
#include "storage/fs_errors.h"

namespace berth::storage {
namespace {

constexpr size_t kMaxCopyDepth = 256;
// copy_file_range per call: progress is reported between chunks.
constexpr size_t kCopyChunk = 64 << 20;

// The running totals and who hears of them (and may stop the copy).
struct Progress {
  CopyProgress done;
  const CopyProgressFn& report;
  bool stopped = false;
  void Add(uint64_t bytes, uint64_t files) {
    done.bytes += bytes;
    done.files += files;
    if (report && !report(done)) stopped = true;
  }
};

Status Stopped() { return Unavailable("the copy was stopped", "copy_stopped"); }

void KeepMeta(int fd, const struct stat& st) {
  (void)::fchmod(fd, st.st_mode & 07777);
  if (::geteuid() == 0) (void)::fchown(fd, st.st_uid, st.st_gid);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  (void)::futimens(fd, times);
}

Status CopyFile(int src_dir, const std::string& name, int dst_dir, const std::string& dst_name,
                const struct stat& st, Progress& progress) {
  UniqueFd in(::openat(src_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return PathErrnoStatus(name, errno);
  UniqueFd out(::openat(dst_dir, dst_name.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!out) return PathErrnoStatus(name, errno);
  uint64_t reported = 0;  // of this file
  if (::ioctl(out.get(), FICLONE, in.get()) != 0) {
    off_t left = st.st_size;
    while (left > 0) {
      ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr,
                                    std::min(static_cast<size_t>(left), kCopyChunk), 0);
      if (n < 0) return PathErrnoStatus(name, errno);
      if (n == 0) break;  // the file shrank meanwhile
      left -= n;
      if (left > 0) {
        progress.Add(static_cast<uint64_t>(n), 0);
        reported += static_cast<uint64_t>(n);
        if (progress.stopped) return Stopped();
      }
    }
  }
  KeepMeta(out.get(), st);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  progress.Add(size > reported ? size - reported : 0, 1);
  return Status::Ok();
}

// Copies `name` in src_dir as `dst_name` in dst_dir; a directory is made
// and pushed on the stacks for its entries to follow.
Status CopyEntry(int src_dir, const std::string& name, int dst_dir, const std::string& dst_name,
                 const struct stat& st, std::vector<DirReader>& src, std::vector<UniqueFd>& dst,
                 Progress& progress) {
  if (S_ISREG(st.st_mode)) return CopyFile(src_dir, name, dst_dir, dst_name, st, progress);
  if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = ::readlinkat(src_dir, name.c_str(), target.data(), target.size());
    if (n < 0) return PathErrnoStatus(name, errno);
    target.resize(static_cast<size_t>(n));
    if (::symlinkat(target.c_str(), dst_dir, dst_name.c_str()) != 0) {
      return PathErrnoStatus(name, errno);
    }
    if (::geteuid() == 0) {
      (void)::fchownat(dst_dir, dst_name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    }
    return Status::Ok();
  }
  if (!S_ISDIR(st.st_mode) || src.size() >= kMaxCopyDepth) return Status::Ok();
  UniqueFd in(::openat(src_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return errno == ENOENT ? Status::Ok() : PathErrnoStatus(name, errno);
  if (::mkdirat(dst_dir, dst_name.c_str(), 0700) != 0) return PathErrnoStatus(name, errno);
  UniqueFd out(::openat(dst_dir, dst_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!out) return PathErrnoStatus(name, errno);
  KeepMeta(out.get(), st);
  src.emplace_back(std::move(in), 16 * 1024);
  dst.push_back(std::move(out));
  return Status::Ok();
}

// Copies what is on the stacks until they are empty.
Status CopyStacked(std::vector<DirReader>& src, std::vector<UniqueFd>& dst, Progress& progress) {
  DirEntry e;
  while (!src.empty()) {
    if (progress.stopped) return Stopped();
    BERTH_ASSIGN_OR_RETURN(bool more, src.back().Next(&e));
    if (!more) {
      src.pop_back();
      dst.pop_back();
      continue;
    }
    std::string name(e.name);
    if (IsUploadTempName(name)) continue;  // an upload in flight is not content yet
    struct stat st;
    if (::fstatat(src.back().fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return PathErrnoStatus(name, errno);
    }
    BERTH_RETURN_IF_ERROR(
        CopyEntry(src.back().fd(), name, dst.back().get(), name, st, src, dst, progress));
  }
  return Status::Ok();
}

}  // namespace

Status CopyEntryTree(int src_dir, const std::string& name, int dst_dir,
                     const std::string& dst_name) {
  struct stat st;
  if (::fstatat(src_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return PathErrnoStatus(name, errno);
  }
  if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
    return InvalidArgument("'" + name + "' is not a file, directory or symlink",
                           "not_a_regular_file");
  }
  const CopyProgressFn no_report;
  Progress progress{{}, no_report};
  std::vector<DirReader> src;
  std::vector<UniqueFd> dst;
  BERTH_RETURN_IF_ERROR(CopyEntry(src_dir, name, dst_dir, dst_name, st, src, dst, progress));
  return CopyStacked(src, dst, progress);
}

Status CopyTree(int src_dir, int dst_dir, const CopyProgressFn& report) {
  Progress progress{{}, report};
  std::vector<DirReader> src;
  std::vector<UniqueFd> dst;
  UniqueFd root_in(::openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  UniqueFd root_out(::openat(dst_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_in || !root_out) return ErrnoStatus("open copy roots", errno);
  src.emplace_back(std::move(root_in), 64 * 1024);
  dst.push_back(std::move(root_out));
  return CopyStacked(src, dst, progress);
}

}  // namespace berth::storage

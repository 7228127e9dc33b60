// Directory download as a zip or tar stream, built on demand.
//
// ArchiveStreamImpl is a pull-driven state machine: each Read() advances the
// walk (a stack of open directories plus at most one open file) by small,
// bounded steps until it has `cap` bytes, so memory stays at about
// cap + one chunk whatever the size of the tree. libarchive writes through a
// callback that appends to `out_`; bytes_per_block 0 makes it hand over
// bytes at once instead of filling 10 KiB blocks.
//
// Layout: entries are named relative to the downloaded directory and
// prefixed by its own name ("photos/2024/a.jpg" when downloading "photos");
// downloading the folder root gives entries with no prefix. Zip entries are
// stored uncompressed ("zip:compression=store"): typical payloads (images,
// checkpoints, archives) do not compress, and deflate would cut throughput
// by an order of magnitude. Tar uses pax (restricted) so long names work.
//
// Safety: every directory is opened with openat(O_DIRECTORY|O_NOFOLLOW)
// relative to its parent fd, every file with O_NOFOLLOW|O_NONBLOCK and
// checked with fstat, so symlinks are stored as links (never followed) and
// FIFOs, sockets and devices are skipped without being read.
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "storage/dir_reader.h"
#include "storage/folder_fs.h"
#include "storage/folder_internal.h"
#include "storage/fs_errors.h"

namespace berth::storage {
namespace {

constexpr size_t kChunk = 64 * 1024;
// One fd per level; a deeper tree fails the download rather than exhaust
// descriptors.
constexpr size_t kMaxArchiveDepth = 256;

class ArchiveStreamImpl : public ArchiveStream {
 public:
  ~ArchiveStreamImpl() override {
    if (a_) archive_write_free(a_);
  }

  Status Init(UniqueFd dir, std::string prefix, ArchiveFormat format) {
    a_ = archive_write_new();
    if (!a_) return Internal("archive_write_new failed");
    int rc = format == ArchiveFormat::kZip ? archive_write_set_format_zip(a_)
                                           : archive_write_set_format_pax_restricted(a_);
    if (rc != ARCHIVE_OK) return ArchiveError("set format");
    if (format == ArchiveFormat::kZip &&
        archive_write_set_options(a_, "zip:compression=store") < ARCHIVE_WARN) {
      return ArchiveError("set zip options");
    }
    if (archive_write_set_bytes_per_block(a_, 0) != ARCHIVE_OK) return ArchiveError("set block");
    if (archive_write_open(a_, this, nullptr, &ArchiveStreamImpl::WriteCallback, nullptr) !=
        ARCHIVE_OK) {
      return ArchiveError("open");
    }
    if (!prefix.empty()) {
      struct stat st;
      if (::fstat(dir.get(), &st) != 0) return ErrnoStatus("fstat", errno);
      prefix += '/';
      BERTH_RETURN_IF_ERROR(WriteHeader(prefix, st, nullptr));
      BERTH_RETURN_IF_ERROR(FinishEntry());
    }
    stack_.push_back(Level{DirReader(std::move(dir)), std::move(prefix)});
    return Status::Ok();
  }

  Result<size_t> Read(char* buf, size_t cap) override {
    if (!error_.ok()) return error_;
    while (out_.size() - out_pos_ < cap && !done_) {
      Status s = Step();
      if (!s.ok()) {
        error_ = s;
        return s;
      }
    }
    size_t n = std::min(cap, out_.size() - out_pos_);
    std::memcpy(buf, out_.data() + out_pos_, n);
    out_pos_ += n;
    if (out_pos_ == out_.size()) {
      out_.clear();
      out_pos_ = 0;
    } else if (out_pos_ > kChunk) {
      out_.erase(0, out_pos_);
      out_pos_ = 0;
    }
    return n;
  }

 private:
  struct Level {
    DirReader reader;
    std::string prefix;  // entry-name prefix for children, "" or "a/b/"
  };

  static la_ssize_t WriteCallback(struct archive*, void* self, const void* buf, size_t n) {
    static_cast<ArchiveStreamImpl*>(self)->out_.append(static_cast<const char*>(buf), n);
    return static_cast<la_ssize_t>(n);
  }

  Status ArchiveError(const char* what) {
    const char* msg = a_ ? archive_error_string(a_) : nullptr;
    return Internal(std::string("archive ") + what + ": " + (msg ? msg : "unknown error"));
  }

  Status WriteHeader(const std::string& path, const struct stat& st, const char* link_target) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, path.c_str());
    archive_entry_set_mtime(entry, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    archive_entry_set_perm(entry, st.st_mode & 07777);
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(entry, AE_IFDIR);
      archive_entry_set_size(entry, 0);
    } else if (S_ISLNK(st.st_mode)) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, link_target);
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_size(entry, st.st_size);
    }
    int rc = archive_write_header(a_, entry);
    archive_entry_free(entry);
    if (rc < ARCHIVE_WARN) return ArchiveError("write header");
    return Status::Ok();
  }

  Status FinishEntry() {
    if (archive_write_finish_entry(a_) < ARCHIVE_WARN) return ArchiveError("finish entry");
    return Status::Ok();
  }

  // One bounded unit of work: a chunk of the current file, or one
  // directory entry, or closing a directory, or finishing the archive.
  Status Step() {
    if (file_) return CopyChunk();
    if (stack_.empty()) {
      if (archive_write_close(a_) != ARCHIVE_OK) return ArchiveError("close");
      done_ = true;
      return Status::Ok();
    }
    Level& level = stack_.back();
    DirEntry e;
    BERTH_ASSIGN_OR_RETURN(bool more, level.reader.Next(&e));
    if (!more) {
      stack_.pop_back();
      return Status::Ok();
    }
    if (IsUploadTempName(e.name)) return Status::Ok();
    int dir_fd = level.reader.fd();
    std::string name(e.name);
    std::string path = level.prefix + name;
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return Status::Ok();
      return PathErrnoStatus(path, errno);
    }
    if (S_ISDIR(st.st_mode)) return AddDirectory(dir_fd, name, path);
    if (S_ISLNK(st.st_mode)) return AddSymlink(dir_fd, name, path, st);
    if (S_ISREG(st.st_mode)) return AddFile(dir_fd, name, path);
    return Status::Ok();  // FIFO, socket, device: skipped
  }

  Status AddDirectory(int dir_fd, const std::string& name, const std::string& path) {
    if (stack_.size() >= kMaxArchiveDepth) {
      return FailedPrecondition("'" + path + "' is nested too deeply to archive", "too_deep");
    }
    int fd = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return Status::Ok();  // raced
      return PathErrnoStatus(path, errno);
    }
    UniqueFd dir(fd);
    struct stat st;
    if (::fstat(dir.get(), &st) != 0) return ErrnoStatus("fstat", errno);
    std::string prefix = path + "/";
    BERTH_RETURN_IF_ERROR(WriteHeader(prefix, st, nullptr));
    BERTH_RETURN_IF_ERROR(FinishEntry());
    stack_.push_back(Level{DirReader(std::move(dir), 16 * 1024), std::move(prefix)});
    return Status::Ok();
  }

  Status AddSymlink(int dir_fd, const std::string& name, const std::string& path,
                    const struct stat& st) {
    std::vector<char> target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 2);
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size() - 1);
    if (n < 0) {
      if (errno == ENOENT || errno == EINVAL) return Status::Ok();  // raced
      return PathErrnoStatus(path, errno);
    }
    target[static_cast<size_t>(n)] = '\0';
    BERTH_RETURN_IF_ERROR(WriteHeader(path, st, target.data()));
    return FinishEntry();
  }

  Status AddFile(int dir_fd, const std::string& name, const std::string& path) {
    int fd =
        ::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ELOOP) return Status::Ok();  // raced
      return PathErrnoStatus(path, errno);
    }
    UniqueFd file(fd);
    struct stat st;
    if (::fstat(file.get(), &st) != 0) return ErrnoStatus("fstat", errno);
    if (!S_ISREG(st.st_mode)) return Status::Ok();  // swapped for something else
    BERTH_RETURN_IF_ERROR(WriteHeader(path, st, nullptr));
    remaining_ = static_cast<uint64_t>(st.st_size);
    if (remaining_ == 0) return FinishEntry();
    file_ = std::move(file);
    file_path_ = path;
    return Status::Ok();
  }

  // The header promised st_size bytes: a file that grows is cut there, one
  // that shrinks is padded with zeros, so the archive stays well-formed.
  Status CopyChunk() {
    if (!chunk_) chunk_.reset(new char[kChunk]);
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, remaining_));
    ssize_t n;
    do {
      n = ::read(file_.get(), chunk_.get(), want);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return PathErrnoStatus(file_path_, errno);
    if (n == 0) {
      std::memset(chunk_.get(), 0, want);
      n = static_cast<ssize_t>(want);
    }
    if (archive_write_data(a_, chunk_.get(), static_cast<size_t>(n)) < 0) {
      return ArchiveError("write data");
    }
    remaining_ -= static_cast<uint64_t>(n);
    if (remaining_ == 0) {
      file_.reset();
      return FinishEntry();
    }
    return Status::Ok();
  }

  struct archive* a_ = nullptr;
  std::vector<Level> stack_;
  UniqueFd file_;
  std::string file_path_;
  uint64_t remaining_ = 0;
  std::unique_ptr<char[]> chunk_;
  std::string out_;
  size_t out_pos_ = 0;
  bool done_ = false;
  Status error_;
};

}  // namespace

Result<std::unique_ptr<ArchiveStream>> FolderFs::OpenArchive(std::string_view dir,
                                                             ArchiveFormat format) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(dir));
  BERTH_ASSIGN_OR_RETURN(UniqueFd fd, guard_.OpenBeneath(components, O_RDONLY | O_DIRECTORY, 0,
                                                         /*follow_last=*/true));
  auto stream = std::make_unique<ArchiveStreamImpl>();
  BERTH_RETURN_IF_ERROR(
      stream->Init(std::move(fd), components.empty() ? "" : components.back(), format));
  return std::unique_ptr<ArchiveStream>(std::move(stream));
}

}  // namespace berth::storage

// FolderFs: file operations on the contents of one folder (SPEC §2 "File
// operations"), all resolved through PathGuard. Paths are API paths relative
// to the folder root.
//
// Thread-safety: a FolderFs is immutable after Open; concurrent operations
// are as safe as the file system makes them (uploads are atomic renames).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/types.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "storage/path_guard.h"

namespace berth::storage {

// A regular file opened for reading (download).
struct OpenedFile {
  UniqueFd fd;
  uint64_t size = 0;
  int64_t mtime = 0;
  std::string name;  // last path component, for Content-Disposition
  std::string etag;  // strong validator derived from dev, inode, size, mtime_ns;
                     // already quoted, as sent in the ETag header: "\"1f-2a-5-...\""
};

// An upload in progress: bytes go to a temp file (".berth-upload-*") in the
// target's directory; Commit renames it onto the target. Destroying an
// uncommitted Upload removes the temp file, so an interrupted upload leaves
// nothing at the target path (SPEC §8).
class Upload {
 public:
  virtual ~Upload() = default;
  // ResourceExhausted (reason "quota_exceeded") once the byte limit passes.
  virtual Status Write(const char* data, size_t n) = 0;
  // fsyncs, then renames onto the target (RENAME_NOREPLACE unless overwrite;
  // AlreadyExists if the target appeared meanwhile).
  virtual Result<api::FileEntry> Commit() = 0;
};

// Pull-style archive stream of a directory tree (zip or tar), built
// incrementally with libarchive so memory stays bounded whatever the size.
// Symlinks are stored as symlinks (never followed); FIFOs, sockets and
// devices are skipped.
class ArchiveStream {
 public:
  virtual ~ArchiveStream() = default;
  // Fills up to `cap` bytes; returns 0 at the end of the archive.
  virtual Result<size_t> Read(char* buf, size_t cap) = 0;
};

enum class ArchiveFormat { kZip, kTar };

class FolderFs {
 public:
  static Result<FolderFs> Open(const std::string& root);

  // Entries of directory `dir` sorted by name (bytewise), at most `limit`
  // (0: no limit), starting after `after`; `next` is set when more remain.
  // A symlink to a directory inside the folder may be listed; one that
  // leads out is refused. Upload temp files (".berth-upload-*") are hidden.
  // `path` of the result is the normalised dir ("" for the root).
  Result<api::FileList> List(std::string_view dir, size_t limit, std::string_view after) const;
  Result<api::FileEntry> Stat(std::string_view path) const;
  // AlreadyExists if it exists (unless parents and it is a directory).
  Result<api::FileEntry> Mkdir(std::string_view path, bool parents) const;
  // The parent directory must exist (NotFound otherwise). Without
  // `overwrite`, AlreadyExists if the target exists. A directory at the target
  // is never replaced. `max_bytes`: refuse once the file would exceed it.
  Result<std::unique_ptr<Upload>> BeginUpload(std::string_view path, bool overwrite,
                                              std::optional<uint64_t> max_bytes) const;
  // Regular files only; a directory gives FailedPrecondition (reason
  // "is_a_directory"), anything else InvalidArgument ("not_a_regular_file").
  Result<OpenedFile> OpenForRead(std::string_view path) const;
  // Never replaces an existing dst (AlreadyExists); refuses moving a
  // directory into itself and moving the root.
  Result<api::FileEntry> Move(std::string_view src, std::string_view dst) const;
  // A non-empty directory needs `recursive` (FailedPrecondition otherwise).
  // Recursive removal never follows symlinks. The root cannot be removed.
  Status Remove(std::string_view path, bool recursive) const;
  // Entries are named "<dir's own name>/..." ("photos/a.jpg" for dir
  // "photos"); for the root they have no prefix ("a.jpg"). Zip entries are
  // stored, not deflated (speed; see folder_archive.cc).
  Result<std::unique_ptr<ArchiveStream>> OpenArchive(std::string_view dir,
                                                     ArchiveFormat format) const;
  // Copies `path` (a file, symlink or directory tree) from `snapshot` (a
  // FolderFs on a read-only snapshot of this folder) over the same path
  // here, replacing what is there in one rename (RENAME_EXCHANGE); missing
  // parent directories are made. The copy is built under an upload temp
  // name, so a failure leaves the old entry. NotFound if the snapshot has
  // no such path. `path` must not be the root (folder_restore.cc).
  Result<api::FileEntry> RestoreFrom(const FolderFs& snapshot, std::string_view path) const;
  // Bytes (apparent size) and counts of everything beneath the root.
  Result<api::Usage> ComputeUsage() const;

 private:
  explicit FolderFs(PathGuard guard) : guard_(std::move(guard)) {}
  PathGuard guard_;
};

}  // namespace berth::storage

// Uploads: bytes stream into a temp file created with O_EXCL next to the
// target (same directory, so the final rename is atomic and never crosses a
// file system); Commit fsyncs and renames it into place. Until Commit the
// target path is untouched, so an interrupted upload leaves nothing there
// (SPEC §8). The temp file is written only through its own fd, so even if a
// session renames or replaces it meanwhile, nothing outside is written.
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/random.h"
#include "storage/dir_reader.h"
#include "storage/folder_fs.h"
#include "storage/folder_internal.h"
#include "storage/fs_errors.h"

namespace berth::storage {
namespace {

class UploadImpl : public Upload {
 public:
  UploadImpl(UniqueFd parent, UniqueFd file, std::string temp_name, std::string name,
             std::string api_path, bool overwrite, std::optional<uint64_t> max_bytes)
      : parent_(std::move(parent)),
        file_(std::move(file)),
        temp_name_(std::move(temp_name)),
        name_(std::move(name)),
        api_path_(std::move(api_path)),
        overwrite_(overwrite),
        max_bytes_(max_bytes) {}

  ~UploadImpl() override {
    if (!committed_) ::unlinkat(parent_.get(), temp_name_.c_str(), 0);
  }

  Status GiveToFolderOwner(int root_fd) { return ChownToFolderOwner(root_fd, file_.get()); }

  Status Write(const char* data, size_t n) override {
    if (committed_ || !file_) return FailedPrecondition("upload already finished");
    if (max_bytes_ && (written_ > *max_bytes_ || n > *max_bytes_ - written_)) {
      return ResourceExhausted("upload of '" + api_path_ + "' exceeds the limit of " +
                                   std::to_string(*max_bytes_) + " bytes",
                               "quota_exceeded");
    }
    while (n > 0) {
      ssize_t w = ::write(file_.get(), data, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return PathErrnoStatus(api_path_, errno);
      }
      data += w;
      n -= static_cast<size_t>(w);
      written_ += static_cast<uint64_t>(w);
    }
    return Status::Ok();
  }

  Result<api::FileEntry> Commit() override {
    if (committed_ || !file_) return FailedPrecondition("upload already finished");
    if (::fsync(file_.get()) != 0) return PathErrnoStatus(api_path_, errno);
    struct stat st;
    if (::fstat(file_.get(), &st) != 0) return ErrnoStatus("fstat upload", errno);
    int rc;
    if (overwrite_) {
      // Plain rename replaces a file or a symlink at the target (the link
      // itself, not what it points to). The kernel refuses to replace a
      // directory with a file (EISDIR), so no check-then-act race here.
      rc = ::renameat(parent_.get(), temp_name_.c_str(), parent_.get(), name_.c_str());
    } else {
      rc = ::renameat2(parent_.get(), temp_name_.c_str(), parent_.get(), name_.c_str(),
                       RENAME_NOREPLACE);
    }
    if (rc != 0) {
      int err = errno;
      if (err == EEXIST) return AlreadyExists("'" + api_path_ + "' already exists");
      if (err == EISDIR || err == ENOTEMPTY) {
        return FailedPrecondition("'" + api_path_ + "' is a directory", "is_a_directory");
      }
      return PathErrnoStatus(api_path_, err);
    }
    committed_ = true;
    // Make the rename durable too; failure here does not undo the upload.
    ::fsync(parent_.get());
    file_.reset();
    return EntryFromStat(name_, st);
  }

 private:
  UniqueFd parent_;  // the target's directory, opened for reading
  UniqueFd file_;
  std::string temp_name_;
  std::string name_;
  std::string api_path_;
  bool overwrite_;
  std::optional<uint64_t> max_bytes_;
  uint64_t written_ = 0;
  bool committed_ = false;
};

}  // namespace

Result<std::unique_ptr<Upload>> FolderFs::BeginUpload(std::string_view path, bool overwrite,
                                                      std::optional<uint64_t> max_bytes) const {
  BERTH_ASSIGN_OR_RETURN(auto components, SplitPath(path));
  if (components.empty()) {
    return FailedPrecondition("cannot upload onto the folder root", "is_a_directory");
  }
  std::string api_path = JoinComponents(components);
  const std::string& name = components.back();
  BERTH_RETURN_IF_ERROR(CheckCreatableName(name));
  // The parent as a real (readable) directory fd, so it can be fsync'ed.
  std::vector<std::string> parent_components(components.begin(), components.end() - 1);
  auto parent = guard_.OpenBeneath(parent_components, O_RDONLY | O_DIRECTORY, 0,
                                   /*follow_last=*/true);
  if (!parent.ok()) {
    if (parent.status().code() == Code::kNotFound) {
      return NotFound("the parent directory of '" + api_path + "' does not exist");
    }
    return parent.status();
  }
  // Early answers for the common conflicts; Commit re-checks atomically.
  struct stat st;
  if (::fstatat(parent->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return FailedPrecondition("'" + api_path + "' is a directory", "is_a_directory");
    }
    if (!overwrite) return AlreadyExists("'" + api_path + "' already exists");
  } else if (errno != ENOENT) {
    return PathErrnoStatus(api_path, errno);
  }
  std::string temp_name;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    temp_name = std::string(kUploadTempPrefix) + RandomHex(12);
    fd = ::openat(parent->get(), temp_name.c_str(),
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EEXIST) return PathErrnoStatus(api_path, errno);
  }
  if (fd < 0) return Internal("could not create a temp file for '" + api_path + "'");
  UniqueFd file(fd);
  auto upload = std::make_unique<UploadImpl>(std::move(*parent), std::move(file), temp_name, name,
                                             api_path, overwrite, max_bytes);
  // The upload owns the temp file now: on error its destructor removes it.
  BERTH_RETURN_IF_ERROR(upload->GiveToFolderOwner(guard_.root_fd()));
  return std::unique_ptr<Upload>(std::move(upload));
}

}  // namespace berth::storage

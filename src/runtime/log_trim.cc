#include "runtime/log_trim.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "common/fs_util.h"
#include "common/unique_fd.h"

namespace berth::runtime {

Status TrimLogFile(const std::string& path, uint64_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return errno == ENOENT ? Status::Ok() : ErrnoStatus("open " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("fstat " + path, errno);
  if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) <= max_bytes) return Status::Ok();
  const uint64_t keep = max_bytes / 2;
  std::string tail(keep, '\0');
  ssize_t n = ::pread(fd.get(), tail.data(), tail.size(), st.st_size - static_cast<off_t>(keep));
  if (n < 0) return ErrnoStatus("read " + path, errno);
  tail.resize(static_cast<size_t>(n));
  if (::ftruncate(fd.get(), 0) != 0) return ErrnoStatus("truncate " + path, errno);
  if (::pwrite(fd.get(), tail.data(), tail.size(), 0) < 0) {
    return ErrnoStatus("write " + path, errno);
  }
  return Status::Ok();
}

LogTrimmer::LogTrimmer(std::string dir, std::string file_name, uint64_t max_bytes,
                       std::chrono::milliseconds interval)
    : dir_(std::move(dir)),
      file_name_(std::move(file_name)),
      max_bytes_(max_bytes),
      interval_(interval),
      thread_([this] { Run(); }) {}

LogTrimmer::~LogTrimmer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void LogTrimmer::TrimAll() {
  std::vector<std::string> paths;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") paths.push_back(dir_ + "/" + name + "/" + file_name_);
    }
    ::closedir(d);
  }
  // Best effort: a log that cannot be trimmed now is tried again next pass.
  for (const auto& p : paths) (void)TrimLogFile(p, max_bytes_);
}

void LogTrimmer::Run() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    TrimAll();
    lock.lock();
  }
}

}  // namespace berth::runtime

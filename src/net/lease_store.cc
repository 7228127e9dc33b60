#include "net/lease_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/file_lock.h"
#include "common/fs_util.h"
#include "common/unique_fd.h"

namespace berth::net {
namespace {

constexpr char kLastReserved[] = "last_reserved_ip.0";  // host-local's name for range 0

// flock(LOCK_EX) on <dir>/lock (host-local's own lock file) while held.
Result<FileLock> LockDir(const std::string& dir) {
  BERTH_RETURN_IF_ERROR(MkdirAll(dir, 0700));
  return FileLock::Acquire(dir + "/lock");
}

std::string FirstLine(const std::string& text) {
  return text.substr(0, text.find_first_of("\r\n"));
}

}  // namespace

Result<std::string> LeaseStore::Acquire(const std::string& id, const std::string& ifname) {
  std::lock_guard<std::mutex> guard(mu_);
  BERTH_ASSIGN_OR_RETURN(FileLock lock, LockDir(dir_));
  const uint32_t first = subnet_.network + 2;  // after the gateway
  const uint32_t last = subnet_.network + (uint32_t{1} << (32 - subnet_.prefix)) - 2;
  const uint32_t count = last - first + 1;
  uint32_t start = first;
  if (auto text = ReadFile(dir_ + "/" + kLastReserved); text.ok()) {
    uint32_t prev = 0;
    if (ParseIpv4(FirstLine(*text), prev) && prev >= first && prev < last) start = prev + 1;
  }
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t candidate = first + (start - first + i) % count;
    const std::string ip = FormatIpv4(candidate);
    const std::string path = dir_ + "/" + ip;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
      if (errno == EEXIST) continue;
      return ErrnoStatus("create lease " + path, errno);
    }
    const std::string content = id + "\r\n" + ifname;
    if (::write(fd.get(), content.data(), content.size()) !=
        static_cast<ssize_t>(content.size())) {
      Status s = ErrnoStatus("write lease " + path, errno);
      ::unlink(path.c_str());
      return s;
    }
    // Only the round-robin hint: a lost write means the next lease starts
    // earlier and skips the taken addresses.
    (void)WriteFileAtomic(dir_ + "/" + kLastReserved, ip, 0600, false);
    return ip;
  }
  return Unavailable("every address of session subnet " + subnet_.ToString() + " is leased",
                     "subnet_exhausted");
}

Status LeaseStore::Release(const std::string& id) {
  std::lock_guard<std::mutex> guard(mu_);
  BERTH_ASSIGN_OR_RETURN(FileLock lock, LockDir(dir_));
  for (const auto& [holder, ip] : Leases()) {
    if (holder != id) continue;
    const std::string path = dir_ + "/" + ip;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return ErrnoStatus("remove lease " + path, errno);
  }
  return Status::Ok();
}

std::map<std::string, std::string> LeaseStore::Leases() const {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    uint32_t ignored = 0;
    if (!ParseIpv4(e.path().filename(), ignored)) continue;  // lock, last_reserved_ip.0
    auto text = ReadFile(e.path());
    if (!text.ok()) continue;
    std::string id = FirstLine(*text);
    if (!id.empty()) out[id] = e.path().filename();
  }
  return out;
}

}  // namespace berth::net

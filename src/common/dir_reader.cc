#include "common/dir_reader.h"

#include <dirent.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

namespace berth {
namespace {

// The kernel's record layout for getdents64 (glibc 2.36 has no wrapper in
// <dirent.h> without _GNU_SOURCE tricks, so declare it here).
struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

}  // namespace

DirReader::DirReader(UniqueFd fd, size_t buffer_bytes)
    : fd_(std::move(fd)), cap_(buffer_bytes), buf_(new char[buffer_bytes]) {}

Result<bool> DirReader::Next(DirEntry* entry) {
  for (;;) {
    while (pos_ < len_) {
      auto* d = reinterpret_cast<LinuxDirent64*>(buf_.get() + pos_);
      pos_ += d->d_reclen;
      const char* name = d->d_name;
      if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
      entry->name = std::string_view(name, std::strlen(name));
      entry->ino = d->d_ino;
      entry->type = d->d_type;
      return true;
    }
    long n = ::syscall(SYS_getdents64, fd_.get(), buf_.get(), cap_);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("getdents64", errno);
    }
    if (n == 0) return false;
    len_ = static_cast<size_t>(n);
    pos_ = 0;
  }
}

Status DirReader::Rewind() {
  if (::lseek(fd_.get(), 0, SEEK_SET) < 0) return ErrnoStatus("rewind directory", errno);
  len_ = pos_ = 0;
  return Status::Ok();
}

}  // namespace berth

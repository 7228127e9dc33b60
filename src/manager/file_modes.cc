#include "manager/file_modes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "common/unique_fd.h"

namespace berth::manager {

Status SecureDataDir(const std::string& data_dir, bool sqlite_store) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Internal("cannot create data dir " + data_dir + ": " + ec.message());
  if (::chmod(data_dir.c_str(), 0711) != 0) return ErrnoStatus("chmod " + data_dir, errno);

  if (sqlite_store) {
    const std::string db = data_dir + "/berth.db";
    UniqueFd fd(::open(db.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return ErrnoStatus("creating " + db, errno);
  }
  for (const char* name : {"berth.db", "berth.db-wal", "berth.db-shm", "audit.log", "admin.token"}) {
    std::string path = data_dir + "/" + name;
    if (::chmod(path.c_str(), 0600) != 0 && errno != ENOENT) return ErrnoStatus("chmod " + path, errno);
  }
  return Status::Ok();
}

}  // namespace berth::manager

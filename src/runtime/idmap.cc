#include "runtime/idmap.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "common/status.h"

namespace berth::runtime {

IdMap ShiftMap(const IdRange& range) { return {{0, range.base, range.size}}; }

IdMap FolderMap(const IdRange& range, uint32_t disk_owner, uint32_t container_id) {
  const uint64_t begin = range.base;
  const uint64_t end = begin + range.size;
  const uint64_t user = begin + container_id;
  // Identity over the range, with holes where disk_owner (as a disk id) and
  // the session user (as a host id) would otherwise meet themselves.
  std::vector<uint64_t> holes = {user};
  if (disk_owner >= begin && disk_owner < end) holes.push_back(disk_owner);
  std::sort(holes.begin(), holes.end());
  holes.erase(std::unique(holes.begin(), holes.end()), holes.end());
  IdMap map;
  uint64_t from = begin;
  for (uint64_t hole : holes) {
    if (hole > from)
      map.push_back({static_cast<uint32_t>(from), static_cast<uint32_t>(from),
                     static_cast<uint32_t>(hole - from)});
    from = hole + 1;
  }
  if (end > from)
    map.push_back({static_cast<uint32_t>(from), static_cast<uint32_t>(from),
                   static_cast<uint32_t>(end - from)});
  map.push_back({disk_owner, static_cast<uint32_t>(user), 1});
  return map;
}

std::string IdMapText(const IdMap& map) {
  std::string out;
  for (const auto& l : map)
    out += std::to_string(l.inner) + " " + std::to_string(l.outer) + " " +
           std::to_string(l.count) + "\n";
  return out;
}

Result<UniqueFd> MakeUserNamespace(const IdMap& uids, const IdMap& gids) {
  int ready[2];
  int hold[2];
  if (::pipe2(ready, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);
  if (::pipe2(hold, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  UniqueFd hold_r(hold[0]), hold_w(hold[1]);
  // The child only makes the namespace and waits: async-signal-safe calls
  // only, as berthd is multi-threaded.
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoStatus("fork", errno);
  if (pid == 0) {
    ::close(hold_w.get());  // else the read below never sees EOF
    char c = ::unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
    (void)!::write(ready_w.get(), &c, 1);
    (void)!::read(hold_r.get(), &c, 1);  // returns when the parent closes hold_w
    ::_exit(0);
  }
  ready_w.reset();
  hold_r.reset();
  auto finish = [&] {
    hold_w.reset();
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  };
  char c = 'n';
  ssize_t n;
  do {
    n = ::read(ready_r.get(), &c, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1 || c != 'y') {
    finish();
    return Internal("unshare(CLONE_NEWUSER) failed in the helper child");
  }
  const std::string proc = "/proc/" + std::to_string(pid);
  // Written by a parent that holds CAP_SETGID on the host: setgroups need
  // not be denied, and multi-line maps are allowed.
  auto write_map = [&](const std::string& file, const IdMap& map) -> Status {
    UniqueFd fd(::open((proc + "/" + file).c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return ErrnoStatus("open " + file, errno);
    const std::string text = IdMapText(map);
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      return ErrnoStatus("write " + file + " '" + text + "'", errno);
    return Status::Ok();
  };
  Status s = write_map("uid_map", uids);
  if (s.ok()) s = write_map("gid_map", gids);
  UniqueFd ns;
  if (s.ok()) {
    ns.reset(::open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) s = ErrnoStatus("open " + proc + "/ns/user", errno);
  }
  finish();
  if (!s.ok()) return s;
  return ns;
}

Status IdmappedBind(const std::string& source, const std::string& target, int userns_fd,
                    const IdmappedBindOptions& options) {
  UniqueFd tree(::open_tree(AT_FDCWD, source.c_str(),
                            OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
                                AT_NO_AUTOMOUNT | AT_SYMLINK_NOFOLLOW));
  if (!tree) return ErrnoStatus("open_tree " + source, errno);
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_NODEV;
  if (!options.allow_setuid) attr.attr_set |= MOUNT_ATTR_NOSUID;
  if (options.read_only) attr.attr_set |= MOUNT_ATTR_RDONLY;
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  if (::mount_setattr(tree.get(), "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) != 0)
    return ErrnoStatus("idmap mount of " + source, errno);
  if (::move_mount(tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return ErrnoStatus("move_mount onto " + target, errno);
  return Status::Ok();
}

}  // namespace berth::runtime

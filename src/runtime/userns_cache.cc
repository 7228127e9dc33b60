#include "runtime/userns_cache.h"

#include <fcntl.h>

#include <cerrno>

namespace berth::runtime {

namespace {

Result<UniqueFd> Dup(int fd) {
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return ErrnoStatus("dup user namespace fd", errno);
  return UniqueFd(copy);
}

}  // namespace

Result<UniqueFd> UsernsCache::Get(const IdMap& uids, const IdMap& gids) {
  auto key = std::make_pair(uids, gids);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = namespaces_.find(key); it != namespaces_.end()) return Dup(it->second.get());
  }
  // Made outside the lock (it forks); a racing maker of the same maps just
  // loses its namespace to the first one stored.
  BERTH_ASSIGN_OR_RETURN(UniqueFd ns, MakeUserNamespace(uids, gids));
  std::lock_guard<std::mutex> lock(mu_);
  if (namespaces_.size() >= kMaxEntries) namespaces_.clear();
  auto [it, inserted] = namespaces_.emplace(std::move(key), std::move(ns));
  return Dup(it->second.get());
}

size_t UsernsCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return namespaces_.size();
}

}  // namespace berth::runtime

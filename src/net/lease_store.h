// LeaseStore: the session network's address leases, one file per address
// under a directory, in the layout of the CNI `host-local` IPAM plugin
// (containernetworking-plugins), so that the same files mean the same
// thing to Berth, to an operator and to the plugin itself:
//   <dir>/<ip>                  the lease: "<session id>\r\n<ifname>"
//   <dir>/last_reserved_ip.0    the address handed out last (round robin)
//   <dir>/lock                  flock(2)ed around every change
// A crashed berthd leaves only files behind; reconciliation reads them
// (Leases) and releases those of sessions that no longer exist, which
// `CNI_COMMAND=DEL host-local` with berth.conflist would do as well.
//
// Addresses are the subnet's hosts after the gateway (network + 2 up to
// the address before broadcast).
//
// Thread-safety: safe for concurrent calls (a mutex in-process, the flock
// against other processes).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "common/result.h"
#include "net/subnet.h"

namespace berth::net {

class LeaseStore {
 public:
  // REQUIRES: `dir` exists or can be made.
  LeaseStore(std::string dir, Ipv4Subnet subnet) : dir_(std::move(dir)), subnet_(subnet) {}

  // Leases a free address to `id` (interface `ifname`): the one after the
  // last handed out, wrapping. Unavailable when every address is
  // leased.
  Result<std::string> Acquire(const std::string& id, const std::string& ifname);

  // Removes every lease held by `id`. Idempotent.
  Status Release(const std::string& id);

  // session id -> address, from the files.
  std::map<std::string, std::string> Leases() const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  Ipv4Subnet subnet_;
  std::mutex mu_;
};

}  // namespace berth::net

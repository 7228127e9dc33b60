// The receiving end of runc's --console-socket protocol: runc connects to a
// unix socket and sends the PTY master it created inside the container as
// SCM_RIGHTS ancillary data. Also plain helpers to pass an fd that way (used
// by tests). Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace berth::runtime {

// A listening SOCK_STREAM unix socket at `path` (mode 0600). InvalidArgument
// if the path does not fit sockaddr_un.
Result<UniqueFd> ListenUnix(const std::string& path);

// Accepts one connection (waiting up to `timeout`) and receives one fd. The
// peer must run as `expected_uid` (SO_PEERCRED), so a session process cannot
// hand us a descriptor of its own.
Result<UniqueFd> ReceiveFd(int listen_fd, std::chrono::milliseconds timeout, uid_t expected_uid);

// Sends `fd` over a connected unix socket.
Status SendFd(int sock, int fd);

}  // namespace berth::runtime

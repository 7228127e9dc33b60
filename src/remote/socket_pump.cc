#include "remote/socket_pump.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "remote/frame.h"

namespace berth::remote {

bool PumpSocket(const PumpIo& io) {
  int flags = ::fcntl(io.fd, F_GETFL);
  if (flags < 0 || ::fcntl(io.fd, F_SETFL, flags | O_NONBLOCK) != 0) return false;
  std::string out;          // the peer's bytes not yet written into the socket
  bool peer_eof = false;    // the peer's kAppEof came
  bool shut_wr = false;     // ... and the socket's write side is shut
  bool sock_eof = false;    // the socket said EOF (kAppEof sent)
  char buf[kMaxDataChunk];
  for (;;) {
    if (!io.take(&out, &peer_eof)) return false;
    if (peer_eof && out.empty() && !shut_wr) {
      (void)::shutdown(io.fd, SHUT_WR);
      shut_wr = true;
    }
    if (shut_wr && sock_eof) return true;
    const bool want_read = !sock_eof && io.credit->available();
    const short events = static_cast<short>((want_read ? POLLIN : 0) | (out.empty() ? 0 : POLLOUT));
    pollfd fds[2] = {{io.fd, events, 0}, {io.wake_fd, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (fds[1].revents) {
      uint64_t n;
      (void)::read(io.wake_fd, &n, sizeof n);
    }
    const short got = fds[0].revents;
    if ((got & POLLOUT) && !out.empty()) {
      ssize_t n = ::send(io.fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
      if (n > 0) {
        out.erase(0, static_cast<size_t>(n));
        io.consumed(static_cast<size_t>(n));
      }
    }
    bool read_some = false;
    if (want_read && (got & (POLLIN | POLLHUP | POLLERR))) {
      size_t credit = io.credit->TryAcquire(sizeof buf);
      ssize_t n = credit > 0 ? ::recv(io.fd, buf, credit, MSG_DONTWAIT) : -1;
      const int err = errno;
      size_t used = n > 0 ? static_cast<size_t>(n) : 0;
      if (used < credit) io.credit->Grant(credit - used);
      if (n > 0) {
        io.send_data(std::string(buf, used));
        read_some = true;
      } else if (n == 0 && credit > 0) {
        sock_eof = true;
        io.send_eof();
        read_some = true;
      } else if (credit > 0 && err != EAGAIN && err != EINTR) {
        return false;
      }
    }
    // Hung up entirely (closed, reset) with nothing left to read: the
    // direction still open cannot finish.
    if ((got & (POLLHUP | POLLERR)) && !read_some) return false;
  }
}

}  // namespace berth::remote

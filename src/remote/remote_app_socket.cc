#include "remote/remote_app_socket.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <thread>

#include "common/unique_fd.h"
#include "remote/socket_pump.h"

namespace berth::remote {
namespace {

void Pump(const std::shared_ptr<HubLink>& link, uint32_t id, const std::shared_ptr<HubStream>& s,
          int far, int wake) {
  PumpIo io;
  io.fd = far;
  io.wake_fd = wake;
  io.credit = &s->send;
  io.take = [&s](std::string* data, bool* eof) {
    std::lock_guard lock(s->mu);
    while (!s->inbox.empty()) {
      Frame f = std::move(s->inbox.front());
      s->inbox.pop_front();
      if (f.type == FrameType::kAppData) *data += f.payload;
      if (f.type == FrameType::kAppEof) *eof = true;
      if (f.type == FrameType::kError) return false;
    }
    // The agent ends the stream once both directions are done there: after
    // its EOF that loses nothing, and what came before is still written out.
    return s->gone.ok() || *eof;
  };
  io.consumed = [&](size_t n) { link->Consumed(id, *s, n); };
  io.send_data = [&](std::string bytes) { link->Send(FrameType::kAppData, id, std::move(bytes)); };
  io.send_eof = [&] { link->Send(FrameType::kAppEof, id, ""); };
  const bool clean = PumpSocket(io);
  {
    std::lock_guard lock(s->mu);
    s->wake = nullptr;  // before `wake` is closed
  }
  link->Finish(id, /*abandon=*/!clean);
}

}  // namespace

Result<int> StartRemoteAppSocket(std::shared_ptr<HubLink> link, uint32_t id,
                                 std::shared_ptr<HubStream> stream) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0) {
    link->Finish(id, /*abandon=*/true);
    return Internal(std::string("socketpair: ") + std::strerror(errno));
  }
  UniqueFd local(sv[0]), far(sv[1]);
  UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) {
    link->Finish(id, /*abandon=*/true);
    return Internal(std::string("eventfd: ") + std::strerror(errno));
  }
  {
    std::lock_guard lock(stream->mu);
    stream->wake = [efd = wake.get()] {
      uint64_t one = 1;
      (void)::write(efd, &one, sizeof one);
    };
  }
  std::thread([link = std::move(link), id, stream = std::move(stream), far = std::move(far),
               wake = std::move(wake)] { Pump(link, id, stream, far.get(), wake.get()); })
      .detach();
  return local.release();
}

}  // namespace berth::remote

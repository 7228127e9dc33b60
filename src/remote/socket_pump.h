// PumpSocket: moves the bytes of one stream socket over one channel stream
// (remote/frame.h kAppData/kAppEof), both ways, until both directions ended
// or either side gave up. Used by both ends of an app connection: on the
// node agent the socket is the TCP connection to the app; on the manager it
// is the far end of the socketpair the apps proxy got from
// AgentHub::DialApp.
//
// Within the stream's windows both ways: the socket is not read without the
// peer's credit (`credit`), and credit for incoming bytes is returned only
// as they are written into the socket (`consumed`). Half-closes travel:
// EOF on the socket sends kAppEof; the peer's kAppEof, once its bytes are
// written, shuts the socket's write side. A socket that errs or hangs up
// entirely (the proxy or the app closed it) ends the pump as abandoned.
//
// Thread-safety: runs on the caller's thread; the callbacks are called
// from it only.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "remote/flow_control.h"

namespace berth::remote {

struct PumpIo {
  int fd = -1;       // the socket (made non-blocking here)
  int wake_fd = -1;  // an eventfd written when more frames, credit or cancellation came
  SendCredit* credit = nullptr;  // what the peer lets us send
  // Appends the peer's queued bytes to `*data` and sets `*eof` once its
  // kAppEof came (after those bytes); false when the stream is gone.
  std::function<bool(std::string* data, bool* eof)> take;
  // `n` bytes taken were written into the socket (returns credit).
  std::function<void(size_t n)> consumed;
  std::function<void(std::string bytes)> send_data;  // a kAppData frame
  std::function<void()> send_eof;                    // the kAppEof frame
};

// True when both directions ended cleanly (EOF each way); false when the
// stream went away or the socket failed (the caller abandons the stream).
bool PumpSocket(const PumpIo& io);

}  // namespace berth::remote

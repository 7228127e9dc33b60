// PtyInputQueue: what a terminal's user typed or pasted, waiting to be
// written to the PTY master. The WebSocket side pushes on an I/O thread;
// the terminal's pump thread writes it out with non-blocking writes. So a
// shell that stops reading (`sleep 100000` while the user keeps typing)
// never blocks an I/O thread.
//
// Bounded by back-pressure, never by dropping input: Push says when the
// queue is full, and the producer must then stop reading its socket until
// WriteTo reports `resume` (the queue drained to half the limit). One
// message is queued whole even past the limit, so memory stays under the
// limit plus one message (the WebSocket's message size limit).
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <string>

#include "common/status.h"

namespace berth::manager {

class PtyInputQueue {
 public:
  explicit PtyInputQueue(size_t limit) : limit_(limit) {}

  // Queues `data`; false when the queue is now full (stop reading).
  bool Push(std::string data);
  bool empty() const;

  struct WriteResult {
    Status status;        // an error other than EAGAIN/EINTR: the PTY is gone
    bool resume = false;  // the queue was full and has drained: read again
  };
  // Writes queued bytes to non-blocking `fd` until it would block or the
  // queue is empty. Never blocks. REQUIRES: one caller at a time.
  WriteResult WriteTo(int fd);

 private:
  const size_t limit_;
  mutable std::mutex mu_;
  std::deque<std::string> chunks_;
  size_t offset_ = 0;  // into chunks_.front()
  size_t bytes_ = 0;   // queued, not yet written
  bool full_ = false;  // Push said "full"; WriteTo owes a resume
};

}  // namespace berth::manager

#include "manager/pty_input_queue.h"

#include <unistd.h>

#include <cerrno>

namespace berth::manager {

bool PtyInputQueue::Push(std::string data) {
  std::lock_guard lock(mu_);
  bytes_ += data.size();
  if (!data.empty()) chunks_.push_back(std::move(data));
  if (bytes_ >= limit_) full_ = true;
  return !full_;
}

bool PtyInputQueue::empty() const {
  std::lock_guard lock(mu_);
  return bytes_ == 0;
}

PtyInputQueue::WriteResult PtyInputQueue::WriteTo(int fd) {
  // The write happens under the lock: it never blocks (O_NONBLOCK), and
  // Push only appends, so holding it is short and keeps the bookkeeping
  // simple.
  std::lock_guard lock(mu_);
  WriteResult r;
  while (!chunks_.empty()) {
    const std::string& front = chunks_.front();
    ssize_t n = ::write(fd, front.data() + offset_, front.size() - offset_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) r.status = ErrnoStatus("writing to the terminal", errno);
      break;
    }
    bytes_ -= static_cast<size_t>(n);
    offset_ += static_cast<size_t>(n);
    if (offset_ == front.size()) {
      chunks_.pop_front();
      offset_ = 0;
    }
  }
  if (full_ && bytes_ <= limit_ / 2) {
    full_ = false;
    r.resume = true;
  }
  return r;
}

}  // namespace berth::manager

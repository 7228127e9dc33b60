// Per-stream flow control of the agent channel (remote/frame.h): each
// direction of a stream has a window of kStreamWindow bytes. The sender
// spends SendCredit before each data frame; the receiver counts what
// arrives in a RecvWindow, refuses a peer that overruns it, and returns
// credit (kWindow frames) as its consumer takes the bytes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>

#include "remote/frame.h"

namespace berth::remote {

// What the peer lets us send. Thread-safe.
class SendCredit {
 public:
  explicit SendCredit(size_t initial = kStreamWindow) : credit_(initial) {}
  // Blocks until there is credit or Close(); takes up to `want` bytes of it.
  // 0 once closed.
  size_t Acquire(size_t want);
  // Takes up to `want` without waiting; maybe 0.
  size_t TryAcquire(size_t want);
  // The peer's kWindow frame (or credit taken and not used).
  void Grant(size_t n);
  // Wakes every Acquire for good.
  void Close();
  bool available() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  size_t credit_;
  bool closed_ = false;
};

// What we let the peer send. Not thread-safe: its owner locks.
class RecvWindow {
 public:
  // Data of `n` bytes arrived: false when the peer sent past its credit.
  bool OnData(size_t n);
  // The consumer took `n` bytes: the credit to return now (0: wait, so
  // that credit goes back in steps of a quarter window, not per chunk).
  uint32_t OnConsumed(size_t n);

 private:
  size_t outstanding_ = kStreamWindow;  // what the peer may still send
  size_t consumed_ = 0;                 // taken and not yet returned
};

}  // namespace berth::remote

// CloneRunner: runs streamed folder clones (FolderService::Clone on a
// volume without instant clones) in the background, on a fixed number of
// threads with a bounded queue. A job gets a stop flag to poll: it is set
// when the runner is destroyed, which then lets the threads finish every
// job already queued (each sees the flag and cleans up) and joins them.
// No detached threads. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"

namespace berth::manager {

class CloneRunner {
 public:
  using Job = std::function<void(const std::atomic<bool>& stop)>;

  // REQUIRES: threads >= 1.
  CloneRunner(size_t threads, size_t max_queued);
  ~CloneRunner();
  CloneRunner(const CloneRunner&) = delete;
  CloneRunner& operator=(const CloneRunner&) = delete;

  // Queues `job`. Unavailable (reason "clone_busy") when `max_queued` jobs
  // wait already, or when the runner is stopping.
  Status Submit(Job job);

 private:
  void Work();

  const size_t max_queued_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace berth::manager

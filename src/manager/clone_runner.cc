#include "manager/clone_runner.h"

#include <utility>

namespace berth::manager {

CloneRunner::CloneRunner(size_t threads, size_t max_queued) : max_queued_(max_queued) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

CloneRunner::~CloneRunner() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

Status CloneRunner::Submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stop_) return Unavailable("berthd is shutting down", "clone_busy");
    if (queue_.size() >= max_queued_) {
      return Unavailable("too many clones are waiting to be copied; try again later",
                         "clone_busy");
    }
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return Status::Ok();
}

void CloneRunner::Work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      // Stopping still drains the queue: each job sees stop_ and cleans up.
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(stop_);
  }
}

}  // namespace berth::manager

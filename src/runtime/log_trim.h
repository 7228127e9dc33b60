// Caps the size of container log files that a driver writes itself (the
// runc driver's <bundle>/container.log, PID 1's stdout and stderr; SPEC §3
// "Container logs are capped in size"). Docker caps its own json-file log.
//
// A session can write to its PID 1's stdout (/proc/1/fd/1) as fast as the
// disk takes it, so without a cap one session fills the data volume. The
// file stays open in the container with O_APPEND, so it cannot be renamed
// away; TrimLogFile keeps its newest part instead ("copytruncate"): it reads
// the last max_bytes/2 bytes, truncates the file to zero and writes them
// back. Appends that land between the truncate and the write-back end up
// before the kept tail; log lines may be cut at the start of the file.
// LogTrimmer runs TrimLogFile over every session's log every interval, so a
// burst can exceed the cap for up to one interval before it is cut back.
//
// Thread-safety: TrimLogFile may run concurrently for different files;
// LogTrimmer owns one thread, started by its constructor and joined by its
// destructor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"

namespace berth::runtime {

// If `path` is larger than `max_bytes`, keeps only its last max_bytes/2
// bytes. OK (and nothing done) if the file is missing or small enough.
Status TrimLogFile(const std::string& path, uint64_t max_bytes);

class LogTrimmer {
 public:
  // Trims <dir>/*/<file_name> to `max_bytes` every `interval`.
  LogTrimmer(std::string dir, std::string file_name, uint64_t max_bytes,
             std::chrono::milliseconds interval);
  ~LogTrimmer();
  LogTrimmer(const LogTrimmer&) = delete;
  LogTrimmer& operator=(const LogTrimmer&) = delete;

  // One pass over every log now (also what the thread does).
  void TrimAll();

 private:
  void Run();

  const std::string dir_;
  const std::string file_name_;
  const uint64_t max_bytes_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace berth::runtime

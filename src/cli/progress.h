// Progress: a one-line transfer progress bar on stderr for uploads and
// downloads. It draws only when enabled (stderr is a terminal) and the
// transfer is large (over 4 MiB, or, with an unknown total, once 4 MiB have
// passed), redrawing at most ten times a second. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace berth::cli {

class Progress {
 public:
  static constexpr uint64_t kMinBytes = 4ull << 20;

  // `total` is 0 when unknown.
  Progress(std::ostream& err, bool enabled, std::string label, uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Update(uint64_t done);
  // Draws the final state (if anything was drawn) and ends the line.
  void Finish();

  // The text of one progress line (no terminal control), for tests.
  static std::string Line(const std::string& label, uint64_t done, uint64_t total, double seconds);

 private:
  void Draw(bool final);

  std::ostream& err_;
  bool enabled_;
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool drawn_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// TotalProgress: one overall line for a tree transfer (`upload -r`): files
// done/total, bytes done/total and the rate, redrawn at most ten times a
// second, only when enabled (stderr is a terminal). Not thread-safe.
class TotalProgress {
 public:
  TotalProgress(std::ostream& err, bool enabled, uint64_t files, uint64_t bytes);
  ~TotalProgress();
  TotalProgress(const TotalProgress&) = delete;
  TotalProgress& operator=(const TotalProgress&) = delete;

  // `bytes` of the file in flight have been sent.
  void Update(uint64_t bytes);
  // The file in flight is done (or failed); its `size` counts as done.
  void FileDone(uint64_t size);
  // Erases the drawn line so that a message can take its place; the next
  // update draws it again below.
  void Clear();
  void Finish();

  // The text of one line (no terminal control), for tests.
  static std::string Line(uint64_t files_done, uint64_t files, uint64_t bytes_done, uint64_t bytes,
                          double seconds);

 private:
  void Draw(bool force);

  std::ostream& err_;
  bool enabled_;
  uint64_t files_, bytes_;
  uint64_t files_done_ = 0, bytes_done_ = 0, in_flight_ = 0;
  bool drawn_ = false, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace berth::cli

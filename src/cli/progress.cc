#include "cli/progress.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "cli/size.h"

namespace berth::cli {

Progress::Progress(std::ostream& err, bool enabled, std::string label, uint64_t total)
    : err_(err),
      enabled_(enabled && (total == 0 || total > kMinBytes)),
      label_(std::move(label)),
      total_(total),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Finish(); }

std::string Progress::Line(const std::string& label, uint64_t done, uint64_t total,
                           double seconds) {
  constexpr int kBarWidth = 30;
  std::string line = label.size() > 40 ? "..." + label.substr(label.size() - 37) : label;
  line += "  ";
  if (total > 0) {
    double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    int fill = static_cast<int>(frac * kBarWidth);
    line += "[" + std::string(fill, '#') + std::string(kBarWidth - fill, '.') + "] ";
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3d%%", static_cast<int>(frac * 100));
    line += pct;
    line += "  " + FormatSize(done) + " / " + FormatSize(total);
  } else {
    line += FormatSize(done);
  }
  if (seconds > 0.05) {
    line += "  " + FormatSize(static_cast<uint64_t>(static_cast<double>(done) / seconds)) + "/s";
  }
  return line;
}

void Progress::Update(uint64_t done) {
  done_ = done;
  if (!enabled_ || finished_) return;
  if (total_ == 0 && done < kMinBytes) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(false);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (drawn_) {
    Draw(true);
    err_ << '\n';
    err_.flush();
  }
}

void Progress::Draw(bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // \r, the line, then "erase to end of line".
  err_ << '\r' << Line(label_, done_, total_, secs) << "\x1b[K";
  err_.flush();
  drawn_ = true;
}

TotalProgress::TotalProgress(std::ostream& err, bool enabled, uint64_t files, uint64_t bytes)
    : err_(err),
      enabled_(enabled),
      files_(files),
      bytes_(bytes),
      start_(std::chrono::steady_clock::now()) {}

TotalProgress::~TotalProgress() { Finish(); }

std::string TotalProgress::Line(uint64_t files_done, uint64_t files, uint64_t bytes_done,
                                uint64_t bytes, double seconds) {
  std::string line = "files " + std::to_string(files_done) + "/" + std::to_string(files) + "  " +
                     FormatSize(bytes_done) + " / " + FormatSize(bytes);
  if (seconds > 0.05) {
    line +=
        "  " + FormatSize(static_cast<uint64_t>(static_cast<double>(bytes_done) / seconds)) + "/s";
  }
  return line;
}

void TotalProgress::Update(uint64_t bytes) {
  in_flight_ = bytes;
  Draw(false);
}

void TotalProgress::FileDone(uint64_t size) {
  files_done_ += 1;
  bytes_done_ += size;
  in_flight_ = 0;
  Draw(false);
}

void TotalProgress::Clear() {
  if (!drawn_ || finished_) return;
  err_ << "\r\x1b[K";
  err_.flush();
}

void TotalProgress::Finish() {
  if (finished_) return;
  if (drawn_) {
    Draw(true);
    err_ << '\n';
    err_.flush();
  }
  finished_ = true;
}

void TotalProgress::Draw(bool force) {
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double secs = std::chrono::duration<double>(now - start_).count();
  err_ << '\r' << Line(files_done_, files_, bytes_done_ + in_flight_, bytes_, secs) << "\x1b[K";
  err_.flush();
  drawn_ = true;
}

}  // namespace berth::cli

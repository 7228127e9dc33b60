// PromText: writes the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), by hand:
// no Debian 12 package carries a C++ client library (prometheus-cpp is not
// in bookworm), and the format is a few lines of escaping.
//
// One PromText builds one scrape's text; not thread-safe (each scrape
// makes its own). Families must be written whole, one after another:
// Family() then its samples.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth {

using PromLabels = std::vector<std::pair<std::string_view, std::string_view>>;

// A histogram's state for one label set: `cumulative[i]` observations were
// <= bounds[i]; `count` is every observation (the +Inf bucket).
struct HistogramSnapshot {
  std::vector<double> bounds;
  std::vector<uint64_t> cumulative;
  uint64_t count = 0;
  double sum = 0;
};

class PromText {
 public:
  // "# HELP name help" and "# TYPE name type" (counter, gauge, histogram).
  void Family(std::string_view name, std::string_view help, std::string_view type);
  // "name{k="v",...} value".
  void Sample(std::string_view name, const PromLabels& labels, double value);
  // name_bucket{...,le="b"} for each bound and le="+Inf", then name_sum and
  // name_count.
  void Histogram(std::string_view name, const PromLabels& labels, const HistogramSnapshot& h);
  const std::string& text() const { return out_; }

  // The exposition's spelling of a value: integers without a fraction,
  // "+Inf", "-Inf", "NaN".
  static std::string FormatValue(double v);
  // A label value with \, " and newline escaped.
  static std::string EscapeLabelValue(std::string_view v);
  // HELP text with \ and newline escaped.
  static std::string EscapeHelp(std::string_view v);

 private:
  void Labels(const PromLabels& labels, std::string_view le);
  std::string out_;
};

// The Content-Type of the format.
inline constexpr const char* kPromContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace berth

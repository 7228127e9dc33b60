// Metric instruments for /metrics (SPEC §5): a Counter, a Histogram with
// fixed bucket bounds, and a Family of either keyed by label values.
//
// Thread-safe and cheap on the hot path: recording is a relaxed atomic add
// (a compare-and-swap loop for a histogram's sum); a Family takes a shared
// lock to find an existing series and an exclusive one only to add a new
// series, which happens once per label set (label values must come from a
// bounded set: route patterns, status codes, never raw paths).
// There is no global registry: whoever owns the instruments writes them
// (PromText) when scraped.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/prom_text.h"

namespace berth {

class Counter {
 public:
  void Add(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

class Histogram {
 public:
  // REQUIRES: `bounds` ascending, finite (the +Inf bucket is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Buckets made cumulative; a concurrent Observe may be half in (the sum
  // without the bucket), which a scrape tolerates.
  HistogramSnapshot Snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 1 ms to 60 s.
std::vector<double> LatencyBuckets();

// Series of one metric by label values (in the order of the label names
// the owner writes them with).
template <class M>
class Family {
 public:
  explicit Family(std::function<std::unique_ptr<M>()> make = [] { return std::make_unique<M>(); })
      : make_(std::move(make)) {}

  M& With(const std::vector<std::string>& values) {
    {
      std::shared_lock lock(mu_);
      auto it = series_.find(values);
      if (it != series_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    auto& slot = series_[values];
    if (!slot) slot = make_();
    return *slot;
  }
  // Calls f(values, series) for each series, in label order.
  template <class F>
  void ForEach(F f) const {
    std::shared_lock lock(mu_);
    for (const auto& [values, m] : series_) f(values, *m);
  }

 private:
  std::function<std::unique_ptr<M>()> make_;
  mutable std::shared_mutex mu_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> series_;
};

// Label pairs for PromText from names and one series' values.
// REQUIRES: names.size() == values.size().
PromLabels ZipLabels(const std::vector<std::string_view>& names,
                     const std::vector<std::string>& values);

}  // namespace berth

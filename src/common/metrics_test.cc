#include "common/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace berth {
namespace {

TEST(Histogram, BucketsAreLeAndCumulative) {
  Histogram h({0.1, 1, 10});
  h.Observe(0.05);
  h.Observe(0.1);   // on the bound: counts as <= 0.1
  h.Observe(0.5);
  h.Observe(100);   // only in +Inf
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 3}));
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.sum, 100.65);
}

TEST(Histogram, ConcurrentObservationsAllCount) {
  Histogram h(LatencyBuckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) h.Observe(0.002);
    });
  }
  for (auto& t : threads) t.join();
  HistogramSnapshot s = h.Snapshot();
  EXPECT_EQ(s.count, 40000u);
  EXPECT_NEAR(s.sum, 80, 1e-6);
}

TEST(Family, OneSeriesPerLabelSet) {
  Family<Counter> f;
  f.With({"GET", "200"}).Add();
  f.With({"GET", "200"}).Add(2);
  f.With({"POST", "201"}).Add();
  std::vector<std::pair<std::vector<std::string>, uint64_t>> seen;
  f.ForEach([&](const std::vector<std::string>& v, const Counter& c) { seen.emplace_back(v, c.value()); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].first, (std::vector<std::string>{"GET", "200"}));
  EXPECT_EQ(seen[0].second, 3u);
  EXPECT_EQ(seen[1].second, 1u);
}

TEST(Family, ZipLabels) {
  PromLabels l = ZipLabels({"method", "code"}, {"GET", "200"});
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[1].first, "code");
  EXPECT_EQ(l[1].second, "200");
}

}  // namespace
}  // namespace berth

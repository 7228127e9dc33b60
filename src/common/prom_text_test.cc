#include "common/prom_text.h"

#include <gtest/gtest.h>

#include <limits>

namespace berth {
namespace {

TEST(PromText, FormatsValues) {
  EXPECT_EQ(PromText::FormatValue(0), "0");
  EXPECT_EQ(PromText::FormatValue(42), "42");
  EXPECT_EQ(PromText::FormatValue(0.25), "0.25");
  EXPECT_EQ(PromText::FormatValue(1e21), "1e+21");
  EXPECT_EQ(PromText::FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(PromText::FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(PromText::FormatValue(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(PromText, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(PromText::EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(PromText::EscapeHelp("say \"hi\"\\\n"), "say \"hi\"\\\\\\n");
}

TEST(PromText, WritesFamilyAndSamples) {
  PromText t;
  t.Family("berth_x_total", "Things.\nMore", "counter");
  t.Sample("berth_x_total", {}, 3);
  t.Sample("berth_x_total", {{"route", "/a/{name}"}, {"code", "200"}}, 1);
  t.Sample("berth_x_total", {{"path", "q\""}}, 0.5);
  EXPECT_EQ(t.text(),
            "# HELP berth_x_total Things.\\nMore\n"
            "# TYPE berth_x_total counter\n"
            "berth_x_total 3\n"
            "berth_x_total{route=\"/a/{name}\",code=\"200\"} 1\n"
            "berth_x_total{path=\"q\\\"\"} 0.5\n");
}

TEST(PromText, WritesHistogramWithInfSumAndCount) {
  HistogramSnapshot h;
  h.bounds = {0.1, 1};
  h.cumulative = {2, 3};
  h.count = 4;
  h.sum = 7.25;
  PromText t;
  t.Histogram("lat_seconds", {{"route", "r"}}, h);
  EXPECT_EQ(t.text(),
            "lat_seconds_bucket{route=\"r\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{route=\"r\",le=\"1\"} 3\n"
            "lat_seconds_bucket{route=\"r\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{route=\"r\"} 7.25\n"
            "lat_seconds_count{route=\"r\"} 4\n");
}

TEST(PromText, HistogramWithoutLabels) {
  HistogramSnapshot h;
  h.bounds = {1};
  h.cumulative = {0};
  PromText t;
  t.Histogram("h", {}, h);
  EXPECT_EQ(t.text(), "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

}  // namespace
}  // namespace berth

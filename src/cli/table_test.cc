#include "cli/table.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

TEST(TableTest, AlignsColumns) {
  Table t({"NAME", "SIZE", "NOTE"});
  t.AlignRight(1);
  t.AddRow({"a", "1 B", "x"});
  t.AddRow({"longer-name", "10.0 GiB", ""});
  EXPECT_EQ(t.Render(),
            "NAME             SIZE  NOTE\n"
            "a                 1 B  x\n"
            "longer-name  10.0 GiB\n");
}

TEST(TableTest, CountsUtf8CodePoints) {
  Table t({"N", "X"});
  t.AddRow({"caf\xc3\xa9", "1"});
  t.AddRow({"abcde", "2"});
  EXPECT_EQ(t.Render(),
            "N      X\n"
            "caf\xc3\xa9   1\n"
            "abcde  2\n");
  EXPECT_EQ(DisplayWidth("caf\xc3\xa9"), 4u);
}

TEST(TableTest, HeaderOnly) {
  Table t({"A", "B"});
  EXPECT_EQ(t.Render(), "A  B\n");
  EXPECT_EQ(t.rows(), 0u);
}

}  // namespace
}  // namespace berth::cli

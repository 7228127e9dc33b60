#include "cli/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace berth::cli {
namespace {

TEST(TotalProgressTest, LineShowsFilesBytesAndRate) {
  EXPECT_EQ(TotalProgress::Line(3, 10, 1 << 20, 4 << 20, 0), "files 3/10  1.0 MiB / 4.0 MiB");
  EXPECT_EQ(TotalProgress::Line(3, 10, 2 << 20, 4 << 20, 2.0),
            "files 3/10  2.0 MiB / 4.0 MiB  1.0 MiB/s");
}

TEST(TotalProgressTest, DrawsOneLineOnlyWhenEnabled) {
  std::ostringstream tty, pipe;
  {
    TotalProgress on(tty, /*enabled=*/true, 2, 300);
    TotalProgress off(pipe, /*enabled=*/false, 2, 300);
    for (TotalProgress* p : {&on, &off}) {
      p->Update(50);
      p->FileDone(100);
      p->FileDone(200);
      p->Finish();
    }
  }
  EXPECT_EQ(pipe.str(), "");
  std::string s = tty.str();
  EXPECT_EQ(s.front(), '\r');
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);  // one line, redrawn in place
  EXPECT_NE(s.find("files 2/2  300 B / 300 B"), std::string::npos) << s;
}

}  // namespace
}  // namespace berth::cli

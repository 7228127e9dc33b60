#include "agent/quota_notice.h"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

TEST(QuotaNoticeTest, EmptyWithoutQuotas) { EXPECT_EQ(QuotaNoticeText({}), ""); }

TEST(QuotaNoticeTest, OneLinePerFolder) {
  std::string t = QuotaNoticeText({{"/home/work/data", 50 << 20, 10 << 20, true},
                                   {"/home/work/docs", 1 << 20, std::nullopt, false}});
  EXPECT_NE(t.find("/home/work/data: quota 50.0 MiB (52428800 bytes), used 10.0 MiB; enforced "
                   "by the kernel"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("Disk quota exceeded"), std::string::npos);
  EXPECT_NE(t.find("/home/work/docs: quota 1.0 MiB (1048576 bytes); checked on uploads"),
            std::string::npos)
      << t;
}

}  // namespace
}  // namespace berth::agent

#include "agent/quota_notice.h"

#include <gtest/gtest.h>

namespace berth::agent {
namespace {

TEST(QuotaNoticeTest, EmptyWithoutQuotas) {
  EXPECT_EQ(QuotaNoticeText({}), "");
  EXPECT_EQ(QuotaShellNotice({}, {}), "");
  // Unbounded scratch is not a limit to tell about.
  EXPECT_EQ(QuotaNoticeText({}, {uint64_t{1} << 30, ""}), "");
}

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
  EXPECT_NE(t.find("~/.berth/quota"), std::string::npos) << t;
}

TEST(QuotaNoticeTest, ScratchLimitSaysWhichErrorToExpect) {
  std::string btrfs = QuotaNoticeText({}, {uint64_t{2} << 30, "btrfs"});
  EXPECT_NE(btrfs.find("Scratch limit: 2.0 GiB (2147483648 bytes)"), std::string::npos) << btrfs;
  EXPECT_NE(btrfs.find("EDQUOT"), std::string::npos) << btrfs;
  std::string tmpfs = QuotaNoticeText({}, {64 << 20, "tmpfs"});
  EXPECT_NE(tmpfs.find("ENOSPC"), std::string::npos) << tmpfs;
}

TEST(QuotaNoticeTest, ShellNoticeIsShort) {
  std::string t = QuotaShellNotice({{"/home/work/data", 50 << 20, 10 << 20, true}},
                                   {64 << 20, "tmpfs"});
  EXPECT_EQ(t,
            "berth: scratch (outside folders) is limited to 64.0 MiB.\n"
            "berth: /home/work/data has a quota of 50.0 MiB, 10.0 MiB used.\n"
            "berth: details in ~/.berth/quota\n");
}

TEST(QuotaNoticeTest, FileHasOneTabSeparatedLinePerLimit) {
  std::string t = QuotaFileText({{"/home/work/data", 50 << 20, 10 << 20, true},
                                 {"/home/work/docs", 1 << 20, std::nullopt, false}},
                                {64 << 20, "btrfs"});
  EXPECT_NE(t.find("\nscratch\t/home/work\t67108864\t-\tbtrfs\n"), std::string::npos) << t;
  EXPECT_NE(t.find("\nfolder\t/home/work/data\t52428800\t10485760\tkernel\n"), std::string::npos);
  EXPECT_NE(t.find("\nfolder\t/home/work/docs\t1048576\t-\tuploads\n"), std::string::npos);
  EXPECT_NE(QuotaFileText({}, {}).find("\nscratch\t/home/work\t-\t-\t-\n"), std::string::npos);
}

}  // namespace
}  // namespace berth::agent

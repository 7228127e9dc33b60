#include "cli/format.h"

#include <gtest/gtest.h>

#include "cli/progress.h"

namespace berth::cli {
namespace {

TEST(FormatTest, Mode) {
  EXPECT_EQ(FormatMode("dir", 0755), "drwxr-xr-x");
  EXPECT_EQ(FormatMode("file", 0644), "-rw-r--r--");
  EXPECT_EQ(FormatMode("symlink", 0777), "lrwxrwxrwx");
  EXPECT_EQ(FormatMode("other", 0600), "?rw-------");
  EXPECT_EQ(FormatMode("file", 04755), "-rwsr-xr-x");
  EXPECT_EQ(FormatMode("dir", 01777), "drwxrwxrwt");
}

TEST(FormatTest, Times) {
  EXPECT_EQ(FormatTimestamp("2024-05-01T12:34:56.789Z"), "2024-05-01 12:34:56");
  EXPECT_EQ(FormatTimestamp("2024-05-01T12:34:56Z"), "2024-05-01 12:34:56");
  EXPECT_EQ(FormatTimestamp(""), "-");
  EXPECT_EQ(FormatEpoch(0), "1970-01-01 00:00");
  EXPECT_EQ(FormatEpoch(1714566896), "2024-05-01 12:34");
}

TEST(FormatTest, FoldersTable) {
  api::Folder f;
  f.name = "data";
  f.id = "0c1d";
  f.volume = "local";
  f.owner = "admin";
  f.permission = "rw";
  f.status = "ready";
  f.created_at = "2024-05-01T12:00:00Z";
  f.quota_bytes = 10ull << 30;
  api::Folder g = f;
  g.name = ".local";
  g.quota_bytes.reset();
  EXPECT_EQ(FoldersTable({f, g}, false),
            "NAME    ID    VOLUME  OWNER  PERM  STATUS     QUOTA  CREATED\n"
            "data    0c1d  local   admin  rw    ready   10.0 GiB  2024-05-01 12:00:00\n"
            ".local  0c1d  local   admin  rw    ready          -  2024-05-01 12:00:00\n");
  g.trashed_at = "2024-05-02T00:00:00Z";
  std::string trash = FoldersTable({g}, true);
  EXPECT_NE(trash.find("TRASHED"), std::string::npos);
  EXPECT_NE(trash.find("2024-05-02 00:00:00"), std::string::npos);
}

TEST(FormatTest, FolderInfoShowsUsage) {
  api::Folder f;
  f.name = ".local";
  f.automount = true;
  f.usage = api::Usage{2048, 3, 1};
  std::string info = FolderInfo(f);
  EXPECT_NE(info.find("Usage:      2.0 KiB (2048 bytes) in 3 files, 1 directories"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("Automount:  yes"), std::string::npos) << info;
  EXPECT_NE(info.find("Quota:      none"), std::string::npos) << info;
}

TEST(FormatTest, FilesTable) {
  api::FileEntry d{"sub", "dir", 4096, 0, 0755};
  api::FileEntry f{"a b.txt", "file", 1536, 1714566896, 0644};
  EXPECT_EQ(FilesTable({d, f}),
            "MODE           SIZE  MODIFIED          NAME\n"
            "drwxr-xr-x        -  1970-01-01 00:00  sub/\n"
            "-rw-r--r--  1.5 KiB  2024-05-01 12:34  a b.txt\n");
}

TEST(ProgressTest, Line) {
  EXPECT_EQ(Progress::Line("f", 50, 100, 0),
            "f  [###############...............]  50%  50 B / 100 B");
  EXPECT_EQ(Progress::Line("f", 5ull << 20, 0, 1.0), "f  5.0 MiB  5.0 MiB/s");
}

}  // namespace
}  // namespace berth::cli

#include "storage/folder_fs.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>

#include "storage/storage_test_util.h"

namespace berth::storage {
namespace {

class FolderFsTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    ASSERT_EQ(::mkdir(Path("f").c_str(), 0755), 0);
    auto fs = FolderFs::Open(Path("f"));
    ASSERT_TRUE(fs.ok()) << fs.status().ToString();
    fs_.emplace(std::move(*fs));
  }

  std::string F(const std::string& rel) const { return Path("f/" + rel); }

  // Uploads `content` to `path` and commits.
  Result<api::FileEntry> Put(const std::string& path, const std::string& content,
                             bool overwrite = false) {
    auto up = fs_->BeginUpload(path, overwrite, std::nullopt);
    if (!up.ok()) return up.status();
    BERTH_RETURN_IF_ERROR((*up)->Write(content.data(), content.size()));
    return (*up)->Commit();
  }

  std::optional<FolderFs> fs_;
};

std::vector<std::string> Names(const api::FileList& list) {
  std::vector<std::string> out;
  for (const auto& e : list.entries) out.push_back(e.name);
  return out;
}

TEST_F(FolderFsTest, ListsSortedWithTypesAndPages) {
  WriteFile(F("b"), "bb");
  WriteFile(F("a"), "a");
  ASSERT_EQ(::mkdir(F("c").c_str(), 0700), 0);
  ASSERT_EQ(::symlink("a", F("d").c_str()), 0);
  ASSERT_EQ(::mkfifo(F("e").c_str(), 0600), 0);
  WriteFile(F(".berth-upload-0123"), "partial");

  auto all = fs_->List("", 100, "");
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Names(*all), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_FALSE(all->next.has_value());
  EXPECT_EQ(all->entries[0].type, "file");
  EXPECT_EQ(all->entries[1].size, 2u);
  EXPECT_EQ(all->entries[2].type, "dir");
  EXPECT_EQ(all->entries[2].mode, 0700u);
  EXPECT_EQ(all->entries[3].type, "symlink");
  EXPECT_EQ(all->entries[4].type, "other");

  auto page1 = fs_->List(".", 2, "");
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(Names(*page1), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(page1->next.has_value());
  auto page2 = fs_->List("", 2, *page1->next);
  ASSERT_TRUE(page2.ok());
  EXPECT_EQ(Names(*page2), (std::vector<std::string>{"c", "d"}));
  auto page3 = fs_->List("", 2, *page2->next);
  ASSERT_TRUE(page3.ok());
  EXPECT_EQ(Names(*page3), (std::vector<std::string>{"e"}));
  EXPECT_FALSE(page3->next.has_value());
}

TEST_F(FolderFsTest, ListSubdirAndErrors) {
  ASSERT_EQ(::mkdir(F("sub").c_str(), 0755), 0);
  WriteFile(F("sub/x"), "x");
  auto list = fs_->List("sub/", 10, "");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->path, "sub");
  EXPECT_EQ(Names(*list), (std::vector<std::string>{"x"}));
  EXPECT_EQ(fs_->List("nope", 10, "").status().code(), Code::kNotFound);
  EXPECT_EQ(fs_->List("sub/x", 10, "").status().reason(), "not_a_directory");
  EXPECT_EQ(fs_->List("../", 10, "").status().reason(), "invalid_path");
}

TEST_F(FolderFsTest, StatFileDirRoot) {
  WriteFile(F("a"), "hello");
  auto st = fs_->Stat("a");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->name, "a");
  EXPECT_EQ(st->type, "file");
  EXPECT_EQ(st->size, 5u);
  EXPECT_GT(st->mtime, 0);
  auto root = fs_->Stat("");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->type, "dir");
  EXPECT_EQ(fs_->Stat("missing").status().code(), Code::kNotFound);
}

TEST_F(FolderFsTest, MkdirWithAndWithoutParents) {
  auto d = fs_->Mkdir("x", false);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->type, "dir");
  EXPECT_EQ(fs_->Mkdir("x", false).status().code(), Code::kAlreadyExists);
  EXPECT_TRUE(fs_->Mkdir("x", true).ok());
  EXPECT_EQ(fs_->Mkdir("y/z", false).status().code(), Code::kNotFound);
  auto deep = fs_->Mkdir("y/z/w", true);
  ASSERT_TRUE(deep.ok()) << deep.status().ToString();
  struct stat st;
  ASSERT_EQ(::stat(F("y/z/w").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  WriteFile(F("file"), "");
  EXPECT_EQ(fs_->Mkdir("file", true).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(fs_->Mkdir("file/sub", true).status().reason(), "not_a_directory");
  EXPECT_EQ(fs_->Mkdir("", false).status().code(), Code::kAlreadyExists);
  EXPECT_EQ(fs_->Mkdir(".berth-upload-x", false).status().code(), Code::kInvalidArgument);
}

TEST_F(FolderFsTest, UploadCommitAndConflicts) {
  auto e = Put("new.txt", "content");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->name, "new.txt");
  EXPECT_EQ(e->size, 7u);
  EXPECT_EQ(ReadFile(F("new.txt")), "content");
  struct stat st;
  ASSERT_EQ(::stat(F("new.txt").c_str(), &st), 0);
  mode_t mask = ::umask(0);
  ::umask(mask);
  EXPECT_EQ(st.st_mode & 0777, 0644u & ~mask);

  EXPECT_EQ(Put("new.txt", "again").status().code(), Code::kAlreadyExists);
  EXPECT_EQ(ReadFile(F("new.txt")), "content");
  ASSERT_TRUE(Put("new.txt", "replaced", /*overwrite=*/true).ok());
  EXPECT_EQ(ReadFile(F("new.txt")), "replaced");

  ASSERT_EQ(::mkdir(F("dir").c_str(), 0755), 0);
  EXPECT_EQ(Put("dir", "x", true).status().reason(), "is_a_directory");
  EXPECT_EQ(Put("nodir/x", "x").status().code(), Code::kNotFound);
  EXPECT_EQ(Put("", "x").status().reason(), "is_a_directory");
  EXPECT_EQ(Put(".berth-upload-1", "x").status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(Put("dir/inner", "in").ok());
  EXPECT_EQ(ReadFile(F("dir/inner")), "in");
}

TEST_F(FolderFsTest, UploadTargetAppearingBeforeCommitIsAlreadyExists) {
  auto up = fs_->BeginUpload("race", false, std::nullopt);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE((*up)->Write("mine", 4).ok());
  WriteFile(F("race"), "theirs");
  EXPECT_EQ((*up)->Commit().status().code(), Code::kAlreadyExists);
  EXPECT_EQ(ReadFile(F("race")), "theirs");
  up->reset();
  EXPECT_EQ(Names(*fs_->List("", 0, "")), (std::vector<std::string>{"race"}));
  // No temp file left behind either.
  auto raw = fs_->ComputeUsage();
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->files, 1u);
}

TEST_F(FolderFsTest, DirectoryAppearingBeforeOverwriteCommitIsRefused) {
  auto up = fs_->BeginUpload("t", true, std::nullopt);
  ASSERT_TRUE(up.ok());
  ASSERT_EQ(::mkdir(F("t").c_str(), 0755), 0);
  WriteFile(F("t/keep"), "keep");
  EXPECT_EQ((*up)->Commit().status().reason(), "is_a_directory");
  EXPECT_EQ(ReadFile(F("t/keep")), "keep");
}

TEST_F(FolderFsTest, InterruptedUploadLeavesNothing) {
  {
    auto up = fs_->BeginUpload("big.bin", false, std::nullopt);
    ASSERT_TRUE(up.ok());
    std::string chunk(1 << 16, 'z');
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*up)->Write(chunk.data(), chunk.size()).ok());
    // Destroyed without Commit.
  }
  EXPECT_FALSE(Exists(F("big.bin")));
  auto usage = fs_->ComputeUsage();
  ASSERT_TRUE(usage.ok());
  EXPECT_EQ(usage->files, 0u);
  EXPECT_EQ(usage->bytes, 0u);
}

TEST_F(FolderFsTest, UploadOverTheLimitIsRefusedAndLeavesNothing) {
  {
    auto up = fs_->BeginUpload("q", false, 10);
    ASSERT_TRUE(up.ok());
    EXPECT_TRUE((*up)->Write("0123456789", 10).ok());
    Status s = (*up)->Write("x", 1);
    EXPECT_EQ(s.code(), Code::kResourceExhausted);
    EXPECT_EQ(s.reason(), "quota_exceeded");
  }
  EXPECT_FALSE(Exists(F("q")));
}

TEST_F(FolderFsTest, CommitTwiceFails) {
  auto up = fs_->BeginUpload("once", false, std::nullopt);
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE((*up)->Commit().ok());
  EXPECT_FALSE((*up)->Commit().ok());
  EXPECT_FALSE((*up)->Write("x", 1).ok());
  up->reset();
  EXPECT_TRUE(Exists(F("once")));  // the destructor keeps a committed file
}

TEST_F(FolderFsTest, UploadedFilesBelongToTheFolderOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  ASSERT_EQ(::chown(F("").c_str(), 1000, 1000), 0);
  ASSERT_TRUE(Put("owned", "x").ok());
  ASSERT_TRUE(fs_->Mkdir("d1/d2", true).ok());
  for (const char* p : {"owned", "d1", "d1/d2"}) {
    struct stat st;
    ASSERT_EQ(::lstat(F(p).c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 1000u) << p;
    EXPECT_EQ(st.st_gid, 1000u) << p;
  }
}

TEST_F(FolderFsTest, OpenForRead) {
  WriteFile(F("doc.txt"), "12345");
  auto f = fs_->OpenForRead("doc.txt");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->size, 5u);
  EXPECT_EQ(f->name, "doc.txt");
  EXPECT_GE(f->etag.size(), 3u);
  EXPECT_EQ(f->etag.front(), '"');
  char buf[16];
  EXPECT_EQ(::read(f->fd.get(), buf, sizeof(buf)), 5);
  auto again = fs_->OpenForRead("doc.txt");
  EXPECT_EQ(again->etag, f->etag);
  WriteFile(F("doc.txt"), "123456");
  EXPECT_NE(fs_->OpenForRead("doc.txt")->etag, f->etag);

  ASSERT_EQ(::mkdir(F("d").c_str(), 0755), 0);
  EXPECT_EQ(fs_->OpenForRead("d").status().reason(), "is_a_directory");
  EXPECT_EQ(fs_->OpenForRead("").status().reason(), "is_a_directory");
  EXPECT_EQ(fs_->OpenForRead("missing").status().code(), Code::kNotFound);
}

TEST_F(FolderFsTest, MoveRenamesAndNeverReplaces) {
  WriteFile(F("a"), "A");
  WriteFile(F("b"), "B");
  ASSERT_EQ(::mkdir(F("d").c_str(), 0755), 0);
  auto e = fs_->Move("a", "d/a2");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->name, "a2");
  EXPECT_EQ(ReadFile(F("d/a2")), "A");
  EXPECT_FALSE(Exists(F("a")));
  EXPECT_EQ(fs_->Move("b", "d/a2").status().code(), Code::kAlreadyExists);
  EXPECT_EQ(ReadFile(F("d/a2")), "A");
  EXPECT_EQ(fs_->Move("missing", "x").status().code(), Code::kNotFound);
  EXPECT_EQ(fs_->Move("b", "nodir/x").status().code(), Code::kNotFound);
  EXPECT_EQ(fs_->Move("", "x").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(fs_->Move("d", "d/inner").status().code(), Code::kInvalidArgument);
  ASSERT_EQ(::mkdir(F("d/sub").c_str(), 0755), 0);
  EXPECT_EQ(fs_->Move("d", "d/sub/deeper").status().code(), Code::kInvalidArgument);
  // Through an in-folder symlink the lexical check cannot see it; the
  // kernel's can.
  ASSERT_EQ(::symlink("d/sub", F("alias").c_str()), 0);
  EXPECT_EQ(fs_->Move("d", "alias/deeper").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(Exists(F("d/sub")));
  EXPECT_TRUE(fs_->Move("d", "d2").ok());
  EXPECT_EQ(ReadFile(F("d2/a2")), "A");
}

TEST_F(FolderFsTest, RemoveFilesAndDirs) {
  WriteFile(F("a"), "A");
  ASSERT_TRUE(fs_->Remove("a", false).ok());
  EXPECT_FALSE(Exists(F("a")));
  EXPECT_EQ(fs_->Remove("a", false).code(), Code::kNotFound);
  ASSERT_EQ(::mkdir(F("empty").c_str(), 0755), 0);
  EXPECT_TRUE(fs_->Remove("empty", false).ok());
  ASSERT_TRUE(fs_->Mkdir("t/u/v", true).ok());
  WriteFile(F("t/u/v/f"), "x");
  WriteFile(F("t/g"), "y");
  Status s = fs_->Remove("t", false);
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_EQ(s.reason(), "directory_not_empty");
  EXPECT_TRUE(fs_->Remove("t", true).ok());
  EXPECT_FALSE(Exists(F("t")));
  EXPECT_EQ(fs_->Remove("", true).code(), Code::kInvalidArgument);
  EXPECT_EQ(fs_->Remove(".", true).code(), Code::kInvalidArgument);
  EXPECT_TRUE(Exists(F("")));
}

TEST_F(FolderFsTest, RemovesTreesDeeperThanTheFdBudget) {
  // Deeper than the remover holds fds for (RemoveTreeLimits): exercises hoisting.
  std::string rel = "deep";
  ASSERT_EQ(::mkdir(F(rel).c_str(), 0755), 0);
  for (int i = 0; i < 200; ++i) {
    rel += "/d";
    ASSERT_EQ(::mkdir(F(rel).c_str(), 0755), 0);
    if (i % 50 == 0) WriteFile(F(rel + "_f"), "x");
  }
  WriteFile(F(rel + "/leaf"), "leaf");
  ASSERT_TRUE(fs_->Remove("deep", true).ok());
  EXPECT_FALSE(Exists(F("deep")));
}

TEST_F(FolderFsTest, ComputeUsageCountsApparentSizes) {
  ASSERT_TRUE(fs_->Mkdir("a/b", true).ok());
  WriteFile(F("a/b/one"), std::string(1000, 'x'));
  WriteFile(F("a/two"), std::string(24, 'x'));
  WriteFile(F("three"), "");
  ASSERT_EQ(::symlink("/etc/passwd", F("link").c_str()), 0);
  ASSERT_EQ(::mkfifo(F("fifo").c_str(), 0600), 0);
  auto u = fs_->ComputeUsage();
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->bytes, 1024u);
  EXPECT_EQ(u->files, 5u);  // one, two, three, link, fifo
  EXPECT_EQ(u->dirs, 2u);   // a, a/b
}

// SPEC §10: first page of a 100k-entry directory in <= 50 ms. The bound here
// is looser so a busy shared CI box does not flake; the time is printed.
TEST_F(FolderFsTest, FirstPageOfAHugeDirectoryIsFast) {
  ASSERT_EQ(::mkdir(F("big").c_str(), 0755), 0);
  int dfd = ::open(F("big").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dfd, 0);
  for (int i = 0; i < 100000; ++i) {
    std::string name = "file-" + std::to_string(i * 7919 % 100000);
    int fd = ::openat(dfd, name.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  ::close(dfd);
  auto start = std::chrono::steady_clock::now();
  auto page = fs_->List("big", 100, "");
  auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 100u);
  EXPECT_EQ(page->entries[0].name, "file-0");
  EXPECT_EQ(page->entries[1].name, "file-1");
  EXPECT_EQ(page->entries[2].name, "file-10");
  ASSERT_TRUE(page->next.has_value());
  auto second = fs_->List("big", 100, *page->next);
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->entries[0].name, page->entries.back().name);
  std::printf("first page of 100k entries: %.1f ms\n", ms);
  EXPECT_LT(ms, 250.0);
}

}  // namespace
}  // namespace berth::storage
